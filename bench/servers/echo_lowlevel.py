"""The low-level Server echo server over stdio: ``python bench/servers/echo_lowlevel.py``."""

import anyio
from echo import build_lowlevel
from mcp.server.stdio import stdio_server


async def main() -> None:
    server = build_lowlevel()
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
