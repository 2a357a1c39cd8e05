"""Read a tool's description and its parameters' descriptions from a Google-style docstring."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

_SECTION = re.compile(r"^(Args|Arguments|Parameters|Returns|Raises|Yields|Examples?|Notes?|Example):\s*$")
_ARG = re.compile(r"^(\*{0,2}[A-Za-z_][A-Za-z0-9_]*)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


@dataclass(frozen=True, slots=True)
class Docstring:
    """A parsed docstring: the text before the first section, and each argument's description."""

    description: str
    args: dict[str, str] = field(default_factory=dict)


def parse_docstring(doc: str | None) -> Docstring:
    """Parse ``doc``; lines under ``Args:`` become argument descriptions, folded to one line each."""
    text = inspect.cleandoc(doc or "")
    description_lines: list[str] = []
    args: dict[str, list[str]] = {}
    section: str | None = None
    current: str | None = None
    arg_indent: int | None = None
    for raw in text.splitlines():
        stripped = raw.strip()
        header = _SECTION.match(stripped) if raw == raw.lstrip() else None
        if header:
            section, current, arg_indent = header.group(1), None, None
            continue
        if section is None:
            description_lines.append(raw)
            continue
        if section not in ("Args", "Arguments", "Parameters") or not stripped:
            continue
        indent = len(raw) - len(raw.lstrip())
        match = _ARG.match(stripped)
        if match and (arg_indent is None or indent <= arg_indent):
            arg_indent = indent
            current = match.group(1).lstrip("*")
            args[current] = [match.group(2)]
        elif current is not None:
            args[current].append(stripped)
    paragraphs = "\n".join(description_lines).split("\n\n")
    description = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
    return Docstring(
        description=description,
        args={name: " ".join(" ".join(parts).split()) for name, parts in args.items()},
    )
