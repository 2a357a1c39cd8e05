"""The detections built for the corpus's false negatives (docs/third-party.md, "The false negatives"):
text listings, count parameters, truncation, unknown tools, lookup misses, stateful reads, buried errors.

Each flaw is a fixture server (tests/check/servers.py, the official SDK's low-level server) checked through
the official client, and each has a sound twin that must stay quiet.
"""

from __future__ import annotations

import datetime
import json
import re
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import anyio
import mcp_types as types

from tests.check import servers as s
from tests.check.test_rules import check
from wireproof.check import Observer
from wireproof.check.config import CheckOptions
from wireproof.check.generate import MISSING_NAME, awkward_cases, lookup_miss_case
from wireproof.check.model import CallRecord, Finding, Observations, Report, ToolInfo
from wireproof.check.probes.growth import fresh_item
from wireproof.check.rules import REGISTRY, RuleContext

PAGING = "output.list-without-paging"
TRUNCATED = "output.truncated-without-cursor"
UNKNOWN_TOOL = "protocol.unknown-tool-accepted"
NUMBER = "schema.unbounded-number"
MALFORMED = "errors.malformed-accepted"
EMPTY_MISS = "errors.miss-answered-empty"
EXPECTED = "errors.expected-not-stated"
DISGUISED = "errors.disguised-success"
KEEPS_STATE = "idempotency.read-only-keeps-state"
COVERED = {
    TRUNCATED,
    UNKNOWN_TOOL,
    NUMBER,
    EMPTY_MISS,
    KEEPS_STATE,
    "output.json-in-text",
    "errors.query-rows-dropped",
}
"""The rules this file makes fire (test_rules.py checks every rule fires somewhere)."""

NO_PARAMETERS = {"type": "object", "properties": {}, "additionalProperties": False}


def findings(report: Report, rule_id: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule_id]


def text(value: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=value)])


def one_tool(handler: Callable[[dict[str, Any]], Any], **tool: Any) -> Any:
    return s.build([s.FakeTool(tool.pop("name", "get_colour_by_name"), handler, **tool)], validate=True)


# -- FN-1: a text answer that is a Python list repr is a list; a SQL tool is asked for a thousand rows ---------


def rows_as_repr(count: int) -> Callable[[dict[str, Any]], Any]:
    async def handler(args: dict[str, Any]) -> Any:
        return text(str([{"id": i, "name": f"row {i}"} for i in range(count)]))

    return handler


def test_a_long_list_answered_as_a_python_repr_needs_paging() -> None:
    report = check(
        one_tool(rows_as_repr(30), name="list_rows", description="List rows.", input_schema=NO_PARAMETERS)
    )
    (found,) = findings(report, PAGING)
    assert "30 items" in found.message


def test_a_short_python_repr_list_is_no_evidence() -> None:
    report = check(
        one_tool(rows_as_repr(3), name="list_rows", description="List rows.", input_schema=NO_PARAMETERS)
    )
    assert not findings(report, PAGING)


class SqlTool:
    """A tool that runs the caller's SQL on a real (in-memory) SQLite database and answers every row."""

    def __init__(self, *, cap: int | None = None, select_only_rows: bool = False) -> None:
        self.cap = cap
        self.select_only_rows = select_only_rows  # rows only for a statement that starts with SELECT

    async def run(self, args: dict[str, Any]) -> Any:
        if set(args) - {"query", "limit"} or not isinstance(args.get("query"), str):
            return s.good_error("query", "a SQL statement")
        deadline = time.monotonic() + 1.0  # the checker's never-ending query is interrupted, never a hang
        with sqlite3.connect(":memory:") as db:
            db.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
            try:
                rows = db.execute(args["query"]).fetchall()
            except sqlite3.Error:
                return s.tool_error("The query failed: check the SQL and try again with a corrected query.")
        if self.cap is not None:
            rows = rows[: min(self.cap, int(args.get("limit", self.cap)))]
        first = args["query"].split(None, 1)[0].upper() if args["query"].strip() else ""
        if self.select_only_rows and first != "SELECT":
            return text(json.dumps({"status": "success", "message": f"{first} executed successfully"}))
        return text(str(rows))

    def server(self) -> Any:
        properties: dict[str, Any] = {
            "query": {"type": "string", "description": "The SQL query to run.", "maxLength": 10_000}
        }
        if self.cap is not None:
            properties["limit"] = {
                "type": "integer",
                "minimum": 1,
                "maximum": 100,
                "description": "Most rows.",
            }
        return s.build(
            [
                s.FakeTool(
                    "query",
                    self.run,
                    description="Run a SQL query on the database.",
                    input_schema={
                        "type": "object",
                        "properties": properties,
                        "required": ["query"],
                        "additionalProperties": False,
                    },
                    annotations=None,
                )
            ]
        )


def test_a_sql_tool_that_answers_a_thousand_rows_at_once_needs_paging() -> None:
    report = check(SqlTool().server(), allow_writes=True)
    (found,) = findings(report, PAGING)
    assert "1,000 generated rows" in found.message
    assert "1000 items" in found.message
    assert "WITH RECURSIVE" in str(found.evidence.call)


def test_a_read_query_whose_rows_are_dropped_is_reported() -> None:
    """docs/holdout4 cv-13: a WITH (or PRAGMA) query answered "WITH executed successfully" and no rows."""
    (found,) = findings(
        check(SqlTool(select_only_rows=True).server(), allow_writes=True), "errors.query-rows-dropped"
    )
    assert found.tool == "query"
    assert "none of its rows" in found.message
    assert not findings(check(SqlTool().server(), allow_writes=True), "errors.query-rows-dropped")


