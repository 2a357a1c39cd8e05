"""The keyed-write path of the pipeline, in memory through the official client."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from pydantic import BaseModel, ConfigDict

from wireproof import LOCAL_OPERATOR, Connector, NotFound, ToolContext, ToolDefinitionError, Unavailable
from wireproof.idempotency import MemoryIdempotencyStore, open_store

pytestmark = pytest.mark.anyio


class Done(BaseModel):
    n: int


class State:
    def __init__(self) -> None:
        self.effects = 0
        self.failures_left = 0
        self.gate = anyio.Event()


def build() -> Connector[State]:
    app: Connector[State] = Connector("keyed")

    @app.write(public=True, idempotency_key=True, destructive=False, effect="external")
    async def bump(ctx: ToolContext[State], by: int) -> Done:
        """Bump the counter.

        Args:
            by: How much.
        """
        if by < 0:
            raise NotFound("No counter below zero")
        if ctx.state.failures_left:
            ctx.state.failures_left -= 1
            raise Unavailable("The counter is busy", retry_after=1)
        if by == 99:
            await ctx.state.gate.wait()
        ctx.state.effects += by
        return Done(n=ctx.state.effects)

    return app


async def _client(state: State) -> Any:
    return Client(build().server(state, store=MemoryIdempotencyStore(), principal=LOCAL_OPERATOR))


async def test_the_key_is_advertised_optional_and_bounded_and_the_description_warns() -> None:
    async with await _client(State()) as client:
        (tool,) = (await client.list_tools()).tools
    prop = tool.input_schema["properties"]["idempotency_key"]
    assert (prop["type"], prop["minLength"], prop["maxLength"]) == ("string", 1, 255)
    assert "idempotency_key" not in tool.input_schema.get("required", [])
    assert "not deduplicated" in (tool.description or "")
    assert tool.input_schema["additionalProperties"] is False
    assert tool.annotations is not None
    assert tool.annotations.idempotent_hint is False  # repeats without a key are not deduplicated


async def test_without_a_key_repeats_run_again() -> None:
    state = State()
    async with await _client(state) as client:
        await client.call_tool("bump", {"by": 1})
        await client.call_tool("bump", {"by": 1})
    assert state.effects == 2


async def test_terminal_errors_are_recorded_and_replayed() -> None:
    state = State()
    async with await _client(state) as client:
        first = await client.call_tool("bump", {"by": -1, "idempotency_key": "k"})
        second = await client.call_tool("bump", {"by": -1, "idempotency_key": "k"})
    assert first.is_error
    assert second.is_error
    assert second.content[0].text == first.content[0].text  # type: ignore[union-attr]
    assert (second.meta or {}).get("io.wireproof/replayed") is True


async def test_retryable_errors_release_the_key_so_the_retry_runs() -> None:
    state = State()
    state.failures_left = 1
    async with await _client(state) as client:
        first = await client.call_tool("bump", {"by": 2, "idempotency_key": "k"})
        assert first.meta["io.wireproof/error"]["retryable"] is True
        second = await client.call_tool("bump", {"by": 2, "idempotency_key": "k"})
    assert second.is_error is False
    assert state.effects == 2


async def test_a_duplicate_while_the_first_runs_is_in_progress_with_retry_after() -> None:
    state = State()
    async with await _client(state) as client, anyio.create_task_group() as group:
        results: list[Any] = []

        async def first() -> None:
            results.append(await client.call_tool("bump", {"by": 99, "idempotency_key": "slow"}))

        group.start_soon(first)
        await anyio.sleep(0.2)
        busy = await client.call_tool("bump", {"by": 99, "idempotency_key": "slow"})
        state.gate.set()
    error = busy.meta["io.wireproof/error"]
    assert (error["type"], error["code"], error["retryable"]) == ("unavailable", "in_progress", True)
    assert error["retry_after_ms"] >= 500
    assert busy.content[0].text.endswith("s.")  # type: ignore[union-attr]
    assert state.effects == 99
    assert results[0].is_error is False


async def test_validation_failures_are_not_recorded() -> None:
    state = State()
    async with await _client(state) as client:
        bad = await client.call_tool("bump", {"by": "one", "idempotency_key": "k"})
        good = await client.call_tool("bump", {"by": 1, "idempotency_key": "k"})
    assert bad.is_error is True
    assert good.is_error is False
    assert state.effects == 1


def test_keyed_tools_refuse_to_be_served_without_a_store() -> None:
    with pytest.raises(ToolDefinitionError, match="serve them with store="):
        build().server(State(), principal=LOCAL_OPERATOR)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int


async def test_a_replay_of_a_strict_output_schema_still_conforms() -> None:
    app: Connector[None] = Connector("strict")

    @app.write(public=True, idempotency_key=True, effect="external")
    async def make(n: int) -> Strict:
        """Make a thing.

        Args:
            n: The number.
        """
        return Strict(n=n)

    async with Client(app.server(None, store=MemoryIdempotencyStore(), principal=LOCAL_OPERATOR)) as client:
        first = await client.call_tool("make", {"n": 3, "idempotency_key": "s"})
        again = await client.call_tool("make", {"n": 3, "idempotency_key": "s"})  # the client validates it
    assert again.structured_content == first.structured_content == {"n": 3}
    assert (again.meta or {}).get("io.wireproof/replayed") is True


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
async def test_a_key_with_a_nul_character_is_invalid_input_on_idempotency_key_for_every_store(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = {
        "memory": "memory:",
        "sqlite": f"sqlite:///{tmp_path / 'keys.db'}",
        "postgres": request.getfixturevalue("postgres_db") if backend == "postgres" else "",
    }[backend]
    store = open_store(url)
    state = State()
    try:
        async with Client(build().server(state, store=store, principal=LOCAL_OPERATOR)) as client:
            (tool,) = (await client.list_tools()).tools
            result = await client.call_tool("bump", {"by": 1, "idempotency_key": "order-1\x00; DROP"})
            ok = await client.call_tool("bump", {"by": 1, "idempotency_key": "order-1"})
    finally:
        store.close()
    error = result.meta["io.wireproof/error"]
    assert (error["type"], error["retryable"]) == ("invalid_input", False)
    assert [f["field"] for f in error["fields"]] == ["idempotency_key"]
    assert ok.is_error is False
    assert state.effects == 1  # the refused call did nothing
    assert "no NUL" in tool.input_schema["properties"]["idempotency_key"]["description"]


class Gate:
    """Holds a plain write inside its transaction until the test lets it commit."""

    def __init__(self) -> None:
        self.inside = threading.Event()
        self.go = threading.Event()


def _gated_notes(gate: Gate, placeholder: str) -> Connector[Gate]:
    """A plain ``def`` keyed write into the store's own database that waits inside its transaction."""
    app: Connector[Gate] = Connector("notes")

    @app.write(public=True, idempotency_key=True, destructive=False)
    def add_note(ctx: ToolContext[Gate], body: str) -> Done:
        """Add a note.

        Args:
            body: The note.
        """
        assert ctx.transaction is not None
        db = ctx.transaction.connection
        db.execute(f"INSERT INTO notes (body) VALUES ({placeholder})", (body,))
        ctx.state.inside.set()
        assert ctx.state.go.wait(30), "the test never let the write commit"
        return Done(n=db.execute("SELECT count(*) FROM notes").fetchone()[0])

    return app


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_duplicate_during_the_first_calls_open_transaction_is_in_progress_at_once(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The first call claims, writes and records in one transaction; while it is open, the same key
    sent to this server, and (PostgreSQL) to a second replica on the same database, answers a
    retryable in_progress without waiting for that transaction; afterwards it replays the one effect."""
    url = f"sqlite:///{tmp_path / 'n.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_db")
    stores = [open_store(url), open_store(url)]  # two replicas (two processes' stores) on one database
    with stores[0].transaction() as transaction:
        assert transaction is not None
        transaction.connection.execute("CREATE TABLE notes (body TEXT)")
    gate = Gate()
    placeholder = "?" if backend == "sqlite" else "%s"
    servers = [
        _gated_notes(gate, placeholder).server(gate, store=s, principal=LOCAL_OPERATOR) for s in stores
    ]
    call = {"body": "once", "idempotency_key": "k-1"}
    duplicates: list[Any] = []
    try:
        async with Client(servers[0]) as first_client, Client(servers[1]) as other_client:
            async with anyio.create_task_group() as group:
                first: list[Any] = []

                async def run_first() -> None:
                    first.append(await first_client.call_tool("add_note", call))

                group.start_soon(run_first)
                assert await anyio.to_thread.run_sync(gate.inside.wait, 10)
                clients = [first_client] if backend == "sqlite" else [first_client, other_client]
                with anyio.fail_after(5):  # waiting for the first call's transaction would never end here
                    for client in clients:
                        duplicates.append(await client.call_tool("add_note", call))
                assert not first  # the first call was still inside its transaction
                gate.go.set()
            again = await other_client.call_tool("add_note", call)
    finally:
        gate.go.set()
        for store in stores:
            store.close()
    for duplicate in duplicates:
        assert duplicate.is_error
        error = (duplicate.meta or {})["io.wireproof/error"]
        assert (error["code"], error["retryable"]) == ("in_progress", True)
        assert error["retry_after_ms"] > 0
    assert first[0].structured_content == {"n": 1}
    assert again.structured_content == {"n": 1, "_meta": {"replayed": True}}


def _sqlite_notes(path: Path) -> Connector[None]:
    """A plain ``def`` write into the store's own SQLite file, through ``ctx.transaction``."""
    app: Connector[None] = Connector("notes")

    @app.write(public=True, idempotency_key=True, destructive=False)
    def add_note(ctx: ToolContext[None], body: str) -> Done:
        """Add a note.

        Args:
            body: The note.
        """
        assert ctx.transaction is not None
        db = ctx.transaction.connection
        db.execute("CREATE TABLE IF NOT EXISTS notes (body TEXT)")
        db.execute("INSERT INTO notes VALUES (?)", (body,))
        if body == "refused":
            raise NotFound("No such note")
        if body == "busy":
            raise Unavailable("The notes are busy", retry_after=1)
        if body == "bug":
            raise RuntimeError("a bug")
        return Done(n=db.execute("SELECT count(*) FROM notes").fetchone()[0])

    return app


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as db:
        try:
            return db.execute(sql).fetchall()
        except sqlite3.OperationalError:  # the notes table was never committed
            return []


async def test_a_plain_write_claims_runs_and_records_in_one_transaction_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    store = open_store(f"sqlite:///{path}")
    server = _sqlite_notes(path).server(None, store=store, principal=LOCAL_OPERATOR)
    async with Client(server) as client:
        first = await client.call_tool("add_note", {"body": "a", "idempotency_key": "ok"})
        again = await client.call_tool("add_note", {"body": "a", "idempotency_key": "ok"})
        refused = await client.call_tool("add_note", {"body": "refused", "idempotency_key": "no"})
        refused_again = await client.call_tool("add_note", {"body": "refused", "idempotency_key": "no"})
        busy = await client.call_tool("add_note", {"body": "busy", "idempotency_key": "busy"})
        bug = await client.call_tool("add_note", {"body": "bug", "idempotency_key": "bug"})
    assert first.structured_content == {"n": 1}
    assert again.structured_content == {"n": 1, "_meta": {"replayed": True}}
    assert (again.meta or {}).get("io.wireproof/replayed") is True
    # A terminal error rolls its effect back and is recorded for replay all the same.
    assert refused.is_error
    assert refused_again.is_error
    assert (refused_again.meta or {}).get("io.wireproof/replayed") is True
    assert refused_again.content[0].text == refused.content[0].text  # type: ignore[union-attr]
    assert busy.is_error
    assert bug.is_error
    assert _rows(path, "SELECT body FROM notes") == [("a",)]
    # A retryable error and an unexpected one leave no claim: a retry with the key runs anew.
    keys = _rows(path, "SELECT key, result IS NOT NULL FROM wireproof_idempotency ORDER BY key")
    assert keys == [("no", 1), ("ok", 1)]
    store.close()
