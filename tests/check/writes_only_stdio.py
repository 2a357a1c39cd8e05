"""A stdio MCP server whose only tool is unannotated (so the checker treats it as a write):
``python -m tests.check.writes_only_stdio``. Without --allow-writes no tool can be called."""

from __future__ import annotations

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s


async def main() -> None:
    server = s.build(
        [s.FakeTool("set_colour_by_name", s.strict_colour, annotations=None)], name="writes-only"
    )
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