def test_rows_in_a_text_layout_are_rows() -> None:
    """docs/corpus: mcp-alchemy answers rows as '1. row\\nn: 1' blocks, cut at some length."""

    async def layout(args: dict[str, Any]) -> Any:
        return text("\n\n".join(f"{i}. row\nn: {i}" for i in range(1, 29)) + "\n\nResult: 28 rows shown")

    schema = {
        "type": "object",
        "properties": {
            "query": {"type": "string", "maxLength": 10_000, "description": "The SQL query to run."}
        },
        "required": ["query"],
        "additionalProperties": False,
    }
    report = check(
        one_tool(layout, name="execute_query", description="Run a SQL query.", input_schema=schema),
        allow_writes=True,
    )
    assert not findings(report, "errors.query-rows-dropped")


def test_a_sql_tool_with_a_bounded_limit_needs_no_paging_advice() -> None:
    report = check(SqlTool(cap=100).server(), allow_writes=True)
    assert not findings(report, PAGING)


# -- FN-9: an answer that says it was truncated, from a tool without a cursor ------------------------------


def truncating(*, cursor: bool) -> Any:
    async def handler(args: dict[str, Any]) -> Any:
        rows = "\n".join(f"{i}. row {i}" for i in range(20))
        return text(f"{rows}\nResult: showing first 20 rows (output truncated)")

    properties: dict[str, Any] = {}
    if cursor:
        properties["cursor"] = {"type": "string", "maxLength": 200, "description": "From a previous answer."}
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    return one_tool(handler, name="list_rows", description="List rows.", input_schema=schema)


def test_a_truncated_answer_without_a_cursor_is_reported() -> None:
    (found,) = findings(check(truncating(cursor=False)), TRUNCATED)
    assert "showing first 20" in found.message
    assert found.evidence.note is not None


def test_a_truncated_answer_with_a_cursor_is_fine() -> None:
    assert not findings(check(truncating(cursor=True)), TRUNCATED)


def test_a_truncation_said_as_a_json_flag_is_reported_too() -> None:
    """docs/holdout4 cv-12: {"row_count": 100, "limited": true, "rows": [...]} and nothing to read the rest."""

    async def handler(args: dict[str, Any]) -> Any:
        return text(json.dumps({"row_count": 100, "limited": True, "rows": [[i] for i in range(100)]}))

    schema = {"type": "object", "properties": {}, "additionalProperties": False}
    flagged = one_tool(handler, name="list_rows", description="List rows.", input_schema=schema)
    (found,) = findings(check(flagged), TRUNCATED)
    assert '"limited": true' in found.message


# -- FN-7: a call of a tool the server does not list -------------------------------------------------------


def test_an_unknown_tool_answered_as_a_success_is_reported() -> None:
    async def missing_arguments(args: dict[str, Any]) -> Any:
        return text("Error: Missing arguments")

    server = s.build([s.FakeTool("get_colour_by_name", s.strict_colour)], on_unknown=missing_arguments)
    (found,) = findings(check(server), UNKNOWN_TOOL)
    assert found.severity == "error"
    assert found.evidence.call == {"tool": "wireproof_no_such_tool", "arguments": {}}


def test_an_unknown_tool_refused_is_fine() -> None:
    refused_with_error = s.build(
        [s.FakeTool("get_colour_by_name", s.strict_colour)],
        on_unknown=lambda args: _async(s.tool_error("Unknown tool: wireproof_no_such_tool")),
    )
    assert not findings(check(refused_with_error), UNKNOWN_TOOL)
    assert not findings(check(s.sound_server()), UNKNOWN_TOOL)  # a JSON-RPC error


async def _async(value: Any) -> Any:
    return value


# -- FN-2: count parameters without bounds, and -1 accepted --------------------------------------------------


def counted(limit: dict[str, Any], *, refuse_negative: bool) -> Any:
    async def handler(args: dict[str, Any]) -> Any:
        limit_value = args.get("limit", 10)
        if refuse_negative and (not isinstance(limit_value, int) or limit_value < 1):
            return s.good_error("limit", "an integer of at least 1")
        return s.ok({"items": ["a", "b"]})

    schema = {
        "type": "object",
        "properties": {"limit": {"description": "The most items to return.", **limit}},
        "additionalProperties": False,
    }
    return one_tool(handler, name="list_items", description="List items.", input_schema=schema)


def test_a_count_typed_number_without_bounds_is_reported_and_minus_one_accepted_too() -> None:
    report = check(counted({"type": "number"}, refuse_negative=False))
    (lint,) = findings(report, NUMBER)
    assert lint.message.startswith("Parameter limit ")
    assert "not integer" in lint.message
    assert "no minimum" in lint.message
    assert "no maximum" in lint.message
    (accepted,) = [f for f in findings(report, MALFORMED) if "negative count" in f.message]
    assert accepted.severity == "warning"
    assert accepted.evidence.call is not None
    assert accepted.evidence.call["arguments"]["limit"] == -1


def test_a_bounded_integer_count_is_fine() -> None:
    report = check(counted({"type": "integer", "minimum": 1, "maximum": 100}, refuse_negative=True))
    assert not findings(report, NUMBER)
    assert not findings(report, MALFORMED)


def test_minus_one_refused_is_not_reported_even_without_a_minimum() -> None:
    report = check(counted({"type": "integer", "maximum": 100}, refuse_negative=True))
    assert [f.message for f in findings(report, NUMBER)] == ["Parameter limit is a count with no minimum."]
    assert not findings(report, MALFORMED)


# -- FN-6 and FN-8: a lookup of a name that cannot exist -----------------------------------------------------


def lookup(miss: Callable[[str], types.CallToolResult]) -> Any:
    async def handler(args: dict[str, Any]) -> Any:
        name = args["name"]
        return s.ok({"name": name, "colour": "blue"}) if name == "example" else miss(name)

    return one_tool(handler)


def test_a_miss_answered_as_an_empty_list_is_reported() -> None:
    (found,) = findings(check(lookup(lambda name: text("[]"))), EMPTY_MISS)
    assert MISSING_NAME in found.message


