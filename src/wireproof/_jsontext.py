"""JSON text and values: parsing a file's JSON with an error that names where it breaks; the strings a value holds.

Also ``RELATIVE_PATH``: a path argument that names no root (``notes/a.md``), which the checker and the guard
both look for when an answer gives it back resolved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final

__all__ = ["RELATIVE_PATH", "json_strings", "parse_json"]

RELATIVE_PATH: Final = re.compile(r"^(?![/~])[\w.\-]+(/[\w.\-]+)*$")


def parse_json(text: str, source: str, error: type[Exception]) -> Any:
    """``json.loads(text)``; text that is not JSON raises ``error`` naming ``source``, the line and the column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{source} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None


def json_strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value (object values and array items, at any depth)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)
