"""Pinned tool definitions: what was reviewed is what is served.

The first start with ``--pin FILE`` records every upstream tool's description, input schema and
annotations (a small JSON file, one digest and the definition per tool). Later starts serve a tool
only when its definition still has the recorded digest; a tool that changed, or that appeared
since, is withheld and logged until approved (``--approve TOOL`` records it anew).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import mcp_types as types

from wireproof.guard._policy import GuardConfigError

__all__ = ["PIN_FORMAT", "PinFile", "definition_digest"]

logger = logging.getLogger("wireproof.guard")
PIN_FORMAT: Final = "wireproof-guard-pin/1"


def _definition(tool: types.Tool) -> dict[str, Any]:
    return {
        "description": tool.description,
        "inputSchema": tool.input_schema,
        "annotations": tool.annotations.model_dump(by_alias=True, exclude_none=True)
        if tool.annotations
        else None,
    }


def definition_digest(tool: types.Tool) -> str:
    """A digest of what a reviewer approved: description, input schema and annotations."""
    canonical = json.dumps(_definition(tool), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(slots=True)
class PinFile:
    """The pinned definitions in ``path``; ``pinned`` is empty until the first start records them."""

    path: Path
    pinned: dict[str, dict[str, Any]]

    @classmethod
    def open(cls, path: Path) -> PinFile:
        """Read the pin file, or start an empty one when it does not exist yet.

        Raises:
            GuardConfigError: the file exists but cannot be read or is not a pin file.
        """
        if not path.exists():
            return cls(path, {})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GuardConfigError(f"cannot read the pin file {path}: {exc}") from None
        if (
            not isinstance(data, dict)
            or data.get("format") != PIN_FORMAT
            or not isinstance(data.get("tools"), dict)
        ):
            raise GuardConfigError(
                f"{path} is not a guard pin file (format {PIN_FORMAT}); move it away to record the tools anew"
            )
        return cls(path, data["tools"])

    def review(
        self, tools: Iterable[types.Tool], approve: Iterable[str] = ()
    ) -> tuple[list[types.Tool], dict[str, str]]:
        """The tools that match their pins (recording them all on first start, and the approved ones
        anew), and why each other tool is withheld. Writes the file when it changed."""
        approved = set(approve)
        first = not self.pinned
        kept: list[types.Tool] = []
        withheld: dict[str, str] = {}
        changed = False
        for tool in tools:
            digest = definition_digest(tool)
            pin = self.pinned.get(tool.name)
            if first or tool.name in approved or (pin is not None and pin.get("digest") == digest):
                if pin is None or pin.get("digest") != digest:
                    self.pinned[tool.name] = {"digest": digest, **_definition(tool)}
                    changed = True
                kept.append(tool)
                continue
            reason = "new since the pin was recorded" if pin is None else _what_changed(pin, tool)
            withheld[tool.name] = reason
            logger.warning(
                "tool %s withheld: %s; review it and start with --approve %s to serve it",
                tool.name,
                reason,
                tool.name,
            )
        if changed:
            self._write()
        return kept, withheld

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(
            json.dumps({"format": PIN_FORMAT, "tools": self.pinned}, indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        os.replace(temporary, self.path)


def _what_changed(pin: Mapping[str, Any], tool: types.Tool) -> str:
    now = _definition(tool)
    parts = [name for name in ("description", "inputSchema", "annotations") if pin.get(name) != now[name]]
    return f"its {', '.join(parts) or 'definition'} changed since it was pinned"
