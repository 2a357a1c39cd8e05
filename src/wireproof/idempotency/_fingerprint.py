"""Fingerprints of a call's arguments: equal for equal JSON values, whatever the key order or number spelling."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["canonical_json", "fingerprint"]


def _canonical(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("arguments must be finite JSON numbers")
        return int(value) if value.is_integer() and abs(value) < 2**63 else value
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def canonical_json(arguments: Mapping[str, Any]) -> str:
    """JSON with sorted keys, no spaces, and integral numbers written as integers (1.0 and 1 agree)."""
    return json.dumps(_canonical(arguments), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(arguments: Mapping[str, Any]) -> str:
    """SHA-256 of ``canonical_json(arguments)``, hex."""
    return hashlib.sha256(canonical_json(arguments).encode()).hexdigest()
