"""Fingerprints are stable under key order and number spelling, and change when any value changes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from wireproof.idempotency import fingerprint

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
ARGUMENTS = st.dictionaries(st.text(min_size=1, max_size=8), JSON, max_size=6)


@given(ARGUMENTS, st.randoms())
def test_key_order_does_not_change_the_fingerprint(arguments: dict[str, Any], rng: Any) -> None:
    items = list(arguments.items())
    rng.shuffle(items)
    assert fingerprint(dict(items)) == fingerprint(arguments)


@given(ARGUMENTS)
def test_a_json_round_trip_does_not_change_the_fingerprint(arguments: dict[str, Any]) -> None:
    assert fingerprint(json.loads(json.dumps(arguments))) == fingerprint(arguments)


@given(st.integers(-(2**53), 2**53))
def test_integral_numbers_agree_however_written(number: int) -> None:
    assert (
        fingerprint({"n": number})
        == fingerprint({"n": float(number)})
        == fingerprint(json.loads(f'{{"n": {number}.0}}'))
    )


@given(ARGUMENTS, st.text(min_size=1, max_size=8), JSON, JSON)
def test_any_changed_value_changes_the_fingerprint(
    arguments: dict[str, Any], key: str, a: Any, b: Any
) -> None:
    if _same_json_value(a, b):
        return
    assert fingerprint({**arguments, key: a}) != fingerprint({**arguments, key: b})


def _same_json_value(a: Any, b: Any) -> bool:
    """Equal as JSON values: numbers by value (1 == 1.0 == -0.0 + 1), booleans apart from numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_json_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_json_value(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def test_true_is_not_one() -> None:
    assert fingerprint({"x": True}) != fingerprint({"x": 1})
