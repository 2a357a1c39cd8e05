"""Tools made from a JSON Schema and an async forward, served through the whole pipeline and called
with the official client in memory."""

from __future__ import annotations

import copy
import logging
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp import Client

from wireproof import (
    LOCAL_OPERATOR,
    Connector,
    NotFound,
    Tool,
    ToolAnswer,
    ToolContext,
    ToolDefinitionError,
    Unavailable,
)
from wireproof.idempotency import MemoryIdempotencyStore, SqliteIdempotencyStore

pytestmark = pytest.mark.anyio

# The shape pydantic gives a FastMCP tool: $defs and $ref, anyOf with null, titles and defaults,
# no additionalProperties anywhere.
SEARCH_SCHEMA: dict[str, Any] = {
    "$defs": {
        "Filter": {
            "properties": {
                "status": {"enum": ["open", "closed"], "title": "Status", "type": "string"},
                "since": {
                    "anyOf": [{"format": "date", "type": "string"}, {"type": "null"}],
                    "default": None,
                    "title": "Since",
                },
            },
            "required": ["status"],
            "title": "Filter",
            "type": "object",
            "additionalProperties": False,
        }
    },
    "properties": {
        "query": {"title": "Query", "type": "string", "minLength": 1},
        "filter": {"$ref": "#/$defs/Filter"},
        "tags": {"items": {"type": "string"}, "type": "array", "maxItems": 3},
        "limit": {"default": 10, "title": "Limit", "type": "integer", "minimum": 1, "maximum": 50},
    },
    "required": ["query"],
    "title": "searchArguments",
    "type": "object",
}

# The shape zod-to-json-schema gives a TypeScript server: draft-07, closed objects.
CREATE_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "title": {"type": "string", "description": "The note's title"},
        "body": {"type": "string"},
        "priority": {"type": "integer", "enum": [1, 2, 3]},
    },
    "required": ["title", "body"],
    "additionalProperties": False,
}

PNG = "iVBORw0KGgo="


