"""One trivial read tool, ``echo(text) -> {"text": text}``, built three ways.

The three builders return servers that answer ``tools/call echo`` with the same
shape: ``structuredContent`` ``{"text": ...}`` plus one ``TextContent`` holding
that object as JSON, under an object ``outputSchema``. The stdio scripts next
to this module and ``bench/bench_core.py`` (in memory) import these builders,
so both transports measure the very same servers.

* ``build_wireproof``: a ``wireproof.Connector`` read tool; every call goes
  through wireproof's whole pipeline (schema validation, conversion, output
  shaping, error handling), as in production.
* ``build_mcpserver``: the SDK's high-level ``MCPServer`` with ``@mcp.tool()``
  on the same function and return model.
* ``build_lowlevel``: the SDK's low-level ``Server`` with hand-written
  ``tools/list`` and ``tools/call`` handlers and no validation at all: the floor.
"""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel

from wireproof import LOCAL_OPERATOR, Connector

__all__ = ["SERVERS", "Echo", "build_lowlevel", "build_mcpserver", "build_wireproof", "echo", "wireproof_app"]

VERSION = "1.0.0"

SERVERS = ("wireproof", "mcpserver", "lowlevel")
"""The servers' keys, as the benchmark names them."""


class Echo(BaseModel):
    """What ``echo`` returns."""

    text: str


async def echo(text: str) -> Echo:
    """Return the text it is given, unchanged.

    Args:
        text: The text to send back.
    """
    return Echo(text=text)


def wireproof_app() -> Connector[None]:
    """The connector with ``echo`` as its one read tool (it needs no state: ``None``)."""
    app: Connector[None] = Connector("echo-wireproof", version=VERSION)
    app.read(public=True)(echo)
    return app


def build_wireproof() -> Server[Any]:
    """``echo`` as a wireproof read tool: the SDK ``Server`` that ``Connector.server`` builds."""
    return wireproof_app().server(None, principal=LOCAL_OPERATOR)


def build_mcpserver() -> MCPServer:
    """``echo`` as an ``MCPServer`` tool (structured output from the return model)."""
    mcp = MCPServer("echo-mcpserver", version=VERSION)
    mcp.tool()(echo)
    return mcp


_INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"text": {"type": "string"}},
    "required": ["text"],
}
_OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"text": {"type": "string"}},
    "required": ["text"],
}


def build_lowlevel() -> Server[Any]:
    """``echo`` on the bare low-level ``Server``: hand-written handlers, no validation."""
    listing = types.ListToolsResult(
        tools=[
            types.Tool(
                name="echo",
                description="Return the text it is given, unchanged.",
                input_schema=_INPUT_SCHEMA,
                output_schema=_OUTPUT_SCHEMA,
            )
        ]
    )

    async def on_list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return listing

    async def on_call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        if params.name != "echo":
            raise MCPError(types.INVALID_PARAMS, f"Unknown tool {params.name}")
        structured = {"text": (params.arguments or {}).get("text")}
        return types.CallToolResult(
            content=[types.TextContent(text=json.dumps(structured))], structured_content=structured
        )

    return Server(
        "echo-lowlevel",
        version=VERSION,
        get_tool_input_schema=lambda name: _INPUT_SCHEMA if name == "echo" else None,
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
    )
