"""A stdio MCP server that takes its credential from FIXTURE_API_KEY, as stdio servers do.

``python -m tests.check.auth_stdio_server MODE``; with the good key (``good-key``) every mode lists
``list_tickets`` and answers three tickets. Without it, or with another key (``expired-key`` is the
expired one), the mode decides:

- ``sound``: tools/list and every call fail with a JSON-RPC error that says the key is bad;
- ``exits``: the process prints why to stderr and exits before serving;
- ``empty-list``: the flaw: tools/list answers an empty list;
- ``empty-data``: the flaw: the tool is listed, and answers an empty list of tickets.

FIXTURE_CURSOR_SECRET looks like a credential by its name but gates nothing (it would sign cursors).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Final

import anyio
import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

GOOD_KEY: Final = "good-key"
EXPIRED_KEY: Final = "expired-key"
MODES: Final = ("sound", "exits", "empty-list", "empty-data")
AUTH_ERROR: Final = -32001  # an application error code, outside the JSON-RPC reserved range
TICKETS: Final = [
    {"id": 1, "title": "Printer on fire"},
    {"id": 2, "title": "VPN down"},
    {"id": 3, "title": "Mouse"},
]
TOOL: Final = types.Tool(
    name="list_tickets",
    description="List the open support tickets.",
    input_schema={"type": "object", "properties": {}, "additionalProperties": False},
    annotations=types.ToolAnnotations.model_validate(
        {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True, "openWorldHint": False}
    ),
)


def _problem() -> str | None:
    key = os.environ.get("FIXTURE_API_KEY")
    if key is None:
        return "auth: FIXTURE_API_KEY is not set; set it to your API key."
    if key == EXPIRED_KEY:
        return "auth: the API key in FIXTURE_API_KEY has expired; ask for a new one."
    if key != GOOD_KEY:
        return "auth: the API key in FIXTURE_API_KEY is not valid; check it."
    return None


def _tickets(tickets: list[dict[str, Any]]) -> types.CallToolResult:
    value = {"tickets": tickets}
    return types.CallToolResult(content=[types.TextContent(text=json.dumps(value))], structured_content=value)


def build(mode: str) -> Server[Any]:
    problem = _problem()

    async def on_list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        if problem is not None and mode == "sound":
            raise MCPError(AUTH_ERROR, problem)
        if problem is not None and mode == "empty-list":
            return types.ListToolsResult(tools=[])
        return types.ListToolsResult(tools=[TOOL])

    async def on_call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        if params.name != TOOL.name:
            raise MCPError(types.INVALID_PARAMS, f"Unknown tool {params.name}; the tool is list_tickets")
        extra = sorted(params.arguments or {})
        if extra:
            text = f"Invalid arguments:\n- {extra[0]}: not a parameter; expected none.\nDo not retry with the same arguments."
            return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)
        if problem is not None and mode == "sound":
            raise MCPError(AUTH_ERROR, problem)
        return _tickets([] if problem is not None else TICKETS)

    return Server("auth-fixture", version="1.0", on_list_tools=on_list_tools, on_call_tool=on_call_tool)


async def main(mode: str) -> None:
    server = build(mode)
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    chosen = sys.argv[1] if len(sys.argv) > 1 else ""
    if chosen not in MODES:
        sys.exit(f"usage: python -m tests.check.auth_stdio_server {{{','.join(MODES)}}}")
    if chosen == "exits" and (reason := _problem()) is not None:
        sys.exit(reason)
    anyio.run(main, chosen)
