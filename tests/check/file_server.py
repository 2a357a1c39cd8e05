"""A read-only file tool on stdio: ``python -m tests.check.file_server confined|unconfined [ROOT]``.

``confined`` reads only files under ROOT (resolved, so ``..`` cannot leave it); ``unconfined`` takes
ROOT on its command line like the confined one, but reads any path it is given.
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


def reader(root: Path | None, *, confined: bool) -> Any:
    async def read_text_file(args: dict[str, Any]) -> s.types.CallToolResult:
        if set(args) - {"path"}:
            return s.good_error(sorted(set(args) - {"path"})[0], "only path; remove the unknown argument")
        if not isinstance(args.get("path"), str) or "\x00" in args["path"]:
            return s.good_error("path", "a file path as a string, without NUL characters")
        path = await anyio.Path(root or "/", args["path"]).resolve()
        if confined and root is not None and not path.is_relative_to(await anyio.Path(root).resolve()):
            return s.good_error("path", f"a file under {root}")
        try:
            return s.ok({"text": await path.read_text(encoding="utf-8")})
        except (OSError, UnicodeDecodeError):
            return s.tool_error(f"No readable file at {args['path']}; do not retry with the same path.")

    return read_text_file


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["confined", "unconfined"])
    parser.add_argument("root", nargs="?", type=Path)
    args = parser.parse_args()
    tool = s.FakeTool(
        "read_text_file",
        reader(args.root, confined=args.mode == "confined"),
        description="Read a UTF-8 text file from the project folder.",
        input_schema=SCHEMA,
    )
    server = s.build([tool], name=f"files-{args.mode}")
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
