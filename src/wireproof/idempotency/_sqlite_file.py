"""The SQLite file a server started on: is it still the same file, and what its failures mean to a caller.

An open SQLite connection keeps writing to its file after the file was deleted or replaced (the
inode lives on until the last connection closes), so a write can commit, be acknowledged, and be
lost. ``DatabaseFile.check()`` compares what the path names now with the file named at start; a
write checks it before and after its commit and is acknowledged only when both agree.

``sqlite_unavailable`` turns an SQLite failure that an operator can fix (a read-only file, a full
disk, a missing file) or that passes (busy, locked) into a retryable ``Unavailable`` whose message
says which it is; the caller's agent may retry, the operator reads what to fix.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from wireproof.errors import Unavailable

__all__ = ["REOPEN_AFTER", "DatabaseFile", "sqlite_unavailable"]

logger = logging.getLogger("wireproof")

OPERATOR_RETRY_AFTER: Final = 30.0
"""Seconds an agent should wait when an operator has to act (permissions, disk space, a lost file)."""

REOPEN_AFTER: Final = frozenset(
    {"database_read_only", "database_missing", "database_io_error", "database_corrupt"}
)
"""Codes after which a connection is replaced: it keeps the fault (a file it opened read-only) even once
the operator fixed it, and a new connection sees the fix."""

_READONLY_DBMOVED: Final = 8 | (4 << 8)
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
_REPLACED_MESSAGE: Final = (
    "The connector's database file was deleted or replaced while the connector was running, so this "
    "call was not carried out (a write there would be lost). The operator must put the database back "
    "and restart the connector"
)


class DatabaseFile:
    """The file at ``path`` as it was when the server opened it (device and inode)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._identity = self._current()
        if self._identity is None:
            raise FileNotFoundError(f"no SQLite database at {path}")

    def _current(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return (stat.st_dev, stat.st_ino)

    def check(self) -> None:
        """Raise a retryable ``Unavailable`` (code ``database_replaced``) unless the path still names
        the file opened at start."""
        if self._current() != self._identity:
            logger.error(
                "the SQLite database %s was deleted or replaced while serving; refusing reads and writes "
                "until it is restored and the server restarted",
                self.path,
            )
            raise Unavailable(_REPLACED_MESSAGE, code="database_replaced", retry_after=OPERATOR_RETRY_AFTER)

    def is_intact(self) -> bool:
        """Whether the path still names the file opened at start (for readiness probes)."""
        return self._current() == self._identity


@dataclass(frozen=True, slots=True)
class _Failure:
    """A kind of SQLite failure: its primary result codes, words of its message, and what a caller reads."""

    codes: frozenset[int]
    words: tuple[str, ...]
    code: str
    message: str
    retry_after: float = OPERATOR_RETRY_AFTER


_FAILURES: Final = (
    _Failure(
        frozenset({_BUSY, _LOCKED}),
        ("database is locked", "database table is locked", "busy"),
        "busy",
        "The connector's database is busy with other writes",
        retry_after=2,
    ),
    _Failure(
        frozenset({_READONLY}),
        ("readonly database",),
        "database_read_only",
        "The connector's database file is read-only to the connector, so nothing can be written. The "
        "operator must make the database file and its directory writable by the connector's user; the "
        "same call succeeds once that is fixed",
    ),
    _Failure(
        frozenset({_FULL}),
        ("disk is full",),
        "disk_full",
        "The disk holding the connector's database is full, so nothing was written. The operator must "
        "free disk space; the same call succeeds once there is room",
    ),
    _Failure(
        frozenset({_CANTOPEN}),
        ("unable to open",),
        "database_missing",
        "The connector's database file cannot be opened (it is missing, or its directory is not "
        "accessible). The operator must restore the database file and restart the connector",
    ),
    _Failure(
        frozenset({_CORRUPT, _NOTADB}),
        ("not a database", "malformed"),
        "database_corrupt",
        "The connector's database file is damaged or is not a database, so nothing was done. The "
        "operator must restore the database file from a backup and restart the connector",
    ),
    _Failure(
        frozenset({_IOERR}),
        ("disk i/o",),
        "database_io_error",
        "The connector's database failed to read or write its file (a disk error, or the file was "
        "removed under it), so nothing was written. The operator must check the disk and the "
        "database file",
    ),
)


def sqlite_unavailable(error: sqlite3.Error) -> Unavailable | None:
    """The retryable error an SQLite failure stands for, or None when it is neither transient nor an
    operator's to fix (a bug in SQL, a constraint): those stay masked internal errors."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(error).lower()
    if code == _READONLY_DBMOVED:  # SQLite itself saw the file renamed or deleted under it
        return Unavailable(_REPLACED_MESSAGE, code="database_replaced", retry_after=OPERATOR_RETRY_AFTER)
    for failure in _FAILURES:
        if primary in failure.codes or (primary is None and any(word in text for word in failure.words)):
            return Unavailable(failure.message, code=failure.code, retry_after=failure.retry_after)
    return None