def test_a_miss_answered_as_an_empty_object_is_reported() -> None:
    assert findings(check(lookup(lambda name: s.ok({}))), EMPTY_MISS)


def test_a_miss_answered_as_not_found_is_fine() -> None:
    report = check(lookup(lambda name: s.tool_error(f"No thing named {name!r} was found. Do not retry.")))
    assert not findings(report, EMPTY_MISS)
    assert not findings(report, EXPECTED)


def test_the_sdk_generic_error_says_nothing() -> None:
    report = check(lookup(lambda name: s.tool_error("Error executing tool get_colour_by_name")))
    (found,) = findings(report, EXPECTED)
    assert "says nothing" in found.message
    assert found.evidence.call is not None
    assert found.evidence.call["arguments"]["name"] == MISSING_NAME


def test_a_file_path_lookup_miss_is_a_missing_file_beside_the_sample() -> None:
    schema = {"type": "object", "properties": {"filepath": {"type": "string"}}, "required": ["filepath"]}
    case = lookup_miss_case("read_bibtex_file", schema, {"filepath": "/srv/refs/main.bib"})
    assert case is not None
    assert case.arguments == {"filepath": f"/srv/refs/{MISSING_NAME}.bib"}
    bare = lookup_miss_case("read_bibtex_file", schema, {"filepath": "main.bib"})  # no folder: the plain name
    assert bare is not None
    assert bare.arguments == {"filepath": MISSING_NAME}


def test_the_lookup_miss_fits_only_lookup_tools_with_one_required_string() -> None:
    one_string = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
    assert lookup_miss_case("get_ticket", one_string) is not None
    assert lookup_miss_case("describeTable", one_string) is not None
    assert lookup_miss_case("search_tickets", one_string) is None
    two = {
        **one_string,
        "properties": {"id": {"type": "string"}, "v": {"type": "string"}},
        "required": ["id", "v"],
    }
    case = lookup_miss_case("get_ticket", two)  # of two required, only id names the item: v keeps its sample
    assert case is not None
    assert case.field == "id"
    assert case.arguments["id"] == MISSING_NAME
    assert case.arguments["v"] != MISSING_NAME
    ambiguous = {
        **two,
        "properties": {"id": {"type": "string"}, "key": {"type": "string"}},
        "required": ["id", "key"],
    }
    assert (
        lookup_miss_case("get_ticket", ambiguous) is None
    )  # which of the two names the item? neither is probed
    unnamed = {
        **two,
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "required": ["a", "b"],
    }
    assert lookup_miss_case("get_ticket", unnamed) is None


def entry_lookup(miss: Callable[[str], types.CallToolResult]) -> Any:
    """get_entry(filepath, key), as bibtex-file-mcp (hold-out 5 bt-4): the key names the entry, the path its file."""

    async def handler(args: dict[str, Any]) -> Any:
        key = args["key"]
        return s.ok({"key": key, "title": "TAOCP"}) if key == "knuth1984" else miss(key)

    schema = {
        "type": "object",
        "properties": {
            "filepath": {"type": "string", "maxLength": 200, "description": "The .bib file."},
            "key": {"type": "string", "maxLength": 100, "description": "The entry's citation key."},
        },
        "required": ["filepath", "key"],
        "additionalProperties": False,
    }
    return one_tool(handler, name="get_entry", description="Get one BibTeX entry.", input_schema=schema)


def test_a_miss_of_the_item_key_beside_another_required_argument_is_probed() -> None:
    (found,) = findings(check(entry_lookup(lambda key: text(f"Entry {key!r} not found."))), EMPTY_MISS)
    assert found.tool == "get_entry"
    assert found.evidence.call is not None
    assert found.evidence.call["arguments"]["key"] == MISSING_NAME


def test_a_miss_answered_not_found_in_chinese_with_is_error_false_is_reported() -> None:
    """bibtex-file-mcp answers a missing key "未找到key 'nope' 的条目" (not found) as a success (bt-4)."""
    (found,) = findings(check(entry_lookup(lambda key: text(f"未找到key '{key}' 的条目"))), EMPTY_MISS)
    assert "isError: false" in found.message


def test_a_miss_of_the_item_key_answered_as_an_error_is_fine() -> None:
    report = check(
        entry_lookup(lambda key: s.tool_error(f"未找到key '{key}' 的条目. No entry {key!r}: do not retry."))
    )
    assert not findings(report, EMPTY_MISS)


def id_lookup(miss: Callable[[int], types.CallToolResult], name: str = "task_get") -> Any:
    """A lookup by integer id, its verb last (hold-out td-2): id 1 exists, every other id is a miss."""

    async def handler(args: dict[str, Any]) -> Any:
        task_id = args["id"]
        return s.ok({"id": 1, "name": "one"}) if task_id == 1 else miss(task_id)

    schema = {
        "type": "object",
        "properties": {"id": {"type": "integer", "minimum": 1, "description": "The task's id."}},
        "required": ["id"],
        "additionalProperties": False,
    }
    return one_tool(handler, name=name, description="Get a task by id.", input_schema=schema)


def test_a_miss_answered_not_found_with_is_error_false_is_reported() -> None:
    (found,) = findings(check(id_lookup(lambda task_id: text("Task not found"))), EMPTY_MISS)
    assert found.tool == "task_get"
    assert "987654321" in found.message
    assert "isError: false" in found.message


def test_a_miss_answered_not_found_in_the_sdk_string_wrapper_is_reported() -> None:
    """FastMCP's answer for a returned string, given an output schema: {"result": "..."} (hold-out 4 kb-17)."""

    def wrapped(task_id: int) -> types.CallToolResult:
        said = f"No relations found for id={task_id}"
        return types.CallToolResult(
            content=[types.TextContent(text=said)], structured_content={"result": said}
        )

    (found,) = findings(check(id_lookup(wrapped, name="get_relations")), EMPTY_MISS)
    assert found.tool == "get_relations"
    assert "isError: false" in found.message


