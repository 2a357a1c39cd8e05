"""The fast check answers exactly as jsonschema does, on the schemas wireproof generates (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk import app
from wireproof.schema import ArgumentValidator
from wireproof.schema._fast import compile_fast_check
from wireproof.schema._validate import FORMATS

SYNTHETIC = {
    "type": "object",
    "properties": {
        "day": {"type": "string", "format": "date"},
        "moment": {"type": "string", "format": "date-time"},
        "mail": {"type": "string", "format": "email", "maxLength": 30},
        "link": {"type": "string", "format": "uri"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "level": {"type": "integer", "enum": [1, 2, 3]},
        "count": {"type": "integer", "minimum": 1, "maximum": 10},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "flag": {"type": "boolean"},
        "week": {"type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$"},
        "text": {"type": "string", "minLength": 2, "maxLength": 5},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}, "minItems": 1, "maxItems": 3},
    },
    "required": ["count"],
    "additionalProperties": False,
}
SCHEMAS = {"synthetic": SYNTHETIC, **{name: tool.input.schema for name, tool in app.tools.items()}}

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-20, 20)
    | st.floats(-2, 12, allow_nan=False)
    | st.sampled_from(
        [
            1.0,
            0.5,
            3.0,
            2**60,
            "open",
            "closed",
            "2026-02-28",
            "2026-02-30",
            "2026-W23",
            "2026-W5",
            "2026-01-01T10:00:00Z",
            "2026-01-01T10:00:00",
            "a@b.example",
            "a@b",
            "https://x.example",
            "no scheme",
            "abc",
            "abcdef",
            "",
            "x" * 300,
            "ab\n",
        ]
    )
    | st.text(max_size=6)
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4), max_leaves=6)


def arguments_for(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    names = [*schema["properties"], "unknown_arg"]
    return st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names))


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_fast_check_agrees_with_jsonschema(name: str) -> None:
    schema = SCHEMAS[name]
    fast = compile_fast_check(schema, FORMATS)
    assert fast is not None, "every schema wireproof generates is in the fast subset"
    validator = ArgumentValidator(schema)

    @settings(max_examples=400, deadline=None)
    @given(arguments=arguments_for(schema))
    def check(arguments: dict[str, Any]) -> None:
        slow_ok = not list(validator._validator.iter_errors(arguments))
        assert fast(arguments) is slow_ok, arguments

    check()


def test_schemas_outside_the_subset_fall_back_to_jsonschema() -> None:
    assert compile_fast_check({"type": "object", "anyOf": [{"required": ["a"]}]}, FORMATS) is None
    assert compile_fast_check({"type": ["string", "null"]}, FORMATS) is None
    assert compile_fast_check({"type": "string", "format": "ipv4"}, FORMATS) is None
