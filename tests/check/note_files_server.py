"""A note store kept as files, on stdio: ``python -m tests.check.note_files_server MODE ROOT``.

``save_note`` (title, body) writes ``ROOT/notes/<title>.md``; ``list_notes`` lists them; ``read_note`` and
``delete_note`` (title) read and delete one. Modes: ``joins`` puts the title into the path as given
everywhere (so ``../x`` lands in ROOT, outside ROOT/notes); ``refuses`` refuses a title with ``/``, ``\\``
or ``..``, naming the field, everywhere; ``hashes`` names each file by a digest of its title (no title shows
on disk, so the name-traversal probe cannot tell); ``strips`` drops ``/`` and ``..`` from a title it saves
(hold-out 6's tryll store) but reads and deletes by the raw title joined into the path, so ``../x`` reaches
one folder up; ``basename`` strips on saving and reads and deletes by the title's last path part only
(confined: a title through a folder that does not exist finds the same note).
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
TITLE_SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The note's title."}
    },
    "required": ["title"],
    "additionalProperties": False,
}
READ = {"readOnlyHint": True}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["joins", "refuses", "hashes", "strips", "basename"])
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
        if args.mode in ("strips", "basename"):
            title = title.replace("/", "").replace("..", "")
        await anyio.Path(notes / f"{stem(title)}.md").write_text(body, encoding="utf-8")
        return s.ok({"saved": title})

    def stem(title: str) -> str:
        if args.mode == "hashes":
            return hashlib.sha256(title.encode()).hexdigest()[:16]
        return Path(title).name if args.mode == "basename" else title

    def by_title(call: dict[str, Any]) -> Any:
        title = call.get("title")
        if not isinstance(title, str) or not title:
            return s.good_error("title", "a non-empty string")
        if args.mode == "refuses" and ("/" in title or "\\" in title or ".." in title):
            return s.good_error("title", "a title without '/', '\\' or '..'")
        return anyio.Path(notes / f"{stem(title)}.md")

    async def read_note(call: dict[str, Any]) -> Any:
        path = by_title(call)
        if not isinstance(path, anyio.Path):
            return path
        if not await path.is_file():
            return s.good_error("title", "the title of a saved note (list_notes lists them)")
        return s.ok({"body": await path.read_text(encoding="utf-8")})

    async def delete_note(call: dict[str, Any]) -> Any:
        path = by_title(call)
        if not isinstance(path, anyio.Path):
            return path
        if not await path.is_file():
            return s.good_error("title", "the title of a saved note (list_notes lists them)")
        await path.unlink()
        return s.ok({"deleted": True})

    async def list_notes(call: dict[str, Any]) -> Any:
        return s.ok({"notes": sorted(p.stem for p in notes.glob("*.md"))})

    tools = [
        s.FakeTool(
            "save_note", save_note, description="Save a note.", input_schema=SAVE_SCHEMA, annotations=WRITE
        ),
        s.FakeTool("list_notes", list_notes, description="List the notes' titles.", input_schema=LIST_SCHEMA),
        s.FakeTool(
            "read_note", read_note, description="Read a note.", input_schema=TITLE_SCHEMA, annotations=READ
        ),
        s.FakeTool(
            "delete_note",
            delete_note,
            description="Delete a note.",
            input_schema=TITLE_SCHEMA,
            annotations={"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False},
        ),
    ]
    server = s.build(tools, name=f"notes-{args.mode}")
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
