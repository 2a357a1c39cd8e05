"""``wireproof serve``: the real command on a loopback port, driven by the official client.

Graceful shutdown: on SIGTERM the server stops accepting, lets an in-flight call finish, then
exits 0; a call that outlives ``--shutdown-timeout`` does not hold the exit back.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from harness.cluster import free_port, wait_http
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

pytestmark = pytest.mark.anyio


def _limit_open_files(count: int | None) -> Callable[[], None] | None:
    if count is None:
        return None

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (count, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    return limit


@contextmanager
def serving(
    *extra: str,
    target: str = "tests.serve.slow_app:app",
    env: dict[str, str] | None = None,
    open_files: int | None = None,
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``wireproof serve`` on a free loopback port, optionally under an open-file limit."""
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
        preexec_fn=_limit_open_files(open_files),  # noqa: PLW1509 - setrlimit only, no threads involved
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


@pytest.mark.parametrize("target", ["tests.serve.slow_app:app", "tests.serve.slow_app:factory"])
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
        (["tests.serve.slow_app:app", "--auth", "none", "--host", "0.0.0.0"], "loopback only"),
        (["tests.serve.slow_app:app", "--auth", "jwt"], "--auth jwt needs --jwks"),
        (["tests.serve.slow_app", "--auth", "none"], "MODULE:ATTR"),
        (["tests.serve.nowhere:app", "--auth", "none"], "cannot import"),
        (["tests.serve.slow_app:not_a_connector", "--auth", "none"], "not a wireproof Connector"),
        (["tests.serve.slow_app:app", "--auth", "none", "--db", "redis://x"], "no idempotency store"),
        (
            ["tests.serve.slow_app:app", "--auth", "none", "--db", "postgresql://nobody@127.0.0.1:1/x"],
            "cannot open the idempotency store",
        ),
        (
            ["tests.serve.rows_app:app", "--auth", "none", "--db", "sqlite:///x.db"],
            "tools add_row write to the connector's database: name a factory MODULE:FUNC(database_url)",
        ),
        (["tests.serve.rows_app:make", "--auth", "none"], "takes the database URL: pass --db"),
        (["tests.serve.slow_app:app", "--auth", "none", "--store", "memory:"], "unrecognized arguments"),
        (["tests.serve.slow_app:app", "--auth", "none", "--shutdown-timeout", "nan"], "--shutdown-timeout"),
        (["tests.serve.slow_app:app", "--auth", "none", "--header-timeout", "0"], "--header-timeout"),
        (["tests.serve.slow_app:app", "--auth", "none", "--body-timeout", "inf"], "--body-timeout"),
        (["tests.serve.slow_app:app", "--auth", "none", "--max-connections", "0"], "--max-connections"),
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
    with serving("--db", f"sqlite:///{db}", target="tests.serve.rows_app:make") as (_, url):
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


# -- slow senders ------------------------------------------------------------------------------

PARTIAL_HEADERS = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n"


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/", maxsplit=1)[0])


