"""The PostgreSQL ``IdempotencyStore`` (psycopg 3, ``pip install 'wireproof[postgres]'``): safe across replicas.

Claims are ``INSERT … ON CONFLICT DO NOTHING`` then ``SELECT … FOR UPDATE`` in one
transaction, so concurrent duplicates on any number of replicas serialise on the row. Every claim
first takes the key's transaction-scoped advisory lock without waiting
(``pg_try_advisory_xact_lock``): a plain write's claim, effect and record share one transaction
(``claim_and_run``), and a duplicate arriving meanwhile, on any replica, is ``in_progress`` at once
instead of queueing behind that transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

import psycopg

from wireproof.errors import Unavailable
from wireproof.idempotency._sql import Row, SqlIdempotencyStore, SqlTransaction, table_schema
from wireproof.idempotency._store import DEFAULT_LOCK_TIMEOUT, DEFAULT_RETENTION

__all__ = ["PostgresIdempotencyStore", "PostgresTransaction"]

PostgresTransaction = SqlTransaction

_SCHEMA: Final = table_schema(json_type="JSONB", real_type="DOUBLE PRECISION")
_MIGRATION_LOCK: Final = 7_406_551_001
"""pg_advisory_xact_lock id serialising CREATE TABLE across replicas starting at once."""


class PostgresIdempotencyStore(SqlIdempotencyStore):
    """Idempotency records in a PostgreSQL table (usually in the connector's own database)."""

    placeholder = "%s"
    _lock_rows = " FOR UPDATE"

    def __init__(
        self,
        url: str,
        *,
        retention: float = DEFAULT_RETENTION,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(retention=retention, lock_timeout=lock_timeout, clock=clock)
        self.url = url
        with self._write() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            db.execute(_SCHEMA)
        self.reap()
        self._scrub_argument_values()

    def _open_connection(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    @contextmanager
    def _write(self) -> Iterator[psycopg.Connection[Any]]:
        """A transaction on this thread's connection. A database that is down, restarting or
        unreachable is a retryable ``unavailable`` error; the broken connection is replaced on the
        next call, so the replica recovers by itself when the database returns."""
        try:
            with self._connections.lease() as connection, connection.transaction():
                yield connection
        except psycopg.OperationalError as exc:
            raise Unavailable(
                "The database behind this connector is unavailable or failed transiently", retry_after=2
            ) from exc

    def _lock_key(self, db: Any, scope: str, key: str) -> bool:
        row = db.execute(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", (f"{scope}\x1f{key}",)
        ).fetchone()
        return bool(row[0])

    def _insert_or_fetch(self, db: Any, values: tuple[Any, ...]) -> Row | None:
        inserted = db.execute(
            "INSERT INTO wireproof_idempotency (scope, key, fingerprint, arguments, token, locked_at, expires_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (scope, key) DO NOTHING RETURNING token",
            values,
        ).fetchone()
        if inserted is not None:
            return None
        row = self._fetch(db, values[0], values[1])
        assert row is not None  # the conflicting row exists and is now locked by us
        return row
