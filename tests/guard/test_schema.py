"""Tightening an upstream input schema into the contract the guard enforces."""

from __future__ import annotations

import pytest

from wireproof.guard import GuardConfigError, parse_policy, tighten_schema
from wireproof.schema import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, ArgumentValidator

UPSTREAM = {
    "type": "object",
    "$schema": "http://json-schema.org/draft-07/schema#",
    "properties": {
        "name": {"type": "string"},
        "when": {"type": "string", "format": "date"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "owner": {"type": "object", "properties": {"id": {"type": "string", "maxLength": 10}}},
        "limit": {"type": "integer"},
    },
    "required": ["name"],
}


def test_unknown_arguments_are_refused_at_every_level_that_declares_its_properties() -> None:
    schema = tighten_schema("t", UPSTREAM, parse_policy({}).tool("t"))
    assert schema["additionalProperties"] is False
    assert schema["properties"]["owner"]["additionalProperties"] is False
    problems = ArgumentValidator(schema).errors({"name": "x", "nmae": "y"})
    assert [p.field for p in problems] == ["nmae"]


def test_strings_and_arrays_get_the_library_default_bounds_and_upstream_bounds_stay() -> None:
    schema = tighten_schema("t", UPSTREAM, parse_policy({}).tool("t"))
    props = schema["properties"]
    assert props["name"]["maxLength"] == DEFAULT_MAX_LENGTH
    assert props["tags"]["maxItems"] == DEFAULT_MAX_ITEMS
    assert props["tags"]["items"]["maxLength"] == DEFAULT_MAX_LENGTH
    assert props["owner"]["properties"]["id"]["maxLength"] == 10
    assert "maxLength" not in props["when"]  # a date is bounded by its format
    assert "$schema" not in schema
    assert "maxLength" not in UPSTREAM["properties"]["name"]  # the upstream's copy is untouched


def test_the_policy_adds_descriptions_enums_and_bounds_and_may_lift_the_defaults() -> None:
    policy = parse_policy(
        {
            "tools": {
                "t": {
                    "lift_bounds": ["tags"],
                    "arguments": {
                        "name": {"enum": ["a", "b"], "description": "Which one."},
                        "limit": {"minimum": 1, "maximum": 50},
                    },
                }
            }
        }
    ).tool("t")
    schema = tighten_schema("t", UPSTREAM, policy)
    props = schema["properties"]
    assert props["name"]["enum"] == ["a", "b"]
    assert props["name"]["description"] == "Which one."
    assert "maxLength" not in props["name"]  # an enum bounds it
    assert "maxItems" not in props["tags"]
    problems = ArgumentValidator(schema).errors({"name": "c", "limit": 51})
    assert sorted(p.field for p in problems) == ["limit", "name"]


def test_a_policy_for_an_argument_the_tool_lacks_is_refused() -> None:
    policy = parse_policy({"tools": {"t": {"arguments": {"nmae": {"maxLength": 3}}}}}).tool("t")
    with pytest.raises(GuardConfigError, match="names nmae, which t does not take"):
        tighten_schema("t", UPSTREAM, policy)


def test_a_schema_without_properties_becomes_an_empty_closed_object() -> None:
    schema = tighten_schema("t", {"type": "object"}, parse_policy({}).tool("t"))
    assert schema == {"type": "object", "properties": {}, "additionalProperties": False}