class Upstream:
    """Stands for the server a guard forwards to: records every forwarded call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.delay = 0.0

    async def search(self, ctx: ToolContext[Any], arguments: dict[str, Any]) -> Any:
        self.calls.append(("search", arguments))
        await anyio.sleep(self.delay)
        query = arguments["query"]
        if query == "missing":
            raise NotFound("No note matches 'missing'")
        if query == "crash":
            raise RuntimeError("db password=hunter2 at /srv/upstream/secret.py")
        if query == "busy":
            raise Unavailable("The upstream is restarting", retry_after=2)
        if query == "huge":
            return {"notes": ["x" * 1000] * 200}
        if query == "list":
            return ["a", "b"]
        if query == "picture":
            return ToolAnswer(
                [
                    types.TextContent(text="One note has a picture."),
                    types.ImageContent(data=PNG, mime_type="image/png"),
                    types.EmbeddedResource(
                        resource=types.TextResourceContents(
                            uri="note://1", text="the note", mime_type="text/plain"
                        )
                    ),
                ],
                structured={"count": 1},
            )
        if query == "huge picture":
            return ToolAnswer([types.TextContent(text="y" * 100_000)])
        return {"notes": [query], "principal": ctx.principal.id, "tool": ctx.tool}

    async def create(self, ctx: ToolContext[Any], arguments: dict[str, Any]) -> Any:
        self.calls.append(("create", arguments))
        if arguments["title"] == "with picture":
            return ToolAnswer(
                [types.TextContent(text="created"), types.ImageContent(data=PNG, mime_type="image/png")],
                structured={"id": len(self.calls)},
            )
        return {"id": len(self.calls), "title": arguments["title"]}


def build(upstream: Upstream, **read_options: Any) -> Connector[None]:
    app: Connector[None] = Connector("guarded")
    app.add(
        Tool.from_schema(
            "search",
            SEARCH_SCHEMA,
            upstream.search,
            kind="read",
            description="Search the notes.",
            public=True,
            **read_options,
        )
    )
    app.add(
        Tool.from_schema(
            "create_note",
            CREATE_SCHEMA,
            upstream.create,
            kind="write",
            description="Create a note.",
            scopes={"notes:write"},
            destructive=False,
            idempotency_key=True,
        )
    )
    return app


def _client(upstream: Upstream, **read_options: Any) -> Client:
    server = build(upstream, **read_options).server(
        None, store=MemoryIdempotencyStore(), principal=LOCAL_OPERATOR
    )
    return Client(server)


def _error(result: types.CallToolResult) -> dict[str, Any]:
    assert result.is_error
    error: dict[str, Any] = (result.meta or {})["io.wireproof/error"]
    return error


def _fields(result: types.CallToolResult) -> dict[str, dict[str, Any]]:
    return {field["field"]: field for field in _error(result)["fields"]}


async def test_the_schema_is_advertised_as_given_with_the_description_and_annotations() -> None:
    async with _client(Upstream()) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    search, create = tools["search"], tools["create_note"]
    assert search.input_schema == SEARCH_SCHEMA
    assert search.description == "Search the notes."
    assert search.annotations is not None
    assert search.annotations.read_only_hint is True
    assert create.annotations is not None
    assert (create.annotations.read_only_hint, create.annotations.destructive_hint) == (False, False)
    key = create.input_schema["properties"]["idempotency_key"]
    assert (key["type"], key["minLength"], key["maxLength"]) == ("string", 1, 255)
    assert create.input_schema["required"] == ["title", "body"]
    assert create.input_schema["additionalProperties"] is False
    assert "not deduplicated" in (create.description or "")


async def test_a_valid_call_forwards_the_arguments_exactly_as_sent() -> None:
    upstream = Upstream()
    async with _client(upstream) as client:
        result = await client.call_tool(
            "search", {"query": "pump", "filter": {"status": "open", "since": None}, "unknown": 1}
        )
    assert not result.is_error
    # no default filled in (limit), nothing converted, and an extra argument kept: the schema allows it
    assert upstream.calls == [
        ("search", {"query": "pump", "filter": {"status": "open", "since": None}, "unknown": 1})
    ]
    assert result.structured_content == {"notes": ["pump"], "principal": LOCAL_OPERATOR.id, "tool": "search"}
    assert result.content[0].text == f'{{"notes":["pump"],"principal":"{LOCAL_OPERATOR.id}","tool":"search"}}'  # type: ignore[union-attr]


async def test_invalid_arguments_name_every_nested_problem_and_never_reach_the_forward() -> None:
    upstream = Upstream()
    async with _client(upstream) as client:
        result = await client.call_tool(
            "search",
            {
                "query": "",
                "filter": {"since": "2026-13-01", "colour": "red"},
                "tags": ["a", 2, "c", "d"],
                "limit": "5",
            },
        )
    fields = _fields(result)
    assert _error(result)["type"] == "invalid_input"
    assert fields["query"]["problem"] == "is too short"
    assert fields["filter.status"]["problem"] == "is required"
    assert fields["filter.status"]["expected"] == 'one of "open", "closed"'
    assert fields["filter.colour"]["problem"].startswith("is not a member of this object")
    assert fields["filter.since"] == {
        "field": "filter.since",
        "problem": "is not a valid date",
        "expected": "a date as YYYY-MM-DD",
        "received": "2026-13-01",
    }
    assert fields["tags"]["problem"] == "has too many items"
    assert fields["tags[1]"]["expected"] == "a string"
    assert fields["limit"]["problem"] == "has the wrong type (string)"  # "5" is not coerced to 5
    assert upstream.calls == []


async def test_a_value_that_fits_no_alternative_says_what_would() -> None:
    async with _client(Upstream()) as client:
        result = await client.call_tool("search", {"query": "q", "filter": {"status": "open", "since": 7}})
    assert _fields(result)["filter.since"]["expected"] == "a date as YYYY-MM-DD or null"


async def test_a_closed_schema_refuses_unknown_arguments_with_a_hint() -> None:
    upstream = Upstream()
    async with _client(upstream) as client:
        result = await client.call_tool("create_note", {"title": "t", "body": "b", "priorty": 2})
    field = _fields(result)["priorty"]
    assert "did you mean priority?" in field["problem"]
    assert upstream.calls == []


async def test_typed_errors_of_the_forward_reach_the_caller_and_others_are_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with _client(Upstream()) as client:
        missing = await client.call_tool("search", {"query": "missing"})
        busy = await client.call_tool("search", {"query": "busy"})
        with caplog.at_level(logging.ERROR, logger="wireproof"):
            crash = await client.call_tool("search", {"query": "crash"})
    assert (_error(missing)["type"], _error(missing)["message"]) == ("not_found", "No note matches 'missing'")
    assert (_error(busy)["retryable"], _error(busy)["retry_after_ms"]) == (True, 2000)
    masked = _error(crash)
    assert masked["type"] == "internal"
    text = crash.content[0].text  # type: ignore[union-attr]
    assert "hunter2" not in text
    assert "/srv" not in text
    assert masked["correlation_id"] in caplog.text
    assert "hunter2" in caplog.text


async def test_a_json_value_that_is_no_object_is_its_json_text() -> None:
    async with _client(Upstream()) as client:
        result = await client.call_tool("search", {"query": "list"})
    assert result.structured_content is None
    assert result.content[0].text == '["a","b"]'  # type: ignore[union-attr]


async def test_a_tool_answer_hands_back_its_content_items_as_they_are() -> None:
    async with _client(Upstream()) as client:
        result = await client.call_tool("search", {"query": "picture"})
    assert not result.is_error
    text, image, resource = result.content
    assert isinstance(text, types.TextContent)
    assert text.text == "One note has a picture."
    assert isinstance(image, types.ImageContent)
    assert (image.data, image.mime_type) == (PNG, "image/png")
    assert isinstance(resource, types.EmbeddedResource)
    assert resource.resource.uri == "note://1"
    assert result.structured_content == {"count": 1}


async def test_answers_over_the_budget_are_refused_whatever_their_form() -> None:
    async with _client(Upstream(), budget_tokens=1000) as client:
        small = await client.call_tool("search", {"query": "pump"})
        huge = await client.call_tool("search", {"query": "huge"})
        huge_picture = await client.call_tool("search", {"query": "huge picture"})
    assert not small.is_error
    assert _error(huge)["code"] == "response_too_large"
    assert _error(huge_picture)["code"] == "response_too_large"


async def test_a_forward_past_its_timeout_is_a_retryable_timeout() -> None:
    upstream = Upstream()
    upstream.delay = 5
    with anyio.fail_after(3):
        async with _client(upstream, timeout=0.2) as client:
            result = await client.call_tool("search", {"query": "pump"})
    assert (_error(result)["code"], _error(result)["retryable"]) == ("timeout", True)


async def test_a_keyed_write_forwards_once_and_replays_the_first_answer() -> None:
    upstream = Upstream()
    async with _client(upstream) as client:
        arguments = {"title": "t", "body": "b", "idempotency_key": "k-1"}
        first = await client.call_tool("create_note", arguments)
        again = await client.call_tool("create_note", arguments)
        other = await client.call_tool("create_note", {**arguments, "body": "changed"})
    assert upstream.calls == [("create", {"title": "t", "body": "b"})]  # the key is not forwarded
    assert first.structured_content == {"id": 1, "title": "t"}
    assert again.structured_content == {"id": 1, "title": "t", "_meta": {"replayed": True}}
    assert (again.meta or {}).get("io.wireproof/replayed") is True
    assert _error(other)["code"] == "idempotency_conflict"
    assert [field["field"] for field in _error(other)["fields"]] == ["body"]


async def test_a_keyed_tool_answer_is_replayed_with_the_same_items() -> None:
    upstream = Upstream()
    async with _client(upstream) as client:
        arguments = {"title": "with picture", "body": "b", "idempotency_key": "k-2"}
        first = await client.call_tool("create_note", arguments)
        again = await client.call_tool("create_note", arguments)
    assert len(upstream.calls) == 1
    assert again.content == first.content
    assert isinstance(again.content[1], types.ImageContent)
    assert again.structured_content == {"id": 1, "_meta": {"replayed": True}}


async def test_results_are_checked_against_the_output_schema() -> None:
    async def forward(ctx: ToolContext[Any], arguments: dict[str, Any]) -> Any:
        return {"count": arguments["count"]}

    app: Connector[None] = Connector("typed")
    app.add(
        Tool.from_schema(
            "count",
            {"type": "object", "properties": {"count": {}}},
            forward,
            kind="read",
            description="Echo a count.",
            public=True,
            output_schema={
                "type": "object",
                "properties": {"count": {"type": "integer"}},
                "required": ["count"],
            },
        )
    )
    async with Client(app.server(None, principal=LOCAL_OPERATOR)) as client:
        (tool,) = (await client.list_tools()).tools
        good = await client.call_tool("count", {"count": 3})
        bad = await client.call_tool("count", {"count": "three"})
    assert tool.output_schema is not None
    assert tool.output_schema["required"] == ["count"]
    assert good.structured_content == {"count": 3}
    assert _error(bad)["type"] == "internal"


async def _forward(ctx: ToolContext[Any], arguments: dict[str, Any]) -> Any:
    return {}


def test_a_schema_that_is_not_of_an_object_or_not_valid_is_refused() -> None:
    with pytest.raises(ToolDefinitionError, match="must be a JSON Schema of an object"):
        Tool.from_schema("t", {"type": "string"}, _forward, kind="read", description="d", public=True)
    with pytest.raises(ToolDefinitionError, match="not a valid JSON Schema"):
        Tool.from_schema(
            "t",
            {"type": "object", "properties": {"n": {"type": "integr"}}},
            _forward,
            kind="read",
            description="d",
            public=True,
        )


def test_a_plain_function_as_forward_is_refused() -> None:
    def forward(ctx: Any, arguments: dict[str, Any]) -> Any:
        return {}

    with pytest.raises(ToolDefinitionError, match="async function"):
        Tool.from_schema("t", {"type": "object"}, forward, kind="read", description="d", public=True)


def test_the_pipeline_rules_of_the_decorators_hold_for_schema_tools() -> None:
    with pytest.raises(ToolDefinitionError, match="declare the scopes"):
        Tool.from_schema("t", {"type": "object"}, _forward, kind="read", description="d")
    with pytest.raises(ToolDefinitionError, match="idempotency_key is for write tools"):
        Tool.from_schema(
            "t", {"type": "object"}, _forward, kind="read", description="d", public=True, idempotency_key=True
        )
    with pytest.raises(ToolDefinitionError, match="do not declare idempotency_key"):
        Tool.from_schema(
            "t",
            {"type": "object", "properties": {"idempotency_key": {"type": "string"}}},
            _forward,
            kind="write",
            description="d",
            public=True,
            idempotency_key=True,
        )


def test_add_refuses_what_the_decorators_refuse() -> None:
    app: Connector[None] = Connector("c")
    tool = Tool.from_schema("t", {"type": "object"}, _forward, kind="read", description="d", public=True)
    assert app.add(tool) is tool
    with pytest.raises(ToolDefinitionError, match="registered twice"):
        app.add(tool)
    database = Tool.from_schema(
        "w", {"type": "object"}, _forward, kind="write", description="d", public=True, effect="database"
    )
    with pytest.raises(ToolDefinitionError, match="cannot write in the store's transaction"):
        app.add(database)
    external = Tool.from_schema("x", {"type": "object"}, _forward, kind="write", description="d", public=True)
    app.add(external)
    assert app.effects == {"x": "external"}
    app.server(None, principal=LOCAL_OPERATOR)
    late = Tool.from_schema("late", {"type": "object"}, _forward, kind="read", description="d", public=True)
    with pytest.raises(ToolDefinitionError, match="registered after"):
        app.add(late)


def test_the_given_schema_is_copied() -> None:
    schema = copy.deepcopy(CREATE_SCHEMA)
    tool = Tool.from_schema("t", schema, _forward, kind="read", description="d", public=True)
    schema["properties"]["title"]["type"] = "integer"
    assert tool.input.schema["properties"]["title"]["type"] == "string"


async def test_a_tool_answer_replays_from_a_sqlite_record(tmp_path: Any) -> None:
    upstream = Upstream()
    store = SqliteIdempotencyStore(str(tmp_path / "records.db"))
    server = build(upstream).server(None, store=store, principal=LOCAL_OPERATOR)
    try:
        async with Client(server) as client:
            arguments = {"title": "with picture", "body": "b", "idempotency_key": "k-3"}
            first = await client.call_tool("create_note", arguments)
            again = await client.call_tool("create_note", arguments)
    finally:
        store.close()
    assert len(upstream.calls) == 1
    assert again.content == first.content
    assert (again.meta or {}).get("io.wireproof/replayed") is True