def test_an_id_miss_answered_empty_is_reported_for_a_verb_last_name() -> None:
    (found,) = findings(check(id_lookup(lambda task_id: s.ok({}), name="taskRead")), EMPTY_MISS)
    assert found.tool == "taskRead"


def test_an_id_miss_answered_as_an_error_is_fine() -> None:
    report = check(
        id_lookup(lambda task_id: s.tool_error(f"No task with id {task_id} was found. Do not retry."))
    )
    assert not findings(report, EMPTY_MISS)


def test_the_lookup_miss_takes_an_integer_id_and_a_verb_at_either_end() -> None:
    integer = {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}
    for name in ("task_get", "ticketRead", "get_task", "describe-table"):
        case = lookup_miss_case(name, integer)
        assert case is not None, name
        assert case.arguments == {"id": 987654321}
    assert lookup_miss_case("target_list", integer) is None
    assert lookup_miss_case("forget_task", integer) is None
    capped = {"type": "object", "properties": {"id": {"type": "integer", "maximum": 500}}, "required": ["id"]}
    case = lookup_miss_case("task_get", capped)
    assert case is not None
    assert case.arguments == {"id": 500}


# -- FN-11: a read-only tool that keeps state ------------------------------------------------------------------


class Counter:
    def __init__(self, answer: Callable[[int], Any]) -> None:
        self.calls, self.answer = 0, answer

    async def handler(self, args: dict[str, Any]) -> Any:
        self.calls += 1
        return s.ok(self.answer(self.calls))


def test_a_read_only_tool_whose_counter_grows_on_a_repeat_keeps_state() -> None:
    report = check(one_tool(Counter(lambda n: {"colour": "blue", "history_length": n}).handler))
    (found,) = findings(report, KEEPS_STATE)
    assert found.severity == "warning"
    assert "history_length 1 -> 2" in found.message


def test_a_read_only_tool_whose_timestamp_moves_is_only_info() -> None:
    def stamped(n: int) -> Any:
        at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(seconds=n)
        return {"colour": "blue", "at": at.isoformat()}

    (found,) = findings(check(one_tool(Counter(stamped).handler)), KEEPS_STATE)
    assert found.severity == "info"


def test_a_read_only_tool_that_answers_the_same_is_fine() -> None:
    assert not findings(check(one_tool(Counter(lambda n: {"colour": "blue"}).handler)), KEEPS_STATE)


# -- FN-10 and FN-3: a failure buried in a success; empty strings sent ------------------------------------------

NAMES_SCHEMA = {
    "type": "object",
    "properties": {
        "names": {
            "type": "array",
            "items": {"type": "string", "maxLength": 50},
            "maxItems": 10,
            "description": "The things' names.",
        }
    },
    "required": ["names"],
    "additionalProperties": False,
}


def many(*, buried: bool) -> Any:
    async def handler(args: dict[str, Any]) -> Any:
        lines = [
            f"{n}: blue" if n == "example" else f"{n}: Error - ENOENT: no such thing" for n in args["names"]
        ]
        failed = len(lines) != sum(n == "example" for n in args["names"])
        if failed and not buried:
            return s.tool_error("\n".join(lines) + "\nFix the names that failed; do not retry the same call.")
        return text("\n".join(lines))

    return one_tool(
        handler, name="get_colours", description="Colours of named things.", input_schema=NAMES_SCHEMA
    )


def test_a_partial_failure_buried_in_a_success_is_a_disguised_failure() -> None:
    (found,) = findings(check(many(buried=True)), DISGUISED)
    assert found.severity == "warning"
    assert found.evidence.call is not None
    assert found.evidence.call["arguments"]["names"] == [
        "example",
        MISSING_NAME,
    ]


def test_a_partial_failure_answered_as_an_error_is_fine() -> None:
    assert not findings(check(many(buried=False)), DISGUISED)


def test_empty_and_blank_strings_are_sent_for_a_required_string_without_min_length() -> None:
    schema = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
    sent = {c.constraint: c.arguments["query"] for c in awkward_cases(schema) if c.kind == "hostile"}
    assert sent["empty-string"] == ""
    assert sent["blank-string"] == "   "
    bounded = {**schema, "properties": {"query": {"type": "string", "minLength": 1}}}
    assert not {"empty-string", "blank-string"} & {c.constraint for c in awkward_cases(bounded)}


def test_an_empty_query_run_into_an_internal_error_is_caught() -> None:
    async def handler(args: dict[str, Any]) -> Any:
        if not args["name"].strip():
            return text("Error: 'NoneType' object has no attribute 'fetchall'")
        return s.ok({"name": args["name"], "colour": "blue"})

    (found,) = findings(check(one_tool(handler)), DISGUISED)
    assert found.evidence.call is not None
    assert not found.evidence.call["arguments"]["name"].strip()


# -- the checker's never-ending query: a missing statement limit, not a hang of the server --------------------


def test_a_never_ending_query_that_gets_no_answer_is_only_info() -> None:
    class NoStatementLimit(SqlTool):
        async def run(self, args: dict[str, Any]) -> Any:
            if "WHERE n" not in str(args.get("query")) and "RECURSIVE" in str(args.get("query")):
                await anyio.sleep(60)  # what a database without a statement time limit does with it
            return await super().run(args)

    report = check(NoStatementLimit(cap=100).server(), allow_writes=True, timeout=0.5)
    (hang,) = findings(report, "errors.crash")
    assert hang.severity == "info"
    assert "statement time limit" in hang.message
    assert "still answered tools/list" in hang.message


# -- hold-out (docs/holdout): a bare limit reaches nothing past it; a short list of names is no backlog ---------


