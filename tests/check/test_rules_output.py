"""Output rules on evidence: lists are judged by how they behave, and the tool listing counts against the budget."""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest

from tests.check import big_table_server
from tests.check import servers as s
from tests.check.test_rules import check
from tests.check.test_rules_edges import report_calls
from wireproof.check import CheckOptions, Observer, Target, run_check
from wireproof.check.model import Finding, Report

ROOT = Path(__file__).resolve().parents[2]
BIG_ROWS = 50_000
PAGING = "output.list-without-paging"
BUDGET = "output.over-budget"
LISTING = "output.listing-over-budget"
COVERED = {LISTING, "output.empty-answer"}
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


# -- output.over-budget: SELECT * on the largest table a listing names -------------------------------------


@pytest.fixture(scope="module")
def events_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The events database: 50,000 rows in ``events``, two small tables beside it (made once: it takes a while)."""
    path = tmp_path_factory.mktemp("events") / "events.db"
    big_table_server.create(path, BIG_ROWS)
    return path


def contents(path: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def check_events(mode: str, path: Path, log: Path, **options: Any) -> tuple[Report, list[str]]:
    """Check the big-table server in ``mode``, without --allow-writes; the report and every SQL text it was sent."""
    target = Target(
        command=(sys.executable, "-m", "tests.check.big_table_server", mode, str(path), str(log)),
        cwd=str(ROOT),
    )
    report = anyio.run(run_check, target, CheckOptions(**{"timeout": 30, "concurrency": 2, **options}))
    return report, [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def whole_table_reads(sent: list[str]) -> list[str]:
    return [q for q in sent if q.startswith("SELECT * FROM")]


def test_select_all_on_the_largest_listed_table_is_over_budget(events_db: Path, tmp_path: Path) -> None:
    before = contents(events_db)
    report, sent = check_events("everything", events_db, tmp_path / "sent.log")
    (found,) = findings(report, BUDGET)
    assert found.tool == "query"
    assert found.severity == "error"
    # the evidence names the query sent and the answer's size
    assert found.evidence.call == {"tool": "query", "arguments": {"sql": 'SELECT * FROM "events"'}}
    assert re.search(r'The answer to SELECT \* FROM "events" was [\d,]+ bytes', found.message)
    assert found.evidence.note is not None
    assert "events" in found.evidence.note
    # the listing shows row counts: only the largest table is read whole, once, and nothing is written
    assert whole_table_reads(sent) == ['SELECT * FROM "events"']
    assert contents(events_db) == before


def test_without_row_counts_up_to_three_listed_tables_are_read_whole(events_db: Path, tmp_path: Path) -> None:
    report, sent = check_events("names", events_db, tmp_path / "sent.log")
    assert sorted(whole_table_reads(sent)) == [
        'SELECT * FROM "events"',
        'SELECT * FROM "notes"',
        'SELECT * FROM "users"',
    ]
    (found,) = findings(report, BUDGET)
    assert found.evidence.call is not None
    assert found.evidence.call["arguments"] == {"sql": 'SELECT * FROM "events"'}


def test_a_query_tool_that_caps_its_answer_stays_within_budget(events_db: Path, tmp_path: Path) -> None:
    report, sent = check_events("capped", events_db, tmp_path / "sent.log")
    assert whole_table_reads(sent) == ['SELECT * FROM "events"']  # asked, and answered in budget
    assert not findings(report, BUDGET)


def test_a_listed_name_that_is_no_plain_identifier_is_never_sent(events_db: Path, tmp_path: Path) -> None:
    before = contents(events_db)
    _report, sent = check_events("hostile", events_db, tmp_path / "sent.log")
    assert not whole_table_reads(sent)  # the whole listing is distrusted, not only its odd name
    assert not [q for q in sent if "DROP" in q.upper()]
    assert contents(events_db) == before


def test_a_whole_table_read_unanswered_in_time_is_only_info_not_a_crash(
    events_db: Path, tmp_path: Path
) -> None:
    report, sent = check_events("slow", events_db, tmp_path / "sent.log", timeout=2)
    assert whole_table_reads(sent) == ['SELECT * FROM "events"']
    crashes = [f for f in report.findings if f.rule == "errors.crash"]
    assert [f.severity for f in crashes] == ["info"]
    assert "whole table events" in crashes[0].message
    assert not findings(report, BUDGET)  # no size was measured, none is claimed


# -- output.over-budget: an error that only quotes the checker's own oversized argument --------------------

NAME_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string", "maxLength": 50_000, "description": "The thing's name."}},
    "required": ["name"],
    "additionalProperties": False,
}


def quoting(*, data_too: bool) -> Any:
    """get_colour_by_name refuses an unknown name quoting it whole (the awkward 50,001-character name comes
    back in the error, about 12,500 tokens); with ``data_too`` a long name makes it dump 200 KB of its rows."""

    async def handler(args: dict[str, Any]) -> Any:
        name = str(args.get("name"))
        if len(name) > 100 and data_too:
            return s.ok({"rows": [f"row {i} of the colour table" for i in range(8_000)]})
        if name != "example":
            return s.tool_error(f"Unknown colour {name!r}: give the name of a colour in the table.")
        return s.ok({"colour": "blue"})

    return s.build([s.FakeTool("get_colour_by_name", handler, input_schema=NAME_SCHEMA)])


def test_an_error_that_quotes_the_checkers_own_huge_argument_is_only_a_warning() -> None:
    (found,) = findings(check(quoting(data_too=False)), BUDGET)
    assert found.severity == "warning"
    assert "repeats the caller's oversized argument" in found.message


def test_a_huge_answer_of_the_servers_own_data_to_an_awkward_call_is_still_over_budget() -> None:
    (found,) = findings(check(quoting(data_too=True)), BUDGET)
    assert found.tool == "get_colour_by_name"


# -- "output.cut-at-limit": a page taken for the whole -----------------------------------------------------

CUT = "output.cut-at-limit"
COVERED |= {CUT}
UNITS = [f"unit-{i}" for i in range(21)]


def unit_finder(answers: str, annotations: dict[str, Any] | None = None) -> Any:
    """find_units(query, limit): 21 units match. ``count``: the page with "count" = its own length (the flaw
    seen on a units server); ``total``: the page with the real total; ``offset``: a count of the page, but an
    offset parameter reaches the rest."""
    properties: dict[str, Any] = {
        "query": {"type": "string", "maxLength": 50, "description": "Text to look for."},
        "limit": {"type": "integer", "minimum": 1, "description": "How many units to answer."},
    }
    if answers == "offset":
        properties["offset"] = {"type": "integer", "minimum": 0, "description": "Units to skip."}

    async def find_units(args: dict[str, Any]) -> Any:
        start = int(args.get("offset", 0))
        page = UNITS[start : start + int(args.get("limit", 10))]
        if answers == "total":
            return s.ok({"total": len(UNITS), "results": page})
        return s.ok({"query": args.get("query"), "count": len(page), "results": page})

    schema = {
        "type": "object",
        "properties": properties,
        "required": ["query"],
        "additionalProperties": False,
    }
    return s.build(
        [
            s.FakeTool(
                "find_units",
                find_units,
                description="Find units whose name holds the text.",
                input_schema=schema,
                annotations={"readOnlyHint": True} if annotations is None else annotations,
            )
        ]
    )


def test_a_page_whose_count_is_its_own_length_and_no_way_to_the_rest_is_cut_at_limit() -> None:
    report = check(unit_finder("count"), tool_arguments={"find_units": {"query": "unit"}})
    (finding,) = findings(report, CUT)
    assert (finding.tool, finding.severity, finding.category) == ("find_units", "warning", "output")
    assert "With limit=1 the answer held exactly 1 item and" in finding.message  # limit's sample: its minimum
    assert "'count' says 1, the page size, not the total" in finding.message
    assert "answered 21" in finding.message
    assert finding.evidence.call == {"tool": "find_units", "arguments": {"query": "unit", "limit": 1}}


def test_a_page_that_gives_its_total_or_an_offset_to_the_rest_is_quiet() -> None:
    for answers in ("total", "offset"):
        report = check(unit_finder(answers), tool_arguments={"find_units": {"query": "unit"}})
        assert not findings(report, CUT), answers
        calls = report_calls(unit_finder(answers), tool_arguments={"find_units": {"query": "unit"}})
        larger = [c for c in calls if c.purpose == "valid" and c.arguments.get("limit", 0) > 1]
        assert larger, answers  # the larger call the rule compares with was made


def test_a_search_is_also_measured_with_a_term_found_nearly_everywhere() -> None:
    """A sample term ("meter") finds a handful; the commonest letter finds the whole table (86 KB seen)."""
    entries = [f"{word}-{i}: " + "definition " * 30 for i in range(600) for word in ("metre", "second")]

    async def search_units(args: dict[str, Any]) -> Any:
        query = str(args.get("query", ""))
        return s.ok({"results": [e for e in entries if query in e][:2000]})

    schema = {
        "type": "object",
        "properties": {"query": {"type": "string", "maxLength": 50, "description": "Text to look for."}},
        "required": ["query"],
        "additionalProperties": False,
    }
    server = s.build(
        [
            s.FakeTool(
                "search_units",
                search_units,
                description="Search units.",
                input_schema=schema,
                annotations={"readOnlyHint": True},
            )
        ]
    )
    report = check(server, tool_arguments={"search_units": {"query": "metre-7:"}})
    (finding,) = findings(report, BUDGET)
    assert finding.evidence.call == {"tool": "search_units", "arguments": {"query": "e"}}


def test_an_unannotated_tool_named_as_a_read_is_measured_at_its_largest_with_allow_writes() -> None:
    """FastMCP 1.x servers annotate nothing: find_units is then a write to the checker, called only with
    --allow-writes, and its largest answer was never asked for."""
    server = unit_finder("count", annotations={})
    (finding,) = findings(
        check(server, allow_writes=True, tool_arguments={"find_units": {"query": "unit"}}), CUT
    )
    assert "answered 21" in finding.message
    assert not findings(
        check(unit_finder("count", annotations={})), CUT
    )  # without --allow-writes: not called


# -- output.prose-records: records answered as 'label: value' prose (hold-outs 4 and 5: kb-13, sh-21, mk-14, bt-12) --

PROSE = "output.prose-records"
COVERED |= {PROSE}
NAMED = {
    "type": "object",
    "properties": {"key": {"type": "string", "maxLength": 40, "description": "The item's key."}},
    "required": ["key"],
    "additionalProperties": False,
}
ITEM = {"key": "k1", "category": "task", "priority": "high", "channel": "general"}


def item_store(style: str) -> Any:
    """get_item and item_status, answered as ``style``: ``prose`` ('Key: k1' lines), ``wrapped`` (the same
    prose inside {"result": ...}, an outputSchema of one string), ``table`` (a Markdown table), ``structured``
    (structuredContent with the fields, the sound twin), ``sentence`` (one line of prose, no record)."""

    def answer(value: dict[str, Any]) -> Any:
        lines = "\n".join(f"{k.title()}: {v}" for k, v in value.items())
        if style == "prose":
            return types.CallToolResult(content=[types.TextContent(text=lines)])
        if style == "wrapped":
            return types.CallToolResult(
                content=[types.TextContent(text=lines)], structured_content={"result": lines}
            )
        if style == "table":
            header = "| " + " | ".join(value) + " |\n|" + "---|" * len(value) + "\n"
            row = "| " + " | ".join(str(v) for v in value.values()) + " |"
            return types.CallToolResult(content=[types.TextContent(text=header + row)])
        if (
            style == "inline"
        ):  # one record a line (hold-out 4 kb-13: 'id=1 | proj/a/k1  tags=[...]  created: ...')
            inline = "  ".join(f"{k}={v}" if i % 2 else f"{k}: {v}" for i, (k, v) in enumerate(value.items()))
            return types.CallToolResult(content=[types.TextContent(text=f"#1 | {inline}\nits text")])
        if style == "sentence":
            return types.CallToolResult(content=[types.TextContent(text=f"Item {value['key']} is fine.")])
        return s.ok(value)

    async def get_item(args: dict[str, Any]) -> Any:
        if set(args) != {"key"} or not isinstance(args["key"], str):
            return s.good_error("key", "a string key, and nothing else")
        return answer({**ITEM, "key": args["key"]})

    async def status(args: dict[str, Any]) -> Any:
        if args:
            return s.good_error(sorted(args)[0], "no arguments")
        return answer({"items": 1, "session": "c98cf5fa", "created": "2026-12-03"})

    one_string = {"type": "object", "properties": {"result": {"type": "string"}}, "required": ["result"]}
    output = one_string if style == "wrapped" else None
    tools = [
        s.FakeTool(
            "get_item", get_item, description="Get an item.", input_schema=NAMED, output_schema=output
        ),
        s.FakeTool(
            "item_status",
            status,
            description="Say how many items.",
            input_schema=NO_PARAMETERS,
            output_schema=output,
        ),
    ]
    return s.build(tools)


@pytest.mark.parametrize("style", ["prose", "wrapped", "table", "inline"])
def test_records_answered_as_prose_are_one_finding_for_the_server(style: str) -> None:
    (found,) = findings(check(item_store(style)), PROSE)
    assert found.tool is None
    assert "get_item" in found.message
    assert found.severity == "warning"


@pytest.mark.parametrize("style", ["structured", "sentence"])
def test_structured_records_and_plain_sentences_are_fine(style: str) -> None:
    assert not findings(check(item_store(style)), PROSE)


def test_one_prose_tool_of_four_and_json_text_answers_are_no_finding() -> None:
    """Review of session 8: a server of four tools needs two answering prose; JSON text is json-in-text's case."""
    prose = "Key: k1\nCategory: task\nPriority: high"
    pretty = json.dumps(ITEM, indent=2)  # '"key": "k1"' lines look like labels

    def answering(said: str) -> Any:
        async def handler(args: dict[str, Any]) -> Any:
            return types.CallToolResult(content=[types.TextContent(text=said)])

        return handler

    tools = [
        s.FakeTool("get_one", answering(prose), description="Get one.", input_schema=NO_PARAMETERS),
        *(
            s.FakeTool(
                f"get_json_{i}", answering(pretty), description="Get JSON.", input_schema=NO_PARAMETERS
            )
            for i in range(3)
        ),
    ]
    assert not findings(check(s.build(tools)), PROSE)


