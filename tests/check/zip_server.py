"""A zip reader on stdio: ``python -m tests.check.zip_server confined|open ROOT``.

``list_archive(path)`` lists the members of the zip file at an absolute path (a workbook, a .docx, a zip are
such files: hold-out 7's excel-mcp-server reads any .xlsx by its absolute path). ``open`` reads any path;
``confined`` refuses a path outside ROOT, naming the field. A planted text file named .zip is only refused as
no zip by either, so the checker plants a copy of the sample archive.
"""

from __future__ import annotations

import os
import sys
import zipfile
from typing import Any

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s

SCHEMA = {
    "type": "object",
    "properties": {
        "path": {"type": "string", "maxLength": 500, "description": "The archive's absolute path."},
    },
    "required": ["path"],
    "additionalProperties": False,
}


def _members(path: str) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return sorted(archive.namelist())


async def main(mode: str, root: str) -> None:

    async def list_archive(args: dict[str, Any]) -> Any:
        path = args.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            return s.good_error("path", "an absolute path to a zip file")
        resolved = str(await anyio.Path(path).resolve())
        if mode == "confined" and not resolved.startswith(root.rstrip("/") + "/"):
            return s.good_error("path", f"a path inside {root}")
        try:
            return s.ok({"members": await anyio.to_thread.run_sync(_members, resolved)})
        except (OSError, zipfile.BadZipFile):
            return s.good_error("path", "a zip file that exists")

    tools = [
        s.FakeTool(
            "list_archive",
            list_archive,
            description="List a zip file's members.",
            input_schema=SCHEMA,
            annotations={"readOnlyHint": True},
        )
    ]
    server = s.build(tools, name=f"zip-{mode}")
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], os.path.realpath(sys.argv[2]))
