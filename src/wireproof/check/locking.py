"""``--lock`` and ``--update-lock`` around a check run: read the pinned definitions, record new ones.

The first run against a lock file that does not exist records every listed tool; later runs compare
(``protocol.definitions-changed``); ``--update-lock`` accepts what the server lists now, saying what
changed. A listing that failed or was empty is never recorded: it would pin nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wireproof.check.config import CheckConfigError
from wireproof.check.model import Report
from wireproof.check.rules.lock import definition_of
from wireproof.lock import Lock, LockFileError, read_lock, write_lock

__all__ = ["LockPlan", "plan_lock", "record_lock"]


@dataclass(frozen=True, slots=True)
class LockPlan:
    """What to do with the lock file: compare against ``pinned``, and whether to record after the run.

    pinned (Lock | None): the lock to judge the listing against (None: nothing to compare).
    previous (Lock | None): the lock on disk before the run (for ``--update-lock``'s summary).
    record (bool): write the listing to ``path`` after the run (first run, or ``--update-lock``).
    """

    path: Path
    pinned: Lock | None
    previous: Lock | None
    record: bool


def plan_lock(path: Path, *, update: bool) -> LockPlan:
    """Read ``path`` if it exists; a garbled lock is a ``CheckConfigError`` even with ``update``."""
    if not path.exists():
        return LockPlan(path, None, None, record=True)
    try:
        previous = read_lock(path)
    except LockFileError as exc:
        raise CheckConfigError(f"--lock: {exc}") from None
    return LockPlan(path, None if update else previous, previous, record=update)


def record_lock(plan: LockPlan, report: Report) -> str | None:
    """Write the listing to the lock if the plan says so; the line to tell the user (None: nothing done)."""
    if not plan.record:
        return None
    if not report.listed:
        return f"{plan.path} not recorded: the server listed no tools"
    try:
        lock = Lock.of(
            (definition_of(t) for t in report.listed),
            server_name=report.server.name,
            server_version=report.server.version,
        )
        write_lock(plan.path, lock)
    except LockFileError as exc:
        raise CheckConfigError(f"--lock: {exc}") from None
    if plan.previous is None:
        return f"recorded {len(lock.tools)} tool definitions in {plan.path}"
    diff = plan.previous.compare(lock.tools.values())
    lines = [f"updated {plan.path}: {diff.summary()}"]
    lines.extend(change.diff() for change in diff.changed)
    return "\n".join(lines)
