"""One database connection per worker thread, for plain-``def`` tools that run in a thread pool.

Connections are not shared between threads (SQLite and psycopg connections are not meant for
concurrent use). A connection is opened on a thread's first use and again when it broke (a
database restart closes it). When a thread opens one, the connections of threads that have
ended are closed: worker pools retire idle threads, and without this the count of open
connections would grow with every thread there ever was instead of following the live ones.

A connection is used inside ``with connections.lease() as connection:``, and is closed only
when no thread is inside a lease of it: ``close()`` (at shutdown, from another thread) closes
the idle ones at once and each busy one when its thread leaves the lease. Closing a SQLite
connection while another thread is inside it crashes the process (SIGSEGV), so a connection
that another thread may close must never be used outside a lease.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["PerThreadConnections"]

C = TypeVar("C")


@dataclass(slots=True, eq=False)
class _Owned(Generic[C]):
    """A connection, the thread it belongs to, how many leases of it are open, and whether
    ``close()`` retired it (then it is closed when the last lease ends, and never handed out again)."""

    thread: threading.Thread
    connection: C
    leases: int = 0
    retired: bool = False


class PerThreadConnections(Generic[C]):
    """``lease()`` lends this thread's connection, made by ``opener`` when there is none or it closed."""

    def __init__(self, opener: Callable[[], C]) -> None:
        self._opener = opener
        self._local = threading.local()
        self._owned: list[_Owned[C]] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def lease(self) -> Iterator[C]:
        """This thread's connection for the span of the ``with``: ``close()`` waits for its end."""
        owned = self._acquire()
        try:
            yield owned.connection
        finally:
            with self._lock:
                owned.leases -= 1
                close_now = owned.retired and owned.leases == 0
                if close_now and owned in self._owned:
                    self._owned.remove(owned)
            if close_now:  # close() came while we were inside it: the last lease closes it
                _close(owned.connection)

    def get(self) -> C:
        """This thread's connection, without a lease: only for threads that ``close()`` cannot race
        (a single-threaded script, or the thread that will call ``close()`` itself)."""
        with self.lease() as connection:
            return connection

    def _acquire(self) -> _Owned[C]:
        mine: _Owned[C] | None = getattr(self._local, "owned", None)
        with self._lock:
            if mine is not None and not mine.retired and not _broken(mine.connection):
                mine.leases += 1
                return mine
        connection = self._opener()  # outside the lock: connecting may wait on the network
        fresh = _Owned(threading.current_thread(), connection, leases=1)
        idle: list[C] = []
        with self._lock:
            kept: list[_Owned[C]] = []
            for owned in self._owned:
                replaced = owned is mine or not owned.thread.is_alive()  # broken, or a retired thread's
                if replaced and owned.leases == 0:
                    idle.append(owned.connection)
                else:
                    owned.retired = owned.retired or replaced
                    kept.append(owned)
            kept.append(fresh)
            self._owned = kept
        self._local.owned = fresh
        for other in idle:
            _close(other)
        return fresh

    def discard(self) -> None:
        """Replace this thread's connection: closed when its leases end, the next lease opens anew
        (after a failure the connection would keep, such as a file it opened read-only)."""
        mine: _Owned[C] | None = getattr(self._local, "owned", None)
        if mine is None:
            return
        with self._lock:
            mine.retired = True
            close_now = mine.leases == 0
            if close_now and mine in self._owned:
                self._owned.remove(mine)
        if close_now:
            _close(mine.connection)

    def __len__(self) -> int:
        """How many connections are open (one per live thread that used one, at most)."""
        with self._lock:
            return len(self._owned)

    def close(self) -> None:
        """Close every connection no thread is inside now; the others as their leases end.

        Later leases open new connections (a store closed at shutdown still serves a straggling call).
        """
        with self._lock:
            idle = [owned.connection for owned in self._owned if owned.leases == 0]
            for owned in self._owned:
                owned.retired = True
            self._owned = [owned for owned in self._owned if owned.leases]
        for connection in idle:
            _close(connection)


def _broken(connection: object) -> bool:
    """psycopg marks a connection the server dropped as ``closed``; sqlite3 connections have no such flag."""
    return getattr(connection, "closed", False) is True


def _close(connection: object) -> None:
    close = getattr(connection, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):  # already broken: closing is best effort
            close()
