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
from pathlib import Path
from typing import Final

from wireproof.errors import Unavailable

__all__ = ["DatabaseFile", "sqlite_unavailable"]

logger = logging.getLogger("wireproof")

OPERATOR_RETRY_AFTER: Final = 30.0
"""Seconds an agent should wait when an operator has to act (permissions, disk space, a lost file)."""

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


def sqlite_unavailable(error: sqlite3.Error) -> Unavailable | None:
    """The retryable error an SQLite failure stands for, or None when it is not transient nor an
    operator's to fix (a bug in SQL, a constraint): those stay masked internal errors."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(error).lower()
    if primary in (_BUSY, _LOCKED) or (primary is None and ("locked" in text or "busy" in text)):
        return Unavailable("The connector's database is busy with other writes", code="busy", retry_after=2)
    if primary == _READONLY or "readonly database" in text:
        return Unavailable(
            "The connector's database file is read-only to the connector, so nothing can be written. The "
            "operator must make the database file and its directory writable by the connector's user; the "
            "same call succeeds once that is fixed",
            code="database_read_only",
            retry_after=OPERATOR_RETRY_AFTER,
        )
    if primary == _FULL or "disk is full" in text:
        return Unavailable(
            "The disk holding the connector's database is full, so nothing was written. The operator must "
            "free disk space; the same call succeeds once there is room",
            code="disk_full",
            retry_after=OPERATOR_RETRY_AFTER,
        )
    if primary == _CANTOPEN or "unable to open" in text:
        return Unavailable(
            "The connector's database file cannot be opened (it is missing, or its directory is not "
            "accessible). The operator must restore the database file and restart the connector",
            code="database_missing",
            retry_after=OPERATOR_RETRY_AFTER,
        )
    if primary == _IOERR or "disk i/o" in text:
        return Unavailable(
            "The connector's database failed to read or write its file (a disk error, or the file was "
            "removed under it), so nothing was written. The operator must check the disk and the "
            "database file",
            code="database_io_error",
            retry_after=OPERATOR_RETRY_AFTER,
        )
    return None
