"""Idempotent writes: claim a key, run the effect, store the result for replay.

Stores share one protocol (``IdempotencyStore``): ``MemoryIdempotencyStore`` for tests,
``SqliteIdempotencyStore`` embedded, ``PostgresIdempotencyStore`` for replicas
(``pip install 'wireproof[postgres]'``). ``open_store(url)`` picks one by URL. ``DatabaseFile`` and
``sqlite_unavailable`` are what a connector on the same SQLite file uses for its own queries: a
file deleted or replaced under the server, and failures an operator must fix, as retryable errors.
"""

from __future__ import annotations

from typing import Any

from wireproof._fingerprint import canonical_json, fingerprint
from wireproof.idempotency._memory import MemoryIdempotencyStore
from wireproof.idempotency._sqlite import SqliteIdempotencyStore
from wireproof.idempotency._sqlite_file import DatabaseFile, sqlite_unavailable
from wireproof.idempotency._store import (
    DEFAULT_LOCK_TIMEOUT,
    DEFAULT_RETENTION,
    Claimed,
    ClaimResult,
    IdempotencyStore,
    InProgress,
    LostClaimError,
    Mismatch,
    Replay,
    StoredResult,
    iter_differences,
)

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "DEFAULT_RETENTION",
    "ClaimResult",
    "Claimed",
    "DatabaseFile",
    "IdempotencyStore",
    "InProgress",
    "LostClaimError",
    "MemoryIdempotencyStore",
    "Mismatch",
    "PostgresIdempotencyStore",
    "Replay",
    "SqliteIdempotencyStore",
    "StoredResult",
    "canonical_json",
    "fingerprint",
    "iter_differences",
    "open_store",
    "sqlite_unavailable",
]


def open_store(url: str, **options: Any) -> IdempotencyStore:
    """The store for a database URL: ``sqlite:///PATH``, ``postgresql://…`` or ``memory:``."""
    if url == "memory:":
        return MemoryIdempotencyStore(**options)
    if url.startswith("sqlite:///"):
        return SqliteIdempotencyStore(url.removeprefix("sqlite:///"), **options)
    if url.startswith(("postgresql://", "postgres://")):
        from wireproof.idempotency._postgres import PostgresIdempotencyStore

        return PostgresIdempotencyStore(url, **options)
    raise ValueError(
        f"no idempotency store for {url.split(':', 1)[0]!r} URLs; use sqlite:///, postgresql:// or memory:"
    )


def __getattr__(name: str) -> Any:
    """``PostgresIdempotencyStore`` is imported on first use, so psycopg stays an optional extra."""
    if name == "PostgresIdempotencyStore":
        from wireproof.idempotency._postgres import PostgresIdempotencyStore

        return PostgresIdempotencyStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
