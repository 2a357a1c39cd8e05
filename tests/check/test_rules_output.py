"""Output rules on evidence: lists are judged by how they behave, and the tool listing counts against the budget."""

from __future__ import annotations

from typing import Any

from tests.check import servers as s
from tests.check.test_rules import check
from wireproof.check import Observer
from wireproof.check.model import Finding, Report

PAGING = "output.list-without-paging"
LISTING = "output.listing-over-budget"
COVERED = {LISTING}
"""The rules this file makes fire (test_rules.py checks every rule fires somewhere)."""

NO_PARAMETERS = {"type": "object", "properties": {}, "additionalProperties": False}
ITEMS_OUTPUT = {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "string"}}}}


def findings(report: Report, rule_id: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule_id]


def listing(count: int, output_schema: dict[str, Any] | None = ITEMS_OUTPUT) -> Any:
    async def handler(args: dict[str, Any]) -> Any:
        return s.ok({"items": [f"item-{i}" for i in range(count)]})

    return s.build(
        [
            s.FakeTool(
                "list_colour_names",
                handler,
                description="List colour names.",
                input_schema=NO_PARAMETERS,
                output_schema=output_schema,
            )
        ]
    )


def test_a_long_unbounded_list_without_limit_or_cursor_needs_paging() -> None:
    (found,) = findings(check(listing(30)), PAGING)
    assert "30 items" in found.message
    assert found.evidence.call is not None


def test_a_long_list_without_an_output_schema_is_judged_from_the_answer() -> None:
    assert findings(check(listing(30, output_schema=None)), PAGING)


def test_a_short_list_is_no_evidence_of_a_missing_limit() -> None:
    assert not findings(check(listing(3)), PAGING)


def test_a_list_the_output_schema_bounds_needs_no_paging() -> None:
    bounded = {"type": "object", "properties": {"items": {"type": "array", "maxItems": 50}}}
    assert not findings(check(listing(30, output_schema=bounded)), PAGING)


class Board:
    """Writes pin notes; an observer lists every pin, with no limit: the list grows with the data."""

    def __init__(self) -> None:
        self.pins: list[str] = []

    async def pin(self, args: dict[str, Any]) -> Any:
        if set(args) != {"body"} or not isinstance(args["body"], str) or len(args["body"]) > 100:
            return s.good_error("body", "a string of at most 100 characters")
        self.pins.append(args["body"])
        return s.ok({"count": len(self.pins)})

    async def list_pins(self, args: dict[str, Any]) -> Any:
        return s.ok({"items": list(self.pins)})

    def server(self) -> Any:
        body = {"type": "string", "description": "The text.", "maxLength": 100}
        return s.build(
            [
                s.FakeTool(
                    "pin_note",
                    self.pin,
                    description="Pin a note.",
                    input_schema={
                        "type": "object",
                        "properties": {"body": body},
                        "required": ["body"],
                        "additionalProperties": False,
                    },
                    annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False},
                ),
                s.FakeTool(
                    "list_pinned_notes",
                    self.list_pins,
                    description="List every pinned note.",
                    input_schema=NO_PARAMETERS,
                    output_schema=ITEMS_OUTPUT,
                ),
            ],
            validate=True,
        )


def test_a_list_observed_to_grow_with_the_data_needs_paging_even_while_short() -> None:
    report = check(Board().server(), allow_writes=True, observers=[Observer("list_pinned_notes", {})])
    (found,) = findings(report, PAGING)
    assert found.tool == "list_pinned_notes"
    assert "grew with the data" in found.message


def test_without_writes_a_short_list_of_the_same_tool_is_quiet() -> None:
    assert not findings(check(Board().server()), PAGING)


# -- output.listing-over-budget ---------------------------------------------------------------------------


def wordy_server(tools: int, description_chars: int) -> Any:
    words = ("Look up the colour of a named thing, in painstaking detail. " * 200)[:description_chars]
    return s.build(
        [s.FakeTool(f"get_colour_{i}_by_name", s.strict_colour, description=words) for i in range(tools)]
    )


def test_a_tools_list_over_the_warning_level_is_a_warning_and_over_the_limit_an_error() -> None:
    # 12 tools of 4,000-character descriptions: about 50 KB, 12,000 tokens, as a 46-tool listing was seen at 74 KB
    (warned,) = findings(check(wordy_server(12, 4000)), LISTING)
    assert warned.severity == "warning"
    assert warned.tool is None
    assert "12 tools" in warned.message
    (failed,) = findings(check(wordy_server(12, 4000), warn_tokens=2000, error_tokens=5000), LISTING)
    assert failed.severity == "error"


def test_a_small_tools_list_is_within_budget() -> None:
    assert not findings(check(wordy_server(12, 200)), LISTING)


def test_the_rationales_quote_the_thresholds_the_rules_apply() -> None:
    """A rule's docstring is its rationale; where it names a threshold, it names the one in the code."""
    from wireproof.check.generate import LONG_QUERY_ROWS
    from wireproof.check.rules import REGISTRY
    from wireproof.check.rules.output import JSON_TEXT_LARGE, LONG_LIST

    assert f"held {LONG_LIST} or more items" in REGISTRY["output.list-without-paging"].rationale
    assert f"under {LONG_LIST} items" in REGISTRY["output.list-without-paging"].rationale
    assert f"for {LONG_QUERY_ROWS:,} generated rows" in REGISTRY["output.list-without-paging"].rationale
    assert f"least {JSON_TEXT_LARGE:,} bytes" in REGISTRY["output.json-in-text"].rationale
