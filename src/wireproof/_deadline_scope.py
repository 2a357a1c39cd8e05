"""A cancel scope cancelled at its deadline by one timer per event loop, instead of a timer of its own.

``anyio.CancelScope(deadline=...)`` puts a timer on the loop for every scope, and asyncio keeps
each one it cancels in its timer heap until a sweep: a timer made and cancelled per call, and
about twenty heap comparisons in Python. The calls of one loop share one timer instead::

    enter    a CancelScope without a deadline, noted with its deadline; the loop's one timer
             is moved earlier if this deadline comes first (with one timeout for every tool,
             a new deadline never comes first: the timer stays)
    timer    every noted scope past its deadline is cancelled, as its own deadline would have
             cancelled it; the timer is set again for the earliest deadline left, if any
    exit     the scope is forgotten, then leaves as a CancelScope does (it swallows its own
             cancellation: ``cancelled_caught`` says whether the deadline struck)

Outside asyncio (trio, say) the scope has its own deadline, as anyio makes it.
"""

from __future__ import annotations

import asyncio
import math
from types import TracebackType

import anyio

from wireproof._scopes import cancel_scope

__all__ = ["deadline_scope"]


class _Timer:
    """One event loop's noted scopes and the one timer that cancels those past their deadlines."""

    __slots__ = ("_at", "_handle", "_loop", "scopes")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.scopes: dict[anyio.CancelScope, float] = {}
        self._handle: asyncio.TimerHandle | None = None
        self._at = math.inf

    def note(self, scope: anyio.CancelScope, deadline: float) -> None:
        self.scopes[scope] = deadline
        if deadline < self._at:
            if self._handle is not None:
                self._handle.cancel()
            self._at = deadline
            self._handle = self._loop.call_at(deadline, self._strike)

    def _strike(self) -> None:
        self._handle, self._at = None, math.inf
        now, earliest = self._loop.time(), math.inf
        for scope, deadline in list(self.scopes.items()):
            if deadline <= now:
                del self.scopes[scope]
                scope.cancel()
            elif deadline < earliest:
                earliest = deadline
        if earliest < math.inf:
            self._at = earliest
            self._handle = self._loop.call_at(earliest, self._strike)


_last: tuple[asyncio.AbstractEventLoop, _Timer] | None = None
"""The timer of the loop asked last (one loop serves a process's calls; another replaces it)."""


class _SharedDeadlineScope:
    """A ``CancelScope`` whose deadline the loop's shared timer keeps (the module's drawing)."""

    __slots__ = ("_deadline", "_scope", "_timer")

    def __init__(self, deadline: float, timer: _Timer) -> None:
        self._deadline, self._timer = deadline, timer
        self._scope = cancel_scope()  # the loop's scope class, without anyio's back-end look-up

    def __enter__(self) -> anyio.CancelScope:
        scope = self._scope.__enter__()
        self._timer.note(scope, self._deadline)
        return scope

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> bool:
        self._timer.scopes.pop(self._scope, None)
        return bool(self._scope.__exit__(kind, error, trace))


def deadline_scope(deadline: float) -> _SharedDeadlineScope | anyio.CancelScope:
    """A cancel scope cancelled at ``deadline`` (``anyio.current_time()``'s clock), for ``with``."""
    global _last  # noqa: PLW0603 - the timer of the running loop, kept for the next call
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not asyncio: anyio's own deadline
        return anyio.CancelScope(deadline=deadline)
    last = _last  # read once: a loop in another thread may replace it meanwhile
    if last is None or last[0] is not loop:
        last = _last = (loop, _Timer(loop))
    return _SharedDeadlineScope(deadline, last[1])
