"""Fixture servers for the general edge probes (issue 12: the hold-out's errors and protocol misses).

Each flaw comes with its sound twin, built on the official SDK's low-level server (tests/check/servers.py)
as a third-party server would present it. The servers whose flaw holds the interpreter (a catastrophic
regex) run as real stdio subprocesses: ``python -m tests.check.edge_servers NAME``.
"""

from __future__ import annotations

import sys
from typing import Any

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s


async def unknown_tool_as_result(args: dict[str, Any]) -> Any:
    """The high-level SDK's answer to an unknown tool: a tool result, isError true."""
    return s.tool_error("Unknown tool: wireproof_no_such_tool")


def unknown_tool_server(*, as_result: bool) -> Any:
    """One sound tool; an unknown tool is a tool result (``as_result``) or the JSON-RPC error -32602."""
    return s.build(
        [s.FakeTool("get_colour_by_name", s.strict_colour)],
        on_unknown=unknown_tool_as_result if as_result else None,
    )


SERVERS: dict[str, Any] = {}
"""The stdio servers by name, for ``python -m tests.check.edge_servers NAME``."""


async def main(name: str) -> None:
    server = SERVERS[name]()
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main, sys.argv[1])
