"""The SQLite ``IdempotencyStore``: the embedded default, safe across processes (WAL, busy timeout,
``BEGIN IMMEDIATE`` claims).

When the connector's data lives in the same SQLite file, a tool writes through
``store.transaction()``: its effect and the record's completion commit in one
transaction, so a crash leaves either both or neither, and a retry after a crash
(once the claim's lock times out) runs the write exactly once.

Every transaction checks, before it starts, before it commits and after, that the path still
names the file the store opened (``DatabaseFile``): a write into a file deleted or replaced
under the server is never acknowledged. SQLite failures an operator can fix (read-only file,
full disk, missing file) or that pass (busy) are retryable ``Unavailable`` errors saying which.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from wireproof.errors import Unavailable
from wireproof.idempotency._sql import Row, SqlIdempotencyStore, SqlTransaction, table_schema
from wireproof.idempotency._sqlite_file import REOPEN_AFTER, DatabaseFile, sqlite_unavailable
from wireproof.idempotency._store import DEFAULT_LOCK_TIMEOUT, DEFAULT_RETENTION

__all__ = ["SqliteIdempotencyStore", "SqliteTransaction"]

SqliteTransaction = SqlTransaction

_SCHEMA: Final = table_schema(json_type="TEXT", real_type="REAL")


class SqliteIdempotencyStore(SqlIdempotencyStore):
    """Idempotency records in a table of an SQLite file (usually the connector's own database)."""

    def __init__(
        self,
        path: str | Path,
        *,
        retention: float = DEFAULT_RETENTION,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        clock: Callable[[], float] = time.time,
        synchronous: str = "NORMAL",
    ) -> None:
        if synchronous not in ("NORMAL", "FULL", "EXTRA"):
            raise ValueError("synchronous must be NORMAL, FULL or EXTRA")
        super().__init__(retention=retention, lock_timeout=lock_timeout, clock=clock)
        self.synchronous = synchronous
        self.path = Path(path)
        self._file: DatabaseFile | None = None  # set once the file exists; then connections never create it
        with self._connections.lease() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)
        self._file = DatabaseFile(self.path)
        self.reap()
        self._scrub_argument_values()

    def _open_connection(self) -> sqlite3.Connection:
        if self._file is None:  # the first connection may create the file
            connection = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
        else:  # later ones must find it: a deleted file is an error, not a new empty database
            uri = f"{self.path.resolve().as_uri()}?mode=rw"
            connection = sqlite3.connect(
                uri, uri=True, timeout=30.0, isolation_level=None, check_same_thread=False
            )
        connection.execute("PRAGMA busy_timeout=30000")
        # WAL with synchronous=NORMAL: a commit survives a process crash (what exactly-once needs
        # here); only a power loss may roll back the last commits, effect and record together.
        connection.execute(f"PRAGMA synchronous={self.synchronous}")
        return connection

    def _check_file(self) -> None:
        if self._file is not None:
            self._file.check()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._connections.lease() as connection:
                self._check_file()
                connection.execute(
                    "BEGIN IMMEDIATE"
                )  # the write lock first: claims serialise across processes
                try:
                    yield connection
                    self._check_file()  # deleted or replaced meanwhile: roll back rather than commit into it
                except BaseException:
                    with contextlib.suppress(
                        sqlite3.Error
                    ):  # SQLite may have rolled back already (full disk)
                        connection.execute("ROLLBACK")
                    raise
                try:
                    connection.execute("COMMIT")
                except sqlite3.Error:  # never leave this thread's connection inside a transaction
                    with contextlib.suppress(sqlite3.Error):
                        connection.execute("ROLLBACK")
                    raise
                self._check_file()  # committed into a file that is no longer the database: not acknowledged
        except sqlite3.Error as exc:
            unavailable = sqlite_unavailable(exc)
            if unavailable is None:
                raise
            if unavailable.code in REOPEN_AFTER:  # this connection keeps the fault: open anew next call
                self._connections.discard()
            raise unavailable from exc
        except Unavailable as exc:  # the tool's own queries met the fault first (and named it)
            if exc.code in REOPEN_AFTER:
                self._connections.discard()
            raise

    def ping(self) -> None:
        """For readiness probes: the file is the one opened at start, and it answers a query."""
        self._check_file()
        try:
            super().ping()
        except sqlite3.Error as exc:
            unavailable = sqlite_unavailable(exc)
            if unavailable is None:
                raise
            raise unavailable from exc

    def _insert_or_fetch(self, db: Any, values: tuple[Any, ...]) -> Row | None:
        row = db.execute(
            "SELECT fingerprint, arguments, locked_at, expires_at, result FROM wireproof_idempotency "
            "WHERE scope = ? AND key = ?",
            values[:2],
        ).fetchone()
        if row is not None:
            return tuple(row)
        db.execute(
            "INSERT INTO wireproof_idempotency (scope, key, fingerprint, arguments, token, locked_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        return None
