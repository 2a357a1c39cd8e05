"""Markers that constrain a parameter beyond its Python type, used inside ``Annotated``.

Bounds come from ``annotated_types`` (``Ge``, ``Le``, ``MinLen``, ``MaxLen``, …) or a
pydantic ``Field(...)``; these add what those cannot say: a regular expression that
means the same in Python and in ECMA-262 (which JSON Schema clients use), a string
format, and examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from wireproof.errors import ToolDefinitionError

__all__ = ["Examples", "Format", "Pattern", "ToolDefinitionError", "python_pattern"]


# Escapes whose meaning differs between Python and ECMA-262 regular expressions
# (Unicode-aware in Python 3 str patterns, ASCII-only in ECMA without the u flag),
# and constructs ECMA-262 (as used by JSON Schema validators) does not share.
_NON_PORTABLE = {
    r"\d": "[0-9]",
    r"\D": "[^0-9]",
    r"\w": "[A-Za-z0-9_]",
    r"\W": "[^A-Za-z0-9_]",
    r"\s": "an explicit class such as [ \\t]",
    r"\S": "an explicit class such as [^ \\t]",
    r"\b": "an explicit boundary",
    r"\B": "an explicit boundary",
    r"\A": "^",
    r"\Z": "$",
    r"\z": "$",
    "(?P": "a plain group (...)",
    "(?<=": "no lookbehind",
    "(?<!": "no lookbehind",
    "(?i": "an explicit class such as [Aa]",
    "(?m": "no inline flags",
    "(?s": "no inline flags",
    "(?x": "no inline flags",
    "(?a": "no inline flags",
    "[]": "a non-empty class (ECMA reads [] as a class that matches nothing)",
    "[^]": "an explicit class (ECMA reads [^] as any character)",
    "{,": "{0,n}",
}


def _check_portable(regex: str) -> None:
    i = 0
    while i < len(regex):
        for token, instead in _NON_PORTABLE.items():
            if regex.startswith(token, i):
                raise ToolDefinitionError(
                    f"pattern {regex!r} uses {token!r}, which means something different in Python and in "
                    f"the ECMA-262 regular expressions JSON Schema clients use; write {instead} instead"
                )
        i += 2 if regex[i] == "\\" else 1


def python_pattern(regex: str) -> str:
    """Translate a portable pattern to Python so that it matches exactly what ECMA-262 matches.

    Two differences are left after ``_check_portable``, both outside character classes:
    ``$`` matches only at the very end in ECMA-262, but also before a final newline in
    Python (it becomes ``\\Z``); and ``.`` matches no line terminator in ECMA-262 (``\\n``,
    ``\\r``, U+2028, U+2029), while Python's matches all but ``\\n`` (it becomes a class).
    """
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            out.append(regex[i : i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            char = r"\Z"
        elif char == "." and not in_class:
            char = "[^\n\r\u2028\u2029]"
        out.append(char)
        i += 1
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Pattern:
    """The string must match ``regex`` (searched, as in JSON Schema: anchor it with ``^…$``)."""

    regex: str

    def __post_init__(self) -> None:
        _check_portable(self.regex)
        try:
            re.compile(python_pattern(self.regex))
        except re.error as exc:
            raise ToolDefinitionError(
                f"pattern {self.regex!r} is not a valid regular expression: {exc}"
            ) from exc


@dataclass(frozen=True, slots=True)
class Format:
    """The string must be in a JSON Schema ``format``: ``email`` or ``uri``.

    ``date`` and ``date-time`` come from the ``date`` and ``datetime`` types.
    """

    name: Literal["email", "uri"]


@dataclass(frozen=True, slots=True)
class Examples:
    """Example values, advertised as JSON Schema ``examples`` and quoted in error messages."""

    values: tuple[Any, ...]

    def __init__(self, *values: Any) -> None:
        object.__setattr__(self, "values", values)
