"""A plain function run in a worker thread for the event loop, handed over once each way.

``anyio.to_thread.run_sync`` yields to the event loop twice before it hands a call over (its own
checkpoint and its capacity limiter's: two turns of the loop, each a ``select``), and hands it over
through a ``queue.Queue`` (a ``Condition`` in Python). On asyncio this hop puts the call straight
on an idle thread's ``SimpleQueue`` and is woken by ``call_soon_threadsafe`` when it is done::

    run_sync    a token of anyio's default thread limiter, taken without waiting (none free, or
                callers waiting in line: anyio.to_thread.run_sync, which waits its turn); an
                idle thread (the one used last) or a new one; the call on its queue; the future
                awaited
    thread      the call in a copy of the caller's context, as an anyio worker thread
                (``anyio.from_thread`` works in it; ``check_cancelled`` reads ``cancel_scope``);
                back on the idle list; the outcome handed to the loop
    cancelled   the future is cancelled and the token given back at once; the thread runs on,
                abandoned (as with ``abandon_on_cancel=True``), and its outcome is dropped

Threads idle for ``IDLE_SECONDS`` end, and a forked child starts with none. They are daemon
threads, so an idle one never holds up the process's exit, and the exit waits for a call still
running (``atexit``), as it waits for anyio's threads; ``settled(timeout)`` lets a server wait a
bounded time instead. Outside asyncio the call goes to ``anyio.to_thread.run_sync``.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import contextvars
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, Final, TypeVar

import anyio
import anyio.lowlevel
import anyio.to_thread

_anyio_threadlocals: threading.local | None
try:  # anyio's thread-locals, which make a thread one of its workers (from_thread, check_cancelled)
    from anyio._core._eventloop import threadlocals as _anyio_threadlocals
except ImportError:  # pragma: no cover - an anyio that moved them: from_thread is then unavailable
    _anyio_threadlocals = None

__all__ = ["IDLE_SECONDS", "run_sync", "settled"]

T = TypeVar("T")

IDLE_SECONDS: Final = 10.0
"""A thread with no call for this long ends (anyio's workers end after the same)."""

_Call = tuple[
    asyncio.AbstractEventLoop,
    "asyncio.Future[Any]",
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
    object,
    "anyio.CancelScope | None",
]


class _Thread(threading.Thread):
    """One worker: takes calls from its own queue until it has been idle for ``IDLE_SECONDS``."""

    def __init__(self, pool: _Pool) -> None:
        super().__init__(name="wireproof worker", daemon=True)
        self.calls: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        self._pool = pool

    def run(self) -> None:
        calls, pool = self.calls, self._pool
        while True:
            try:
                loop, future, context, fn, args, token, scope = calls.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                if pool.retire(self):
                    return
                continue  # handed a call as it timed out: it is on the queue
            if _anyio_threadlocals is not None:
                _anyio_threadlocals.current_token = token
                _anyio_threadlocals.current_cancel_scope = scope
            try:
                outcome: tuple[bool, Any] = (True, context.run(fn, *args))
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task
                outcome = (False, exc)
            if _anyio_threadlocals is not None:
                _anyio_threadlocals.current_cancel_scope = None
            pool.back(self)
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody awaits the outcome
                loop.call_soon_threadsafe(_settle, future, outcome)
            del loop, future, context, fn, args, token, scope, outcome


def _settle(future: asyncio.Future[Any], outcome: tuple[bool, Any]) -> None:
    """On the loop: the awaiting task gets the outcome, unless it stopped waiting (cancelled)."""
    if future.cancelled():
        return
    ok, value = outcome
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class _Pool:
    """The process's worker threads: the idle ones, last used first, and the count of busy ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._quiet = threading.Condition(self._lock)
        self._idle: list[_Thread] = []
        self._busy = 0

    def take(self) -> _Thread:
        """An idle thread, or a new one, counted busy."""
        with self._lock:
            self._busy += 1
            if self._idle:
                return self._idle.pop()
        thread = _Thread(self)
        thread.start()
        return thread

    def back(self, thread: _Thread) -> None:
        """In ``thread``: its call is done; it waits for the next one."""
        with self._lock:
            self._busy -= 1
            self._idle.append(thread)
            if not self._busy:
                self._quiet.notify_all()

    def retire(self, thread: _Thread) -> bool:
        """In ``thread``, idle too long: whether it may end (no call was handed to it meanwhile)."""
        with self._lock:
            if thread in self._idle:
                self._idle.remove(thread)
                return True
            return False

    def settled(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds until no thread runs a call; whether none does."""
        with self._lock:
            return self._quiet.wait_for(lambda: not self._busy, timeout)


_pool = _Pool()
_last: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter, object] | None = None
"""The loop asked last, its default thread limiter and its anyio token (looked up once per loop)."""


def _forked() -> None:
    """In a forked child: its parent's threads did not come along, so none of them may be handed a call."""
    global _pool, _last  # the child starts with a pool, and a loop, of its own
    _pool, _last = _Pool(), None


os.register_at_fork(after_in_child=_forked)


def settled(timeout: float | None) -> bool:
    """Wait up to ``timeout`` seconds until no worker thread runs a call; whether none does."""
    return _pool.settled(timeout)


atexit.register(settled, None)  # the exit waits for running calls, as it waits for anyio's threads


async def run_sync(fn: Callable[..., T], *args: Any, cancel_scope: anyio.CancelScope | None = None) -> T:
    """``fn(*args)`` in a worker thread; cancelling the caller abandons it (the module's drawing)."""
    global _last  # noqa: PLW0603 - the running loop's limiter and token, kept for the next call
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not asyncio
        return await anyio.to_thread.run_sync(fn, *args, abandon_on_cancel=True)
    last = _last  # read once: a loop in another thread may replace it meanwhile
    if last is None or last[0] is not loop:
        limiter = anyio.to_thread.current_default_thread_limiter()
        last = _last = (loop, limiter, anyio.lowlevel.current_token())
    _, limiter, token = last
    future: asyncio.Future[T] = loop.create_future()
    try:
        limiter.acquire_on_behalf_of_nowait(future)
    except anyio.WouldBlock:  # every token lent, or callers in line: wait in line with them
        return await anyio.to_thread.run_sync(fn, *args, abandon_on_cancel=True)
    try:
        _pool.take().calls.put((loop, future, contextvars.copy_context(), fn, args, token, cancel_scope))
        return await future
    finally:
        limiter.release_on_behalf_of(future)
