"""A flawed MCP server on stdio, for the CLI tests: ``python -m tests.check.flawed_stdio``."""

from __future__ import annotations

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s


async def accept_anything(args: dict[str, object]) -> s.types.CallToolResult:
    return s.ok({"name": str(args.get("name"))})


async def main() -> None:
    server = s.build([s.FakeTool("get_colour_by_name", accept_anything)], name="flawed")
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