def _slow_sender(port: int, first_bytes: bytes = PARTIAL_HEADERS) -> socket.socket:
    """A connection that sends the start of a request and then nothing."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(first_bytes)
    return sock


def _read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends before it closes the connection (bounded by the socket timeout)."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def test_a_connection_that_never_finishes_its_headers_gets_408_and_is_closed() -> None:
    with serving("--header-timeout", "1") as (_, url), _slow_sender(_port(url)) as sock:
        answer = _read_until_closed(sock)  # on a server without the deadline: socket timeout (30 s)
    assert answer.startswith(b"HTTP/1.1 408 "), answer


def test_a_silent_connection_is_closed_after_the_header_timeout() -> None:
    with serving("--header-timeout", "1") as (_, url), _slow_sender(_port(url), b"") as sock:
        assert _read_until_closed(sock).startswith(b"HTTP/1.1 408 ")


def test_a_body_that_stops_arriving_is_cut_off() -> None:
    headers = PARTIAL_HEADERS + b"accept: application/json, text/event-stream\r\ncontent-length: 500\r\n\r\n"
    with (
        serving("--body-timeout", "1") as (_, url),
        _slow_sender(_port(url), headers + b'{"jsonrpc":') as sock,
    ):
        answer = _read_until_closed(sock)
    assert not answer.startswith(b"HTTP/1.1 2"), answer  # cut off, never taken for a request


def test_a_connection_beyond_max_connections_gets_503_at_once_and_is_closed() -> None:
    with serving("--max-connections", "5") as (_, url):
        held = [_slow_sender(_port(url)) for _ in range(5)]
        try:
            with _slow_sender(_port(url), b"") as extra:
                refused = _read_until_closed(extra)  # on a server without the cap: 408 at the header timeout
        finally:
            for sock in held:
                sock.close()
        assert refused.startswith(b"HTTP/1.1 503 "), refused
        assert b"retry-after: 1" in refused
        assert httpx2.post(url, json=INITIALIZE, headers=MCP_HEADERS, timeout=20).status_code == 200


def test_150_slow_senders_under_a_low_descriptor_limit_do_not_starve_a_legitimate_call() -> None:
    """Issue 11: 150 slow connections under a low descriptor limit held a legitimate request off
    for good. Now those past the connection limit (64 below the descriptor limit) are refused with
    503 at once, the rest are cut off at the header timeout (408), and the legitimate request is
    answered: refused while they hold their places, 200 once they are gone."""
    with serving("--header-timeout", "2", open_files=128) as (_, url):
        slow = [_slow_sender(_port(url)) for _ in range(150)]
        try:
            statuses = []
            deadline = time.monotonic() + 90  # a bound, not a measurement
            while not statuses or statuses[-1] != 200:
                assert time.monotonic() < deadline, f"no answer but {statuses[-5:]}"
                try:
                    statuses.append(
                        httpx2.post(url, json=INITIALIZE, headers=MCP_HEADERS, timeout=5).status_code
                    )
                except httpx2.TransportError:  # refused at accept (reset), or queued behind the slow ones
                    statuses.append(0)
                if statuses[-1] != 200:
                    time.sleep(0.2)
            assert set(statuses) <= {0, 503, 200}, statuses
            answers = [_read_until_closed(sock) for sock in slow]
        finally:
            for sock in slow:
                sock.close()
    timed_out = sum(a.startswith(b"HTTP/1.1 408 ") for a in answers)
    refused = sum(a.startswith(b"HTTP/1.1 503 ") for a in answers)
    assert timed_out + refused == 150  # every one closed by the server, none left holding a descriptor
    assert refused > 0  # those past the connection limit at once, not when the descriptors run out


def test_the_connection_limit_leaves_room_under_the_open_file_limit() -> None:
    code = "from wireproof.serve._run import connection_limit; print(connection_limit(1000), connection_limit(10))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        preexec_fn=_limit_open_files(256),
    )
    assert done.stdout.split() == ["192", "10"]


MCP_HEADERS = {"accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"},
    },
}


# -- over stdio: any connector, its caller's API key from the environment -----------------------


def _keys_file(tmp_path: Path, scopes: tuple[str, ...] = ("notes:read",)) -> Path:
    from wireproof.auth import hash_key

    keys = tmp_path / "keys.toml"
    keys.write_text(
        f'[[keys]]\nsha256 = "{hash_key("k-reader")}"\nprincipal = "reader"\nscopes = {json.dumps(list(scopes))}\n'
    )
    keys.chmod(0o600)
    return keys


def _stdio(*args: str, key: str | None = None) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if k != "NOTES_KEY"}
    if key is not None:
        env["NOTES_KEY"] = key
    return StdioServerParameters(
        command=sys.executable, args=["-m", "wireproof.cli", "serve", *args, "--transport", "stdio"], env=env
    )


async def test_serve_over_stdio_serves_the_holder_of_the_key_in_key_env(tmp_path: Path) -> None:
    keys = _keys_file(tmp_path)
    params = _stdio(
        "tests.serve.keyed_stdio_app:app",
        "--keys-file",
        str(keys),
        "--key-env",
        "NOTES_KEY",
        key="k-reader",
    )
    with anyio.fail_after(60):
        async with Client(params) as client:
            assert [t.name for t in (await client.list_tools()).tools] == ["read_note"]
            result = await client.call_tool("read_note", {})
    assert result.is_error is False
    assert result.structured_content == {"text": "hello"}


async def test_serve_over_stdio_hides_and_refuses_a_tool_the_key_has_no_scope_for(tmp_path: Path) -> None:
    keys = _keys_file(tmp_path, scopes=("tickets:read",))
    params = _stdio(
        "tests.serve.keyed_stdio_app:app",
        "--keys-file",
        str(keys),
        "--key-env",
        "NOTES_KEY",
        key="k-reader",
    )
    with anyio.fail_after(60):
        async with Client(params) as client:
            assert (await client.list_tools()).tools == []
            result = await client.call_tool("read_note", {})
    assert result.is_error is True
    assert result.meta["io.wireproof/error"]["code"] == "insufficient_scope"


@pytest.mark.parametrize(
    ("args", "key", "message"),
    [
        (["--keys-file", "KEYS", "--key-env", "NOTES_KEY"], None, "NOTES_KEY is not set; start this server"),
        (
            ["--keys-file", "KEYS", "--key-env", "NOTES_KEY"],
            "k-unknown",
            "NOTES_KEY is not a key this server knows",
        ),
        (["--keys-file", "KEYS"], "k-reader", "over stdio, give --keys-file PATH and --key-env VAR"),
        ([], None, "or --auth none to serve every caller as the local operator"),
        (["--auth", "jwt"], None, "--auth jwt is for HTTP"),
        (["--auth", "none", "--keys-file", "KEYS"], None, "--auth none would ignore --keys-file"),
        (["--keys-file", "NOWHERE", "--key-env", "NOTES_KEY"], "k-reader", "cannot read keys file"),
    ],
)
def test_serve_over_stdio_without_a_good_key_refuses_to_start_saying_why(
    tmp_path: Path, args: list[str], key: str | None, message: str
) -> None:
    keys = _keys_file(tmp_path)
    args = [str(keys) if a == "KEYS" else str(tmp_path / "none.toml") if a == "NOWHERE" else a for a in args]
    params = _stdio("tests.serve.keyed_stdio_app:app", *args, key=key)
    done = subprocess.run(
        [params.command, *params.args],
        env=params.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("wireproof serve: error: "), done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert key is None or key not in done.stderr


async def test_serve_over_stdio_keeps_data_and_records_in_the_one_database(tmp_path: Path) -> None:
    db = tmp_path / "rows.db"
    params = _stdio("tests.serve.rows_app:make", "--db", f"sqlite:///{db}", "--auth", "none")
    with anyio.fail_after(60):
        async with Client(params) as client:
            first = await client.call_tool("add_row", {"n": 7, "idempotency_key": "k"})
            again = await client.call_tool("add_row", {"n": 7, "idempotency_key": "k"})
    assert first.is_error is False
    assert (again.meta or {}).get("io.wireproof/replayed") is True
    with sqlite3.connect(db) as check:
        assert check.execute("SELECT n FROM rows").fetchall() == [(7,)]
        assert check.execute("SELECT count(*) FROM wireproof_idempotency").fetchone() == (1,)
    check.close()


def test_api_keys_over_http_pass_wireproof_check(tmp_path: Path) -> None:
    """``--auth keys``: plain Bearer challenges and no protected resource metadata (MCP requires the
    document to name an authorization server, and no client can fetch an API key from one), so the
    checker has nothing to report."""
    keys = _keys_file(tmp_path)
    with serving("--auth", "keys", "--keys-file", str(keys), target="tests.serve.keyed_stdio_app:app") as (
        _,
        url,
    ):
        done = subprocess.run(
            [
                *(sys.executable, "-m", "wireproof.cli", "check", url),
                *("--header", "Authorization: Bearer k-reader", "--format", "json", "--no-progress"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    report = json.loads(done.stdout)
    assert done.returncode == 0, report["findings"]
    assert [t["name"] for t in report["tools"]] == ["read_note"]
    assert report["findings"] == [], [(f["rule"], f["message"]) for f in report["findings"]]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"transport": "http"}, "serving over HTTP needs settings=HttpSettings(...)"),
        ({"transport": "http", "settings": "none", "principal": "operator"}, "pass no principal"),
        ({"transport": "http", "settings": "0.0.0.0"}, "--auth none serves anyone who can reach 0.0.0.0"),
        ({"transport": "stdio"}, "serving over stdio needs principal="),
        ({"transport": "stdio", "principal": "operator", "settings": "none"}, "stdio has no HTTP settings"),
        (
            {"transport": "stdio", "principal": "operator", "database": "redis://x"},
            "no idempotency store for 'redis'",
        ),
        ({"transport": "smoke-signals", "principal": "operator"}, "transport 'smoke-signals' is not one of"),
    ],
)
def test_the_serve_call_refuses_a_transport_without_what_it_needs(
    given: dict[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing starts: the library call prints one line and returns 2, as its console scripts do."""
    from tests.serve.slow_app import app
    from wireproof import LOCAL_OPERATOR
    from wireproof.serve import EXIT_CANNOT_START, HttpSettings, serve

    settings = {"none": HttpSettings(auth="none"), "0.0.0.0": HttpSettings(host="0.0.0.0", auth="none")}
    arguments: dict[str, Any] = {
        "transport": given["transport"],
        "settings": settings.get(given.get("settings", "")),
        "principal": LOCAL_OPERATOR if given.get("principal") else None,
        "database": given.get("database"),
    }
    assert serve(app, None, program="slow-mcp", **arguments) == EXIT_CANNOT_START
    error = capsys.readouterr().err
    assert error.startswith("slow-mcp: error: "), error
    assert message in error
    assert error.count("\n") == 1
