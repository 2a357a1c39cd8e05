"""A sync tool run in a worker thread under a deadline, and the count of those that outlive it.

The thread and the deadline race for one lock, through these states::

    BEFORE ──begin──▶ EFFECT_IN_TRANSACTION ──may_commit──▶ COMMITTING
       │                     │
       │              EFFECT_RAW (no transaction: cannot be undone)
       │                     │
    deadline            deadline
       ▼                     ▼
    ABANDONED (never runs,   DETACHED (runs on; its outcome is recorded as usual)
    or rolls back)

Before the tool starts, the deadline wins cleanly: the tool never runs. While it runs inside a real
database transaction, the deadline wins too: the transaction rolls back instead of committing. Once
the commit has begun, the deadline waits for it (``Verdict.FINISHING``).
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Abandoned", "DeadlineWorker", "Verdict", "WorkerState", "stragglers"]


class Abandoned(Exception):
    """The caller was already told ``timeout``: this late effect must roll back, or never start."""


class WorkerState(enum.Enum):
    """Where a worker is in its race with the deadline."""

    BEFORE = "before"
    EFFECT_IN_TRANSACTION = "effect_in_transaction"
    EFFECT_RAW = "effect_raw"
    COMMITTING = "committing"
    ABANDONED = "abandoned"
    DETACHED = "detached"


class Verdict(enum.Enum):
    """What the deadline did to a worker that had not finished."""

    ABANDONED = "abandoned"
    """Nothing happened, or it rolls back: the call changed nothing."""
    DETACHED = "detached"
    """The tool runs on outside any transaction; its outcome is recorded when it ends."""
    FINISHING = "finishing"
    """It finished or is committing as time ran out: wait for its result, which stands."""


_stragglers = 0
_stragglers_lock = threading.Lock()


def stragglers() -> int:
    """Calls past their deadline whose threads still run, in this process."""
    return _stragglers


def _count_straggler(delta: int) -> None:
    global _stragglers  # noqa: PLW0603 - one process-wide count
    with _stragglers_lock:
        _stragglers += delta


class DeadlineWorker:
    """``fn(*args)`` in a worker thread, raced against a deadline (see the module's drawing)."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fn, self.args = fn, args
        self.finished = False  # set last by the thread; read by the awaiting task
        self._lock = threading.Lock()
        self._state = WorkerState.BEFORE
        self._started = False
        self._counted = False
        self._outcome: tuple[bool, Any] = (False, None)

    def run(self) -> None:
        """In the thread: run the function unless the deadline came first."""
        with self._lock:
            if self._state is WorkerState.ABANDONED:  # the deadline came before the thread did
                self.finished = True
                return
            self._started = True
        try:
            self._outcome = (True, self.fn(*self.args))
        except BaseException as exc:  # noqa: BLE001 - handed back to the awaiting task
            self._outcome = (False, exc)
        finally:
            with self._lock:
                counted, self._counted = self._counted, False
            if counted:
                _count_straggler(-1)
            self.finished = True

    def begin(self, *, in_transaction: bool) -> None:
        """In the thread, just before the tool runs: raise ``Abandoned`` if the caller was answered."""
        with self._lock:
            if self._state is WorkerState.ABANDONED:
                raise Abandoned
            self._state = WorkerState.EFFECT_IN_TRANSACTION if in_transaction else WorkerState.EFFECT_RAW

    def may_commit(self) -> bool:
        """In the thread, before committing the tool's transaction: False if it must roll back."""
        with self._lock:
            if self._state is WorkerState.ABANDONED:
                return False
            if self._state is not WorkerState.DETACHED:
                self._state = WorkerState.COMMITTING
            return True

    def at_deadline(self) -> Verdict:
        """At the deadline, in the awaiting task: abandon, detach, or wait for the commit."""
        with self._lock:
            if self.finished or self._state is WorkerState.COMMITTING:
                return Verdict.FINISHING
            undoable = self._state in (WorkerState.BEFORE, WorkerState.EFFECT_IN_TRANSACTION)
            self._state = WorkerState.ABANDONED if undoable else WorkerState.DETACHED
            if self._started:
                self._counted = True
                _count_straggler(1)
            return Verdict.ABANDONED if undoable else Verdict.DETACHED

    def result(self) -> Any:
        """The function's return value, or its exception raised again."""
        ok, value = self._outcome
        if not ok:
            raise value
        return value