class Tasks:
    """A write that adds a record (or a sheet name), and a listing observer: limit only, or limit and offset."""

    def __init__(self, *, offset: bool, names: bool = False) -> None:
        self.items: list[Any] = []
        self.names = names
        listing: dict[str, Any] = {
            "limit": {"type": "integer", "description": "The most items.", "minimum": 1, "maximum": 1000}
        }
        if offset:
            listing["offset"] = {"type": "integer", "description": "Items to skip.", "minimum": 0}
        self.tools = [
            s.FakeTool(
                "add_task",
                self.add,
                description="Add a task.",
                input_schema={
                    "type": "object",
                    "properties": {"title": {"type": "string", "description": "Its title.", "maxLength": 80}},
                    "required": ["title"],
                    "additionalProperties": False,
                },
                annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False},
            ),
            s.FakeTool(
                "list_tasks",
                self.list_tasks,
                description="List the tasks, oldest first.",
                input_schema={"type": "object", "properties": listing, "additionalProperties": False},
            ),
        ]

    async def add(self, args: dict[str, Any]) -> Any:
        title = str(args.get("title"))
        n = len(self.items) + 1
        self.items.append(f"Sheet{n}" if self.names else {"id": n, "title": title, "status": "open"})
        return s.ok({"id": n})

    async def list_tasks(self, args: dict[str, Any]) -> Any:
        start = int(args.get("offset", 0))
        return s.ok({"items": self.items[start : start + int(args.get("limit", 10))]})


def check_tasks(tasks: Tasks) -> Report:
    return check(
        s.build(tasks.tools, validate=True),
        allow_writes=True,
        observers=[Observer("list_tasks", {"limit": 1000})],
    )


def test_a_listing_with_a_limit_but_no_offset_or_cursor_cannot_reach_the_rest() -> None:
    (found,) = findings(check_tasks(Tasks(offset=False)), PAGING)
    assert found.severity == "warning"
    assert "takes limit but no offset, cursor or page" in found.message


def test_a_listing_with_a_limit_and_an_offset_pages() -> None:
    assert not findings(check_tasks(Tasks(offset=True)), PAGING)


def test_a_short_list_of_names_that_grew_is_only_info() -> None:
    (found,) = findings(check_tasks(Tasks(offset=False, names=True)), PAGING)
    assert found.severity == "info"
    assert "short list of names" in found.message


# -- hold-out ss-13: a 1-based position given 0 and acted on ---------------------------------------------------

POSITION_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "The new sheet's name.", "maxLength": 40},
        "position": {"type": "integer", "description": "Where to put it (1 is first).", "maximum": 100},
    },
    "required": ["name", "position"],
    "additionalProperties": False,
}


def sheets(*, refuse_zero: bool) -> Any:
    names = ["Sales", "Other", "Costs"]

    async def add_sheet(args: dict[str, Any]) -> Any:
        position = args["position"]
        if refuse_zero and position < 1:
            return s.good_error("position", "a position from 1 (first) to 100")
        names.insert(position - 1, str(args["name"]))  # 0 lands second to last, silently
        return s.ok({"sheets": names[:20]})

    return s.build(
        [
            s.FakeTool(
                "add_sheet",
                add_sheet,
                description="Add a sheet at a position.",
                input_schema=POSITION_SCHEMA,
                annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False},
            )
        ],
        validate=True,
    )


def test_a_one_based_position_given_zero_and_acted_on_is_reported() -> None:
    report = check(sheets(refuse_zero=False), allow_writes=True)
    found = [f for f in findings(report, MALFORMED) if "counts from 1" in f.message]
    assert [(f.tool, f.severity) for f in found] == [("add_sheet", "warning")]


def test_a_one_based_position_refusing_zero_is_fine() -> None:
    report = check(sheets(refuse_zero=True), allow_writes=True)
    assert not [f for f in findings(report, MALFORMED) if "counts from 1" in f.message]


def test_one_based_is_read_from_the_name_or_the_description_never_from_an_index() -> None:
    from wireproof.check.rules.errors import one_based

    assert one_based("position", {})
    assert one_based("start_row", {})
    assert one_based("item", {"description": "The item's number, 1-based."})
    assert not one_based("index", {})
    assert not one_based("row_index", {})
    assert not one_based("line", {"description": "The line, zero-based."})


# -- hold-out ss-18/td-9: JSON answered as text only --------------------------------------------------------------

JSON_TEXT = "output.json-in-text"


def answering_text(value: Any) -> Callable[[dict[str, Any]], Any]:
    async def handler(args: dict[str, Any]) -> Any:
        return text(json.dumps(value))

    return handler


def test_a_list_answered_as_json_text_without_output_schema_is_a_warning() -> None:
    tasks = [{"id": i, "title": f"task {i}", "status": "open"} for i in range(3)]
    report = check(one_tool(answering_text(tasks), name="list_tasks", input_schema=NO_PARAMETERS))
    (found,) = findings(report, JSON_TEXT)
    assert found.severity == "warning"
    assert "a JSON array of 3 entries" in found.message


def test_a_small_json_object_in_text_is_only_info() -> None:
    report = check(one_tool(answering_text({"rows": 5, "columns": 2}), input_schema=NO_PARAMETERS))
    (found,) = findings(report, JSON_TEXT)
    assert found.severity == "info"


def test_structured_content_with_an_output_schema_and_plain_prose_are_quiet() -> None:
    schema = {"type": "object", "properties": {"rows": {"type": "integer"}}, "required": ["rows"]}

    async def structured(args: dict[str, Any]) -> Any:
        return s.ok({"rows": 5})

    assert not findings(
        check(one_tool(structured, input_schema=NO_PARAMETERS, output_schema=schema)), JSON_TEXT
    )
    assert not findings(check(one_tool(answering_text("The sheet has 5 rows."))), JSON_TEXT)


