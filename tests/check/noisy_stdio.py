"""A stdio server that writes a banner at start: ``python -m tests.check.noisy_stdio stdout|buffered|stderr``.

``stdout`` prints its banner and a pretty-printed status to stdout, the protocol channel, before it serves,
and flushes it; ``buffered`` prints the same without a flush, as hold-out 4's mcp-csv-database does (the
lines wait in the buffer while the server answers); ``stderr`` prints the same to stderr, where logs belong.
"""

from __future__ import annotations

import json
import sys

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s


async def main() -> None:
    mode = sys.argv[1]
    stream = sys.stderr if mode == "stderr" else sys.stdout
    print("Notes server 1.0 starting", file=stream)
    print(json.dumps({"loaded": ["notes"], "rows": 3}, indent=2), file=stream, flush=mode != "buffered")
    server = s.build([s.FakeTool("get_colour_by_name", s.strict_colour)], name="noisy")
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
