"""``wireproof serve``: the real command on a loopback port, driven by the official client.

Graceful shutdown: on SIGTERM the server stops accepting, lets an in-flight call finish, then
exits 0; a call that outlives ``--shutdown-timeout`` does not hold the exit back.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.cluster import free_port, wait_http

pytestmark = pytest.mark.anyio


@contextmanager
def serving(
    *extra: str, target: str = "tests.serving.slow_app:app", env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wireproof.cli",
            "serve",
            target,
            "--auth",
            "none",
            "--port",
            str(port),
            *extra,
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", process=process)
        yield process, f"http://127.0.0.1:{port}/mcp"
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


async def _call(url: str, seconds: float) -> float:
    async with Client(streamable_http_client(url)) as client:
        result = await client.call_tool("sleep_for", {"seconds": seconds})
    assert not result.is_error, result
    return float(result.structured_content["seconds"])


@pytest.mark.parametrize("target", ["tests.serving.slow_app:app", "tests.serving.slow_app:factory"])
async def test_serve_answers_over_stateless_http(target: str) -> None:
    with serving(target=target) as (_, url):
        async with Client(streamable_http_client(url)) as client:
            assert [t.name for t in (await client.list_tools()).tools] == ["sleep_for"]
        assert await _call(url, 0) == 0
        assert httpx2.get(url.replace("/mcp", "/readyz"), timeout=5).status_code == 200


async def _in_flight(marker: Path) -> None:
    with anyio.fail_after(30):
        while not marker.exists():  # noqa: ASYNC110, ASYNC240 - the server process touches it
            await anyio.sleep(0.02)


async def test_sigterm_finishes_the_call_in_flight_then_exits_cleanly(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    with serving("--shutdown-timeout", "10", env={"SLOW_APP_STARTED": str(marker)}) as (process, url):
        answers: list[float] = []

        connected = anyio.Event()

        async def in_flight() -> None:
            # The answer is kept as soon as it arrives: the client's goodbye on leaving finds the
            # server already gone, which is expected once it has shut down.
            with suppress(httpx2.HTTPError, ExceptionGroup):
                async with Client(streamable_http_client(url)) as client:
                    await client.list_tools()
                    connected.set()
                    result = await client.call_tool("sleep_for", {"seconds": 2})
                    answers.append(result.structured_content["seconds"])

        async with anyio.create_task_group() as group:
            group.start_soon(in_flight)
            await connected.wait()
            await _in_flight(marker)
            process.send_signal(signal.SIGTERM)
            await anyio.sleep(0.3)
            with pytest.raises(httpx2.HTTPError):  # no longer accepting
                httpx2.get(url.replace("/mcp", "/healthz"), timeout=2)
        assert answers == [2.0]  # the in-flight call was answered
        assert process.wait(timeout=15) == 0


async def test_a_call_outliving_the_shutdown_bound_does_not_hold_the_exit(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    with serving("--shutdown-timeout", "1", env={"SLOW_APP_STARTED": str(marker)}) as (process, url):

        async def in_flight() -> None:
            with suppress(Exception):  # the server going away mid-call is what is expected here
                await _call(url, 12)

        async with anyio.create_task_group() as group:
            group.start_soon(in_flight)
            await _in_flight(marker)
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            code = await anyio.to_thread.run_sync(process.wait, 15)
            group.cancel_scope.cancel()
        assert time.monotonic() - started < 6  # bounded by --shutdown-timeout, not by the 12 s call
        assert code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tests.serving.slow_app:app", "--auth", "none", "--host", "0.0.0.0"], "loopback only"),
        (["tests.serving.slow_app:app", "--auth", "jwt"], "--auth jwt needs --jwks"),
        (["tests.serving.slow_app", "--auth", "none"], "MODULE:ATTR"),
        (["tests.serving.nowhere:app", "--auth", "none"], "cannot import"),
        (["tests.serving.slow_app:not_a_connector", "--auth", "none"], "not a wireproof Connector"),
        (["tests.serving.slow_app:app", "--auth", "none", "--db", "redis://x"], "no idempotency store"),
        (
            ["tests.serving.slow_app:app", "--auth", "none", "--db", "postgresql://nobody@127.0.0.1:1/x"],
            "cannot open the idempotency store",
        ),
        (
            ["tests.serving.rows_app:app", "--auth", "none", "--db", "sqlite:///x.db"],
            "tools add_row write to the connector's database: name a factory MODULE:FUNC(database_url)",
        ),
        (["tests.serving.rows_app:make", "--auth", "none"], "takes the database URL: pass --db"),
        (["tests.serving.slow_app:app", "--auth", "none", "--store", "memory:"], "unrecognized arguments"),
        (["tests.serving.slow_app:app", "--auth", "none", "--shutdown-timeout", "nan"], "--shutdown-timeout"),
    ],
)
def test_unsafe_or_broken_settings_refuse_to_start_with_a_reason(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wireproof.cli", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


async def test_serve_takes_the_database_once_for_data_write_transactions_and_records(tmp_path: Path) -> None:
    db = tmp_path / "rows.db"
    with serving("--db", f"sqlite:///{db}", target="tests.serving.rows_app:make") as (_, url):
        async with Client(streamable_http_client(url)) as client:
            first = await client.call_tool("add_row", {"n": 5, "idempotency_key": "k"})
            again = await client.call_tool("add_row", {"n": 5, "idempotency_key": "k"})
        assert httpx2.get(url.replace("/mcp", "/readyz"), timeout=5).status_code == 200
    assert first.is_error is False
    assert (again.meta or {}).get("io.wireproof/replayed") is True
    with sqlite3.connect(db) as check:  # the effect and its record, in the one file given
        assert check.execute("SELECT n FROM rows").fetchall() == [(5,)]
        assert check.execute("SELECT count(*) FROM wireproof_idempotency").fetchone() == (1,)
    check.close()


def test_helpdesk_mcp_drains_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helpdesk.cli",
            "--db",
            str(tmp_path / "h.db"),
            "--seed",
            "10",
            "--transport",
            "http",
            "--auth",
            "none",
            "--port",
            str(port),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/readyz", process=process)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=20)
    assert process.returncode == 0
    assert b"Traceback" not in stderr
