"""A SQLite database with one big table, behind ``list_tables`` and a read-only ``query``, on stdio.

``python -m tests.check.big_table_server MODE DATABASE LOG``: two readOnlyHint tools, ``list_tables``
and ``query`` (SQL in). The file is opened read-only (``mode=ro``, ``PRAGMA query_only``), every
statement is bounded by a time limit, and each SQL text received is appended to LOG, one JSON string
a line (so a test sees exactly what the checker sent). Modes:

``everything``: the flaw. ``query`` answers every row it is asked for, and ``list_tables`` names
each table with its row count: ``SELECT *`` on the big table comes back megabytes long.
``names``: the same flaw, with a plain-text listing and no row counts (``Tables:`` then one a line).
``capped``: the twin. ``query`` answers at most ``CAP`` rows and says how to read on (``LIMIT`` /
``OFFSET`` in the SQL), whatever the query asks.
``hostile``: the ``everything`` server whose listing names a table that is no plain identifier
(``events"; DROP TABLE users; --``), as the largest: the checker must send no SQL built from it.
``slow``: the ``everything`` server, ``SLOW_SECONDS`` late with the answer to a whole-table read (as a
server serializing 40 MB is): no answer within the checker's timeout.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from pathlib import Path
from typing import Any, Final

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s

CAP: Final = 100
"""The most rows the capped twin answers at once."""
STATEMENT_TIMEOUT: Final = 1.0
"""Seconds a statement may run: the checker's never-ending query is refused, never a hang."""
SLOW_SECONDS: Final = 3.0
"""How long the slow server takes over a whole-table read, past the checker's timeout in the test."""
MODES: Final = ("everything", "names", "capped", "hostile", "slow")
HOSTILE_NAME: Final = 'events"; DROP TABLE users; --'
NO_PARAMETERS: Final = {"type": "object", "properties": {}, "additionalProperties": False}
QUERY_SCHEMA: Final = {
    "type": "object",
    "properties": {
        "sql": {"type": "string", "description": "One read-only SQL query (SELECT).", "maxLength": 2000}
    },
    "required": ["sql"],
    "additionalProperties": False,
}


def create(path: Path, big_rows: int) -> None:
    """The database: ``events`` with ``big_rows`` rows, and two small tables beside it."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, detail TEXT)")
        db.executemany("INSERT INTO users (email) VALUES (?)", [("a@example.com",), ("b@example.com",)])
        db.execute("INSERT INTO notes (body) VALUES ('hello')")
        db.executemany(
            "INSERT INTO events (kind, detail) VALUES (?, ?)",
            ((("click", "view")[i % 2], f"user {i % 977} opened page /p/{i}") for i in range(big_rows)),
        )


class Database:
    """The read-only file, a statement time limit, and the log of every SQL text received."""

    def __init__(self, mode: str, path: str, log: str) -> None:
        self.mode, self.log = mode, Path(log)
        self.db = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        self.db.execute("PRAGMA query_only = ON")
        self._deadline = 0.0
        self.db.set_progress_handler(lambda: int(time.monotonic() > self._deadline), 10_000)

    def _tables(self) -> list[tuple[str, int]]:
        names = [
            r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        self._deadline = time.monotonic() + STATEMENT_TIMEOUT
        counted = [(n, int(self.db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0])) for n in names]
        return [(HOSTILE_NAME, 10**9), *counted] if self.mode == "hostile" else counted

    async def list_tables(self, args: dict[str, Any]) -> s.types.CallToolResult:
        if args:
            return s.good_error(sorted(args)[0], "no arguments; remove them")
        tables = self._tables()
        if self.mode == "names":
            text = "Tables:\n" + "\n".join(f"- {name}" for name, _ in tables)
            return s.types.CallToolResult(content=[s.types.TextContent(text=text)])
        return s.ok({"tables": [{"name": name, "rows": rows} for name, rows in tables]})

    async def query(self, args: dict[str, Any]) -> s.types.CallToolResult:
        sql = args.get("sql")
        if set(args) - {"sql"} or not isinstance(sql, str):
            return s.good_error("sql", "one SQL query as a string; no other argument")
        with self.log.open("a", encoding="utf-8") as log:
            log.write(json.dumps(sql) + "\n")
        if self.mode == "slow" and sql.startswith("SELECT * FROM"):
            await anyio.sleep(SLOW_SECONDS)
        self._deadline = time.monotonic() + STATEMENT_TIMEOUT
        try:
            cursor = self.db.execute(sql)
            rows = cursor.fetchall() if self.mode != "capped" else cursor.fetchmany(CAP + 1)
        except sqlite3.Error as exc:
            return s.tool_error(f"The query was refused: {exc}. Fix the SQL; do not retry it unchanged.")
        if self.mode == "capped" and len(rows) > CAP:
            return s.ok(
                {
                    "rows": [list(r) for r in rows[:CAP]],
                    "more": f"Only the first {CAP} rows are shown: add LIMIT {CAP} OFFSET {CAP} to read on.",
                }
            )
        return s.ok({"rows": [list(r) for r in rows]})


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("database")
    parser.add_argument("log")
    args = parser.parse_args()
    database = Database(args.mode, args.database, args.log)
    server = s.build(
        [
            s.FakeTool(
                "list_tables",
                database.list_tables,
                description="List the tables of the events database.",
                input_schema=NO_PARAMETERS,
            ),
            s.FakeTool(
                "query",
                database.query,
                description="Run one read-only SQL query against the events database and return its rows.",
                input_schema=QUERY_SCHEMA,
            ),
        ],
        name=f"big-table-{args.mode}",
    )
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
