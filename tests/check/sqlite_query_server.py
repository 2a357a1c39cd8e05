"""A "read-only SQL query" tool over a real SQLite file, on stdio: ``python -m tests.check.sqlite_query_server``.

Two readOnlyHint tools: ``run_read_only_query`` (SQL in) and ``find_products_by_name`` (a name in).
``flawed``: "read-only" by rolling back: each call runs the caller's statements one by one inside
BEGIN … ROLLBACK, so ``COMMIT;`` ends the transaction and what follows is kept (the escape seen in the
field), and splices the name into its SQL. ``anything``: the same in autocommit, so it runs whatever it
is given. ``described``: the flawed tool with no annotations, read-only in its description only.
``select-guard``: the guard seen on a DuckDB spreadsheet server: anything that does not start with SELECT
is refused, but every statement after it runs, in autocommit, with DuckDB's file functions (``read_text``,
``read_csv``, ``read_blob``: their file loaded into a temp table) and ``COPY (query) TO 'file'`` (the rows
written to the file): a stand-in for DuckDB's dialect over real SQLite and real files.
``sound``: really read-only: the file opened with ``mode=ro``, ``PRAGMA query_only``, no ATTACH
(limit 0), one statement per call, the name bound as a parameter.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s

STATEMENT_TIMEOUT = 1.0
"""Seconds a sound query may run before SQLite interrupts it (the checker sends one that never ends)."""

SCHEMA = {
    "type": "object",
    "properties": {
        "sql": {"type": "string", "description": "One read-only SQL query (SELECT).", "maxLength": 2000}
    },
    "required": ["sql"],
    "additionalProperties": False,
}

SOUND_SCHEMA = {
    **SCHEMA,
    "properties": {
        **SCHEMA["properties"],
        "limit": {"type": "integer", "minimum": 1, "maximum": 500, "description": "The most rows to return."},
    },
}
"""The sound tool pages: at most ``limit`` rows (100 by default) per answer."""

NAME_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string", "description": "The product's exact name.", "maxLength": 100}},
    "required": ["name"],
    "additionalProperties": False,
}


def rows_answer(rows: list[Any]) -> s.types.CallToolResult:
    return s.ok({"rows": [list(r) for r in rows]})


def refused(exc: sqlite3.Error) -> s.types.CallToolResult:
    return s.tool_error(f"The query was refused: {exc}. Fix the SQL; do not retry it unchanged.")


class Flawed:
    """Runs each statement inside BEGIN … ROLLBACK: read-only only until the caller says COMMIT."""

    def __init__(self, path: str, *, transaction: bool) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.transaction = transaction

    async def find(self, args: dict[str, Any]) -> s.types.CallToolResult:
        name = args.get("name")
        if set(args) - {"name"}:
            return s.good_error(sorted(set(args) - {"name"})[0], "only name; remove the unknown argument")
        if not isinstance(name, str) or len(name) > 100:
            return s.good_error("name", "a product name of at most 100 characters")
        return await self.query({"sql": f"SELECT id, name FROM products WHERE name = '{name}'"})

    async def query(self, args: dict[str, Any]) -> s.types.CallToolResult:
        sql = args.get("sql")
        if set(args) - {"sql"}:
            return s.good_error(sorted(set(args) - {"sql"})[0], "only sql; remove the unknown argument")
        if not isinstance(sql, str):
            return s.good_error("sql", "one SQL query as a string")
        rows: list[Any] = []
        try:
            if self.transaction:
                self.db.execute("BEGIN")
            for statement in (part.strip() for part in sql.split(";")):
                if statement:
                    rows = self.db.execute(statement).fetchall()
        except sqlite3.Error as exc:
            return refused(exc)
        finally:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
        return rows_answer(rows)


_FILE_FUNCTION = re.compile(r"\b(read_text|read_csv|read_blob)\('([^']*)'\)", re.IGNORECASE)
_COPY_TO = re.compile(r"^COPY\s*\((.*)\)\s*TO\s*'([^']*)'$", re.IGNORECASE | re.DOTALL)


class SelectGuard(Flawed):
    """Refuses what does not start with SELECT, then runs every statement, DuckDB's file functions included."""

    def __init__(self, path: str) -> None:
        super().__init__(path, transaction=False)
        self.loaded = 0

    def _load(self, match: re.Match[str]) -> str:
        self.loaded += 1
        table = f"_file_{self.loaded}"
        content = Path(match.group(2)).read_text(encoding="utf-8")
        self.db.execute(f"CREATE TEMP TABLE {table} (filename TEXT, content TEXT)")
        self.db.execute(f"INSERT INTO {table} VALUES (?, ?)", (match.group(2), content))
        return table

    async def query(self, args: dict[str, Any]) -> s.types.CallToolResult:
        sql = args.get("sql")
        if set(args) - {"sql"} or not isinstance(sql, str):
            return s.good_error("sql", "one SQL query as a string; no other argument")
        if not sql.lstrip().upper().startswith("SELECT"):
            return s.tool_error("Only SELECT queries are allowed; do not retry this statement.")
        try:
            return rows_answer(self._run(sql))
        except (sqlite3.Error, OSError) as exc:
            return s.tool_error(f"The query was refused: {exc}. Fix the SQL; do not retry it unchanged.")

    def _run(self, sql: str) -> list[Any]:
        rows: list[Any] = []
        for statement in (part.strip() for part in sql.split(";")):
            copy = _COPY_TO.match(statement)
            if copy:
                rows = self.db.execute(copy.group(1)).fetchall()
                Path(copy.group(2)).write_text("\n".join(",".join(map(str, r)) for r in rows))
                rows = [(len(rows),)]
            elif statement:
                rows = self.db.execute(_FILE_FUNCTION.sub(self._load, statement)).fetchall()
        return rows