def test_json_in_text_is_silent_on_a_protocol_without_structured_content() -> None:
    """2024-11-05 has no outputSchema or structuredContent (corpus FP: ea-database, postgres)."""
    tasks = [{"id": i} for i in range(3)]
    call = CallRecord("list_tasks", {}, "valid", "result", 1.0, text=json.dumps(tasks), size_bytes=40)
    observations = Observations(
        tools=[ToolInfo("list_tasks", "List.", NO_PARAMETERS, None, None)], calls=[call]
    )

    def hits(protocol: str | None) -> list[Any]:
        ctx = RuleContext(observations, CheckOptions(), "stdio", protocol)
        return list(REGISTRY[JSON_TEXT].check(ctx))

    assert len(hits("2025-06-18")) == 1
    assert len(hits(None)) == 1  # not negotiated: judged as today
    assert hits("2024-11-05") == []


# -- hold-out kb-8: an item grown through the server's own write, then read back whole ----------------------------

OVER_BUDGET = "output.over-budget"


class Notebook:
    """create_note(path, content) and read_note(path): whole, or a bounded slice (offset, at most 4,000 chars)."""

    def __init__(self, *, bounded: bool, echo: bool = False) -> None:
        self.notes: dict[str, str] = {"a.md": "hello\n"}
        self.bounded, self.echo = bounded, echo
        read_props: dict[str, Any] = {
            "path": {"type": "string", "description": "The note.", "maxLength": 200}
        }
        if bounded:
            read_props["offset"] = {"type": "integer", "description": "Characters to skip.", "minimum": 0}
        self.tools = [
            s.FakeTool(
                "create_note",
                self.create,
                description="Create or overwrite a note.",
                input_schema={
                    "type": "object",
                    "properties": {
                        "path": {"type": "string", "description": "The note.", "maxLength": 200},
                        "content": {"type": "string", "description": "Its text.", "maxLength": 1_000_000},
                    },
                    "required": ["path", "content"],
                    "additionalProperties": False,
                },
                annotations={"readOnlyHint": False, "destructiveHint": True, "idempotentHint": True},
            ),
            s.FakeTool(
                "read_note",
                self.read,
                description="Read a note.",
                input_schema={
                    "type": "object",
                    "properties": read_props,
                    "required": ["path"],
                    "additionalProperties": False,
                },
            ),
        ]

    async def create(self, args: dict[str, Any]) -> Any:
        self.notes[str(args["path"])] = str(args["content"])
        if (
            self.echo
        ):  # the created note whole in the answer, on one line (hold-out 5's td add_todo, todo.txt)
            return s.ok({"created": args["path"], "content": " ".join(str(args["content"]).split())})
        return s.ok({"created": args["path"], "characters": len(str(args["content"]))})

    async def read(self, args: dict[str, Any]) -> Any:
        note = self.notes.get(str(args["path"]))
        if note is None:
            return s.good_error("path", "the path of an existing note")
        start = int(args.get("offset", 0))
        return s.ok({"text": note[start : start + 4_000] if self.bounded else note, "length": len(note)})


def check_notebook(bounded: bool, echo: bool = False) -> Report:
    config = {"create_note": {"path": "a.md", "content": "hello\n"}, "read_note": {"path": "a.md"}}
    return check(
        s.build(Notebook(bounded=bounded, echo=echo).tools, validate=True),
        allow_writes=True,
        tool_arguments=config,
    )


def test_an_item_grown_through_the_servers_own_write_is_read_back_over_budget() -> None:
    found = [f for f in findings(check_notebook(bounded=False), OVER_BUDGET) if f.tool == "read_note"]
    assert [f.severity for f in found] == ["error"]


def test_the_large_write_answered_with_the_checkers_own_value_is_an_echo_warning_not_an_error() -> None:
    """hold-out 5 (blind): todo-txt's add_todo answers the created todo whole, the growth probe's 104 KB text
    included; that size is the checker's, so a warning with the echo's advice, not the limit's error."""
    found = {f.tool: f for f in findings(check_notebook(bounded=True, echo=True), OVER_BUDGET)}
    assert found["create_note"].severity == "warning"
    assert "repeats the caller's oversized argument whole" in found["create_note"].message
    assert "read_note" not in found


def test_a_bounded_read_of_a_grown_item_stays_in_budget() -> None:
    report = check_notebook(bounded=True)
    assert not [f for f in findings(report, OVER_BUDGET) if f.tool == "read_note"]
    assert next(t for t in report.tools if t.name == "read_note").calls > 0


# -- hold-out kb-12: a create that answers the new item's id, and a read by that id -------------------------------


class Entries:
    """save_entry(title, data) answers {"id": n}; get_entry(id) answers the entry whole (or ``answer_id``
    off: "Saved." with no id, so the read cannot be aimed)."""

    def __init__(self, *, answer_id: bool) -> None:
        self.entries: dict[int, dict[str, str]] = {1: {"title": "seed", "data": "hello"}}
        self.answer_id = answer_id

    async def save(self, args: dict[str, Any]) -> Any:
        new = max(self.entries) + 1
        self.entries[new] = {"title": str(args["title"]), "data": str(args["data"])}
        return s.ok({"id": new, "saved": True}) if self.answer_id else text("Saved.")

    async def get(self, args: dict[str, Any]) -> Any:
        entry = self.entries.get(args["id"])
        return s.ok(entry) if entry else s.good_error("id", "the id of an existing entry")

    def server(self) -> Any:
        strings = {"type": "string", "maxLength": 1_000_000, "description": "Text."}
        save = {
            "type": "object",
            "properties": {"title": strings, "data": strings},
            "required": ["title", "data"],
        }
        ident = {"type": "integer", "minimum": 1, "description": "The entry's id."}
        get = {
            "type": "object",
            "properties": {"id": ident},
            "required": ["id"],
            "additionalProperties": False,
        }
        write = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False}
        return s.build(
            [
                s.FakeTool(
                    "save_entry",
                    self.save,
                    description="Save an entry.",
                    input_schema=save,
                    annotations=write,
                ),
                s.FakeTool("get_entry", self.get, description="Read an entry.", input_schema=get),
            ],
            validate=True,
        )


