"""Per-tool timeouts: a call past its time is a retryable ``timeout`` error, and a write that ran out
of time in the store's transaction is rolled back, even when its thread finishes later."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from pydantic import BaseModel

from wireproof import LOCAL_OPERATOR, Connector, ToolContext, ToolDefinitionError
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
        connection = ctx.transaction.connection
        placeholder = "%s" if type(connection).__module__.startswith("psycopg") else "?"
        connection.execute(f"INSERT INTO rows (n) VALUES ({placeholder})", (n,))
        time.sleep(ctx.state.pause)
        ctx.state.finished.set()
        return Out(n=n)

    return app


def _error(result: Any) -> dict[str, Any]:
    assert result.is_error
    error: dict[str, Any] = result.meta["io.wireproof/error"]
    return error


@pytest.fixture
def rows_store(tmp_path: Path) -> Iterator[SqliteIdempotencyStore]:
    """A store that gives ``slow_insert`` its transaction (the reads below never use it)."""
    store = SqliteIdempotencyStore(tmp_path / "reads.db")
    yield store
    store.close()


async def test_a_sync_read_past_its_timeout_is_a_retryable_timeout_error_answered_on_time(
    rows_store: SqliteIdempotencyStore,
) -> None:
    state = State()
    state.pause = 2.0
    async with Client(build().server(state, store=rows_store, principal=LOCAL_OPERATOR)) as client:
        started = time.monotonic()
        result = await client.call_tool("slow_read", {"n": 1})
        elapsed = time.monotonic() - started
    error = _error(result)
    assert (error["type"], error["code"], error["retryable"]) == ("unavailable", "timeout", True)
    assert "0.3 s" in error["message"]
    assert elapsed < 1.5  # answered at the deadline, not when the thread finished
    assert not state.finished.is_set()


async def test_an_async_tool_past_its_timeout_is_cancelled(rows_store: SqliteIdempotencyStore) -> None:
    state = State()
    state.pause = 5.0
    async with Client(build().server(state, store=rows_store, principal=LOCAL_OPERATOR)) as client:
        result = await client.call_tool("slow_async", {"n": 1})
        state.pause = 0.0
        quick = await client.call_tool("slow_async", {"n": 2})
    assert _error(result)["code"] == "timeout"
    assert not quick.is_error
    assert quick.structured_content == {"n": 2}


def _rows_store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Any, Any]:
    """A ``rows`` table and an idempotency store on the same database: (store, fetch_rows)."""
    if backend == "sqlite":
        db = tmp_path / "rows.db"
        with sqlite3.connect(db) as setup:
            setup.execute("CREATE TABLE rows (n INTEGER)")
        setup.close()

        def fetch_sqlite() -> list[tuple[int]]:
            with sqlite3.connect(db) as check:
                rows = check.execute("SELECT n FROM rows").fetchall()
            check.close()
            return rows

        return SqliteIdempotencyStore(db), fetch_sqlite
    import psycopg

    from wireproof.idempotency import PostgresIdempotencyStore

    url = request.getfixturevalue("postgres_db")
    with psycopg.connect(url, autocommit=True) as setup:
        setup.execute("CREATE TABLE rows (n INTEGER)")

    def fetch_postgres() -> list[tuple[int]]:
        with psycopg.connect(url) as check:
            return [tuple(r) for r in check.execute("SELECT n FROM rows").fetchall()]

    return PostgresIdempotencyStore(url), fetch_postgres


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_write_that_runs_out_of_time_is_rolled_back_and_its_key_released(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store, fetch_rows = _rows_store(backend, tmp_path, request)
    state = State()
    state.pause = 1.0
    try:
        async with Client(build().server(state, store=store, principal=LOCAL_OPERATOR)) as client:
            late = await client.call_tool("slow_insert", {"n": 7, "idempotency_key": "k1"})
            assert "rolled back" in _error(late)["message"]
            # The abandoned thread finishes later, and must then roll back rather than commit.
            await anyio.to_thread.run_sync(state.finished.wait, 5)
            await anyio.sleep(0.2)
            assert fetch_rows() == []
            state.pause = 0.0
            retried = await client.call_tool("slow_insert", {"n": 7, "idempotency_key": "k1"})
    finally:
        store.close()
    assert not retried.is_error, retried
    assert (retried.meta or {}).get("io.wireproof/replayed") is not True  # ran anew: the key was released
    assert fetch_rows() == [(7,)]  # exactly once: the timed-out attempt left nothing


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


class Effects:
    def __init__(self) -> None:
        self.done: list[int] = []
        self.release = threading.Event()
        self.pause = 0.0


def build_effects() -> Connector[Effects]:
    app: Connector[Effects] = Connector("effects", timeout=0.3)

    @app.write(public=True, idempotency_key=True, destructive=False, effect="external")
    def sync_effect(ctx: ToolContext[Effects], n: int) -> Out:
        """An effect outside any transaction (the memory store has none), then a pause.

        Args:
            n: Recorded.
        """
        ctx.state.done.append(n)
        time.sleep(ctx.state.pause)
        return Out(n=n)

    @app.write(public=True, idempotency_key=True, destructive=False, effect="external")
    async def async_effect(ctx: ToolContext[Effects], n: int) -> Out:
        """An effect, then a pause on the event loop.

        Args:
            n: Recorded.
        """
        ctx.state.done.append(n)
        await anyio.sleep(ctx.state.pause)
        return Out(n=n)

    @app.read(public=True)
    def stuck(ctx: ToolContext[Effects], n: int) -> Out:
        """Block until released.

        Args:
            n: Echoed.
        """
        ctx.state.release.wait(10)
        return Out(n=n)

    return app


async def test_a_timed_out_write_without_a_transaction_keeps_its_key_and_is_not_repeated() -> None:
    """The effect could not be rolled back, so the key is not released: the retry gets its outcome."""
    state = Effects()
    state.pause = 1.0
    async with Client(
        build_effects().server(state, store=MemoryIdempotencyStore(), principal=LOCAL_OPERATOR)
    ) as client:
        first = await client.call_tool("sync_effect", {"n": 5, "idempotency_key": "k"})
        error = _error(first)
        assert (error["code"], error["retryable"]) == ("timeout", True)
        assert "same idempotency_key" in error["message"]
        with anyio.fail_after(10):
            while True:  # retry as a client would, until the outcome is final
                again = await client.call_tool("sync_effect", {"n": 5, "idempotency_key": "k"})
                if not again.is_error:
                    break
                assert _error(again)["code"] == "in_progress"
                await anyio.sleep(0.2)
    assert state.done == [5]  # once
    assert (again.meta or {}).get("io.wireproof/replayed") is True
    assert again.structured_content["n"] == 5


async def test_a_timed_out_async_write_is_an_unknown_outcome_that_is_never_rerun() -> None:
    state = Effects()
    state.pause = 1.0
    async with Client(
        build_effects().server(state, store=MemoryIdempotencyStore(), principal=LOCAL_OPERATOR)
    ) as client:
        first = await client.call_tool("async_effect", {"n": 7, "idempotency_key": "k"})
        again = await client.call_tool("async_effect", {"n": 7, "idempotency_key": "k"})
    assert (_error(first)["code"], _error(first)["retryable"]) == ("outcome_unknown", False)
    assert "Check" in _error(first)["message"]
    assert _error(again)["code"] == "outcome_unknown"  # replayed, not run again
    assert state.done == [7]


async def test_calls_stuck_past_their_timeout_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from wireproof import _execution

    monkeypatch.setattr(_execution, "MAX_STRAGGLERS", 2)
    state = Effects()
    try:
        async with Client(
            build_effects().server(state, store=MemoryIdempotencyStore(), principal=LOCAL_OPERATOR)
        ) as client:
            for n in range(2):
                assert _error(await client.call_tool("stuck", {"n": n}))["code"] == "timeout"
            refused = _error(await client.call_tool("stuck", {"n": 3}))
            assert (refused["code"], refused["retryable"]) == ("overloaded", True)
            state.release.set()
            await anyio.sleep(0.3)  # the stuck threads end, and with them the count
            assert not (await client.call_tool("stuck", {"n": 4})).is_error
    finally:
        state.release.set()


async def test_math_inf_switches_a_tool_timeout_off() -> None:
    app: Connector[None] = Connector("unbounded", timeout=0.1)

    @app.read(public=True, timeout=float("inf"))
    async def patient(n: int) -> Out:
        """Take longer than the connector's timeout.

        Args:
            n: Echoed.
        """
        await anyio.sleep(0.4)
        return Out(n=n)

    async with Client(app.server(None, principal=LOCAL_OPERATOR)) as client:
        assert not (await client.call_tool("patient", {"n": 1})).is_error


async def test_a_tool_is_told_its_deadline_and_none_without_a_timeout() -> None:
    app: Connector[None] = Connector("deadlines", timeout=7)
    seen: dict[str, float | None] = {}

    @app.read(public=True)
    async def bounded(ctx: ToolContext[None], n: int) -> Out:
        """Note the deadline the pipeline gave this call.

        Args:
            n: Echoed.
        """
        seen["bounded"] = ctx.deadline
        return Out(n=n)

    @app.read(public=True, timeout=float("inf"))
    async def unbounded(ctx: ToolContext[None], n: int) -> Out:
        """Note the deadline of a call without a timeout.

        Args:
            n: Echoed.
        """
        seen["unbounded"] = ctx.deadline
        return Out(n=n)

    async with Client(app.server(None, principal=LOCAL_OPERATOR)) as client:
        before = anyio.current_time()
        assert not (await client.call_tool("bounded", {"n": 1})).is_error
        after = anyio.current_time()
        assert not (await client.call_tool("unbounded", {"n": 1})).is_error
    deadline = seen["bounded"]
    assert deadline is not None
    assert before + 7 <= deadline <= after + 7
    assert seen["unbounded"] is None
