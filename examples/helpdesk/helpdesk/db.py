"""The helpdesk database: one SQLite file, migrated on first open, read through read-only connections.

Least privilege starts here: read tools get connections opened with SQLite's
``mode=ro``, which cannot write whatever SQL they run; only migrations and
seeding use the read-write connection.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Final

from helpdesk.seed import generate_tickets

__all__ = ["Database", "DatabaseURLError", "default_database_path"]

SCHEMA_VERSION: Final = 1
_MIGRATIONS: Final = {
    1: """
        CREATE TABLE tickets (
            id             INTEGER PRIMARY KEY,
            subject        TEXT NOT NULL,
            body           TEXT NOT NULL,
            status         TEXT NOT NULL CHECK (status IN ('open', 'pending', 'solved', 'closed')),
            priority       TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
            customer_email TEXT NOT NULL,
            org            TEXT NOT NULL,
            opened_at      TEXT NOT NULL,
            updated_at     TEXT NOT NULL
        );
        CREATE INDEX tickets_by_opened ON tickets (opened_at, id);
        CREATE INDEX tickets_by_status_opened ON tickets (status, opened_at, id);
    """,
}
SEED_BATCH: Final = 10_000


class DatabaseURLError(ValueError):
    """The --db value is not a database URL helpdesk can open."""


def default_database_path() -> Path:
    """Where helpdesk keeps its database when no --db is given: the user's data directory."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "wireproof-helpdesk" / "helpdesk.db"


def sqlite_path(url: str | None) -> Path:
    """The file behind ``sqlite:///path`` (or a plain path); the default path for None."""
    if url is None:
        return default_database_path()
    if url.startswith(("postgresql://", "postgres://")):
        raise DatabaseURLError(
            "PostgreSQL is not supported by this version of helpdesk yet; use sqlite:///PATH"
        )
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not path:
            raise DatabaseURLError("sqlite:/// needs a file path, for example sqlite:///tmp/helpdesk.db")
        return Path(path)  # sqlite:///rel.db is relative, sqlite:////abs.db absolute, as in SQLAlchemy
    if "://" in url:
        raise DatabaseURLError(
            f"unsupported database URL scheme in {url.split('://')[0]!r}; use sqlite:///PATH"
        )
    return Path(url)


class Database:
    """The helpdesk SQLite database: migrated on open, read-only connections per worker thread."""

    def __init__(self, url: str | None = None) -> None:
        self.path = sqlite_path(url).expanduser().resolve()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
        self._writer.execute("PRAGMA journal_mode=WAL")
        self._writer.execute("PRAGMA busy_timeout=10000")
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self.migrate()

    def migrate(self) -> None:
        """Bring the schema to ``SCHEMA_VERSION``; each step commits with its version number."""
        with self._write_lock:
            (version,) = self._writer.execute("PRAGMA user_version").fetchone()
            for step in range(version + 1, SCHEMA_VERSION + 1):
                self._writer.executescript(f"BEGIN; {_MIGRATIONS[step]} PRAGMA user_version={step}; COMMIT;")

    def reader(self) -> sqlite3.Connection:
        """This thread's read-only connection (``mode=ro``: it cannot write, whatever it runs)."""
        connection: sqlite3.Connection | None = getattr(self._local, "reader", None)
        if connection is None:
            uri = f"{self.path.as_uri()}?mode=ro"
            connection = sqlite3.connect(uri, uri=True, timeout=10.0, check_same_thread=False)
            connection.execute("PRAGMA busy_timeout=10000")
            connection.row_factory = sqlite3.Row
            self._local.reader = connection
            with self._readers_lock:
                self._readers.append(connection)
        return connection

    def ticket_count(self) -> int:
        with self._write_lock:
            (count,) = self._writer.execute("SELECT count(*) FROM tickets").fetchone()
        return int(count)

    def seed(self, count: int) -> int:
        """Insert ``count`` deterministic demo tickets if the database has none; return how many were added."""
        if count < 0:
            raise ValueError("--seed takes a count of 0 or more")
        with self._write_lock, self._writer:
            (existing,) = self._writer.execute("SELECT count(*) FROM tickets").fetchone()
            if existing:
                return 0
            batch: list[tuple[object, ...]] = []
            for row in generate_tickets(count):
                batch.append(row)
                if len(batch) == SEED_BATCH:
                    self._writer.executemany("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
                    batch.clear()
            self._writer.executemany("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
        return count

    def close(self) -> None:
        with self._readers_lock:
            for connection in self._readers:
                connection.close()
            self._readers.clear()
        with self._write_lock:
            self._writer.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
