"""anyio's cancel scope and clock for the running event loop, without anyio's back-end look-up per call.

``anyio.CancelScope()`` and ``anyio.current_time()`` first ask sniffio which library runs the
current task, then find that library's back-end: about 6 us and 1.5 us a call on asyncio, where a
served call makes two scopes and reads the clock twice. On asyncio the class that
``anyio.CancelScope()`` returns is learned once per event loop and made directly (the same scope,
with the same arguments), and the clock is the loop's own, which ``anyio.current_time()`` reads
there. Outside asyncio (trio, say) both are anyio's own.
"""

from __future__ import annotations

import asyncio
import math

import anyio

__all__ = ["cancel_scope", "current_time"]

_last: tuple[asyncio.AbstractEventLoop, type[anyio.CancelScope]] | None = None
"""The scope class of the loop asked last (one loop serves a process's calls; another replaces it)."""


def cancel_scope(*, deadline: float = math.inf, shield: bool = False) -> anyio.CancelScope:
    """``anyio.CancelScope(deadline=deadline, shield=shield)`` of the running loop's back-end."""
    global _last  # noqa: PLW0603 - the scope class of the running loop, kept for the next call
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not asyncio: anyio finds the back-end
        return anyio.CancelScope(deadline=deadline, shield=shield)
    last = _last  # read once: a loop in another thread may replace it meanwhile
    if last is None or last[0] is not loop:
        last = _last = (loop, type(anyio.CancelScope()))
    return last[1](deadline=deadline, shield=shield)


def current_time() -> float:
    """``anyio.current_time()``: the running loop's clock."""
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:  # not asyncio
        return anyio.current_time()
