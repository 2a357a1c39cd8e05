"""The ``IdempotencyStore`` protocol, and what a claim can come back as.

A write with an idempotency key walks three steps against the store:

    claim      record (scope, key, fingerprint) as running, or find the earlier record:
               Claimed (go) · Replay (finished: here is the stored result) ·
               InProgress (still running elsewhere: retry later) · Mismatch (same key, other arguments)
    effect     the tool runs; where the store shares the connector's database, inside
               ``store.transaction()``, so the effect and the completion commit together
    complete   store the result (success or terminal error) for replay; or ``release`` the
               key when the failure was retryable, so a retry runs anew

A claim whose lock is older than ``lock_timeout`` (its process died) is taken over by
the next claim with the same key and fingerprint.

A store whose transaction holds the effect may also offer the three steps as one
(``TransactionalClaims.claim_and_run``): claim, effect and record commit together, so a write
costs one commit, and a crash or a failure leaves no claim behind. A concurrent duplicate still
meets the first call as ``InProgress`` at once, never waiting for its transaction.

A record keeps what replay needs and no more: the key, the arguments' fingerprint (SHA-256 of
their canonical JSON), a short salted digest of each argument (to name the ones a reused key
changed), and the result; never the argument values. It is deleted ``retention`` seconds
(24 h by default) after the call finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar, runtime_checkable

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "DEFAULT_RETENTION",
    "REAP_INTERVAL",
    "ClaimResult",
    "Claimed",
    "EffectTransaction",
    "IdempotencyStore",
    "InProgress",
    "LostClaimError",
    "Mismatch",
    "Replay",
    "StoreTimes",
    "StoredResult",
    "TransactionalClaims",
]

DEFAULT_RETENTION: Final = 24 * 3600.0
"""Seconds a finished record is kept and replayed; after that the key is new again (as Stripe)."""
REAP_INTERVAL: Final = 600.0
"""Seconds between reaps of expired records; a store also reaps when it opens."""
DEFAULT_LOCK_TIMEOUT: Final = 60.0
"""Seconds after which a running claim is presumed dead (its process crashed) and may be taken over."""


class LostClaimError(RuntimeError):
    """The claim was taken over (its lock timed out) before this call could complete it."""


@dataclass(frozen=True, slots=True)
class StoredResult:
    """A finished call as recorded: the structured result, its text, whether it was an error, and
    (for a forwarding tool that answered with its own content items) those items as JSON."""

    structured: Any
    text: str
    is_error: bool
    content: list[dict[str, Any]] | None = None


@dataclass(frozen=True, slots=True)
class Claimed:
    """Go: this caller owns the key until it completes or releases it."""

    scope: str
    key: str
    token: str


@dataclass(frozen=True, slots=True)
class Replay:
    """The key finished earlier with the same arguments: return this again."""

    result: StoredResult


@dataclass(frozen=True, slots=True)
class InProgress:
    """The same call is running now (another request or replica): retry after ``retry_after`` seconds."""

    retry_after: float


@dataclass(frozen=True, slots=True)
class Mismatch:
    """The key was used with other arguments; ``fields`` names those that differ (in name order).

    Stores keep no argument values, only a salted digest of each, so this names the changed
    arguments without being able to repeat what the first call passed.
    """

    fields: tuple[str, ...]


ClaimResult = Claimed | Replay | InProgress | Mismatch
"""What ``IdempotencyStore.claim`` answers: run (``Claimed``), replay, wait, or refuse the key."""

RUNNING_RETRY_AFTER: Final = 0.5
"""Seconds an ``InProgress`` asks a duplicate to wait when the first call is running in its transaction."""

T = TypeVar("T")


class EffectTransaction(Protocol):
    """The open transaction a tool writes through; the completion is written in it too."""

    connection: Any


@runtime_checkable
class IdempotencyStore(Protocol):
    """Where idempotency records live: in memory (tests), SQLite (embedded), PostgreSQL (replicas)."""

    retention: float
    lock_timeout: float

    def claim(self, scope: str, key: str, fingerprint: str, arguments: Mapping[str, Any]) -> ClaimResult:
        """Record the key as running for this caller, or say what became of it before.

        ``arguments`` are compared (through their digests) to name the differences of a
        ``Mismatch``; they are not stored.
        """
        ...

    def transaction(self) -> AbstractContextManager[EffectTransaction | None]:
        """A transaction on the connector's own database for the effect, or None where there is none."""
        ...

    def complete(
        self, claim: Claimed, result: StoredResult, transaction: EffectTransaction | None = None
    ) -> None:
        """Store the result for replay (inside ``transaction`` when given, so it commits with the effect).

        Raises:
            LostClaimError: the claim was taken over; inside ``transaction`` this rolls the effect back.
        """
        ...

    def release(self, claim: Claimed) -> None:
        """Forget the claim, so the next call with this key runs anew (after a retryable failure)."""
        ...

    def reap(self) -> int:
        """Delete records past their retention; return how many."""
        ...

    def ping(self) -> None:
        """Check that the records can be reached (for readiness probes); raise if not."""
        ...

    def close(self) -> None:
        """Release the store's connections (at shutdown); a call still running finishes first."""
        ...


@runtime_checkable
class TransactionalClaims(Protocol):
    """A store that claims a key, runs the effect and records its result in one transaction."""

    def claim_and_run(
        self,
        scope: str,
        key: str,
        fingerprint: str,
        arguments: Mapping[str, Any],
        effect: Callable[[EffectTransaction], tuple[T, StoredResult]],
    ) -> T | Replay | InProgress | Mismatch:
        """Claim the key and, if it goes, ``effect(transaction)``: its value, with the ``StoredResult``
        recorded in the same transaction; otherwise what the claim found (replay, running, other arguments).

        A duplicate of a call running in its transaction (in this process or another replica) is
        ``InProgress`` at once, without waiting for that transaction. An exception from ``effect``
        rolls the effect back with the claim: nothing is recorded, and the key is free again.

        Raises:
            LostClaimError: another claim recorded the key first (the effect was rolled back).
        """
        ...


def iter_differences(stored: Mapping[str, Any], given: Mapping[str, Any]) -> Iterator[str]:
    """The argument names whose values (or digests) differ between two calls, in a stable order."""
    for name in sorted(set(stored) | set(given)):
        if stored.get(name, ...) != given.get(name, ...):
            yield name


class StoreTimes:
    """What every store keeps of time: how long a record lives, how long a claim holds, its clock,
    and when it last reaped; a store supplies ``reap``."""

    def __init__(self, *, retention: float, lock_timeout: float, clock: Callable[[], float]) -> None:
        self.retention = retention
        self.lock_timeout = lock_timeout
        self._clock = clock
        self._reaped_at = clock()

    def reap(self) -> int:
        raise NotImplementedError

    def _now(self) -> float:
        """The time of a claim, reaping first when ``REAP_INTERVAL`` has passed since the last reap."""
        now = self._clock()
        if now - self._reaped_at > REAP_INTERVAL:
            self.reap()
        return now

    def _still_held(self, locked_at: float, now: float) -> InProgress | None:
        """``InProgress`` while a claim locked at ``locked_at`` holds; None once it may be taken over."""
        if locked_at + self.lock_timeout > now:
            return InProgress(retry_after=min(max(locked_at + self.lock_timeout - now, 0.5), 5.0))
        return None
