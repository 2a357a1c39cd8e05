"""The SQLite ``IdempotencyStore``: the embedded default, safe across processes (WAL, busy timeout,
``BEGIN IMMEDIATE`` claims).

When the connector's data lives in the same SQLite file, a tool writes through
``store.transaction(claim)``: its effect and the record's completion commit in one
transaction, so a crash leaves either both or neither, and a retry after a crash
(once the claim's lock times out) runs the write exactly once.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from wireproof.idempotency._store import (
    DEFAULT_LOCK_TIMEOUT,
    DEFAULT_RETENTION,
    REAP_INTERVAL,
    Claimed,
    ClaimResult,
    InProgress,
    LostClaimError,
    Mismatch,
    Replay,
    StoredResult,
)

__all__ = ["SqliteIdempotencyStore", "SqliteTransaction"]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS wireproof_idempotency (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    arguments    TEXT NOT NULL,
    token        TEXT NOT NULL,
    locked_at    REAL NOT NULL,
    expires_at   REAL NOT NULL,
    result       TEXT,
    PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS wireproof_idempotency_expiry ON wireproof_idempotency (expires_at);
"""


@dataclass(slots=True)
class SqliteTransaction:
    """An open ``BEGIN IMMEDIATE`` transaction on the shared database file."""

    connection: sqlite3.Connection


class SqliteIdempotencyStore:
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
        self.synchronous = synchronous
        self.path = Path(path)
        self.retention = retention
        self.lock_timeout = lock_timeout
        self._clock = clock
        self._reaped_at = clock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        with self._autocommit() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)
        self.reap()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA busy_timeout=30000")
            # WAL with synchronous=NORMAL: a commit survives a process crash (what exactly-once needs
            # here); only a power loss may roll back the last commits, effect and record together.
            connection.execute(f"PRAGMA synchronous={self.synchronous}")
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    @contextmanager
    def _autocommit(self) -> Iterator[sqlite3.Connection]:
        yield self._connection()

    @contextmanager
    def _immediate(self) -> Iterator[sqlite3.Connection]:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def claim(self, scope: str, key: str, fingerprint: str, arguments: Mapping[str, Any]) -> ClaimResult:
        now = self._clock()
        if now - self._reaped_at > REAP_INTERVAL:
            self.reap()
        with self._immediate() as db:
            row = db.execute(
                "SELECT fingerprint, arguments, locked_at, expires_at, result FROM wireproof_idempotency "
                "WHERE scope = ? AND key = ?",
                (scope, key),
            ).fetchone()
            token = secrets.token_hex(8)
            if row is None or row[3] <= now:
                db.execute(
                    "INSERT OR REPLACE INTO wireproof_idempotency "
                    "(scope, key, fingerprint, arguments, token, locked_at, expires_at, result) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                    (
                        scope,
                        key,
                        fingerprint,
                        json.dumps(dict(arguments), ensure_ascii=False),
                        token,
                        now,
                        now + self.retention,
                    ),
                )
                return Claimed(scope, key, token)
            stored_fingerprint, stored_arguments, locked_at, _expires, result = row
            if stored_fingerprint != fingerprint:
                return Mismatch(json.loads(stored_arguments))
            if result is not None:
                data = json.loads(result)
                return Replay(StoredResult(data["structured"], data["text"], data["is_error"]))
            if locked_at + self.lock_timeout > now:
                return InProgress(retry_after=min(max(locked_at + self.lock_timeout - now, 0.5), 5.0))
            db.execute(
                "UPDATE wireproof_idempotency SET token = ?, locked_at = ? WHERE scope = ? AND key = ?",
                (token, now, scope, key),
            )
            return Claimed(scope, key, token, took_over=True)

    @contextmanager
    def transaction(self, claim: Claimed | None) -> Iterator[SqliteTransaction]:
        """``BEGIN IMMEDIATE`` on the shared file; commits on exit, rolls back on an exception.

        ``complete(claim, result, transaction)`` inside it raises ``LostClaimError`` if the claim
        was taken over meanwhile, which rolls the effect back.
        """
        with self._immediate() as db:
            yield SqliteTransaction(db)  # complete() checks the claim is still ours before the commit

    def complete(self, claim: Claimed, result: StoredResult, transaction: Any = None) -> None:
        payload = json.dumps(
            {"structured": result.structured, "text": result.text, "is_error": result.is_error},
            ensure_ascii=False,
        )
        sql = (
            "UPDATE wireproof_idempotency SET result = ?, expires_at = ? "
            "WHERE scope = ? AND key = ? AND token = ?"
        )
        params = (payload, self._clock() + self.retention, claim.scope, claim.key, claim.token)
        if transaction is not None:
            if transaction.connection.execute(sql, params).rowcount != 1:
                # Raised inside the effect's transaction, so the effect rolls back with it.
                raise LostClaimError(f"idempotency claim {claim.scope}/{claim.key} was taken over")
            return
        with self._immediate() as db:
            if db.execute(sql, params).rowcount != 1:
                raise LostClaimError(f"idempotency claim {claim.scope}/{claim.key} was taken over")

    def release(self, claim: Claimed) -> None:
        with self._immediate() as db:
            db.execute(
                "DELETE FROM wireproof_idempotency WHERE scope = ? AND key = ? AND token = ? AND result IS NULL",
                (claim.scope, claim.key, claim.token),
            )

    def reap(self) -> int:
        """Delete records past their retention (run on open and every REAP_INTERVAL); return how many."""
        self._reaped_at = self._clock()
        with self._immediate() as db:
            return db.execute(
                "DELETE FROM wireproof_idempotency WHERE expires_at <= ?", (self._clock(),)
            ).rowcount

    def close(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()
