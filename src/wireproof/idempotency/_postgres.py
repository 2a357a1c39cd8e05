"""The PostgreSQL ``IdempotencyStore`` (psycopg 3, ``pip install 'wireproof[postgres]'``): safe across replicas.

Claims are ``INSERT … ON CONFLICT DO NOTHING`` then ``SELECT … FOR UPDATE`` in one
transaction, so concurrent duplicates on any number of replicas serialise on the row.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import psycopg

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

__all__ = ["PostgresIdempotencyStore", "PostgresTransaction"]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS wireproof_idempotency (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    arguments    JSONB NOT NULL,
    token        TEXT NOT NULL,
    locked_at    DOUBLE PRECISION NOT NULL,
    expires_at   DOUBLE PRECISION NOT NULL,
    result       JSONB,
    PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS wireproof_idempotency_expiry ON wireproof_idempotency (expires_at);
"""
_MIGRATION_LOCK: Final = 7_406_551_001
"""pg_advisory_xact_lock id serialising CREATE TABLE across replicas starting at once."""


@dataclass(slots=True)
class PostgresTransaction:
    """An open transaction on the shared database."""

    connection: psycopg.Connection[Any]


class PostgresIdempotencyStore:
    """Idempotency records in a PostgreSQL table (usually in the connector's own database)."""

    def __init__(
        self,
        url: str,
        *,
        retention: float = DEFAULT_RETENTION,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.retention = retention
        self.lock_timeout = lock_timeout
        self._clock = clock
        self._reaped_at = clock()
        self._local = threading.local()
        self._connections: list[psycopg.Connection[Any]] = []
        self._connections_lock = threading.Lock()
        with self._transaction() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            db.execute(_SCHEMA)
        self.reap()

    def _connection(self) -> psycopg.Connection[Any]:
        connection: psycopg.Connection[Any] | None = getattr(self._local, "connection", None)
        if connection is None or connection.closed:
            connection = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[Any]]:
        connection = self._connection()
        with connection.transaction():
            yield connection

    def claim(self, scope: str, key: str, fingerprint: str, arguments: Mapping[str, Any]) -> ClaimResult:
        now = self._clock()
        if now - self._reaped_at > REAP_INTERVAL:
            self.reap()
        token = secrets.token_hex(8)
        with self._transaction() as db:
            inserted = db.execute(
                "INSERT INTO wireproof_idempotency (scope, key, fingerprint, arguments, token, locked_at, expires_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (scope, key) DO NOTHING RETURNING token",
                (scope, key, fingerprint, json.dumps(dict(arguments)), token, now, now + self.retention),
            ).fetchone()
            if inserted is not None:
                return Claimed(scope, key, token)
            row = db.execute(
                "SELECT fingerprint, arguments, locked_at, expires_at, result FROM wireproof_idempotency "
                "WHERE scope = %s AND key = %s FOR UPDATE",
                (scope, key),
            ).fetchone()
            assert row is not None  # the conflicting row exists and is now locked by us
            stored_fingerprint, stored_arguments, locked_at, expires_at, result = row
            if expires_at <= now:
                db.execute(
                    "UPDATE wireproof_idempotency SET fingerprint = %s, arguments = %s, token = %s, locked_at = %s, "
                    "expires_at = %s, result = NULL WHERE scope = %s AND key = %s",
                    (fingerprint, json.dumps(dict(arguments)), token, now, now + self.retention, scope, key),
                )
                return Claimed(scope, key, token)
            if stored_fingerprint != fingerprint:
                return Mismatch(stored_arguments)
            if result is not None:
                return Replay(StoredResult(result["structured"], result["text"], result["is_error"]))
            if locked_at + self.lock_timeout > now:
                return InProgress(retry_after=min(max(locked_at + self.lock_timeout - now, 0.5), 5.0))
            db.execute(
                "UPDATE wireproof_idempotency SET token = %s, locked_at = %s WHERE scope = %s AND key = %s",
                (token, now, scope, key),
            )
            return Claimed(scope, key, token, took_over=True)

    @contextmanager
    def transaction(self, claim: Claimed | None) -> Iterator[PostgresTransaction]:
        """A transaction for the effect; commits on exit, rolls back on an exception.

        ``complete(claim, result, transaction)`` inside it raises ``LostClaimError`` if the claim
        was taken over meanwhile, which rolls the effect back. The claim row is not locked during
        the effect, so a live writer past ``lock_timeout`` and its taker both run; one rolls back.
        """
        with self._transaction() as db:
            yield PostgresTransaction(db)  # complete() checks the claim is still ours before the commit

    def complete(self, claim: Claimed, result: StoredResult, transaction: Any = None) -> None:
        payload = json.dumps(
            {"structured": result.structured, "text": result.text, "is_error": result.is_error}
        )
        sql = (
            "UPDATE wireproof_idempotency SET result = %s, expires_at = %s "
            "WHERE scope = %s AND key = %s AND token = %s"
        )
        params = (payload, self._clock() + self.retention, claim.scope, claim.key, claim.token)
        if transaction is not None:
            if transaction.connection.execute(sql, params).rowcount != 1:
                # Raised inside the effect's transaction, so the effect rolls back with it.
                raise LostClaimError(f"idempotency claim {claim.scope}/{claim.key} was taken over")
            return
        with self._transaction() as db:
            if db.execute(sql, params).rowcount != 1:
                raise LostClaimError(f"idempotency claim {claim.scope}/{claim.key} was taken over")

    def release(self, claim: Claimed) -> None:
        with self._transaction() as db:
            db.execute(
                "DELETE FROM wireproof_idempotency WHERE scope = %s AND key = %s AND token = %s AND result IS NULL",
                (claim.scope, claim.key, claim.token),
            )

    def reap(self) -> int:
        """Delete records past their retention (run on open and every REAP_INTERVAL); return how many."""
        self._reaped_at = self._clock()
        with self._transaction() as db:
            return db.execute(
                "DELETE FROM wireproof_idempotency WHERE expires_at <= %s", (self._clock(),)
            ).rowcount

    def close(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()
