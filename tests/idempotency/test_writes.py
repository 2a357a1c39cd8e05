"""Idempotent writes end to end: helpdesk over stdio on SQLite and on a real PostgreSQL, through the official
client, with separate client processes and a server killed mid-write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from helpdesk.db import open_database

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    url = (
        f"sqlite:///{tmp_path / 'h.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_db")
    )
    with open_database(url) as database:
        database.seed(50)
    return url


def scalar(url: str, sql: str, params: tuple[object, ...] = ()) -> Any:
    with open_database(url) as database:
        row = database.reader().one(sql, params)
    assert row is not None
    return next(iter(row.values()))


def helpdesk(url: str) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "helpdesk.cli", "--db", url])


def without_meta(value: Any) -> Any:
    return {k: v for k, v in value.items() if k != "_meta"} if isinstance(value, dict) else value


async def test_each_write_twice_gives_the_same_result_and_one_effect(db_url: str) -> None:
    key = uuid.uuid4().hex
    async with Client(helpdesk(db_url), read_timeout_seconds=60) as client:
        calls = [
            ("add_ticket_comment", {"ticket_id": 3, "body": "Called the customer.", "idempotency_key": key}),
            ("update_ticket_status", {"ticket_id": 3, "status": "solved", "idempotency_key": key + "s"}),
            ("create_status_note", {"week": "2026-W23", "body": "Quiet week."}),
        ]
        for tool, arguments in calls:
            first = await client.call_tool(tool, arguments)
            second = await client.call_tool(tool, arguments)
            assert first.is_error is False, first.content
            assert second.is_error is False
            assert without_meta(second.structured_content) == first.structured_content
        replay = await client.call_tool("add_ticket_comment", calls[0][1])
        assert (replay.meta or {}).get("io.wireproof/replayed") is True
        assert replay.structured_content["_meta"] == {"replayed": True}
    assert scalar(db_url, "SELECT count(*) AS n FROM ticket_comments WHERE ticket_id = 3") == 1
    assert scalar(db_url, "SELECT status FROM tickets WHERE id = 3") == "solved"
    assert scalar(db_url, "SELECT count(*) AS n FROM status_notes") == 1


async def test_same_key_with_different_arguments_is_a_conflict_naming_the_field(db_url: str) -> None:
    key = uuid.uuid4().hex
    async with Client(helpdesk(db_url), read_timeout_seconds=60) as client:
        first = await client.call_tool(
            "add_ticket_comment", {"ticket_id": 4, "body": "first", "idempotency_key": key}
        )
        assert first.is_error is False
        other = await client.call_tool(
            "add_ticket_comment", {"ticket_id": 4, "body": "second", "idempotency_key": key}
        )
    error = other.meta["io.wireproof/error"]
    assert (error["type"], error["code"], error["retryable"]) == ("conflict", "idempotency_conflict", False)
    assert [f["field"] for f in error["fields"]] == ["body"]
    assert error["fields"][0]["received"] == "second"
    # The record keeps digests, not values: the first call's body is not repeated back.
    assert '"first"' not in error["fields"][0]["expected"]
    assert "a new idempotency_key" in error["fields"][0]["expected"]
    assert scalar(db_url, "SELECT count(*) AS n FROM ticket_comments WHERE ticket_id = 4") == 1
    assert scalar(db_url, "SELECT body FROM ticket_comments WHERE ticket_id = 4") == "first"


def test_32_concurrent_identical_calls_from_4_client_processes_make_one_effect(db_url: str) -> None:
    arguments = {"ticket_id": 5, "body": "Escalated to tier 2.", "idempotency_key": uuid.uuid4().hex}
    command = [
        sys.executable,
        "-m",
        "tests.idempotency.burst_client",
        db_url,
        "add_ticket_comment",
        json.dumps(arguments),
        "8",
    ]
    processes = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err[-2000:]
        outcomes += [json.loads(line) for line in out.splitlines()]
    assert len(outcomes) == 32
    assert all(not o["is_error"] for o in outcomes), [o for o in outcomes if o["is_error"]][:2]
    assert len({json.dumps(without_meta(o["structured"]), sort_keys=True) for o in outcomes}) == 1
    assert sum(not o["replayed"] for o in outcomes) == 1
    assert scalar(db_url, "SELECT count(*) AS n FROM ticket_comments WHERE ticket_id = 5") == 1


def _pids_with(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline and "slow_writer" in cmdline:
                pids.append(int(entry.name))
    return pids


async def test_a_server_killed_mid_write_and_retried_with_the_same_key_makes_one_effect(
    db_url: str, tmp_path: Path
) -> None:
    key = uuid.uuid4().hex
    url = db_url
    marker_url = url if url.startswith("postgresql") else f"sqlite:///{tmp_path / 'journal.db'}"
    env = {**os.environ, "LOCK_TIMEOUT": "1"}
    slow = StdioServerParameters(
        command=sys.executable,
        args=["-m", "tests.idempotency.slow_writer", marker_url],
        env={**env, "SLOW_WRITE_SECONDS": "30"},
        cwd=str(ROOT),
    )
    arguments = {"item": "pay invoice 42", "idempotency_key": key}

    async def call_and_get_killed() -> None:
        async with Client(slow, read_timeout_seconds=60) as client:
            with pytest.raises(Exception):  # noqa: B017, PT011 - the server dies under the call; any error is fine
                await client.call_tool("append_entry", arguments)

    async with anyio.create_task_group() as group:
        group.start_soon(call_and_get_killed)
        deadline = time.monotonic() + 30
        while True:
            await anyio.sleep(0.5)
            pids = _pids_with(marker_url)
            if pids and _journal_rows(marker_url, uncommitted_ok=True) is not None:
                break
            assert time.monotonic() < deadline, "the slow writer never started"
        await anyio.sleep(1.0)  # the write is now inside its transaction, sleeping
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
    assert _journal_rows(marker_url) == 0  # the killed transaction left nothing behind

    fast = StdioServerParameters(
        command=sys.executable,
        args=["-m", "tests.idempotency.slow_writer", marker_url],
        env={**env, "SLOW_WRITE_SECONDS": "0"},
        cwd=str(ROOT),
    )
    async with Client(fast, read_timeout_seconds=60) as client:
        for _ in range(50):  # retry in_progress until the dead claim's lock times out
            result = await client.call_tool("append_entry", arguments)
            if not result.is_error:
                break
            assert result.meta["io.wireproof/error"]["code"] == "in_progress"
            await anyio.sleep(0.2)
        assert result.is_error is False
        again = await client.call_tool("append_entry", arguments)
        assert without_meta(again.structured_content) == result.structured_content
    assert _journal_rows(marker_url) == 1


def _journal_rows(url: str, *, uncommitted_ok: bool = False) -> int | None:
    try:
        if url.startswith("postgresql"):
            import psycopg

            with psycopg.connect(url) as connection:
                return int(connection.execute("SELECT count(*) FROM journal").fetchone()[0])  # type: ignore[index]
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as connection:
            return int(connection.execute("SELECT count(*) FROM journal").fetchone()[0])
    except Exception:
        if uncommitted_ok:
            return None
        raise
