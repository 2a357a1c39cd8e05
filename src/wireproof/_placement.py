"""Where a plain ``def`` read runs: on the event loop while its runs prove quick, else in a worker thread.

Handing a call to a worker thread and back costs 40-200 µs (two thread wake-ups, the GIL passed
twice), more than a read-only query of a few rows takes. A read that has shown it is quick runs
on the event loop, where it blocks other calls no longer than shaping a result does; any other runs
in a thread, under the deadline, and the loop stays free::

    THREAD ── `needed` quick runs in a row ──▶ EVENT LOOP
      ▲                                            │
      └── a second run slower than QUICK within ───┘
          STREAK runs of the first one on the loop

``needed`` starts at STREAK; each return to a thread doubles it (up to MAX_STREAK), and each
``needed`` quick runs on the loop halve it again (down to STREAK). One slow run on the loop is
forgiven (on a busy machine a read of 60 µs is now and then preempted for milliseconds), a second
one soon after is not: a read that turns slow blocks the loop twice, and a read that is slow now
and then (a lock wait) blocks it twice per ever longer run of calls.

Only reads qualify: a write's commit waits for the disk and its lock for other writers. A read on
the loop cannot be stopped at its deadline (nothing interrupts Python code on the loop's thread),
which is why a read earns its place by its runs and loses it with the first slow one.
"""

from __future__ import annotations

import threading
import weakref
from typing import Final

__all__ = ["MAX_STREAK", "QUICK", "STREAK", "Placement", "placement"]

QUICK: Final = 0.0005
"""Seconds: a run that takes longer than this is slow (the hop costs a tenth to a third of it)."""
STREAK: Final = 32
"""Quick runs in a row, in worker threads, before a read first runs on the event loop."""
MAX_STREAK: Final = 4096
"""The most quick runs a read that was slow must show again before it returns to the loop."""


class Placement:
    """One read tool's recent runs, and so where its next run goes.

    Runs in worker threads report concurrently: a count that is off by one under a race only moves
    the switch by a call, so the counters are not locked.
    """

    __slots__ = ("_forgiven", "_needed", "_streak", "on_loop")
    on_loop: bool
    """Whether the next run goes on the event loop (else in a worker thread)."""

    def __init__(self) -> None:
        self.on_loop = False
        self._streak = 0
        self._needed = STREAK
        self._forgiven = 0  # quick runs left during which a slow one on the loop is the second

    def ran(self, seconds: float) -> None:
        """Note one run of ``seconds`` (measured where it ran, around the tool alone)."""
        if seconds > QUICK:
            if self.on_loop and not self._forgiven:
                self._forgiven = STREAK
                return
            if self.on_loop:
                self._needed = min(self._needed * 2, MAX_STREAK)
            self.on_loop = False
            self._streak = self._forgiven = 0
            return
        if self._forgiven:
            self._forgiven -= 1
        self._streak += 1
        if self._streak < self._needed:
            return
        self._streak = 0
        if self.on_loop:
            self._needed = max(self._needed // 2, STREAK)
        self.on_loop = True


_placements: weakref.WeakKeyDictionary[object, Placement] = weakref.WeakKeyDictionary()
_placements_lock = threading.Lock()


def placement(tool: object) -> Placement:
    """The placement of ``tool`` (made on its first call; forgotten with the tool)."""
    found = _placements.get(tool)
    if found is None:
        with _placements_lock:
            found = _placements.setdefault(tool, Placement())
    return found
