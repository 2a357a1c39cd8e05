"""A stdio server with one write that saves a report to a path: ``python -m tests.check.export_server MODE ROOT``.

``export_report`` (output_path) writes a small CSV where it is told. ``folder`` is unconfined too, and its path is a folder (``export_dir``) it creates and writes a CSV in.
``confined`` writes only under ROOT
(resolved, so ``..`` cannot leave it) and refuses any other path; ``unconfined`` takes ROOT on its command
line the same way but writes wherever the path points (hold-out 4's cv-16: mcp-csv-database's
export_table_to_csv and backup_database). Relative paths are taken from ROOT.
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
    "properties": {
        "output_path": {"type": "string", "description": "Where to save the CSV report.", "maxLength": 4096}
    },
    "required": ["output_path"],
    "additionalProperties": False,
}
WRITE = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True, "openWorldHint": False}


def exporter(root: Path, mode: str) -> Any:
    async def export(args: dict[str, Any]) -> s.types.CallToolResult:
        name = "export_dir" if mode == "folder" else "output_path"
        if set(args) - {name}:
            return s.good_error(sorted(set(args) - {name})[0], f"only {name}; remove it")
        given = args.get(name)
        if not isinstance(given, str) or not given or "\x00" in given or len(given) > 4096:
            return s.good_error(name, "a path as a string of 1 to 4096 characters, without NUL")
        path = await anyio.Path(root, given).resolve()
        if mode == "confined" and not path.is_relative_to(await anyio.Path(root).resolve()):
            return s.good_error(name, f"a path under {root}")
        try:
            if mode == "folder":
                await path.mkdir(parents=True, exist_ok=True)
                path = path / "notes.csv"
            await path.write_text("id,title\n1,first\n", encoding="utf-8")
        except OSError:
            return s.good_error(name, f"a writable path under {root}")
        return s.ok({"written": 2})

    return export


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["confined", "unconfined", "folder"])
    parser.add_argument("root", type=Path)
    args = parser.parse_args()
    schema = SCHEMA
    if args.mode == "folder":
        prop = {"type": "string", "description": "The folder to save the CSV report in.", "maxLength": 4096}
        schema = {**SCHEMA, "properties": {"export_dir": prop}, "required": ["export_dir"]}
    tool = s.FakeTool(
        "export_report",
        exporter(args.root, args.mode),
        description="Save the notes as a CSV report.",
        input_schema=schema,
        annotations=WRITE,
    )
    server = s.build([tool], name=f"export-{args.mode}")
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
