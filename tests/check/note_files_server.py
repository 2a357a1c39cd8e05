"""A note store kept as files, on stdio: ``python -m tests.check.note_files_server joins|refuses|hashes ROOT``.

``save_note`` (title, body) writes ``ROOT/notes/<title>.md``; ``list_notes`` lists them. ``joins`` puts the
title into the path as given (so ``../x`` lands in ROOT, outside ROOT/notes); ``refuses`` refuses a title
with ``/``, ``\\`` or ``..``, naming the field; ``hashes`` names each file by a digest of its title (no
title shows on disk, so the name-traversal probe cannot tell).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from typing import Any

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s

WRITE = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True}
SAVE_SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 80, "description": "The note's title."},
        "body": {"type": "string", "maxLength": 2000, "description": "The note's text."},
    },
    "required": ["title", "body"],
    "additionalProperties": False,
}
LIST_SCHEMA = {"type": "object", "properties": {}, "additionalProperties": False}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["joins", "refuses", "hashes"])
    parser.add_argument("root", type=Path)
    args = parser.parse_args()
    notes = args.root / "notes"
    notes.mkdir(parents=True, exist_ok=True)

    async def save_note(call: dict[str, Any]) -> Any:
        title, body = call.get("title"), call.get("body")
        if not isinstance(title, str) or not title or not isinstance(body, str):
            return s.good_error("title", "a non-empty string, and body a string")
        if args.mode == "refuses" and ("/" in title or "\\" in title or ".." in title):
            return s.good_error("title", "a title without '/', '\\' or '..'")
        stem = hashlib.sha256(title.encode()).hexdigest()[:16] if args.mode == "hashes" else title
        await anyio.Path(notes / f"{stem}.md").write_text(body, encoding="utf-8")
        return s.ok({"saved": title})

    async def list_notes(call: dict[str, Any]) -> Any:
        return s.ok({"notes": sorted(p.stem for p in notes.glob("*.md"))})

    tools = [
        s.FakeTool(
            "save_note", save_note, description="Save a note.", input_schema=SAVE_SCHEMA, annotations=WRITE
        ),
        s.FakeTool("list_notes", list_notes, description="List the notes' titles.", input_schema=LIST_SCHEMA),
    ]
    server = s.build(tools, name=f"notes-{args.mode}")
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
