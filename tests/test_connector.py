"""The connector pipeline, driven through the official mcp client in memory, in both protocol eras."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Annotated, Any

import pytest
from annotated_types import Ge, Le
from mcp import Client
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel

from wireproof import LOCAL_OPERATOR, Arguments, Connector, InvalidInput, ToolContext, Unavailable

pytestmark = pytest.mark.anyio

MODES = ["auto", "legacy"]


class Echo(BaseModel):
    text: str
    day: date | None = None


class Counter(BaseModel):
    count: int


class State:
    def __init__(self) -> None:
        self.count = 0


def build() -> Connector[State]:
    app: Connector[State] = Connector("test", version="1.2.3")

    @app.read(public=True)
    async def echo(text: str, day: date | None = None) -> Echo:
        """Repeat a text.

        Args:
            text: The text.
            day: A day to repeat too.
        """
        return Echo(text=text, day=day)

    @app.write(public=True, destructive=False, effect="external")  # the counter is in memory
    def increment(ctx: ToolContext[State], by: Annotated[int, Ge(1), Le(10)] = 1) -> Counter:
        """Add to the counter.

        Args:
            by: How much to add.
        """
        ctx.state.count += by
        return Counter(count=ctx.state.count)

    @app.read(public=True)
    async def explode(secret: str) -> Echo:
        """Fail inside the tool.

        Args:
            secret: A value the error must not leak.
        """
        raise RuntimeError(f"db password={secret} at /srv/app/internal.py")

    @app.read(public=True)
    async def wrong_shape() -> Echo:
        """Return something that is not an Echo."""
        return {"nope": 1}  # type: ignore[return-value]

    @app.read(public=True)
    async def flaky() -> Echo:
        """Fail in a way that is worth retrying."""
        raise Unavailable("The ticket database is restarting", retry_after=2)

    @app.read(public=True)
    async def span(low: int, high: int) -> Counter:
        """Measure a span.

        Args:
            low: The low end.
            high: The high end, at least low.
        """
        return Counter(count=high - low)

    @span.rule
    def _ordered(args: Arguments) -> None:
        if args.low > args.high:
            raise InvalidInput.field(
                "high", "must be at least low", expected=f">= {args.low}", received=args.high
            )

    return app


@pytest.fixture
def state() -> State:
    return State()


@pytest.fixture(params=MODES)
async def client(request: pytest.FixtureRequest, state: State) -> Any:
    async with Client(build().server(state, principal=LOCAL_OPERATOR), mode=request.param) as c:
        yield c


def _error(result: Any) -> dict[str, Any]:
    assert result.is_error is True
    error = result.meta["io.wireproof/error"]
    assert isinstance(error, dict)
    return error


async def test_tools_list_is_deterministic_and_in_registration_order(client: Client) -> None:
    first = [t.model_dump() for t in (await client.list_tools(cache_mode="refresh")).tools]
    second = [t.model_dump() for t in (await client.list_tools(cache_mode="refresh")).tools]
    assert first == second
    assert [t["name"] for t in first] == ["echo", "increment", "explode", "wrong_shape", "flaky", "span"]


async def test_annotations_follow_the_declared_kind(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    read, write = tools["echo"].annotations, tools["increment"].annotations
    assert read is not None
    assert write is not None
    assert (read.read_only_hint, read.destructive_hint, read.idempotent_hint, read.open_world_hint) == (
        True,
        False,
        True,
        False,
    )
    assert (write.read_only_hint, write.destructive_hint, write.idempotent_hint) == (False, False, False)


async def test_a_valid_call_returns_structured_content_and_the_same_json_as_text(client: Client) -> None:
    result = await client.call_tool("echo", {"text": "héllo ✓", "day": "2026-05-01"})
    assert result.is_error is False
    assert result.structured_content == {"text": "héllo ✓", "day": "2026-05-01"}
    assert json.loads(result.content[0].text) == result.structured_content  # type: ignore[union-attr]


async def test_sync_tools_run_and_receive_the_state(client: Client, state: State) -> None:
    result = await client.call_tool("increment", {"by": 3})
    assert result.structured_content == {"count": 3}
    assert state.count == 3


@pytest.mark.parametrize(
    ("arguments", "field", "problem"),
    [
        ({}, "text", "is required"),
        ({"text": 5}, "text", "has the wrong type (number)"),
        ({"text": "a", "day": "01/05/2026"}, "day", "is not a valid date"),
        ({"text": "a", "zzz": 1}, "zzz", "is not a parameter of this tool; remove it"),
        ({"text": "a", "day": None}, "day", "cannot be null; omit it to leave it unset"),
        ({"text": "x" * 5000}, "text", "is too long"),
    ],
)
async def test_bad_input_is_a_tool_error_naming_the_field(
    client: Client, arguments: dict[str, Any], field: str, problem: str
) -> None:
    result = await client.call_tool("echo", arguments)
    error = _error(result)
    assert (error["type"], error["code"], error["retryable"]) == ("invalid_input", "invalid_arguments", False)
    assert [(f["field"], f["problem"]) for f in error["fields"]] == [(field, problem)]
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith("Invalid arguments for echo:")
    assert f"- {field}: {problem}" in text
    assert text.endswith("Do not retry with the same arguments: fix them and call again.")


async def test_bad_input_changes_nothing(client: Client, state: State) -> None:
    for arguments in ({"by": 0}, {"by": "2"}, {"by": 11}, {"by": 1, "x": 1}, {"by": 2.5}):
        _error(await client.call_tool("increment", arguments))
    assert state.count == 0


async def test_no_silent_coercion_of_strings_to_numbers(client: Client) -> None:
    error = _error(await client.call_tool("increment", {"by": "10"}))
    assert error["fields"][0]["received"] == "10"


async def test_cross_field_rules_report_together_with_schema_errors(client: Client) -> None:
    error = _error(await client.call_tool("span", {"low": 5, "high": 1, "extra": True}))
    assert [f["field"] for f in error["fields"]] == ["extra", "high"]


async def test_rules_are_skipped_while_a_field_they_read_is_invalid(client: Client) -> None:
    error = _error(await client.call_tool("span", {"low": "five", "high": 1}))
    assert [f["field"] for f in error["fields"]] == ["low"]


async def test_an_exception_inside_a_tool_is_masked_and_logged_with_its_correlation_id(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="wireproof"):
        result = await client.call_tool("explode", {"secret": "hunter2"})
    error = _error(result)
    assert (error["type"], error["code"]) == ("internal", "internal_error")
    correlation_id = error["correlation_id"]
    text = result.content[0].text  # type: ignore[union-attr]
    for leak in ("hunter2", "/srv/app", "RuntimeError", "Traceback"):
        assert leak not in text
        assert leak not in json.dumps(result.structured_content)
    assert correlation_id in text
    (record,) = [r for r in caplog.records if correlation_id in r.getMessage()]
    assert record.exc_info is not None
    assert "hunter2" in str(record.exc_info[1])


async def test_a_result_that_does_not_match_the_output_schema_is_an_internal_error(client: Client) -> None:
    assert _error(await client.call_tool("wrong_shape", {}))["type"] == "internal"


async def test_retryable_errors_say_when_to_retry(client: Client) -> None:
    result = await client.call_tool("flaky", {})
    error = _error(result)
    assert (error["type"], error["retryable"], error["retry_after_ms"]) == ("unavailable", True, 2000)
    assert result.content[0].text.endswith("Safe to retry after 2 s.")  # type: ignore[union-attr]


async def test_an_unknown_tool_is_a_json_rpc_invalid_params_error_naming_close_tools(client: Client) -> None:
    with pytest.raises(MCPError) as caught:
        await client.call_tool("ecko", {"text": "a"})
    assert caught.value.code == -32602
    assert "Did you mean echo?" in caught.value.message


async def test_an_unknown_tool_name_is_not_echoed_in_full(client: Client) -> None:
    with pytest.raises(MCPError) as caught:
        await client.call_tool("x" * 100_000, {})
    assert len(caught.value.message) < 300


async def test_a_tools_list_cursor_we_never_issued_is_invalid_params(client: Client) -> None:
    with pytest.raises(MCPError) as caught:
        await client.list_tools(cursor="bogus", cache_mode="refresh")
    assert caught.value.code == -32602


async def test_server_info_carries_name_and_version(client: Client) -> None:
    if client.server_info is not None:
        assert (client.server_info.name, client.server_info.version) == ("test", "1.2.3")
