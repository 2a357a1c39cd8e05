"""Parsing a file's JSON text with an error that names the file and where the text breaks."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["parse_json"]


def parse_json(text: str, source: str, error: type[Exception]) -> Any:
    """``json.loads(text)``; text that is not JSON raises ``error`` naming ``source``, the line and the column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{source} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
