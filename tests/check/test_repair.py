"""The repairer fixes a rejected call from the error alone, and the repair rate is measured and reported.

``propose`` is specified on error texts as servers write them; the probe, the rate, the rule
``errors.not-repairable`` and the repair-based readings of ``errors.field-not-named`` and
``errors.expected-not-stated`` end to end on fixture servers (tests/check/probe_servers.py) and on helpdesk.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from helpdesk import app
from helpdesk.db import Database
from tests.check import probe_servers as p
from tests.check import servers as s
from wireproof import LOCAL_OPERATOR
from wireproof.check import CheckOptions, Observer, Report, Target, run_check
from wireproof.check.model import CallRecord
from wireproof.check.repair import ErrorReading, fresh_key, fresh_targets, propose, read_error
from wireproof.check.report import render
from wireproof.idempotency import IdempotencyStore
from wireproof.testing import check_connector

PARAMETERS = {
    "name": "example",
    "shade": "light",
    "limit": 1,
    "start_date": "2026-01-01",
    "end_date": "2026-01-31",
}


def check(server: Any, **options: Any) -> Report:
    return anyio.run(run_check, Target(server=server), CheckOptions(**options))


def rules_of(report: Report) -> set[str]:
    return {f.rule for f in report.findings}


def fix(arguments: dict[str, Any], text: str, typed: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return propose(arguments, ErrorReading(text, typed), PARAMETERS).arguments


# -- the repairer reads the error --------------------------------------------------------------------


def test_an_unknown_argument_the_error_names_is_dropped() -> None:
    fixed = fix({"name": "x", "colour_hint": 1}, "Unknown argument colour_hint; allowed: name, shade.")
    assert fixed == {"name": "x"}


def test_a_missing_field_the_error_names_is_added_with_a_valid_sample() -> None:
    assert fix({}, "name is required.") == {"name": "example"}


def test_an_allowed_value_the_error_lists_replaces_the_wrong_one() -> None:
    text = '- shade: is not one of the allowed values. Expected one of "light", "dark"; you passed "pink".'
    assert fix({"name": "x", "shade": "pink"}, text) == {"name": "x", "shade": "light"}


def test_a_stated_bound_brings_the_value_within_it() -> None:
    assert fix({"limit": 101}, "limit must be at most 100") == {"limit": 100}
    assert fix({"limit": 0}, "limit: expected an integer from 1 to 100; you passed 0") == {"limit": 1}
    assert fix({"name": "x" * 60}, "name is too long (maximum 50 characters)") == {"name": "x" * 50}
    assert fix({"name": "x" * 9}, "name: expected a value that fits the schema (maxLength 4)") == {
        "name": "xxxx"
    }


def test_a_stated_type_gives_a_value_of_that_type() -> None:
    text = "- limit: has the wrong type (string). Expected an integer from 1 to 100; you passed '12'."
    assert fix({"limit": "12"}, text) == {"limit": 1}  # the tool's own integer, not a guess from "12"
    assert fix({"name": 12345}, "name: has the wrong type (number). Expected a string.") == {
        "name": "example"
    }
    listed = "name\n  Input should be a valid list [type=list_type, input_value='x', input_type=str]"
    assert fix({"name": "x"}, listed) == {"name": ["x"]}
    unknown_sample = propose({"count": "12"}, ErrorReading("count: expected an integer"), {"count": None})
    assert unknown_sample.arguments == {"count": 12}


def test_quoted_alternatives_the_error_lists_give_the_value() -> None:
    text = "Invalid arguments for tool list: Expected 'name' | 'size', received number at sortBy"
    proposal = propose({"path": "/", "sortBy": 12345}, ErrorReading(text), {"path": "/", "sortBy": "size"})
    assert proposal.arguments == {"path": "/", "sortBy": "name"}


def test_zod_4_issues_that_end_in_at_path_are_read_as_about_that_field() -> None:
    # hold-out 7 (calc-mcp, TypeScript SDK 1.30 with zod 4): the field comes last, and the tool's own name
    # (color) or a word of the message ("to have") may also be a parameter's
    parameters = {"color": "#ff0000", "to": "rgb", "from": "hex", "input": "a"}
    enum = 'MCP error -32602: Input validation error: Invalid arguments for tool color: Invalid option: expected one of "hex"|"rgb"|"hsl" at to'
    proposal = propose({"color": "#ff0000", "to": 12345}, ErrorReading(enum), parameters)
    assert proposal.named == {"to"}
    assert proposal.arguments == {"color": "#ff0000", "to": "hex"}
    long = "Invalid arguments for tool convert: Too big: expected string to have <=64 characters at from"
    proposal = propose({"from": "x" * 70, "to": "rgb"}, ErrorReading(long), parameters)
    assert proposal.named == {"from"}
    assert proposal.arguments == {"from": "x" * 64, "to": "rgb"}
    limit = "Invalid arguments for tool base64: Input too long (max: 1000000 chars) at input"
    proposal = propose({"input": "x" * 1_000_001}, ErrorReading(limit), parameters)
    assert proposal.named == {"input"}
    assert proposal.arguments == {"input": "x" * 1_000_000}
    vague = propose(
        {"value": [1]},
        ErrorReading("Invalid arguments for tool base: Invalid input at value"),
        {"value": "1"},
    )
    assert vague.named == {"value"}
    assert vague.stated == set()  # named, but nothing said of what to send


def test_a_parameter_named_in_prose_counts_as_named() -> None:
    proposal = propose({"confirm": True}, ErrorReading("Error: Table name is required"), {"table_name": "t"})
    assert proposal.named == {"table_name"}
    assert proposal.arguments == {"confirm": True, "table_name": "t"}


def test_a_stated_format_or_example_gives_the_value() -> None:
    assert fix({"start_date": "01/02/2026"}, "start_date must be a date as YYYY-MM-DD") == {
        "start_date": "2026-01-15"
    }
    assert fix({"name": "?"}, "name is not valid, e.g. 'teal'") == {"name": "teal"}
    pattern = r"name: does not match the required pattern. Expected a string matching ^[a-z]{3}\d$"
    assert fix({"name": "!!"}, pattern) == {"name": "aaa0"}


def test_a_date_range_is_repaired_from_the_bound_the_error_states() -> None:
    text = "end_date must be on or after start_date (2026-05-10); you passed end_date=2026-05-01."
    arguments = {"start_date": "2026-05-10", "end_date": "2026-05-01"}
    assert fix(arguments, text) == {"start_date": "2026-05-10", "end_date": "2026-05-10"}
    assert fix(arguments, "end_date must be after 2026-05-10")["end_date"] == "2026-05-11"


def test_a_typed_error_is_read_when_the_text_says_nothing() -> None:
    typed = ({"field": "shade", "expected": ["light", "dark"]},)
    assert fix({"name": "x", "shade": "pink"}, "Invalid arguments.", typed) == {"name": "x", "shade": "light"}


def test_read_error_finds_field_errors_in_meta_and_structured_content() -> None:
    record = CallRecord("t", {}, "violation", "result", 1.0, is_error=True, text="Invalid.")
    record.meta = {"io.example/error": {"type": "invalid_input", "fields": [{"field": "name"}]}}
    record.structured = {"error": {"errors": [{"path": ["shade"], "message": "bad"}]}}
    reading = read_error(record)
    assert reading.text == "Invalid."
    assert reading.typed == ({"field": "name"}, {"path": ["shade"], "message": "bad"})


def test_an_error_that_names_nothing_and_states_nothing_gives_no_fix() -> None:
    proposal = propose({"name": "x" * 60}, ErrorReading("Bad request."), PARAMETERS)
    assert proposal.arguments == {"name": "x" * 60}
    assert proposal.fixes == []
    assert proposal.named == set()


def test_an_error_that_names_the_field_but_states_nothing_names_without_fixing() -> None:
    proposal = propose({"name": "x" * 60}, ErrorReading("name must be valid."), PARAMETERS)
    assert proposal.named == {"name"}
    assert proposal.stated == set()
    assert proposal.fixes == []


def test_a_repaired_write_gets_a_key_of_its_own_derived_from_its_arguments() -> None:
    first = fresh_key({"body": "a", "idempotency_key": "k"}, "idempotency_key")
    assert first == fresh_key({"body": "a", "idempotency_key": "other"}, "idempotency_key")
    assert first != fresh_key({"body": "b", "idempotency_key": "k"}, "idempotency_key")


# -- the rate and the rule, end to end ---------------------------------------------------------------


def test_teaching_errors_are_repaired_and_the_rule_stays_quiet() -> None:
    report = check(p.colour_server(p.teaching_errors))
    (rate,) = report.repair
    assert rate.tool == "get_colour_by_name"
    assert rate.rejections >= 5
    assert rate.repaired == rate.rejections
    assert "errors.not-repairable" not in rules_of(report)


def test_vague_errors_are_not_repairable() -> None:
    async def vague(args: dict[str, Any]) -> Any:
        return s.tool_error("Bad request.") if p._colour_problem(args) else s.ok({"colour": "blue"})

    report = check(p.colour_server(vague))
    (rate,) = report.repair
    assert rate.repaired == 0
    (finding,) = [f for f in report.findings if f.rule == "errors.not-repairable"]
    assert f"0 of {rate.rejections}" in finding.message
    assert finding.evidence.note is not None
    assert "names no argument" in finding.evidence.note


def test_the_field_named_only_in_a_typed_error_in_meta_counts_as_named() -> None:
    report = check(p.colour_server(p.meta_only_errors))
    assert "errors.field-not-named" not in rules_of(report)
    (rate,) = report.repair
    assert rate.repaired * 2 >= rate.rejections


def test_an_error_that_only_says_must_be_valid_does_not_state_what_is_expected() -> None:
    report = check(p.colour_server(p.must_be_valid_errors))
    assert "errors.expected-not-stated" in rules_of(report)
    assert "errors.not-repairable" in rules_of(report)
    assert "errors.field-not-named" not in rules_of(report)


def test_rejections_are_graded_even_when_the_valid_sample_fails_for_another_reason() -> None:
    report = check(p.colour_server(p.unknown_colour_or_vague))
    assert "errors.valid-rejected" not in rules_of(report)  # a lookup miss on the generated name
    assert {"errors.field-not-named", "errors.not-repairable"} <= rules_of(report)


def test_a_tool_refusing_every_call_alike_is_not_judged_on_repairs() -> None:
    async def always_refuses(args: dict[str, Any]) -> Any:
        return s.tool_error("Repository path 'example' is outside the allowed repository.")

    report = check(p.colour_server(always_refuses))
    assert report.repair == []
    assert "errors.not-repairable" not in rules_of(report)


def test_the_repair_rate_is_in_the_json_text_and_html_reports() -> None:
    report = check(p.colour_server(p.teaching_errors))
    (rate,) = report.repair
    document = report.to_json()["repair"]
    assert document["overall"] == {"rejections": rate.rejections, "repaired": rate.repaired, "rate": 1.0}
    assert document["tools"] == [{"tool": "get_colour_by_name", **document["overall"]}]
    expected = f"{rate.repaired} of {rate.rejections} (100%)"
    assert "Repair rate" in render(report, "text")
    assert expected in render(report, "text")
    assert "<h2>Repair rate</h2>" in render(report, "html")
    assert expected in render(report, "html")


@pytest.mark.parametrize("allow_writes", [False, True], ids=["read-only", "writes"])
def test_helpdesk_errors_are_repairable_at_least_95_percent(
    database: Database, store: IdempotencyStore, allow_writes: bool
) -> None:
    observers = [Observer("get_ticket", {"ticket_id": 1})] if allow_writes else []
    report = check_connector(
        app,
        database,
        CheckOptions(allow_writes=allow_writes, observers=observers),
        store=store,
        principal=LOCAL_OPERATOR,
    )
    overall = report.repair_overall
    assert overall.rejections >= 50
    assert overall.rate is not None
    assert overall.rate >= 0.95, [(r.tool, r.repaired, r.rejections) for r in report.repair]
    assert report.findings == []


# -- errors as SDKs write them -----------------------------------------------------------------------


def test_a_zod_dump_in_a_protocol_error_is_read() -> None:
    text = (
        "MCP error -32602: Invalid arguments for tool get_colour_by_name: [\n  {\n"
        '    "code": "invalid_type",\n    "expected": "string",\n    "received": "number",\n'
        '    "path": [\n      "name"\n    ],\n    "message": "Expected string, received number"\n  }\n]'
    )
    assert fix({"name": 12345}, text) == {"name": "example"}


def test_a_pydantic_dump_is_read() -> None:
    text = (
        "Error executing tool get_colour_by_name: 2 validation errors for get_colour_by_nameArguments\n"
        "name\n  Input should be a valid string [type=string_type, input_value=12345, input_type=int]\n"
        "colour_hint\n  Extra inputs are not permitted [type=extra_forbidden, input_value=1, input_type=int]"
    )
    assert fix({"name": 12345, "colour_hint": 1}, text) == {"name": "example"}


def test_a_placeholder_refused_again_with_the_awkward_value_echoed_is_the_same_failure() -> None:
    from wireproof.check.repair import same_failure

    def refusal(value: str) -> CallRecord:
        return CallRecord(
            "t", {"zone": value}, "valid", "result", 1.0, is_error=True, text=f"Invalid timezone: {value!r}"
        )

    assert same_failure(refusal("x" * 5000), refusal("example"))
    other = CallRecord("t", {"zone": "x"}, "violation", "result", 1.0, is_error=True, text="zone is too long")
    assert not same_failure(other, refusal("example"))


def test_a_member_of_an_object_argument_is_repaired_one_level_down() -> None:
    text = (
        "Error executing tool count_orders: 1 validation error for count_ordersArguments\n"
        "filter.status\n  Field required [type=missing, input_value={}, input_type=dict]"
    )
    parameters = {"filter": {"status": "open", "min_total": 0}}
    proposal = propose({"filter": {}}, ErrorReading(text), parameters)
    assert proposal.arguments == {"filter": {"status": "open"}}
    assert proposal.stated == {"filter"}
    typed = ({"path": ["filter", "status"], "expected": ["open", "closed"]},)
    nested = propose({"filter": {"status": "pink"}}, ErrorReading("Invalid input", typed), parameters)
    assert nested.arguments == {"filter": {"status": "open"}}


# -- a create-once tool: the repaired call must not reuse what the checker's own first write created -------


class Files:
    """create_file refuses a path that exists ("already exists", soundly); a missing path is named."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    async def create(self, args: dict[str, Any]) -> Any:
        path = args.get("path")
        if set(args) - {"path", "content"}:
            return s.good_error(sorted(set(args) - {"path", "content"})[0], "only path and content")
        if not isinstance(path, str) or not path or len(path) > 80:
            return s.good_error("path", "a relative file path of at most 80 characters, e.g. notes/a.md")
        content = args.get("content", "")
        if not isinstance(content, str) or len(content) > 1000:
            return s.good_error("content", "a string of at most 1000 characters")
        if path in self.paths:
            return s.tool_error(f"File {path!r} already exists; choose another path. Do not retry.")
        self.paths.add(path)
        return s.ok({"created": path})

    def server(self) -> Any:
        schema = {
            "type": "object",
            "properties": {
                "path": {"type": "string", "minLength": 1, "maxLength": 80, "description": "Relative path."},
                "content": {"type": "string", "maxLength": 1000, "description": "The text."},
            },
            "required": ["path"],
            "additionalProperties": False,
        }
        tool = s.FakeTool(
            "create_file",
            self.create,
            description="Create a file.",
            input_schema=schema,
            annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False},
        )
        return s.build([tool])


