"""What the SQLite and PostgreSQL stores share: the record table's logic, written once with ``?`` SQL.

A backend supplies a connection per thread, a write transaction, how a claim first meets the
table (``_insert_or_fetch``), and how a claim keeps duplicates out without waiting (``_lock_key``);
every decision about a claim is made here. A plain write claims, runs and records in one
transaction (``claim_and_run``): a new key's row is written once, with its result, at the end.

The ``arguments`` column holds ``{"digests": {name: salted digest}}``, never the values
(``argument_digests``); rows written by earlier versions with the values are rewritten to
digests when a store opens.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from wireproof._fingerprint import argument_digests
from wireproof.idempotency._store import (
    RUNNING_RETRY_AFTER,
    Claimed,
    ClaimResult,
    EffectTransaction,
    InProgress,
    LostClaimError,
    Mismatch,
    Replay,
    StoredResult,
    StoreTimes,
    iter_differences,
)
from wireproof.perthread import PerThreadConnections

__all__ = ["SqlIdempotencyStore", "SqlTransaction", "table_schema"]

T = TypeVar("T")


def table_schema(*, json_type: str, real_type: str) -> str:
    """The records table and its expiry index, in the database's types for JSON text and seconds."""
    return f"""
CREATE TABLE IF NOT EXISTS wireproof_idempotency (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    arguments    {json_type} NOT NULL,
    token        TEXT NOT NULL,
    locked_at    {real_type} NOT NULL,
    expires_at   {real_type} NOT NULL,
    result       {json_type},
    PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS wireproof_idempotency_expiry ON wireproof_idempotency (expires_at);
"""


_NUL_SAFE = "json_base64"
"""The one member of a stored result whose JSON held a NUL character: that JSON, base64-encoded."""
_RECORD_JSON = json.JSONEncoder(ensure_ascii=False)
"""``json.dumps(record, ensure_ascii=False)``, its encoder made once instead of per call."""

Row = tuple[str, Any, float, float, Any]
"""fingerprint, arguments, locked_at, expires_at, result"""


@dataclass(slots=True)
class SqlTransaction:
    """An open write transaction on the shared database; a tool writes through ``connection``."""

    connection: Any


