"""Samples and awkward inputs from a JSON Schema: real objects, edge values, the largest answer, one expensive input.

The generator's functions are specified directly; what the probes reach with them is checked end to
end on the fixture servers of tests/check/probe_servers.py, through the official client.
"""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import mcp_types as types
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.check import probe_servers as p
from tests.check import servers as s
from wireproof.check import CheckOptions, Report, Target, run_check
from wireproof.check.generate import (
    DEEP_BRACKETS,
    HUGE_COUNT,
    HUGE_EXPONENT,
    NESTING_DEPTH,
    RECURSIVE_SQL,
    UNBOUNDED_LIMIT,
    awkward_cases,
    expensive_case,
    is_schema_valid,
    largest_sample,
    sample_value,
    valid_samples,
)


def check(server: Any, **options: Any) -> Report:
    return anyio.run(run_check, Target(server=server), CheckOptions(**options))


def rules_of(report: Report) -> set[str]:
    return {f.rule for f in report.findings}


def cases_for(schema: dict[str, Any], constraint: str) -> list[Any]:
    return [c for c in awkward_cases(schema) if c.constraint == constraint]


# -- samples -----------------------------------------------------------------------------------------


def test_an_object_parameter_defined_by_ref_is_sampled_as_a_real_object() -> None:
    (sample, *_) = valid_samples(p.FILTER_SCHEMA)
    assert sample == {"filter": {"status": "open"}}
    assert is_schema_valid(p.FILTER_SCHEMA, sample)


def test_a_nested_object_without_required_members_is_filled_from_its_properties() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string", "maxLength": 5}, "b": {"type": "integer", "minimum": 3}},
    }
    assert sample_value(schema) == {"a": "examp", "b": 3}


def test_an_array_holds_valid_items_of_a_referenced_object() -> None:
    schema = {
        "type": "object",
        "properties": {"lines": {"type": "array", "items": {"$ref": "#/$defs/Line"}, "minItems": 2}},
        "required": ["lines"],
        "$defs": {
            "Line": {
                "type": "object",
                "properties": {
                    "sku": {"type": "string", "pattern": "^[A-Z]{3}-\\d{2}$"},
                    "qty": {"type": "integer"},
                },
                "required": ["sku", "qty"],
            }
        },
    }
    (sample, *_) = valid_samples(schema)
    assert sample == {"lines": [{"sku": "AAA-00", "qty": 1}, {"sku": "AAA-00", "qty": 1}]}
    assert is_schema_valid(schema, sample)


def test_a_type_left_out_is_inferred_from_items_or_properties() -> None:
    assert sample_value({"items": {"type": "integer", "minimum": 7}}) == [7]
    assert sample_value({"properties": {"x": {"type": "boolean"}}, "required": ["x"]}) == {"x": True}


@settings(max_examples=60, deadline=None)
@given(
    low=st.integers(-50, 50),
    span=st.integers(0, 100),
    max_length=st.integers(1, 30),
    nested=st.booleans(),
)
def test_valid_samples_are_accepted_and_violations_refused_by_the_schema(
    low: int, span: int, max_length: int, nested: bool
) -> None:
    inner = {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": low, "maximum": low + span},
            "label": {"type": "string", "maxLength": max_length},
        },
        "required": ["count", "label"],
        "additionalProperties": False,
    }
    schema = (
        {
            "type": "object",
            "properties": {"spec": {"$ref": "#/$defs/Spec"}},
            "required": ["spec"],
            "additionalProperties": False,
            "$defs": {"Spec": inner},
        }
        if nested
        else inner
    )
    for sample in valid_samples(schema):
        assert is_schema_valid(schema, sample) is True
    for case in awkward_cases(schema):
        valid = is_schema_valid(schema, case.arguments)
        assert valid is (case.kind == "hostile"), case


# -- edge values -------------------------------------------------------------------------------------


def test_an_integer_field_is_sent_a_fraction_as_a_violation() -> None:
    schema = p.listing_schema({"type": "integer", "maximum": 100})
    (fraction,) = cases_for(schema, "fractional")
    assert fraction.kind == "violation"
    assert fraction.arguments == {"limit": 1.5}


def test_a_number_field_that_names_a_count_is_sent_a_fraction_the_schema_accepts() -> None:
    schema = p.listing_schema({"type": "number", "minimum": 0, "maximum": 100})
    (fraction,) = cases_for(schema, "fractional")
    assert (fraction.kind, fraction.arguments) == ("hostile", {"limit": 1.5})


def test_an_unbounded_integer_is_sent_a_negative_and_zero_as_hostile_calls() -> None:
    schema = p.listing_schema({"type": "integer", "maximum": 100})
    kinds = {c.constraint: (c.kind, c.arguments) for c in awkward_cases(schema)}
    assert kinds["negative"] == ("hostile", {"limit": -1})
    assert kinds["zero"] == ("hostile", {"limit": 0})


