"""One database connection per worker thread, for plain-``def`` tools that run in a thread pool.

Connections are not shared between threads (SQLite and psycopg connections are not meant for
concurrent use). A connection is opened on a thread's first use and again when it broke (a
database restart closes it). When a thread opens one, the connections of threads that have
ended are closed: worker pools retire idle threads, and without this the count of open
connections would grow with every thread there ever was instead of following the live ones.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["PerThreadConnections"]

C = TypeVar("C")


class PerThreadConnections(Generic[C]):
    """``get()`` returns this thread's connection, made by ``opener`` when there is none or it closed."""

    def __init__(self, opener: Callable[[], C]) -> None:
        self._opener = opener
        self._local = threading.local()
        self._owned: list[tuple[threading.Thread, C]] = []
        self._lock = threading.Lock()

    def get(self) -> C:
        connection: C | None = getattr(self._local, "connection", None)
        if connection is None or getattr(connection, "closed", False) is True:
            connection = self._opener()
            self._local.connection = connection
            current = threading.current_thread()
            with self._lock:
                kept: list[tuple[threading.Thread, C]] = []
                for thread, other in self._owned:
                    if thread is current or not thread.is_alive():
                        _close(other)  # this thread's broken one, or a retired thread's
                    else:
                        kept.append((thread, other))
                kept.append((current, connection))
                self._owned = kept
        return connection

    def __len__(self) -> int:
        """How many connections are open (one per live thread that used one, at most)."""
        with self._lock:
            return len(self._owned)

    def close(self) -> None:
        """Close every connection; later ``get()`` calls open new ones."""
        with self._lock:
            for _, connection in self._owned:
                _close(connection)
            self._owned = []
        self._local = threading.local()


def _close(connection: object) -> None:
    close = getattr(connection, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):  # already broken: closing is best effort
            close()
