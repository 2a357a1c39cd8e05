"""Pinned tool definitions: what was reviewed is what is served.

``--pin FILE`` is a ``wireproof.lock`` (version 1, ``wireproof.lock``'s format): the same file
``wireproof check --lock FILE`` writes, so a reviewer can pin with the checker and enforce with the
guard. When the file does not exist, the first start records every tool the policy serves. Later
starts serve a tool only when its description, input and output schema and annotations still match
the lock; a tool that changed, or that is not in the lock, is withheld and logged (with a diff)
until approved (``--approve TOOL`` records it anew, the rest of the lock kept as it was).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import mcp_types as types

from wireproof.guard._policy import GuardConfigError
from wireproof.lock import FIELDS, Lock, LockFileError, ToolDefinition, read_lock, sha256_of, write_lock

__all__ = ["OLD_PIN_FORMAT", "PinFile", "definition_of"]

logger = logging.getLogger("wireproof.guard")
OLD_PIN_FORMAT: Final = "wireproof-guard-pin/1"
"""The guard's own pin format before it used ``wireproof.lock``; such a file is refused with a hint."""


def definition_of(tool: types.Tool) -> ToolDefinition:
    """The pinned part of an upstream tool, as ``wireproof check --lock`` records it."""
    return ToolDefinition.from_wire(tool.model_dump(by_alias=True, exclude_none=True, mode="json"))


def _refuse_old_format(path: Path) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # read_lock says what is wrong with it
    if isinstance(data, dict) and data.get("format") == OLD_PIN_FORMAT:
        raise GuardConfigError(
            f"{path} is a pin file of an older guard ({OLD_PIN_FORMAT}); the guard now reads "
            "wireproof.lock: re-pin, by moving the file away and starting the guard with --pin FILE "
            "(or `wireproof check --lock FILE -- UPSTREAM`), after reviewing the tools"
        )


@dataclass(slots=True)
class PinFile:
    """The lock at ``path``; ``lock`` is None until the first start records it."""

    path: Path
    lock: Lock | None

    @classmethod
    def open(cls, path: Path) -> PinFile:
        """Read the lock, or start without one when the file does not exist yet.

        Raises:
            GuardConfigError: the file exists but is not a readable ``wireproof.lock`` (an old guard
                pin file included: the message says to re-pin).
        """
        path = Path(path)
        if not path.exists():
            return cls(path, None)
        _refuse_old_format(path)
        try:
            return cls(path, read_lock(path))
        except LockFileError as exc:
            raise GuardConfigError(f"--pin: {exc}") from None

    def review(
        self, tools: Iterable[types.Tool], approve: Iterable[str] = ()
    ) -> tuple[list[types.Tool], dict[str, str]]:
        """The tools that match the lock (recording them all on first start, and the approved ones
        anew), and why each other tool is withheld. Writes the file when it changed.

        Raises:
            GuardConfigError: the lock file cannot be written.
        """
        approved = set(approve)
        first = self.lock is None
        locked: dict[str, ToolDefinition] = dict(self.lock.tools) if self.lock is not None else {}
        kept: list[types.Tool] = []
        withheld: dict[str, str] = {}
        changed = False
        for tool in tools:
            current = definition_of(tool)
            pinned = locked.get(tool.name)
            same = pinned is not None and pinned.sha256 == current.sha256
            if first or same or tool.name in approved:
                if not same:
                    locked[tool.name] = current
                    changed = True
                kept.append(tool)
                continue
            if pinned is None:
                reason = "new since the lock was recorded"
                diff = ""
            else:
                fields = [
                    f for f in FIELDS if sha256_of(pinned.fields()[f]) != sha256_of(current.fields()[f])
                ]
                reason = f"its {', '.join(fields) or 'definition'} changed since it was pinned"
                diff = Lock.of([pinned]).compare([current]).changed[0].diff() if fields else ""
            withheld[tool.name] = reason
            logger.warning(
                "tool %s withheld: %s; review it and start with --approve %s to serve it%s",
                tool.name,
                reason,
                tool.name,
                "\n" + diff if diff else "",
            )
        if changed:  # an empty first listing records nothing (it would pin nothing)
            previous = self.lock
            try:
                self.lock = Lock.of(
                    locked.values(),
                    server_name=previous.server_name if previous else None,
                    server_version=previous.server_version if previous else None,
                )
                write_lock(self.path, self.lock)
            except LockFileError as exc:
                raise GuardConfigError(f"--pin: {exc}") from None
        return kept, withheld
