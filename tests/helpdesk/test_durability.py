"""helpdesk's SQLite database under shutdown and operator faults: never a death by signal, never an
acknowledged write that is not durable in the file the server started on, and errors that say
what is wrong (a real helpdesk-mcp process, or the official client in memory on a real file)."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from harness.cluster import free_port, wait_http
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from helpdesk.app import app
from helpdesk.db import Database, open_database
from tests.helpdesk.shutdown_harness import Outcome, run_http_once, run_stdio_once
from wireproof import LOCAL_OPERATOR
from wireproof.idempotency import SqliteIdempotencyStore

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]


def _assert_clean_shutdown(outcome: Outcome) -> None:
    assert not outcome.died_by_signal, f"died by signal {-outcome.returncode}:\n{outcome.stderr[-3000:]}"
    assert "Fatal Python error" not in outcome.stderr
    assert outcome.acknowledged, "no write was acknowledged before the shutdown: the run proved nothing"
    assert outcome.lost == []  # every acknowledged write is in the file, exactly once
    assert outcome.duplicated == []


@pytest.mark.parametrize("run", range(3))
def test_closing_stdin_with_30_keyed_writes_in_flight_never_kills_helpdesk_nor_loses_an_acknowledged_write(
    tmp_path: Path, run: int
) -> None:
    _assert_clean_shutdown(run_stdio_once(tmp_path / f"stdio-{run}.db", writes=30))


@pytest.mark.parametrize("run", range(2))
def test_sigterm_under_200_keyed_writes_without_a_drain_never_kills_helpdesk_nor_loses_an_acknowledged_write(
    tmp_path: Path, run: int
) -> None:
    _assert_clean_shutdown(run_http_once(tmp_path / f"http-{run}.db", writes=200))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """helpdesk-mcp over HTTP on a seeded SQLite file (no auth, loopback)."""
    db = tmp_path / "h.db"
    with open_database(f"sqlite:///{db}") as database:
        database.seed(20)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "examples" / "helpdesk"), str(ROOT)])}
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "helpdesk.cli", "--db", f"sqlite:///{db}"),
            *("--transport", "http", "--auth", "none", "--port", str(port)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", process=process)
        yield {"db": db, "url": f"http://127.0.0.1:{port}/mcp", "base": f"http://127.0.0.1:{port}"}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


async def _writes_after(served: dict[str, Any], count: int) -> list[Any]:
    results = []
    with anyio.fail_after(60):
        async with Client(streamable_http_client(served["url"])) as client:
            for n in range(count):
                key = f"after-{n}-{uuid.uuid4().hex}"
                body = f"written after the file changed {key}"
                results.append(
                    await client.call_tool(
                        "add_ticket_comment", {"ticket_id": 1 + n % 20, "body": body, "idempotency_key": key}
                    )
                )
            results.append(await client.call_tool("get_ticket", {"ticket_id": 1}))
    return results


def _readyz(served: dict[str, Any]) -> int:
    return httpx2.get(f"{served['base']}/readyz", timeout=10).status_code


def _assert_refused_for_the_operator(result: Any, code: str) -> None:
    assert result.is_error is True
    error = result.meta["io.wireproof/error"]
    assert (error["type"], error["code"], error["retryable"]) == ("unavailable", code, True)
    assert "operator" in result.content[0].text
    assert "busy" not in result.content[0].text


async def test_after_the_sqlite_file_is_deleted_no_write_is_acknowledged_and_readyz_says_unavailable(
    served: dict[str, Any],
) -> None:
    with anyio.fail_after(60):
        async with Client(streamable_http_client(served["url"])) as client:
            first = await client.call_tool(
                "add_ticket_comment", {"ticket_id": 1, "body": "before", "idempotency_key": uuid.uuid4().hex}
            )
    assert first.is_error is False
    assert _readyz(served) == 200
    served["db"].unlink()
    results = await _writes_after(served, 10)
    for result in results:  # ten writes and a read: none answered as if it worked
        _assert_refused_for_the_operator(result, "database_replaced")
    assert _readyz(served) == 503


async def test_after_the_sqlite_file_is_replaced_no_write_goes_to_the_old_file_nor_the_new_one(
    served: dict[str, Any], tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    with open_database(f"sqlite:///{other}") as database:
        database.seed(20)
    assert _readyz(served) == 200
    os.replace(other, served["db"])  # a restore from backup (or a mistake) under the running server
    results = await _writes_after(served, 3)
    for result in results:
        _assert_refused_for_the_operator(result, "database_replaced")
    with sqlite3.connect(served["db"]) as connection:
        assert connection.execute("SELECT count(*) FROM ticket_comments").fetchone() == (0,)
    assert _readyz(served) == 503


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with open_database(f"sqlite:///{tmp_path / 'h.db'}") as db:
        db.seed(20)
        yield db


def _set_read_only(path: Path, read_only: bool) -> None:
    """Make the file unwritable, as root too (root ignores permission bits, not the immutable flag)."""
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        assert chattr is not None, "chattr is needed to make a file read-only for root"
        subprocess.run([chattr, "+i" if read_only else "-i", str(path)], check=True)
    else:
        path.chmod(0o444 if read_only else 0o644)


async def test_a_read_only_database_file_is_retryable_unavailable_for_the_operator_and_the_retry_succeeds_once_fixed(
    database: Database,
) -> None:
    store = database.store()
    path = Path(database.url.removeprefix("sqlite:///"))
    call = {"ticket_id": 2, "body": "after the permissions change", "idempotency_key": uuid.uuid4().hex}
    try:
        _set_read_only(path, True)
        try:
            async with Client(app.server(database, store=store, principal=LOCAL_OPERATOR)) as client:
                refused = await client.call_tool("add_ticket_comment", call)
        finally:
            _set_read_only(path, False)
        _assert_refused_for_the_operator(refused, "database_read_only")
        assert "read-only" in refused.content[0].text
        async with Client(app.server(database, store=store, principal=LOCAL_OPERATOR)) as client:
            retried = await client.call_tool("add_ticket_comment", call)
    finally:
        store.close()
    assert retried.is_error is False
    with sqlite3.connect(path) as connection:
        assert connection.execute(
            "SELECT count(*) FROM ticket_comments WHERE body = ?", (call["body"],)
        ).fetchone() == (1,)


class _SmallDiskStore(SqliteIdempotencyStore):
    """The store on a disk with no room beyond the pages the file has now (SQLite's max_page_count)."""

    def _open_connection(self) -> sqlite3.Connection:
        connection = super()._open_connection()
        (pages,) = connection.execute("PRAGMA page_count").fetchone()
        connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection


async def test_a_full_disk_is_retryable_unavailable_saying_the_disk_is_full_never_busy(
    database: Database,
) -> None:
    database.store().close()  # the records' table, made while there is room
    store = _SmallDiskStore(Path(database.url.removeprefix("sqlite:///")))
    results = []
    try:
        async with Client(app.server(database, store=store, principal=LOCAL_OPERATOR)) as client:
            for n in range(40):  # 4 KB each: the free space in the file's last pages runs out quickly
                result = await client.call_tool(
                    "add_ticket_comment",
                    {"ticket_id": 3, "body": f"{n:04} " + "x" * 3990, "idempotency_key": f"full-{n}"},
                )
                results.append(result)
                if result.is_error:
                    break
    finally:
        store.close()
    assert results[-1].is_error, "the disk never filled: the test proved nothing"
    _assert_refused_for_the_operator(results[-1], "disk_full")
    assert "disk" in results[-1].content[0].text
    assert "full" in results[-1].content[0].text