def test_a_bounded_integer_gets_no_negative_or_zero_beside_its_minimum_case() -> None:
    schema = p.listing_schema({"type": "integer", "minimum": 1, "maximum": 100})
    constraints = [c.constraint for c in awkward_cases(schema) if c.field == "limit"]
    assert constraints.count("minimum") == 1
    assert "negative" not in constraints
    assert "zero" not in constraints
    assert "fractional" in constraints


def test_an_object_parameter_is_sent_an_empty_object() -> None:
    (empty,) = cases_for(p.FILTER_SCHEMA, "empty-object")
    assert empty.arguments == {"filter": {}}
    assert empty.kind == "violation"  # Filter requires status
    where = {"type": "object", "properties": {"status": {"type": "string", "maxLength": 9}}}
    conditions = {"type": "object", "properties": {"where": where}, "required": ["where"]}
    assert valid_samples(conditions)[0] == {"where": {"status": "example"}}
    (open_conditions,) = cases_for(conditions, "empty-object")
    assert (open_conditions.kind, open_conditions.arguments) == ("hostile", {"where": {}})


# -- the largest answer ------------------------------------------------------------------------------


def test_the_largest_sample_asks_for_the_maximum_limit() -> None:
    assert largest_sample(p.listing_schema({"type": "integer", "minimum": 1, "maximum": 500})) == {
        "limit": 500
    }
    assert largest_sample(p.listing_schema({"type": "integer", "exclusiveMaximum": 50})) == {"limit": 49}
    assert largest_sample(p.listing_schema({"type": "integer", "minimum": 1})) == {"limit": UNBOUNDED_LIMIT}


def test_a_tool_without_a_size_parameter_has_no_largest_sample() -> None:
    assert largest_sample(s.FakeTool("x", s.strict_colour).input_schema) is None


def test_a_user_given_limit_is_raised_in_the_largest_sample_and_the_rest_kept() -> None:
    """--config's sample makes a call valid; it must not spare a listing from its largest answer (cu-9)."""
    schema = p.listing_schema({"type": "integer", "minimum": 1, "maximum": 500})
    assert largest_sample(schema, {"limit": 3}) == {"limit": 500}
    assert largest_sample(schema, {"limit": 500}) is None  # the sample already is the largest


# -- the expensive input -----------------------------------------------------------------------------


def test_the_expensive_input_fits_the_parameter() -> None:
    sql = {
        "type": "object",
        "properties": {"query": {"type": "string", "description": "A read-only SQL query."}},
        "required": ["query"],
    }
    counted = {"type": "object", "properties": {"repeat": {"type": "integer"}, "text": {"type": "string"}}}
    nested = {"type": "object", "properties": {"tree": {"type": "array", "items": {}}}}
    text = {"type": "object", "properties": {"note": {"type": "string"}}}
    picks = {
        name: expensive_case(schema)
        for name, schema in {
            "sql": sql,
            "expression": p.CALCULATOR_SCHEMA,
            "count": counted,
            "nested": nested,
            "text": text,
        }.items()
    }
    assert {n: (c.field, c.constraint) for n, c in picks.items() if c} == {
        "sql": ("query", "recursive-query"),
        "expression": ("expression", "huge-exponent"),
        "count": ("repeat", "huge-count"),
        "nested": ("tree", "deep-nesting"),
        "text": ("note", "deep-nesting"),
    }
    assert picks["sql"] is not None
    assert picks["sql"].arguments["query"] == RECURSIVE_SQL
    assert picks["expression"] is not None
    assert picks["expression"].arguments["expression"] == HUGE_EXPONENT
    assert picks["count"] is not None
    assert picks["count"].arguments["repeat"] == HUGE_COUNT
    assert picks["text"] is not None
    assert picks["text"].arguments["note"] == DEEP_BRACKETS


def test_deep_nesting_is_within_what_the_official_sdk_can_send_and_parse() -> None:
    nested = {"type": "object", "properties": {"tree": {"type": "array", "items": {}}}}
    case = expensive_case(nested)
    assert case is not None
    request = types.CallToolRequest(params=types.CallToolRequestParams(name="t", arguments=case.arguments))
    wire = request.model_dump_json(by_alias=True)
    assert json.dumps(case.arguments).count("[") == NESTING_DEPTH
    assert (
        types.JSONRPCRequest.model_validate_json(
            json.dumps({"jsonrpc": "2.0", "id": 1, **json.loads(wire)})
        ).method
        == "tools/call"
    )


def test_a_tool_with_nothing_to_send_it_in_has_no_expensive_input() -> None:
    flags = {"type": "object", "properties": {"verbose": {"type": "boolean"}}}
    assert expensive_case(flags) is None


# -- end to end, through the official client ---------------------------------------------------------


def test_an_object_parameter_reaches_the_server_as_a_real_object() -> None:
    server = s.build([s.FakeTool("count_orders_by_status", p.count_orders, input_schema=p.FILTER_SCHEMA)])
    report = check(server)
    assert "errors.valid-rejected" not in rules_of(report)
    assert "errors.field-not-named" not in rules_of(report)