class SqlIdempotencyStore(StoreTimes):
    """Idempotency records in the ``wireproof_idempotency`` table of an SQL database."""

    placeholder = "?"
    _lock_rows = ""
    """What a ``SELECT`` appends to lock the rows it reads for its transaction (SQLite: nothing)."""

    def __init__(self, *, retention: float, lock_timeout: float, clock: Callable[[], float]) -> None:
        """The backend passes its own keywords on (each has the defaults of the public stores)."""
        super().__init__(retention=retention, lock_timeout=lock_timeout, clock=clock)
        self._connections: PerThreadConnections[Any] = PerThreadConnections(self._open_connection)
        self._running: set[tuple[str, str]] = set()  # keys inside a claim_and_run in this process
        self._running_lock = threading.Lock()

    # -- what a backend supplies ---------------------------------------------------------------

    def _open_connection(self) -> Any:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Any]:
        """A write transaction on this thread's connection: commit on exit, roll back on an exception."""
        raise NotImplementedError

    def _insert_or_fetch(self, db: Any, values: tuple[Any, ...]) -> Row | None:
        """Insert the new claim (None) or return the existing row, locked for this transaction."""
        raise NotImplementedError

    def _lock_key(self, db: Any, scope: str, key: str) -> bool:
        """Take the key's claim lock for this transaction without waiting; False if another holds it.
        SQLite needs none: the write transaction holds the database's one write lock."""
        return True

    def _fetch(self, db: Any, scope: str, key: str) -> Row | None:
        """The key's row, locked for this transaction (it may be taken over or renewed), or None."""
        row = self._execute(
            db,
            "SELECT fingerprint, arguments, locked_at, expires_at, result FROM wireproof_idempotency "
            "WHERE scope = ? AND key = ?" + self._lock_rows,
            (scope, key),
        ).fetchone()
        return None if row is None else tuple(row)

    @staticmethod
    def _load(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    @staticmethod
    def _payload(result: StoredResult) -> str:
        """A result as the JSON text of its record."""
        record = {"structured": result.structured, "text": result.text, "is_error": result.is_error}
        if result.content is not None:
            record["content"] = result.content
        payload = _RECORD_JSON.encode(record)
        if "\\u0000" in payload:  # PostgreSQL's JSONB refuses a NUL even escaped: keep the JSON opaque
            payload = json.dumps({_NUL_SAFE: base64.b64encode(payload.encode()).decode()})
        return payload

    # -- shared ------------------------------------------------------------------------------------

    @staticmethod
    def _digests(scope: str, key: str, arguments: Mapping[str, Any]) -> dict[str, str]:
        return argument_digests(arguments, f"{scope}\x1f{key}")

    def _scrub_argument_values(self) -> int:
        """Rewrite records that hold argument values (written before digests) to digests; return how many."""
        with self._write() as db:
            rows = self._execute(  # digests are written as {"digests": …}; only older rows can differ
                db,
                "SELECT scope, key, arguments FROM wireproof_idempotency "
                "WHERE CAST(arguments AS TEXT) NOT LIKE ?",
                ('{"digests":%',),
            ).fetchall()
            legacy = [(scope, key, self._load(stored)) for scope, key, stored in rows]
            legacy = [row for row in legacy if not (isinstance(row[2], dict) and set(row[2]) == {"digests"})]
            for scope, key, values in legacy:
                digests = self._digests(scope, key, values if isinstance(values, dict) else {})
                self._execute(
                    db,
                    "UPDATE wireproof_idempotency SET arguments = ? WHERE scope = ? AND key = ?",
                    (json.dumps({"digests": digests}), scope, key),
                )
        return len(legacy)

    def _execute(self, db: Any, sql: str, params: tuple[Any, ...]) -> Any:
        return db.execute(sql.replace("?", self.placeholder), params)

    def claim(self, scope: str, key: str, fingerprint: str, arguments: Mapping[str, Any]) -> ClaimResult:
        now = self._now()
        token = secrets.token_hex(8)
        digests = self._digests(scope, key, arguments)
        fresh = (scope, key, fingerprint, json.dumps({"digests": digests}), token, now, now + self.retention)
        with self._write() as db:
            if not self._lock_key(db, scope, key):  # running in a transaction of claim_and_run
                return InProgress(retry_after=RUNNING_RETRY_AFTER)
            row = self._insert_or_fetch(db, fresh)
            if row is None:
                return Claimed(scope, key, token)
            return self._decide(db, row, fresh, digests)

    def _decide(self, db: Any, row: Row, fresh: tuple[Any, ...], digests: dict[str, str]) -> ClaimResult:
        """What a claim meeting the key's ``row`` (locked for this transaction) becomes; ``fresh`` is
        the claim's own row (scope, key, fingerprint, arguments, token, locked_at, expires_at)."""
        scope, key, fingerprint, _, token, now, _ = fresh
        stored_fingerprint, stored_arguments, locked_at, expires_at, result = row
        if expires_at <= now:  # past retention: the key is new again
            self._execute(
                db,
                "UPDATE wireproof_idempotency SET fingerprint = ?, arguments = ?, token = ?, locked_at = ?, "
                "expires_at = ?, result = NULL WHERE scope = ? AND key = ?",
                (*fresh[2:], scope, key),
            )
            return Claimed(scope, key, token)
        if stored_fingerprint != fingerprint:
            stored = self._load(stored_arguments).get("digests", {})
            return Mismatch(tuple(iter_differences(stored, digests)))
        if result is not None:
            data = self._load(result)
            if _NUL_SAFE in data:  # see _payload()
                data = json.loads(base64.b64decode(data[_NUL_SAFE]))
            return Replay(
                StoredResult(data["structured"], data["text"], data["is_error"], data.get("content"))
            )
        held = self._still_held(locked_at, now)
        if held is not None:
            return held
        self._execute(
            db,
            "UPDATE wireproof_idempotency SET token = ?, locked_at = ? WHERE scope = ? AND key = ?",
            (token, now, scope, key),
        )
        return Claimed(scope, key, token)

    def claim_and_run(
        self,
        scope: str,
        key: str,
        fingerprint: str,
        arguments: Mapping[str, Any],
        effect: Callable[[EffectTransaction], tuple[T, StoredResult]],
    ) -> T | Replay | InProgress | Mismatch:
        """Claim, effect and record in one write transaction (``TransactionalClaims``): one commit.

        A new key's row is written once, with its result, after the effect: until that commit no
        other transaction sees the claim, so duplicates are kept out without touching the row. In
        this process a duplicate finds the key among the running ones; in another process or replica,
        on PostgreSQL, it cannot take the key's advisory lock (``_lock_key``): both are ``InProgress``
        at once. A second process on SQLite waits for the database's one write lock (as it waits
        for any write), then finds the record.
        """
        running = (scope, key)
        with self._running_lock:
            if running in self._running:  # a duplicate in this process: never wait for its transaction
                return InProgress(retry_after=RUNNING_RETRY_AFTER)
            self._running.add(running)
        try:
            now = self._now()  # may reap, in a transaction of its own: before this one opens
            digests = self._digests(scope, key, arguments)
            fresh = (
                scope,
                key,
                fingerprint,
                json.dumps({"digests": digests}),
                secrets.token_hex(8),
                now,
                now + self.retention,
            )
            with self._write() as db:
                if not self._lock_key(db, scope, key):
                    return InProgress(retry_after=RUNNING_RETRY_AFTER)
                transaction = SqlTransaction(db)
                row = self._fetch(db, scope, key)
                if row is not None:  # an earlier record or claim: decided as claim() decides
                    claim = self._decide(db, row, fresh, digests)
                    if not isinstance(claim, Claimed):
                        return claim
                    value, result = effect(transaction)
                    self.complete(claim, result, transaction)
                    return value
                value, result = effect(transaction)
                inserted = self._execute(
                    db,
                    "INSERT INTO wireproof_idempotency "
                    "(scope, key, fingerprint, arguments, token, locked_at, expires_at, result) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING",
                    (*fresh[:6], self._clock() + self.retention, self._payload(result)),
                ).rowcount
                if inserted != 1:  # a claim that took no key lock (an older replica) came first
                    raise LostClaimError(f"idempotency key {scope}/{key} was claimed meanwhile")
                return value
        finally:
            with self._running_lock:
                self._running.discard(running)

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        """A write transaction for the effect: commits on exit, rolls back on an exception.

        ``complete(claim, result, transaction)`` inside it raises ``LostClaimError`` if the claim
        was taken over meanwhile, which rolls the effect back. The claim row is not held during
        the effect, so a live writer past ``lock_timeout`` and its taker both run; one rolls back.
        """
        with self._write() as db:
            yield SqlTransaction(db)

    def complete(self, claim: Claimed, result: StoredResult, transaction: Any = None) -> None:
        payload = self._payload(result)
        sql = "UPDATE wireproof_idempotency SET result = ?, expires_at = ? WHERE scope = ? AND key = ? AND token = ?"
        params = (payload, self._clock() + self.retention, claim.scope, claim.key, claim.token)
        if transaction is not None:
            updated = self._execute(transaction.connection, sql, params).rowcount
        else:
            with self._write() as db:
                updated = self._execute(db, sql, params).rowcount
        if updated != 1:  # inside the effect's transaction, raising rolls the effect back
            raise LostClaimError(f"idempotency claim {claim.scope}/{claim.key} was taken over")

    def release(self, claim: Claimed) -> None:
        with self._write() as db:
            self._execute(
                db,
                "DELETE FROM wireproof_idempotency WHERE scope = ? AND key = ? AND token = ? AND result IS NULL",
                (claim.scope, claim.key, claim.token),
            )

    def reap(self) -> int:
        """Delete records past their retention (run on open and every REAP_INTERVAL); return how many."""
        self._reaped_at = self._clock()
        with self._write() as db:
            return int(
                self._execute(
                    db, "DELETE FROM wireproof_idempotency WHERE expires_at <= ?", (self._reaped_at,)
                ).rowcount
            )

    def ping(self) -> None:
        """One round trip to the database on this thread's connection (raises if it is unreachable)."""
        with self._connections.lease() as connection:
            connection.execute("SELECT 1").fetchone()

    def close(self) -> None:
        """Close the connections: idle ones now, one a call is inside when that call leaves it."""
        self._connections.close()