class Sound:
    """Really read-only: mode=ro, query_only, no attached databases, one statement per call."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        self.db.execute("PRAGMA query_only = ON")
        self.db.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        self._deadline = 0.0  # a statement time limit: a runaway query is refused, never a hang
        self.db.set_progress_handler(lambda: int(time.monotonic() > self._deadline), 10_000)

    async def find(self, args: dict[str, Any]) -> s.types.CallToolResult:
        name = args.get("name")
        if set(args) - {"name"}:
            return s.good_error(sorted(set(args) - {"name"})[0], "only name; remove the unknown argument")
        if not isinstance(name, str) or len(name) > 100:
            return s.good_error("name", "a product name of at most 100 characters")
        return rows_answer(
            self.db.execute("SELECT id, name FROM products WHERE name = ?", (name,)).fetchall()
        )

    async def query(self, args: dict[str, Any]) -> s.types.CallToolResult:
        sql, limit = args.get("sql"), args.get("limit", 100)
        if set(args) - {"sql", "limit"}:
            return s.good_error(
                sorted(set(args) - {"sql", "limit"})[0], "only sql and limit; remove the rest"
            )
        if not isinstance(sql, str) or not sql.strip():
            return s.good_error("sql", "one SQL query as a non-empty string")
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 500:
            return s.good_error("limit", "an integer from 1 to 500")
        self._deadline = time.monotonic() + STATEMENT_TIMEOUT
        try:
            return rows_answer(self.db.execute(sql).fetchmany(limit))
        except sqlite3.Error as exc:
            return refused(exc)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["flawed", "anything", "sound", "described", "select-guard"])
    parser.add_argument("database")
    args = parser.parse_args()
    tool: Flawed | Sound = (
        Sound(args.database)
        if args.mode == "sound"
        else SelectGuard(args.database)
        if args.mode == "select-guard"
        else Flawed(args.database, transaction=args.mode in ("flawed", "described"))
    )
    # "described": the flawed tool as an older server presents it, read-only in words only, with no annotations
    annotations = None if args.mode == "described" else dict(s.READ)
    server = s.build(
        [
            s.FakeTool(
                "run_read_only_query",
                tool.query,
                description="Run one read-only SQL query against the shop database and return its rows.",
                input_schema=SOUND_SCHEMA if args.mode == "sound" else SCHEMA,
                annotations=annotations,
            ),
            s.FakeTool(
                "find_products_by_name",
                tool.find,
                description="Find the products with exactly this name.",
                input_schema=NAME_SCHEMA,
            ),
        ],
        name=f"sqlite-{args.mode}",
    )
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
