"""A server of three read-only tools over stdio, noting each start: ``python -m tests.check.counting_stdio``.

Each process appends its pid to the file named by ``CHECK_START_LOG``, so a test can count how
many instances a check started and see that each one has exited."""

from __future__ import annotations

import os

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s


def note_start() -> None:
    with open(os.environ["CHECK_START_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()}\n")


async def main() -> None:
    # Three read-only tools: enough jobs for every worker of a check at --concurrency 2.
    server = s.build([s.FakeTool(f"get_colour_{n}", s.strict_colour) for n in ("a", "b", "c")])
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    note_start()
    anyio.run(main)