def test_a_notes_front_matter_is_content_not_a_record() -> None:
    note = "---\nname: wireproof\nversion: 1\nlicense: MIT\n---\nThe note's text."

    async def handler(args: dict[str, Any]) -> Any:
        return types.CallToolResult(content=[types.TextContent(text=note)])

    tools = [s.FakeTool("fetch_entry", handler, description="Fetch the entry.", input_schema=NO_PARAMETERS)]
    assert not findings(check(s.build(tools)), PROSE)


def test_a_link_with_a_query_string_and_a_sentence_with_one_label_are_no_inline_record() -> None:
    from wireproof.check.rules.output import _records_as_prose

    assert not _records_as_prose("See https://example.test/search?q=1&page=2&size=3 for more.")
    assert not _records_as_prose("Saved. Note: the item is kept until tomorrow, see id=4.")
    assert _records_as_prose("id=4 | notes/k4  tags=['a']  created: 2026-12-03  updated: 2026-12-03")
    assert _records_as_prose(
        "id=3 | proj/c/c1 | c1 | 2026-12-03\nid=1 | proj/a/k1 | first entry | 2026-12-03\n(2 total)"
    )
    assert not _records_as_prose("a | b | c")  # one line of cells is no listing
    assert not _records_as_prose("Use a | b | c here.\nOr x | y there.")  # rows of unequal width


