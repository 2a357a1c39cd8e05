"""The keyed-write path of the pipeline, in memory through the official client."""

from __future__ import annotations

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
