"""Fingerprints of a call's arguments: equal for equal JSON values, whatever the key order or number spelling.

Idempotency records (a key reused with other arguments), signed cursors (a cursor used with other
filters) and the audit line (equal calls, never their values) all compare arguments this way.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["argument_digests", "canonical_json", "fingerprint"]


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


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""``json.dumps`` with these options, made once: ``json.dumps`` makes an encoder per call when given any."""


def canonical_json(arguments: Mapping[str, Any]) -> str:
    """JSON with sorted keys, no spaces, and integral numbers written as integers (1.0 and 1 agree)."""
    return _CANONICAL.encode(_canonical(arguments))


def fingerprint(arguments: Mapping[str, Any]) -> str:
    """SHA-256 of ``canonical_json(arguments)``, hex."""
    return hashlib.sha256(canonical_json(arguments).encode()).hexdigest()


def argument_digests(arguments: Mapping[str, Any], salt: str) -> dict[str, str]:
    """A short salted digest of each argument's value: enough to name the arguments a reused key
    changed, without keeping their values (``salt`` is the record's scope and key)."""
    return {
        name: hashlib.sha256(f"{salt}\x1f{name}\x1f{canonical_json({'v': value})}".encode()).hexdigest()[:16]
        for name, value in arguments.items()
    }