def test_a_grown_item_is_read_back_by_the_id_the_write_answered() -> None:
    store = Entries(answer_id=True)
    report = check(store.server(), allow_writes=True, tool_arguments={"get_entry": {"id": 1}})
    found = [f for f in findings(report, OVER_BUDGET) if f.tool == "get_entry"]
    assert [f.severity for f in found] == ["error"]


def test_without_an_id_in_the_answer_the_grown_item_is_not_read() -> None:
    report = check(
        Entries(answer_id=False).server(), allow_writes=True, tool_arguments={"get_entry": {"id": 1}}
    )
    assert not [f for f in findings(report, OVER_BUDGET) if f.tool == "get_entry"]


def test_a_grown_item_is_read_by_the_read_that_names_it_before_one_by_id() -> None:
    """Review of f35c2b3: write_file(path, content) pairs with read_file(path), not with get_user(user_id)."""
    from wireproof.check.probes.growth import growth_pairs

    def tool(name: str, props: dict[str, Any], required: list[str]) -> ToolInfo:
        strings = {n: {"type": "string", "maxLength": 2_000_000} for n in props}
        schema = {"type": "object", "properties": strings, "required": required}
        return ToolInfo(name, "", schema, None, None)

    write = tool("write_file", {"path": 1, "content": 1}, ["path", "content"])
    by_id = tool("get_user", {"user_id": 1}, ["user_id"])
    by_path = tool("read_file", {"path": 1}, ["path"])
    config = {"write_file": {"path": "a.md", "content": "x"}, "read_file": {"path": "a.md"}}
    pairs = growth_pairs([write, by_id, by_path], CheckOptions(allow_writes=True, tool_arguments=config))
    assert [(w.name, r.name if r else None) for w, r in pairs] == [("write_file", "read_file")]


class TaskList:
    """create_task(title, description) and list_tasks(): no read names one task, so the growth probe grows a
    task for the listings. ``bounded``: list_tasks cuts each description to 200 characters and says so."""

    def __init__(self, *, bounded: bool) -> None:
        self.tasks: list[dict[str, str]] = [{"title": "seed", "description": "the first task"}]
        self.bounded = bounded

    async def create(self, args: dict[str, Any]) -> Any:
        self.tasks.append({"title": str(args["title"]), "description": str(args["description"])})
        return s.ok({"created": len(self.tasks)})

    async def listing(self, args: dict[str, Any]) -> Any:
        if not self.bounded:
            return s.ok({"tasks": self.tasks})
        cut = [{**t, "description": t["description"][:200]} for t in self.tasks]
        return s.ok({"tasks": cut, "note": "descriptions cut to 200 characters"})

    def server(self) -> Any:
        strings = {"type": "string", "maxLength": 1_000_000, "description": "Text."}
        create = {
            "type": "object",
            "properties": {"title": strings, "description": strings},
            "required": ["title", "description"],
            "additionalProperties": False,
        }
        empty = {"type": "object", "properties": {}, "additionalProperties": False}
        write = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False}
        return s.build(
            [
                s.FakeTool("create_task", self.create, "Create a task.", create, annotations=write),
                s.FakeTool("list_tasks", self.listing, "List every task.", empty),
            ],
            validate=True,
        )


def test_a_listing_that_holds_a_grown_item_whole_is_over_budget() -> None:
    # Hold-out 4 sh-20 (list_tasks: 134,238 characters), hold-out 6 cr-11 (a standup of every entry, 203,451).
    report = check(TaskList(bounded=False).server(), allow_writes=True)
    (found,) = [f for f in findings(report, OVER_BUDGET) if f.tool == "list_tasks"]
    assert found.severity == "error"
    assert found.evidence.call == {"tool": "list_tasks", "arguments": {}}


def test_a_listing_that_cuts_a_grown_item_stays_in_budget_and_nothing_grows_without_allow_writes() -> None:
    assert not findings(check(TaskList(bounded=True).server(), allow_writes=True), OVER_BUDGET)
    flawed = TaskList(bounded=False)
    check(flawed.server())
    assert len(flawed.tasks) == 1  # no write ran


class Contexts:
    """context_save(key, value) and context_get(key?, limit?), as mcp-memory-keeper (hold-out 5 mk-12): the verb
    last, and the read's key optional. ``bounded``: context_get cuts a value past 2,000 characters and says so."""

    def __init__(self, *, bounded: bool) -> None:
        self.items: dict[str, str] = {}
        self.bounded = bounded

    async def save(self, args: dict[str, Any]) -> Any:
        self.items[str(args["key"])] = str(args["value"])
        return text(f"Saved: {args['key']}")

    async def get(self, args: dict[str, Any]) -> Any:
        keys = [args["key"]] if "key" in args else list(self.items)
        found = {k: self.items[k] for k in keys if k in self.items}
        if self.bounded:
            found = {
                k: v[:2000] + (" [cut: 2,000 of {len(v):,} characters]" if len(v) > 2000 else "")
                for k, v in found.items()
            }
        return s.ok({"items": found})

    def server(self) -> Any:
        strings = {"type": "string", "maxLength": 1_000_000, "description": "Text."}
        save = {
            "type": "object",
            "properties": {"key": strings, "value": strings},
            "required": ["key", "value"],
        }
        get = {
            "type": "object",
            "properties": {"key": strings, "limit": {"type": "integer", "minimum": 1, "maximum": 50}},
            "additionalProperties": False,
        }
        write = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True}
        return s.build(
            [
                s.FakeTool(
                    "context_save",
                    self.save,
                    description="Save a value.",
                    input_schema=save,
                    annotations=write,
                ),
                s.FakeTool("context_get", self.get, description="Get saved values.", input_schema=get),
            ],
            validate=True,
        )