def test_a_negative_limit_that_returns_every_row_is_over_budget() -> None:
    schema = p.listing_schema({"type": "integer", "maximum": 50})
    flawed = s.build([s.FakeTool("list_rows_by_id", p.list_rows, input_schema=schema)])
    fired = [f for f in check(flawed).findings if f.rule == "output.over-budget"]
    assert fired
    assert any(f.evidence.call and f.evidence.call["arguments"] == {"limit": -1} for f in fired)
    bounded = p.listing_schema({"type": "integer", "minimum": 1, "maximum": 50})
    sound = s.build([s.FakeTool("list_rows_by_id", p.list_rows_soundly, input_schema=bounded)])
    assert "output.over-budget" not in rules_of(check(sound))


def test_a_listing_is_measured_at_its_maximum_limit() -> None:
    schema = p.listing_schema({"type": "integer", "minimum": 1, "maximum": 5000})
    flawed = s.build([s.FakeTool("list_rows_by_id", p.list_rows, input_schema=schema)])
    fired = [f for f in check(flawed).findings if f.rule == "output.over-budget"]
    assert any(f.evidence.call and f.evidence.call["arguments"] == {"limit": 5000} for f in fired)


def test_a_fractional_limit_that_reaches_the_driver_is_a_leak() -> None:
    schema = p.listing_schema({"type": "number", "minimum": 0, "maximum": 100})
    flawed = s.build([s.FakeTool("list_ids_in_order", p.list_rows_by_sql, input_schema=schema)])
    leaks = [f for f in check(flawed).findings if f.rule == "errors.leak"]
    assert leaks
    assert leaks[0].evidence.call is not None
    assert leaks[0].evidence.call["arguments"] == {"limit": 1.5}


def test_an_expression_that_hangs_the_server_is_a_crash_and_does_not_hang_the_check() -> None:
    seen: list[str] = []
    started = time.monotonic()
    hanging = p.evaluator(hangs=True, seen=seen)
    report = check(
        s.build([s.FakeTool("evaluate_expression", hanging, input_schema=p.CALCULATOR_SCHEMA)]), timeout=0.5
    )
    assert time.monotonic() - started < 30
    crashes = [f for f in report.findings if f.rule == "errors.crash"]
    assert crashes
    assert "huge-exponent" in crashes[0].message
    assert HUGE_EXPONENT in seen


def test_an_evaluator_that_refuses_an_exponent_tower_at_once_is_not_a_crash() -> None:
    seen: list[str] = []
    bounded = p.evaluator(hangs=False, seen=seen)
    report = check(
        s.build([s.FakeTool("evaluate_expression", bounded, input_schema=p.CALCULATOR_SCHEMA)]), timeout=2.0
    )
    assert HUGE_EXPONENT in seen
    assert "errors.crash" not in rules_of(report)


def test_a_huge_count_is_sent_to_a_read_only_tool_and_never_to_a_write() -> None:
    schema = {
        "type": "object",
        "properties": {"copies": {"type": "integer", "minimum": 1, "description": "How many copies."}},
        "required": ["copies"],
        "additionalProperties": False,
    }
    for hints, expected in ((s.READ, True), (s.WRITE_IDEMPOTENT, False)):
        seen: list[Any] = []

        async def record(args: dict[str, Any], seen: list[Any] = seen) -> Any:
            seen.append(args.get("copies"))
            return s.ok({"copies": args.get("copies")})

        server = s.build([s.FakeTool("print_copies", record, input_schema=schema, annotations=hints)])
        check(server, allow_writes=True)
        assert (HUGE_COUNT in seen) is expected


def test_an_optional_integer_as_pydantic_writes_it_gets_its_zero_and_negative_edges() -> None:
    schema = {
        "type": "object",
        "properties": {
            "position": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
        },
    }
    edges = {
        (c.constraint, c.arguments.get("position")) for c in awkward_cases(schema) if c.kind == "hostile"
    }
    assert {("zero", 0), ("negative", -1)} <= edges


def test_a_recursive_model_is_sampled_to_a_bounded_depth() -> None:
    """A tree whose nodes hold nodes (pydantic's $defs): once a RecursionError that hung the whole check."""
    node = {
        "type": "object",
        "properties": {
            "label": {"type": "string", "maxLength": 20},
            "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
        },
        "required": ["label"],
    }
    schema = {
        "type": "object",
        "properties": {"tree": {"$ref": "#/$defs/Node"}},
        "required": ["tree"],
        "$defs": {"Node": node},
    }
    samples = valid_samples(schema)
    assert samples
    depth, level = 0, samples[-1]["tree"]
    while level.get("children"):
        depth, level = depth + 1, level["children"][0]
    assert 1 <= depth <= 8
    assert all(is_schema_valid(schema, s) is not False for s in samples)
    looped = {
        **node,
        "required": ["label", "children"],
        "properties": {
            **node["properties"],
            "children": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Node"}},
        },
    }
    # a model that requires itself has no finite instance: bounded, no error, nothing valid to send
    assert valid_samples({**schema, "$defs": {"Node": looped}}) == []
