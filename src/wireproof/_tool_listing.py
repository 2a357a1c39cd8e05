"""Every tool a server lists: ``tools/list`` followed page by page through the official client, as
the checker and the guard both read a server's tools."""

from __future__ import annotations

from typing import Final

import mcp_types as types
from mcp import Client

__all__ = ["MAX_PAGES", "list_every_tool"]

MAX_PAGES: Final = 100
"""Pages followed at most: a server whose cursors never end cannot hold the caller forever."""


async def list_every_tool(client: Client) -> list[types.Tool]:
    """The tools of every page, fresh (not from the client's cache); the caller bounds the time."""
    tools: list[types.Tool] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = await client.list_tools(cursor=cursor, cache_mode="refresh")
        tools.extend(page.tools)
        cursor = page.next_cursor
        if not cursor:
            break
    return tools
