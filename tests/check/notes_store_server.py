"""A stdio note store: ``python -m tests.check.notes_store_server MODE FILE``.

Two tools: ``add_note`` (body; a write) and ``list_notes`` (the bodies, oldest first). ``file`` keeps the
notes in FILE, a JSON list written before each add answers (durable); ``copy`` loads FILE at start into
memory and never writes it back, as hold-out 4's cv-19 (mcp-csv-database) loads CSV files into a temporary
database: every add is answered, and a new process sees none of them. ``copy-told`` does the same, and its
description says the notes are kept in memory.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s

BODY = {
    "type": "object",
    "properties": {
        "body": {"type": "string", "description": "The note's text.", "minLength": 1, "maxLength": 200}
    },
    "required": ["body"],
    "additionalProperties": False,
}
NOTHING = {"type": "object", "properties": {}, "additionalProperties": False}
WRITE = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False, "openWorldHint": False}


class Store:
    def __init__(self, path: Path, mode: str) -> None:
        self.path, self.mode = path, mode
        self.notes: list[str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []

    async def add(self, args: dict[str, Any]) -> s.types.CallToolResult:
        body = args.get("body")
        if set(args) - {"body"} or not isinstance(body, str) or not 1 <= len(body) <= 200:
            return s.good_error("body", "a string of 1 to 200 characters, and nothing else")
        self.notes.append(body)
        if self.mode == "file":
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.notes), encoding="utf-8")
            os.replace(temporary, self.path)
        return s.ok({"added": body, "count": len(self.notes)})

    async def listing(self, args: dict[str, Any]) -> s.types.CallToolResult:
        if args:
            return s.good_error(sorted(args)[0], "no arguments")
        return s.ok({"notes": self.notes})


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["file", "copy", "copy-told"])
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    store = Store(args.file, args.mode)
    kept = " The notes are kept in memory for this session only." if args.mode == "copy-told" else ""
    tools = [
        s.FakeTool(
            "add_note", store.add, description="Add a note." + kept, input_schema=BODY, annotations=WRITE
        ),
        s.FakeTool(
            "list_notes", store.listing, description="List every note, oldest first.", input_schema=NOTHING
        ),
    ]
    server = s.build(tools, name=f"notes-{args.mode}")
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