def test_a_grown_item_is_read_back_through_verb_last_names_and_an_optional_key() -> None:
    report = check(Contexts(bounded=False).server(), allow_writes=True)
    found = [f for f in findings(report, OVER_BUDGET) if f.tool == "context_get"]
    assert [f.severity for f in found] == ["error"]
    assert found[0].evidence.call is not None
    assert set(found[0].evidence.call["arguments"]) == {"key"}


def test_a_grown_item_is_read_by_its_key_when_the_samples_name_two_items() -> None:
    """Hold-out 5's config saves note-c and reads note-a: the read is aimed at the written key all the same."""
    samples = {"context_save": {"key": "note-c", "value": "x"}, "context_get": {"key": "note-a"}}
    report = check(Contexts(bounded=False).server(), allow_writes=True, tool_arguments=samples)
    found = [f for f in findings(report, OVER_BUDGET) if f.tool == "context_get"]
    assert [f.severity for f in found] == ["error"]
    assert found[0].evidence.call is not None
    assert str(found[0].evidence.call["arguments"]["key"]).startswith("wireproof-grown-")


class NamesakeContexts(Contexts):
    """Hold-out 5's mk (mcp-memory-keeper): several items share a key (one per session or channel), and
    context_get answers the first of them only. The sample's key already names a short item."""

    def __init__(self) -> None:
        super().__init__(bounded=False)
        self.saved: list[tuple[str, str]] = [("note-c", "an older note under the same key")]

    async def save(self, args: dict[str, Any]) -> Any:
        self.saved.append((str(args["key"]), str(args["value"])))
        return text(f"Saved: {args['key']}")

    async def get(self, args: dict[str, Any]) -> Any:
        first = next(((k, v) for k, v in self.saved if k == args.get("key", k)), None)
        return s.ok({"items": dict([first]) if first else {}})


def test_a_grown_item_gets_a_key_of_its_own_so_no_namesake_hides_it() -> None:
    samples = {"context_save": {"key": "note-c", "value": "x"}, "context_get": {"key": "note-c"}}
    report = check(NamesakeContexts().server(), allow_writes=True, tool_arguments=samples)
    found = [f for f in findings(report, OVER_BUDGET) if f.tool == "context_get"]
    assert [f.severity for f in found] == ["error"]
    assert found[0].evidence.call is not None
    assert str(found[0].evidence.call["arguments"]["key"]).startswith("wireproof-grown-")


def test_a_path_keeps_its_folder_and_ending_when_the_grown_item_gets_a_name_of_its_own() -> None:
    schema = {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}
    read = ToolInfo("read_note", "Read a note.", schema, None, {"readOnlyHint": True})
    fresh = fresh_item(read, {"path": "notes/a.md", "content": "x"}, "content", CheckOptions())
    assert fresh is not None
    assert re.fullmatch(r"notes/wireproof-grown-[0-9a-f]{8}\.md", fresh["path"])
    assert fresh["content"] == "x"


def test_a_read_that_cuts_a_grown_item_stays_in_budget() -> None:
    report = check(Contexts(bounded=True).server(), allow_writes=True)
    assert not [f for f in findings(report, OVER_BUDGET) if f.tool == "context_get"]


# -- schema.mixed-language: English descriptions, Chinese answers (hold-out 5 bt-10, hold-out 4 sh-7) -------

MIXED = "schema.mixed-language"
COVERED |= {MIXED}


def bibliography(answer_in: str, described_in: str = "english") -> Any:
    """count_entries(filepath): answers how many entries a file holds, in English or in Chinese."""

    async def handler(args: dict[str, Any]) -> Any:
        if answer_in == "chinese":
            return text(f"文件: {args['filepath']} (总计 3 个条目)\n\n所有条目的key: knuth1984")
        return text(f"File {args['filepath']}: 3 entries. Keys: knuth1984.")

    english = described_in == "english"
    schema = {
        "type": "object",
        "properties": {
            "filepath": {
                "type": "string",
                "maxLength": 200,
                "description": "The path of the .bib file to read."
                if english
                else "要读取的 .bib 文件的路径",
            }
        },
        "required": ["filepath"],
        "additionalProperties": False,
    }
    description = "Count the entries of a BibTeX file." if english else "统计 BibTeX 文件中的条目数量"
    return one_tool(handler, name="count_entries", description=description, input_schema=schema)


def test_english_descriptions_with_chinese_answers_are_one_finding() -> None:
    (found,) = findings(check(bibliography("chinese")), MIXED)
    assert found.tool is None
    assert "count_entries answers in another language" in found.message


def test_one_language_throughout_is_fine() -> None:
    assert not findings(check(bibliography("english")), MIXED)
    assert not findings(check(bibliography("chinese", described_in="chinese")), MIXED)


def test_english_tools_with_a_parameter_described_in_chinese_are_one_finding() -> None:
    """shrimp-task-manager (hold-out 4 sh-7): English tool descriptions, parameters described in Chinese."""

    async def handler(args: dict[str, Any]) -> Any:
        return text("Planned.")

    schema = {
        "type": "object",
        "properties": {
            "description": {
                "type": "string",
                "maxLength": 500,
                "description": "完整詳細的任務問題描述\uff0c應包含任務目標",
            }
        },
        "required": ["description"],
        "additionalProperties": False,
    }
    report = check(
        one_tool(handler, name="plan_task", description="Plan a task in steps.", input_schema=schema)
    )
    (found,) = findings(report, MIXED)
    assert "plan_task.description" in found.message


def test_chinese_values_in_a_json_answer_are_data_not_the_servers_language() -> None:
    """Review of session 8: a train-ticket server's stations are Chinese names in English JSON."""

    async def handler(args: dict[str, Any]) -> Any:
        return s.ok(
            {"trains": [{"station": "北京南", "train": "G101", "from": "上海虹桥", "to": "南京南站"}]}
        )

    schema = {"type": "object", "properties": {}, "additionalProperties": False}
    report = check(
        one_tool(handler, name="list_trains", description="List the trains of today.", input_schema=schema)
    )
    assert not findings(report, MIXED)
