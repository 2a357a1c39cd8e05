"""A read-only file tool on stdio: ``python -m tests.check.file_server confined|unconfined|prefix [ROOT]``.

Two tools: ``read_text_file`` (path) and ``list_folder`` (directory: the file names in it).
``confined`` reads only under ROOT (resolved, so ``..`` cannot leave it); ``unconfined`` takes ROOT on its
command line like the confined one, but reads any path it is given; ``prefix`` refuses a path that does not
start with ROOT, but checks the text before resolving it, so ``ROOT/../..`` leaves it (the naive guard);
``csv-only`` is unconfined, and its listing shows only ``.csv`` files (as a spreadsheet server lists workbooks);
``quotes-prefix`` is unconfined and parses what it reads as JSON, failing with Node's message, which quotes
only the first 10 characters of the file (hold-out 6's tryll ``import_json``).
Relative paths are taken from ROOT.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s

SCHEMA = {
    "type": "object",
    "properties": {"path": {"type": "string", "description": "The file to read.", "maxLength": 4096}},
    "required": ["path"],
    "additionalProperties": False,
}
FOLDER_SCHEMA = {
    "type": "object",
    "properties": {"directory": {"type": "string", "description": "The folder to list.", "maxLength": 4096}},
    "required": ["directory"],
    "additionalProperties": False,
}


class Files:
    def __init__(self, root: Path | None, mode: str) -> None:
        self.root, self.mode = root, mode

    async def _resolve(self, args: dict[str, Any], name: str) -> anyio.Path | s.types.CallToolResult:
        if set(args) - {name}:
            return s.good_error(sorted(set(args) - {name})[0], f"only {name}; remove the unknown argument")
        if not isinstance(args.get(name), str) or "\x00" in args[name] or len(args[name]) > 4096:
            return s.good_error(name, "a path as a string of at most 4096 characters, without NUL characters")
        given = anyio.Path(self.root or "/", args[name])
        path = await given.resolve()
        inside = self.root is None or path.is_relative_to(await anyio.Path(self.root).resolve())
        if self.mode == "confined" and not inside:
            return s.good_error(name, f"a path under {self.root}")
        if self.root is not None and self.mode == "prefix" and not str(given).startswith(str(self.root)):
            return s.good_error(name, f"a path under {self.root}")
        return path

    async def read(self, args: dict[str, Any]) -> s.types.CallToolResult:
        path = await self._resolve(args, "path")
        if not isinstance(path, anyio.Path):
            return path
        try:
            text = await path.read_text(encoding="utf-8")
            if self.mode == "quotes-prefix" and not text.lstrip().startswith(("[", "{")):
                return s.tool_error(
                    f"Error: Unexpected token '{text[:1]}', \"{text[:10]}\"... is not valid JSON"
                )
            return s.ok({"text": text})
        except (OSError, UnicodeDecodeError):
            return s.good_error("path", "the path of an existing UTF-8 text file in the project folder")

    async def listing(self, args: dict[str, Any]) -> s.types.CallToolResult:
        path = await self._resolve(args, "directory")
        if not isinstance(path, anyio.Path):
            return path
        try:
            names = sorted([p.name async for p in path.iterdir()])
            if self.mode == "csv-only":
                names = [n for n in names if n.endswith(".csv")]
            return s.ok({"files": names[:50]})
        except OSError:
            return s.good_error("directory", "the path of an existing folder in the project folder")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["confined", "unconfined", "prefix", "csv-only", "quotes-prefix"])
    parser.add_argument("root", nargs="?", type=Path)
    args = parser.parse_args()
    files = Files(args.root, args.mode)
    tools = [
        s.FakeTool(
            "read_text_file",
            files.read,
            description="Read a UTF-8 text file from the project folder.",
            input_schema=SCHEMA,
        ),
        s.FakeTool(
            "list_folder",
            files.listing,
            description="List the names of the files in a folder of the project (at most 50).",
            input_schema=FOLDER_SCHEMA,
        ),
    ]
    server = s.build(tools, name=f"files-{args.mode}")
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
