"""An in-memory ``IdempotencyStore``: for tests and single-process experiments (lost on restart)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from wireproof._fingerprint import argument_digests
from wireproof.idempotency._store import (
    DEFAULT_LOCK_TIMEOUT,
    DEFAULT_RETENTION,
    Claimed,
    ClaimResult,
    EffectTransaction,
    LostClaimError,
    Mismatch,
    Replay,
    StoredResult,
    StoreTimes,
    iter_differences,
)

__all__ = ["MemoryIdempotencyStore"]


@dataclass(slots=True)
class _Record:
    fingerprint: str
    digests: dict[str, str]
    token: str
    locked_at: float
    expires_at: float
    result: StoredResult | None = None


class MemoryIdempotencyStore(StoreTimes):
    """Keeps records in a dict guarded by a lock. Not shared between processes."""

    def __init__(
        self,
        *,
        retention: float = DEFAULT_RETENTION,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(retention=retention, lock_timeout=lock_timeout, clock=clock)
        self._records: dict[tuple[str, str], _Record] = {}
        self._lock = threading.Lock()

    def claim(self, scope: str, key: str, fingerprint: str, arguments: Mapping[str, Any]) -> ClaimResult:
        now = self._now()
        with self._lock:
            record = self._records.get((scope, key))
            if record is not None and record.expires_at <= now:
                record = None
            if record is None:
                token = secrets.token_hex(8)
                self._records[(scope, key)] = _Record(
                    fingerprint,
                    argument_digests(arguments, f"{scope}\x1f{key}"),
                    token,
                    now,
                    now + self.retention,
                )
                return Claimed(scope, key, token)
            if record.fingerprint != fingerprint:
                given = argument_digests(arguments, f"{scope}\x1f{key}")
                return Mismatch(tuple(iter_differences(record.digests, given)))
            if record.result is not None:
                return Replay(record.result)
            held = self._still_held(record.locked_at, now)
            if held is not None:
                return held
            record.token, record.locked_at = secrets.token_hex(8), now
            return Claimed(scope, key, record.token)

    @contextmanager
    def transaction(self) -> Iterator[EffectTransaction | None]:
        yield None

    def complete(
        self, claim: Claimed, result: StoredResult, transaction: EffectTransaction | None = None
    ) -> None:
        with self._lock:
            record = self._records.get((claim.scope, claim.key))
            if record is None or record.token != claim.token:
                raise LostClaimError(f"idempotency claim {claim.scope}/{claim.key} was taken over")
            record.result = result
            record.expires_at = self._clock() + self.retention

    def release(self, claim: Claimed) -> None:
        with self._lock:
            record = self._records.get((claim.scope, claim.key))
            if record is not None and record.token == claim.token:
                del self._records[(claim.scope, claim.key)]

    def reap(self) -> int:
        """Delete records past their retention (run on open and every REAP_INTERVAL); return how many."""
        self._reaped_at = self._clock()
        now = self._clock()
        with self._lock:
            expired = [k for k, r in self._records.items() if r.expires_at <= now]
            for k in expired:
                del self._records[k]
        return len(expired)

    def ping(self) -> None:
        """Always reachable: the records are in this process."""

    def close(self) -> None:
        return None
