"""A 46-tool wireproof connector for timing a full ``wireproof check --allow-writes``.

    python bench/servers/many_tools.py DB     # stdio; DB is a SQLite file, created when missing

Thirty read tools (a get by id and a paged list over each of fifteen tables) and sixteen write
tools (an idempotent ``add`` to each of sixteen tables, with a keyed retry), every one a plain
``def`` on SQLite, as a connector with many small CRUD tools looks. ``bench/bench_check.py
--server many`` checks it.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel

from wireproof import LOCAL_OPERATOR, Connector, NotFound, Page, ToolContext

TABLES = [f"t{i:02d}" for i in range(16)]
READ_TABLES = TABLES[:15]
Id = Annotated[int, Ge(1), Le(2**53 - 1)]
Limit = Annotated[int, Ge(1), Le(100)]
Cursor = Annotated[str, MaxLen(1024)]
Text = Annotated[str, MinLen(1), MaxLen(500)]


class Item(BaseModel):
    """One row."""

    id: int
    name: str


class Db:
    """The SQLite file: a read connection per thread, one writer behind a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with sqlite3.connect(path) as setup:
            setup.execute("PRAGMA journal_mode=WAL")
            for table in TABLES:
                setup.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"
                )
                if setup.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0:
                    setup.executemany(
                        f"INSERT INTO {table} (name) VALUES (?)", [(f"row {n}",) for n in range(50)]
                    )
        self._local = threading.local()
        self._writer = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()

    def reader(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            self._local.connection = connection
        return connection

    def insert(self, table: str, name: str) -> Item:
        with self._lock:
            (row_id,) = self._writer.execute(
                f"INSERT INTO {table} (name) VALUES (?) RETURNING id", (name,)
            ).fetchone()
        return Item(id=row_id, name=name)


app: Connector[Db] = Connector("many-tools", version="1.0.0")


def _reads(table: str) -> None:
    def get(ctx: ToolContext[Db], item_id: Id) -> Item:
        row = ctx.state.reader().execute(f"SELECT id, name FROM {table} WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise NotFound(f"No row of {table} has item_id {item_id}; list_{table} shows the ids")
        return Item(id=row[0], name=row[1])

    get.__name__ = f"get_{table}"
    get.__doc__ = (
        f"Get one row of {table} by its id.\n\nArgs:\n    item_id: The row's id, as list_{table} shows it."
    )
    app.read(public=True)(get)

    def listing(ctx: ToolContext[Db], limit: Limit = 25, cursor: Cursor | None = None) -> Page[Item]:
        after = ctx.paging.position(cursor, {}) or 0
        rows: list[Any] = (
            ctx.state.reader()
            .execute(f"SELECT id, name FROM {table} WHERE id > ? ORDER BY id LIMIT ?", (after, limit + 1))
            .fetchall()
        )
        return Page[Item].from_rows(
            rows,
            limit=limit,
            item=lambda r: Item(id=r[0], name=r[1]),
            position=lambda r: r[0],
            paging=ctx.paging,
            filters={},
        )

    listing.__name__ = f"list_{table}"
    listing.__doc__ = (
        f"List the rows of {table} by id, a page at a time.\n\nArgs:\n    limit: The most rows to return, 1 to 100.\n"
        "    cursor: The next_cursor of the previous page; omit for the first page."
    )
    app.read(public=True)(listing)


def _write(table: str) -> None:
    def add(ctx: ToolContext[Db], name: Text) -> Item:
        return ctx.state.insert(table, name)

    add.__name__ = f"add_{table}"
    add.__doc__ = f"Add a row to {table}.\n\nArgs:\n    name: The row's name, 1 to 500 characters."
    app.write(public=True, idempotency_key=True, destructive=False)(add)


for _table in READ_TABLES:
    _reads(_table)
for _table in TABLES:
    _write(_table)


def main() -> None:
    from wireproof.idempotency import SqliteIdempotencyStore

    db_path = Path(sys.argv[1])
    db = Db(db_path)
    store = SqliteIdempotencyStore(db_path.with_suffix(".keys.db"))
    try:
        app.run_stdio(db, store=store, principal=LOCAL_OPERATOR)
    finally:
        store.close()


if __name__ == "__main__":
    main()
