"""Reading an operator's TOML file (a check config, a guard policy): its table, or the caller's
``OperatorError`` saying which file could not be read or parsed, and why."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from wireproof.errors import OperatorError

__all__ = ["read_toml"]


def read_toml(path: Path, *, what: str, error: type[OperatorError]) -> dict[str, Any]:
    """The top-level table of the TOML file at ``path``; ``what`` names the file in the message.

    Raises:
        OperatorError: ``error``, when the file cannot be read or is not valid TOML.
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {path} is not valid TOML: {exc}") from exc
