"""Per-tool timeouts: a call past its time is a retryable ``timeout`` error, and a write that ran out
of time in the store's transaction is rolled back, even when its thread finishes later."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from pydantic import BaseModel

from wireproof import Connector, ToolContext, ToolDefinitionError
from wireproof.idempotency import MemoryIdempotencyStore, SqliteIdempotencyStore

pytestmark = pytest.mark.anyio


class Out(BaseModel):
    n: int


class State:
    def __init__(self) -> None:
        self.pause = 0.0
        self.finished = threading.Event()


def build() -> Connector[State]:
    app: Connector[State] = Connector("slow", timeout=5)

    @app.read(public=True, timeout=0.3)
    def slow_read(ctx: ToolContext[State], n: int) -> Out:
        """Answer after the state's pause.

        Args:
            n: Echoed back.
        """
        time.sleep(ctx.state.pause)
        ctx.state.finished.set()
        return Out(n=n)

    @app.read(public=True, timeout=0.3)
    async def slow_async(ctx: ToolContext[State], n: int) -> Out:
        """Answer after the state's pause, on the event loop.

        Args:
            n: Echoed back.
        """
        await anyio.sleep(ctx.state.pause)
        return Out(n=n)

    @app.write(public=True, idempotency_key=True, destructive=False, timeout=0.3)
    def slow_insert(ctx: ToolContext[State], n: int) -> Out:
        """Insert a row, pausing inside the transaction.

        Args:
            n: The row's value.
        """
        ctx.transaction.connection.execute("INSERT INTO rows (n) VALUES (?)", (n,))
        time.sleep(ctx.state.pause)
        ctx.state.finished.set()
        return Out(n=n)

    return app


def _error(result: Any) -> dict[str, Any]:
    assert result.is_error
    error: dict[str, Any] = result.meta["io.wireproof/error"]
    return error


async def test_a_sync_read_past_its_timeout_is_a_retryable_timeout_error_answered_on_time() -> None:
    state = State()
    state.pause = 2.0
    async with Client(build().server(state, store=MemoryIdempotencyStore())) as client:
        started = time.monotonic()
        result = await client.call_tool("slow_read", {"n": 1})
        elapsed = time.monotonic() - started
    error = _error(result)
    assert (error["type"], error["code"], error["retryable"]) == ("unavailable", "timeout", True)
    assert "0.3 s" in error["message"]
    assert elapsed < 1.5  # answered at the deadline, not when the thread finished
    assert not state.finished.is_set()


async def test_an_async_tool_past_its_timeout_is_cancelled() -> None:
    state = State()
    state.pause = 5.0
    async with Client(build().server(state, store=MemoryIdempotencyStore())) as client:
        result = await client.call_tool("slow_async", {"n": 1})
        state.pause = 0.0
        quick = await client.call_tool("slow_async", {"n": 2})
    assert _error(result)["code"] == "timeout"
    assert not quick.is_error
    assert quick.structured_content == {"n": 2}


async def test_a_write_that_runs_out_of_time_is_rolled_back_and_its_key_released(tmp_path: Path) -> None:
    db = tmp_path / "rows.db"
    with sqlite3.connect(db) as setup:
        setup.execute("CREATE TABLE rows (n INTEGER)")
    setup.close()
    store = SqliteIdempotencyStore(db)
    state = State()
    state.pause = 1.0
    try:
        async with Client(build().server(state, store=store)) as client:
            late = await client.call_tool("slow_insert", {"n": 7, "idempotency_key": "k1"})
            assert "rolled back" in _error(late)["message"]
            # The abandoned thread finishes later, and must then roll back rather than commit.
            await anyio.to_thread.run_sync(state.finished.wait, 5)
            await anyio.sleep(0.2)
            state.pause = 0.0
            retried = await client.call_tool("slow_insert", {"n": 7, "idempotency_key": "k1"})
    finally:
        store.close()
    assert not retried.is_error, retried
    assert (retried.meta or {}).get("io.wireproof/replayed") is not True  # ran anew: the key was released
    with sqlite3.connect(db) as check:
        rows = check.execute("SELECT n FROM rows").fetchall()
    check.close()
    assert rows == [(7,)]  # exactly once: the timed-out attempt left nothing


async def test_timeouts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="timeout"):
        Connector("bad", timeout=0)
    app: Connector[None] = Connector("bad")
    with pytest.raises(ToolDefinitionError, match="timeout"):

        @app.read(public=True, timeout=-1)
        def tool(n: int) -> Out:
            """A tool.

            Args:
                n: A number.
            """
            return Out(n=n)
