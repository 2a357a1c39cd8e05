"""Deliberately flawed (and deliberately sound) MCP servers for the checker's rule tests.

Built on the official SDK's low-level ``Server`` so that each flaw is exactly the one
intended, as a third-party server would present it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import mcp_types as types
from jsonschema import Draft202012Validator
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

Handler = Callable[[dict[str, Any]], Awaitable[types.CallToolResult]]

READ = {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True, "openWorldHint": False}
WRITE_IDEMPOTENT = {
    "readOnlyHint": False,
    "destructiveHint": False,
    "idempotentHint": True,
    "openWorldHint": False,
}


def ok(value: Any) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=json.dumps(value))], structured_content=value)


def tool_error(text: str, structured: Any = None) -> types.CallToolResult:
    """An isError result; machine-readable details go in _meta, as structuredContent must match the
    outputSchema (see output.error-structured-mismatch)."""
    return types.CallToolResult(
        content=[types.TextContent(text=text)],
        is_error=True,
        _meta=None if structured is None else {"io.example/error": structured},
    )


def tool_error_in_structured(text: str, structured: Any) -> types.CallToolResult:
    """The flaw: the error object in structuredContent, where it need not match the outputSchema."""
    return types.CallToolResult(
        content=[types.TextContent(text=text)], structured_content=structured, is_error=True
    )


def good_error(field: str, expected: str) -> types.CallToolResult:
    return tool_error(
        f"Invalid arguments:\n- {field}: expected {expected}.\nDo not retry with the same arguments.",
        {"error": {"type": "invalid_input", "retryable": False, "fields": [{"field": field}]}},
    )


@dataclass
class FakeTool:
    name: str
    handler: Handler
    description: str = "Look up the colour of a named thing."
    input_schema: dict[str, Any] = field(
        default_factory=lambda: {
            "type": "object",
            "properties": {"name": {"type": "string", "description": "The thing's name.", "maxLength": 50}},
            "required": ["name"],
            "additionalProperties": False,
        }
    )
    output_schema: dict[str, Any] | None = None
    annotations: dict[str, Any] | None = field(default_factory=lambda: dict(READ))


def build(
    tools: list[FakeTool],
    name: str = "fixture",
    *,
    shuffle_listing: bool = False,
    validate: bool = False,
    on_unknown: Handler | None = None,
) -> Server[Any]:
    """A server for ``tools``; ``validate`` refuses schema-invalid arguments soundly before the handler.

    A call of a tool not in ``tools`` is a JSON-RPC error, or ``on_unknown``'s answer when given.
    """
    by_name = {t.name: t for t in tools}
    listings = {"count": 0}

    async def on_list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        listings["count"] += 1
        ordered = list(tools) if not shuffle_listing or listings["count"] % 2 else list(reversed(tools))
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=t.name,
                    description=t.description,
                    input_schema=t.input_schema,
                    output_schema=t.output_schema,
                    annotations=types.ToolAnnotations.model_validate(t.annotations)
                    if t.annotations
                    else None,
                )
                for t in ordered
            ]
        )

    async def on_call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        tool = by_name.get(params.name)
        if tool is None and on_unknown is not None:
            return await on_unknown(dict(params.arguments or {}))
        if tool is None:
            raise MCPError(types.INVALID_PARAMS, f"Unknown tool {params.name}")
        arguments = dict(params.arguments or {})
        if validate:
            problem = next(iter(Draft202012Validator(tool.input_schema).iter_errors(arguments)), None)
            if problem is not None:
                where = ".".join(str(p) for p in problem.path) or ",".join(sorted(arguments)) or "arguments"
                return good_error(
                    where, f"a value that fits the schema ({problem.validator} {problem.validator_value})"
                )
        return await tool.handler(arguments)

    return Server(name, version="1.0", on_list_tools=on_list_tools, on_call_tool=on_call_tool)


async def strict_colour(args: dict[str, Any]) -> types.CallToolResult:
    """A sound handler for the default schema: refuses what the schema refuses, and says so well."""
    extra = set(args) - {"name"}
    if extra:
        return good_error(sorted(extra)[0], "only name; remove the unknown argument")
    name = args.get("name")
    if not isinstance(name, str):
        return good_error("name", "a string of at most 50 characters")
    if len(name) > 50:
        return good_error("name", "a string of at most 50 characters")
    return ok({"name": name, "colour": "blue"})


def sound_server() -> Server[Any]:
    """A server with no flaw any rule should report."""
    return build(
        [
            FakeTool(
                "get_colour_by_name",
                strict_colour,
                output_schema={
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "colour": {"type": "string"}},
                    "required": ["name", "colour"],
                },
            )
        ]
    )