def test_a_create_once_tool_is_repaired_with_a_fresh_path_not_the_one_its_first_write_created() -> None:
    report = check(
        Files().server(), allow_writes=True, tool_arguments={"create_file": {"path": "notes/wp.md"}}
    )
    assert "errors.not-repairable" not in rules_of(report)
    (rate,) = report.repair
    assert rate.rejections > 0
    assert rate.repaired == rate.rejections


def test_fresh_targets_change_only_what_a_create_once_tool_creates() -> None:
    copy = {"source": "/d/book.xlsx", "destination": "/d/copy.xlsx"}
    fresh = fresh_targets("copy_workbook", copy, set(copy.items()), copy)
    assert fresh["source"] == "/d/book.xlsx"
    assert fresh["destination"].startswith("/d/copy-wpr")
    assert fresh["destination"].endswith(".xlsx")
    other = {"source": "/d/book.xlsx", "destination": "/d/other.xlsx"}
    assert fresh_targets("copy_workbook", other, set(copy.items()), copy) == other
    one = {"file": "/d/new.xlsx"}
    params = {"file": "/d/new.xlsx", "sheet_name": "Sheet1"}
    assert fresh_targets("create_workbook_file", one, set(one.items()), params)["file"].startswith(
        "/d/new-wpr"
    )
    sheet = {"file": "/d/book.xlsx", "source_name": "Sales", "new_name": "Copy"}
    fresh = fresh_targets("copy_sheet", sheet, set(sheet.items()), sheet)
    assert fresh["file"] == "/d/book.xlsx"  # the container, not what is created
    assert fresh["new_name"].startswith("Copy-wpr")
    cell = {"file": "/d/book.xlsx", "cell": "D1", "value": "x"}
    assert fresh_targets("write_cell", cell, set(cell.items()), cell) == cell
    ranged = {"file": "/d/book.xlsx", "source_range": "A1:B2", "dest_start": "F1"}
    assert fresh_targets("copy_range", ranged, set(ranged.items()), ranged) == ranged