# -- "output.empty-answer": a success with nothing in it (hold-out 6, ex-9: an empty list answered with no content) --


def _expense_list(answer: Any) -> Any:
    async def handler(args: dict[str, Any]) -> Any:
        return answer

    return s.build(
        [
            s.FakeTool(
                "list_expenses",
                handler,
                description="List the expenses.",
                input_schema=NO_PARAMETERS,
                annotations={"readOnlyHint": True},
            )
        ]
    )


def test_a_success_with_no_content_at_all_is_an_empty_answer() -> None:
    for nothing in ([], [types.TextContent(type="text", text="  ")]):
        answer = types.CallToolResult(content=nothing, isError=False)
        (found,) = findings(check(_expense_list(answer)), "output.empty-answer")
        assert (found.tool, found.severity, found.category) == ("list_expenses", "warning", "output")
        assert found.evidence.note == "content held nothing"


def test_an_empty_list_said_in_text_or_structured_content_is_an_answer() -> None:
    for answer in (
        types.CallToolResult(content=[types.TextContent(type="text", text="[]")], isError=False),
        types.CallToolResult(content=[], structuredContent={"expenses": []}, isError=False),
        types.CallToolResult(content=[], isError=True),  # a failure: errors rules judge it
    ):
        assert not findings(check(_expense_list(answer)), "output.empty-answer")
