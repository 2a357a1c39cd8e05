"""The guard's audit sink: audit lines buffered off the call's path, written by a background thread.

A call only appends its line to a buffer; a daemon thread writes what has gathered and flushes it
every ``FLUSH_INTERVAL`` seconds, or as soon as ``FLUSH_BYTES`` are waiting. ``stop`` (called at
the guard's clean shutdown) and ``close`` (called by ``logging.shutdown`` at interpreter exit, and
by a ``logging.config.dictConfig`` such as uvicorn's, after which the handler keeps working) write
everything still buffered, so nothing is lost when the guard stops cleanly. The crash window: a guard killed without a
shutdown (SIGKILL, SIGTERM with Python's default handler, a crash of the interpreter) loses the
lines of at most the last ``FLUSH_INTERVAL`` seconds.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Final, TextIO

__all__ = ["FLUSH_BYTES", "FLUSH_INTERVAL", "BufferedAuditHandler"]

FLUSH_INTERVAL: Final = 0.5
"""Seconds a written audit line may wait in the buffer at most (the crash window)."""
FLUSH_BYTES: Final = 64 * 1024
"""Buffered bytes that wake the writer at once, before the interval is up."""


class BufferedAuditHandler(logging.Handler):
    """A ``logging.Handler`` that writes each formatted record as one line to ``stream``, off the
    caller's path: ``emit`` appends, a background thread writes and flushes (see the module)."""

    def __init__(
        self, stream: TextIO, *, interval: float = FLUSH_INTERVAL, owns_stream: bool = False
    ) -> None:
        super().__init__()
        self.stream, self.interval, self.owns_stream = stream, interval, owns_stream
        self._lines: list[str] = []
        self._size = 0
        self._wake = threading.Event()
        self._stopped = False
        # Its own locks, not Handler.lock: logging.shutdown holds that one while it calls close.
        self._buffer = threading.Lock()
        self._io = threading.Lock()  # one writer at a time: the thread, or flush
        self._thread = threading.Thread(target=self._run, name="wireproof-audit", daemon=True)
        self._thread.start()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + "\n"
        except Exception:  # noqa: BLE001 - logging's contract: report, never raise into the caller
            self.handleError(record)
            return
        with self._buffer:
            self._lines.append(line)
            self._size += len(line)
            full = self._size >= FLUSH_BYTES
        if full:
            self._wake.set()

    def _take(self) -> str:
        with self._buffer:
            lines, self._lines, self._size = self._lines, [], 0
        return "".join(lines)

    def flush(self) -> None:
        """Write and flush everything buffered now (in the calling thread)."""
        with self._io:
            text = self._take()
            if text:
                try:
                    self.stream.write(text)
                    self.stream.flush()
                except (OSError, ValueError):  # the sink is gone (closed stderr): nothing to write to
                    pass

    def _run(self) -> None:
        while not self._stopped:
            self._wake.wait(self.interval)
            self._wake.clear()
            self.flush()

    def close(self) -> None:
        """Write what is buffered. The handler keeps working: ``logging.config.dictConfig`` (uvicorn
        runs one at start) closes every handler it finds, also those it leaves on their loggers."""
        self.flush()
        super().close()

    def stop(self) -> None:
        """At the guard's clean shutdown: stop the writer, write what is left, close an owned stream;
        idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self.flush()
        if self.owns_stream:
            with contextlib.suppress(OSError, ValueError):
                self.stream.close()
