"""Hypothesis strategies from a tool's advertised JSON Schema: valid arguments, and one violation at a time.

Written for the subset of JSON Schema that wireproof emits (hypothesis-jsonschema
does not work with current hypothesis); each violation breaks exactly one constraint.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import strategies as st

Schema = dict[str, Any]
TEXT_CAP = 40


def valid_value(schema: Schema) -> st.SearchStrategy[Any]:
    """A strategy for values the property schema accepts."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema["type"]
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return st.dates(min_value=date(1900, 1, 1)).map(date.isoformat)
        if fmt == "date-time":
            return st.datetimes(min_value=datetime(1900, 1, 1), timezones=st.just(UTC)).map(
                lambda d: d.isoformat().replace("+00:00", "Z")
            )
        low = schema.get("minLength", 0)
        high = min(schema.get("maxLength", TEXT_CAP), max(low, TEXT_CAP))
        if "pattern" in schema:  # the lengths bound a patterned string too (idempotency_key has both)
            return st.from_regex(
                re.compile(schema["pattern"].removeprefix("^").removesuffix("$")), fullmatch=True
            ).filter(lambda v: low <= len(v) <= schema.get("maxLength", len(v)))
        return st.text(min_size=low, max_size=high)
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(valid_value(schema["items"]), max_size=min(schema.get("maxItems", 5), 5))
    raise NotImplementedError(kind)


def valid_arguments(schema: Schema) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments with every required property and any subset of the optional ones."""
    properties: dict[str, Schema] = schema.get("properties", {})
    required = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {name: valid_value(p) for name, p in properties.items() if name in required},
        optional={name: valid_value(p) for name, p in properties.items() if name not in required},
    )


def _wrong_type(schema: Schema) -> st.SearchStrategy[Any]:
    kind = schema.get("type")
    choices: list[Any] = [[1], {"a": 1}, True]
    if kind != "string":
        choices.append("12")
    if kind not in ("integer", "number"):
        choices.append(7)
    if kind == "integer":
        choices.append(1.5)
    return st.sampled_from(choices)


def property_violations(schema: Schema) -> list[tuple[str, st.SearchStrategy[Any]]]:
    """(constraint name, strategy for a value that breaks it) for one property schema."""
    out: list[tuple[str, st.SearchStrategy[Any]]] = [("type", _wrong_type(schema))]
    if "enum" in schema:
        out.append(("enum", st.text(min_size=1, max_size=10).filter(lambda v: v not in schema["enum"])))
    if "minimum" in schema:
        out.append(("minimum", st.integers(max_value=schema["minimum"] - 1)))
    if "maximum" in schema:
        out.append(("maximum", st.integers(min_value=schema["maximum"] + 1)))
    if "maxLength" in schema:
        high = schema["maxLength"]
        out.append(("maxLength", st.integers(high + 1, high + 50).map(lambda n: "x" * n)))
    if schema.get("minLength", 0) > 0:
        out.append(("minLength", st.text(max_size=schema["minLength"] - 1)))
    if schema.get("format") == "date":
        out.append(("format", st.sampled_from(["2026-02-30", "01/02/2026", "2026-1-1", "today", "20260101"])))
    if "pattern" in schema:
        pattern = re.compile(schema["pattern"].replace("$", r"\Z"))
        out.append(("pattern", st.text(max_size=12).filter(lambda v: not pattern.search(v))))
    return out
