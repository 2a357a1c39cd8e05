"""General edge probes (issue 12, the hold-out's errors and protocol misses): each rule fires on a fixture
server that has the flaw (tests/check/edge_servers.py) and stays quiet on its sound twin."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio

from tests.check import edge_servers as e
from tests.check.test_rules import check
from wireproof.check.client import Target
from wireproof.check.config import CheckOptions
from wireproof.check.edges import (
    CATASTROPHIC_SUBJECT,
    DECODER_GARBAGE,
    MULTI_STATEMENT,
    NOT_LISTED,
    STATEMENT_MARKS,
    duration_like,
    prose_values,
)
from wireproof.check.model import TEXT_NOISE, CallRecord, Finding, Observations, Report
from wireproof.check.rules.errors import nothing
from wireproof.check.runner import run_check

ROOT = Path(__file__).resolve().parents[2]
UNKNOWN_AS_RESULT = "protocol.unknown-tool-as-result"
LEAK = "errors.leak"
MALFORMED = "errors.malformed-accepted"
CRASH = "errors.crash"
PROSE = "schema.enum-in-prose"
WILDCARD = "errors.search-wildcards-unescaped"
DROPPED = "errors.statement-dropped"
EMPTY = "errors.empty-statement-accepted"
COVERED = {UNKNOWN_AS_RESULT, WILDCARD, DROPPED, EMPTY}
"""The rules this file adds, each made to fire (and kept quiet) here."""


def found(report: Report, rule_id: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule_id]


# -- 1. an unknown tool answered as a tool result -------------------------------------------------------


def test_an_unknown_tool_answered_as_an_is_error_result_is_a_protocol_warning() -> None:
    report = check(e.unknown_tool_server(as_result=True))
    (finding,) = found(report, UNKNOWN_AS_RESULT)
    assert finding.severity == "warning"
    assert finding.category == "protocol"
    assert finding.evidence.call == {"tool": "wireproof_no_such_tool", "arguments": {}}
    assert finding.evidence.answer is not None
    assert '"isError": true' in finding.evidence.answer
    assert not found(report, "protocol.unknown-tool-accepted")  # a refusal, not a success


def test_an_unknown_tool_answered_with_json_rpc_invalid_params_is_quiet() -> None:
    report = check(e.unknown_tool_server(as_result=False))
    assert not found(report, UNKNOWN_AS_RESULT)
    assert not found(report, "protocol.unknown-tool-accepted")


# -- 2. huge integers: the interpreter's overflow text is a leak -------------------------------------------


def test_a_huge_integer_answered_with_the_interpreters_overflow_text_is_a_leak() -> None:
    report = check(e.timers(sound=False), allow_writes=True)
    (finding,) = found(report, LEAK)
    assert finding.tool == "timer_set"
    assert finding.severity == "warning"
    assert finding.message == "An answer contains an interpreter message."
    assert finding.evidence.call is not None
    assert finding.evidence.call["arguments"]["fire_in_seconds"] == 2**53 + 1
    assert "Python int too large to convert" in (finding.evidence.answer or "")


def test_a_huge_integer_refused_with_the_bound_is_no_leak() -> None:
    report = check(e.timers(sound=True), allow_writes=True)
    assert not found(report, LEAK)
    calls = {c.constraint for c in report_calls(e.timers(sound=True), allow_writes=True)}
    assert {"huge-integer", "huge-integer-1e30"} <= calls  # the probe ran, and was refused


def test_huge_integers_go_to_a_write_only_with_allow_writes() -> None:
    calls = report_calls(e.timers(sound=False))
    assert not [c for c in calls if c.tool == "timer_set"]


# -- 3. a negative duration accepted ----------------------------------------------------------------------


def test_a_negative_duration_answered_as_a_success_is_malformed_accepted() -> None:
    report = check(e.timers(sound=False), allow_writes=True)
    negative = [f for f in found(report, MALFORMED) if "negative duration" in f.message]
    (finding,) = negative
    assert finding.severity == "warning"
    assert finding.evidence.call is not None
    assert finding.evidence.call["arguments"]["recurring_seconds"] == -1


def test_a_negative_duration_refused_is_quiet() -> None:
    report = check(e.timers(sound=True), allow_writes=True)
    assert not [f for f in found(report, MALFORMED) if "negative" in f.message]


def test_duration_names_are_recognised() -> None:
    for name in ("timeout", "ttl", "delay_ms", "fireInSeconds", "retry_days", "interval", "cache_minutes"):
        assert duration_like(name), name
    for name in ("name", "limit", "status", "milestone", "utc_offset_minutes", "shift_days"):
        assert not duration_like(name), name


# -- 4. domain-invalid expressions ------------------------------------------------------------------------


def test_division_by_zero_and_a_huge_power_answered_with_pythons_text_are_a_leak() -> None:
    report = check(e.calculator(sound=False))
    (finding,) = found(report, LEAK)  # one per tool and kind, however many probes hit it
    assert finding.tool == "calculate"
    assert finding.evidence.call is not None
    assert finding.evidence.call["arguments"]["expression"] in ("1/0", "(10**100)**100", "(10^100)^100")
    calls = report_calls(e.calculator(sound=False))
    kinds = ("division-by-zero", "huge-power", "huge-power-caret")
    answers = {c.constraint: c.text for c in calls if c.constraint in kinds}
    assert "division by zero" in answers["division-by-zero"]
    assert "set_int_max_str_digits" in answers["huge-power"]
    assert "set_int_max_str_digits" in answers["huge-power-caret"]  # (10^100)^100 where ^ is the power


def test_domain_errors_said_in_the_callers_terms_are_quiet() -> None:
    report = check(e.calculator(sound=True))
    assert not found(report, LEAK)
    assert not found(report, CRASH)


# -- 6. decoder garbage ------------------------------------------------------------------------------------


def test_garbage_decoded_to_an_empty_success_is_malformed_accepted() -> None:
    report = check(e.decoder(sound=False))
    (finding,) = [f for f in found(report, MALFORMED) if "decoded to an empty success" in f.message]
    assert finding.severity == "warning"
    assert finding.evidence.call == {"tool": "base64_decode", "arguments": {"data": DECODER_GARBAGE}}
    assert json.loads(finding.evidence.answer or "{}")["text"] == '{"text": ""}'


def test_garbage_refused_by_a_decoder_is_quiet() -> None:
    assert not found(check(e.decoder(sound=True)), MALFORMED)


# -- 7. values listed in the tool description ----------------------------------------------------------


def test_values_listed_in_the_tool_description_are_enum_in_prose_and_probed() -> None:
    report = check(e.todos(refuses=False))
    (prose,) = found(report, PROSE)
    assert prose.tool == "todo_list"
    assert "open | in_progress | done" in prose.message
    (finding,) = [
        f for f in found(report, MALFORMED) if "outside the values the description lists" in f.message
    ]
    assert finding.severity == "warning"
    assert finding.evidence.call == {"tool": "todo_list", "arguments": {"status": NOT_LISTED}}
    assert json.loads(json.loads(finding.evidence.answer or "{}")["text"]) == {"count": 0, "items": []}


def test_a_value_outside_the_described_list_refused_is_no_errors_finding() -> None:
    report = check(e.todos(refuses=True))
    assert found(report, PROSE)  # the schema still lacks the enum
    assert not found(report, MALFORMED)


def test_values_in_a_real_enum_are_neither_prose_nor_probed_as_prose() -> None:
    report = check(e.todos(refuses=False, enum=True))
    assert not found(report, PROSE)
    assert not [c for c in report_calls(e.todos(refuses=False, enum=True)) if c.constraint == "not-listed"]


def test_prose_values_reads_the_two_forms() -> None:
    assert prose_values("List todos. status: open|in_progress|done.", "status") == [
        "open",
        "in_progress",
        "done",
    ]
    assert prose_values("The mode must be one of: fast, slow or safe.", "mode") == ["fast", "slow", "safe"]
    assert prose_values("name: the thing's name, or its id", "name") is None
    assert prose_values("status: open|done", "state") is None


# -- 8. wildcards passed through a search -------------------------------------------------------------------


def test_a_search_that_passes_like_wildcards_through_is_reported() -> None:
    report = check(e.notes(escapes=False))
    (finding,) = found(report, WILDCARD)
    assert finding.tool == "list_notes"
    assert finding.severity == "warning"
    assert finding.evidence.call is not None
    assert finding.evidence.call["arguments"]["search"] == "%"
    assert "big note 0" in (finding.evidence.answer or "")


def test_a_search_that_escapes_wildcards_is_quiet() -> None:
    report = check(e.notes(escapes=True))
    assert not found(report, WILDCARD)
    percent = next(c for c in report_calls(e.notes(escapes=True)) if c.constraint == "wildcard-percent")
    assert "100% sure" in percent.text
    assert "big note" not in percent.text


def test_a_prefix_filter_that_passes_like_wildcards_through_is_reported() -> None:
    # hold-out 4 kb-9: `ns: str | None`, undescribed; the tool says "Optionally filter by ns prefix."
    (finding,) = found(check(e.prefixed_notes(escapes=False)), WILDCARD)
    assert finding.tool == "list_entries"
    assert finding.evidence.call is not None
    assert finding.evidence.call["arguments"]["ns"] == "%"


def test_an_unannotated_list_tool_gets_the_wildcard_searches_with_allow_writes() -> None:
    # hold-out 4 kb-9 as it is: mcp-kb-sqlite's list declares no annotations; named for a read, it is one here
    report = check(e.prefixed_notes(escapes=False, annotated=False), allow_writes=True)
    (finding,) = found(report, WILDCARD)
    assert finding.tool == "list_entries"
    assert not found(check(e.prefixed_notes(escapes=True, annotated=False), allow_writes=True), WILDCARD)
    prose = check(e.prefixed_notes(escapes=False, annotated=False, prose=True), allow_writes=True)
    assert [f.tool for f in found(prose, WILDCARD)] == ["list_entries"]  # 'No entries found.' says none
    escaped = check(e.prefixed_notes(escapes=True, annotated=False, prose=True), allow_writes=True)
    assert not found(escaped, WILDCARD)


def test_a_prefix_filter_that_escapes_wildcards_is_quiet() -> None:
    report = check(e.prefixed_notes(escapes=True))
    assert not found(report, WILDCARD)
    assert any(c.constraint == "wildcard-percent" for c in report_calls(e.prefixed_notes(escapes=True)))


# -- 10. values a description lists, at the top and inside an array's items -------------------------------


def test_values_outside_the_listed_ones_accepted_at_the_top_and_in_items_are_reported() -> None:
    calls = [
        c for c in report_calls(e.todo_list(checks=False), allow_writes=True) if c.constraint == "not-listed"
    ]
    assert {c.field for c in calls} == {"format", "todos[].status"}
    item = next(c for c in calls if c.field == "todos[].status")
    assert item.arguments["todos"][0]["status"] == NOT_LISTED
    report = check(e.todo_list(checks=False), allow_writes=True)
    (finding,) = [f for f in found(report, MALFORMED) if "outside the values" in f.message]
    assert finding.tool == "save_todos"
    assert finding.severity == "warning"


def test_values_outside_the_listed_ones_refused_are_quiet() -> None:
    report = check(e.todo_list(checks=True), allow_writes=True)
    assert not [f for f in found(report, MALFORMED) if "outside the values" in f.message]
    calls = [
        c for c in report_calls(e.todo_list(checks=True), allow_writes=True) if c.constraint == "not-listed"
    ]
    assert len(calls) == 2
    assert all(c.is_error for c in calls)


# -- 9. two statements in one SQL string ------------------------------------------------------------------


def test_a_second_statement_dropped_without_a_word_is_reported() -> None:
    report = check(e.sql_reader(runs="first"))
    (finding,) = found(report, DROPPED)
    assert finding.tool == "run_query"
    assert finding.severity == "warning"
    assert finding.evidence.call is not None
    assert "SELECT statements sent in sql" in finding.message
    (call,) = [c for c in report_calls(e.sql_reader(runs="first")) if c.constraint == "multi-statement"]
    assert call.arguments["sql"] == MULTI_STATEMENT
    assert STATEMENT_MARKS[0] in (finding.evidence.answer or "")
    assert STATEMENT_MARKS[1] not in (finding.evidence.answer or "")


def test_every_statement_run_or_several_refused_is_quiet() -> None:
    for runs in ("all", "refuses"):
        report = check(e.sql_reader(runs=runs))
        assert not found(report, DROPPED), runs
        (call,) = [c for c in report_calls(e.sql_reader(runs=runs)) if c.constraint == "multi-statement"]
        if runs == "all":
            assert STATEMENT_MARKS[1] in call.text
            assert not call.is_error
        else:
            assert call.is_error
            assert "one statement at a time" in call.text


def test_an_empty_statement_answered_as_a_success_is_reported_and_refused_is_quiet() -> None:
    report = check(e.sql_reader(runs="all", empty_ok=True))
    (finding,) = found(report, EMPTY)
    assert (finding.tool, finding.severity, finding.category) == ("run_query", "warning", "errors")
    assert finding.evidence.call == {"tool": "run_query", "arguments": {"sql": ""}}
    assert '\\"rows\\": []' in (finding.evidence.answer or "")
    sound = check(e.sql_reader(runs="all"))
    assert not found(sound, EMPTY)
    (call,) = [c for c in report_calls(e.sql_reader(runs="all")) if c.constraint == "empty-statement"]
    assert call.is_error  # the probe ran: the sound twin refused the empty statement


# -- 5. a catastrophic regular expression, on real stdio servers -----------------------------------------


def stdio(name: str) -> Target:
    return Target(command=(sys.executable, "-m", "tests.check.edge_servers", name), cwd=str(ROOT))


def test_a_catastrophic_regex_that_wedges_the_server_is_a_crash() -> None:
    report = anyio.run(run_check, stdio("regex-flawed"), CheckOptions(timeout=3, concurrency=1))
    (finding,) = found(report, CRASH)
    assert finding.tool == "regex_match"
    assert finding.severity == "error"
    assert "catastrophic-regex" in finding.message
    assert "did not answer tools/list either" in finding.message
    assert finding.evidence.call is not None
    assert finding.evidence.call["arguments"] == {"pattern": "(a+)+$", "text": CATASTROPHIC_SUBJECT}


def test_a_filter_that_knows_only_nested_quantifiers_is_tried_with_an_alternation() -> None:
    # hold-out 7 ca-7: calc-mcp refuses (a+)+$, and (a|a)*$ blocks its event loop
    report = anyio.run(run_check, stdio("regex-filtered"), CheckOptions(timeout=3, concurrency=1))
    (finding,) = found(report, CRASH)
    assert finding.tool == "regex_match"
    assert finding.evidence.call is not None
    assert finding.evidence.call["arguments"] == {"pattern": "(a|a)*$", "text": CATASTROPHIC_SUBJECT}


def test_an_unannotated_regex_tool_named_for_no_write_gets_the_pattern_with_allow_writes() -> None:
    # hold-out 7 ca-7 as it is: calc-mcp's regex declares no annotations
    options = CheckOptions(timeout=3, concurrency=1, allow_writes=True)
    (finding,) = found(anyio.run(run_check, stdio("regex-unannotated"), options), CRASH)
    assert finding.evidence.call is not None
    assert finding.evidence.call["arguments"]["pattern"] == "(a|a)*$"
    quiet = anyio.run(run_check, stdio("regex-unannotated"), CheckOptions(timeout=3, concurrency=1))
    assert not found(quiet, CRASH)  # without --allow-writes an unannotated tool is a write: never called


def test_a_catastrophic_regex_refused_is_quiet() -> None:
    report = anyio.run(run_check, stdio("regex-sound"), CheckOptions(timeout=3, concurrency=1))
    assert not found(report, CRASH)
    assert any(t.name == "regex_match" and t.calls > 0 for t in report.tools)


def report_calls(server: Any, **options: Any) -> list[CallRecord]:
    """The calls a check made (the report keeps findings, not calls): the probe run again, recorded."""
    observations = Observations()
    captured: list[CallRecord] = []

    async def run() -> None:
        from wireproof.check.client import connect
        from wireproof.check.probes.inputs import probe_inputs

        opts = CheckOptions(**options)
        async with connect(Target(server=server), opts.timeout) as connection:
            tools = await connection.list_tools()
            for tool in tools:
                if tool.read_only or opts.allow_writes:
                    await probe_inputs(connection, tool, opts, observations, lambda: None)
        captured.extend(observations.calls)

    anyio.run(run)
    return captured


def test_no_catastrophic_pattern_goes_to_a_write_even_with_allow_writes() -> None:
    server = e.s.build(
        [
            e.s.FakeTool(
                "delete_matching",
                _refuse,
                input_schema=e.REGEX_SCHEMA,
                annotations=e.s.WRITE_IDEMPOTENT,
            )
        ]
    )
    calls = report_calls(server, allow_writes=True)
    assert calls  # the write was probed
    assert not [c for c in calls if c.constraint == "catastrophic-regex"]


async def _refuse(args: dict[str, Any]) -> Any:
    return e.s.good_error("pattern", "a literal")


def test_an_answer_of_nothing_is_told_from_an_answer_that_says_something() -> None:
    for value in ("", None, [], {}, {"count": 0, "items": []}, {"text": ""}, {"ok": True, "results": []}):
        assert nothing(value), value
    for value in ({"valid": False, "text": ""}, {"count": 2, "items": [1, 2]}, "x", [0]):
        assert not nothing(value), value


def test_a_parenthesis_of_examples_lists_no_closed_set() -> None:
    """Review of f35c2b3: 'e.g. (work, home, misc); any label works' is no list of allowed values."""
    from wireproof.check.edges import _listed

    described = {
        "type": "string",
        "description": "Filter by label, e.g. (work, home, misc); any label works.",
    }
    assert _listed("label", described, "") is None
    closed = {"type": "string", "description": "Where it stands (pending, in_progress, completed)."}
    assert _listed("status", closed, "") == ["pending", "in_progress", "completed"]


def test_hex_masking_keeps_what_is_no_id() -> None:
    from wireproof.check.model import mask_volatile

    masked = mask_volatile("req 3fa9c2d1-77be-01c4 ok, 123456 items, cafebabe", [TEXT_NOISE])
    assert masked == "req # ok, 123456 items, cafebabe"


def test_fastmcps_wrapped_prose_of_two_lines_holds_items() -> None:
    from wireproof.check.model import CallRecord
    from wireproof.check.rules.errors import _holds_items

    lines = "id=2 | proj/a/k2\nid=6 | proj/a/not"
    wrapped = CallRecord("list", {}, "hostile", "result", 0.0, text=lines, structured={"result": lines})
    assert _holds_items(wrapped)
    one = CallRecord(
        "list", {}, "hostile", "result", 0.0, text="No entries.", structured={"result": "No entries."}
    )
    assert not _holds_items(one)
