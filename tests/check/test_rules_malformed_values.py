"""Malformed values of the right type: a date that is none, a regular expression that does not compile.

Hold-out 5's mk-5: mcp-memory-keeper answered ``keyPattern: "(unclosed"`` and ``createdAfter: "not a date"``
with "No matching context found", isError false: a false empty. Each flaw is a fixture server (the official
SDK's low-level server, through the official client), each with a sound twin that must stay quiet.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import mcp_types as types

from tests.check import servers as s
from tests.check.test_rules import check
from wireproof.check.edges import BAD_DATE, BAD_REGEX, date_like, edge_cases
from wireproof.check.model import Finding, Report

MALFORMED = "errors.malformed-accepted"
ITEMS = [
    {"key": "alpha", "created": "2026-11-01"},
    {"key": "beta", "created": "2026-12-01"},
]


def findings(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.rule == MALFORMED]


def text(value: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=value)])


def search_tool(*, loud: bool) -> Any:
    """search_items(keyPattern, createdAfter): a regex over the keys, a date lower bound.

    loud=False is the flaw: a pattern that does not compile or a date that does not parse matches nothing,
    answered "No matching items found". loud=True refuses either as an isError result naming the field.
    """

    async def handler(args: dict[str, Any]) -> Any:
        try:
            pattern = re.compile(args.get("keyPattern", ""))
        except re.error:
            if loud:
                return s.good_error("keyPattern", "a regular expression that compiles")
            return text("No matching items found")
        after = args.get("createdAfter")
        if after is not None:
            try:
                since = datetime.date.fromisoformat(after)
            except ValueError:
                if loud:
                    return s.good_error("createdAfter", "an ISO date such as 2026-12-01")
                return text("No matching items found")
        else:
            since = datetime.date.min
        hits = [
            i
            for i in ITEMS
            if pattern.search(i["key"]) and datetime.date.fromisoformat(i["created"]) >= since
        ]
        return s.ok({"items": hits}) if hits else text("No matching items found")

    schema = {
        "type": "object",
        "properties": {
            "keyPattern": {
                "type": "string",
                "maxLength": 100,
                "description": "Regex pattern for key matching",
            },
            "createdAfter": {
                "type": "string",
                "maxLength": 40,
                "description": "ISO date - items created after this time",
            },
        },
        "additionalProperties": False,
    }
    tool = s.FakeTool(
        "search_items",
        handler,
        description="Search the stored items.",
        input_schema=schema,
    )
    return s.build([tool], validate=True)


def test_a_bad_date_and_a_bad_regex_answered_as_no_matches_are_reported() -> None:
    found = {
        f.evidence.call["arguments"].get("keyPattern"): f for f in findings(check(search_tool(loud=False)))
    }
    assert BAD_REGEX in found
    assert "no regular expression" in found[BAD_REGEX].message
    dated = [f for f in findings(check(search_tool(loud=False))) if "no date" in f.message]
    assert len(dated) == 1
    assert dated[0].severity == "warning"
    assert dated[0].evidence.call["arguments"]["createdAfter"] == BAD_DATE


def test_a_bad_date_and_a_bad_regex_refused_loudly_are_fine() -> None:
    assert findings(check(search_tool(loud=True))) == []


def ignoring_dates() -> Any:
    """A lister whose date filter is ignored when it does not parse: every item comes back (the flaw)."""

    async def handler(args: dict[str, Any]) -> Any:
        try:
            since = datetime.date.fromisoformat(args["since"])
        except ValueError:
            since = datetime.date.min
        return s.ok({"items": [i for i in ITEMS if datetime.date.fromisoformat(i["created"]) >= since]})

    schema = {
        "type": "object",
        "properties": {
            "since": {"type": "string", "maxLength": 40, "description": "Only items created since then."}
        },
        "required": ["since"],
        "additionalProperties": False,
    }
    tool = s.FakeTool(
        "list_items",
        handler,
        description="List the stored items.",
        input_schema=schema,
    )
    return s.build([tool], validate=True)


def test_a_bad_date_answered_with_data_is_an_ignored_date() -> None:
    (found,) = findings(check(ignoring_dates()))
    assert "ignored the date" in found.message
    assert found.severity == "warning"


def test_which_parameters_take_a_date() -> None:
    free = {"type": "string"}
    for name in ("due_date", "createdAfter", "since", "updated_at", "startDate", "before_date", "until"):
        assert date_like(name, free), name
    assert date_like("when", {"type": "string", "description": "ISO 8601 date-time of the meeting"})
    for name in (
        "name",
        "status",
        "at",
        "format",
        "mandate",
        "after",
        "before",
    ):  # bare after/before: cursors
        assert not date_like(name, free), name
    assert date_like("date", {})  # untyped (hold-out 6 ex-2: every parameter of add_expense is {})
    assert not date_like("date", {"type": "integer"})
    assert not date_like("due_date", {"type": "string", "format": "date"})  # the schema refuses it already
    assert not date_like("due_date", {"type": "string", "enum": ["today", "tomorrow"]})


def test_a_glob_pattern_gets_no_bad_regex() -> None:
    """ "(unclosed" is a valid glob that matches nothing: an empty answer is right there."""
    schema = {
        "type": "object",
        "properties": {"pattern": {"type": "string", "description": "File name pattern (uses GLOB syntax)"}},
    }
    assert not [c for c in edge_cases("find_files", schema) if c.constraint == "bad-regex"]
    regex = {
        "type": "object",
        "properties": {"pattern": {"type": "string", "description": "A regular expression"}},
    }
    assert [
        c.arguments["pattern"] for c in edge_cases("find_files", regex) if c.constraint == "bad-regex"
    ] == [BAD_REGEX]
    bare = {"type": "object", "properties": {"pattern": {"type": "string"}}}
    glob_tool = "Recursively search for files matching a pattern. The patterns should be glob-style patterns."
    assert not [c for c in edge_cases("search_files", bare, None, glob_tool) if c.constraint == "bad-regex"]
    assert not [
        c for c in edge_cases("search_files", bare) if c.constraint == "bad-regex"
    ]  # a pattern of what?
    regex_tool = "Search the lines matching a regular expression pattern."
    assert [
        c.field for c in edge_cases("grep_lines", bare, None, regex_tool) if c.constraint == "bad-regex"
    ] == ["pattern"]


# -- errors.empty-search-accepted: a search for '' answers everything (hold-out 5 td-12, hold-out 6 tr-13, cr-16) --

EMPTY_SEARCH = "errors.empty-search-accepted"
COVERED = {EMPTY_SEARCH}
"""The rules this file makes fire that no other file does (test_rules.py checks every rule fires somewhere)."""


def note_search(*, refuses: bool, described: str = "Text to look for in the notes.") -> Any:
    """search_notes(query): a substring search over three notes; an empty query matches every note unless
    ``refuses``, which answers an isError result naming the field."""
    notes = ["buy milk", "call the plumber", "write the report"]

    async def handler(args: dict[str, Any]) -> Any:
        query = args["query"]
        if refuses and not query:
            return s.good_error("query", "a non-empty search term")
        return s.ok({"notes": [n for n in notes if query in n]})

    schema = {
        "type": "object",
        "properties": {"query": {"type": "string", "maxLength": 100, "description": described}},
        "required": ["query"],
        "additionalProperties": False,
    }
    return s.build(
        [s.FakeTool("search_notes", handler, description="Search the notes.", input_schema=schema)],
        validate=True,
    )


def test_an_empty_search_term_answered_with_every_note_is_reported() -> None:
    (found,) = [f for f in check(note_search(refuses=False)).findings if f.rule == EMPTY_SEARCH]
    assert found.tool == "search_notes"
    assert found.evidence.call is not None
    assert found.evidence.call["arguments"] == {"query": ""}


def test_an_empty_search_term_refused_or_described_as_everything_is_fine() -> None:
    assert not [f for f in check(note_search(refuses=True)).findings if f.rule == EMPTY_SEARCH]
    told = note_search(refuses=False, described="Text to look for; an empty query lists all the notes.")
    assert not [f for f in check(told).findings if f.rule == EMPTY_SEARCH]


def test_only_a_tool_named_for_a_search_gets_the_empty_term() -> None:
    """A listing's filter ('names containing q') or a query tool's SQL is not a search for a term."""
    schema = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
    assert [c.constraint for c in edge_cases("search_notes", schema) if c.constraint == "empty-search"]
    assert not [c for c in edge_cases("filter_table_names", schema) if c.constraint == "empty-search"]
    query = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
    assert not [c for c in edge_cases("execute_query", query) if c.constraint == "empty-search"]


def test_garbage_that_may_match_everything_goes_to_no_write_that_destroys() -> None:
    """Review of session 8: purge_messages(before 'not a date') may purge all; find_and_replace('') rewrites."""
    dated = {
        "type": "object",
        "properties": {"before_date": {"type": "string", "description": "An ISO date."}},
    }
    assert not [c for c in edge_cases("purge_messages", dated, read_only=False) if c.constraint == "bad-date"]
    assert [c for c in edge_cases("add_expense", dated, read_only=False) if c.constraint == "bad-date"]
    assert [c for c in edge_cases("list_expenses", dated, read_only=False) if c.constraint == "bad-date"]
    search = {"type": "object", "properties": {"search": {"type": "string"}}, "required": ["search"]}
    assert not [
        c for c in edge_cases("find_and_replace", search, read_only=False) if c.constraint == "empty-search"
    ]
    assert [c for c in edge_cases("search_todos", search, read_only=False) if c.constraint == "empty-search"]
    for name, described in [
        ("after", "Cursor for pagination"),
        ("since_id", "Tweets after this id"),
        ("format", "strftime format for the datetime"),
        ("day", "Day of week, e.g. monday"),
    ]:
        assert not date_like(name, {"type": "string", "description": described}), name


def test_an_empty_search_answered_by_asking_for_a_term_is_fine() -> None:
    async def handler(args: dict[str, Any]) -> Any:
        return text("Please provide a search term to look for.")

    schema = {
        "type": "object",
        "properties": {"query": {"type": "string", "maxLength": 100, "description": "What to look for."}},
        "required": ["query"],
        "additionalProperties": False,
    }
    server = s.build(
        [s.FakeTool("search_notes", handler, description="Search.", input_schema=schema)], validate=True
    )
    assert not [f for f in check(server).findings if f.rule == EMPTY_SEARCH]


# -- errors.empty-value-accepted: a write given '' for a name answered as a success (hold-out 6 tr-15, cr-12) --

EMPTY_NAME = "errors.empty-value-accepted"
COVERED |= {EMPTY_NAME}


def project_log(*, refuses: bool) -> Any:
    """log_entry(project, text): appends an entry under a project; '' as the project is stored unless
    ``refuses``, which answers an isError result naming the field."""
    entries: list[tuple[str, str]] = []

    async def handler(args: dict[str, Any]) -> Any:
        project, body = args["project"], args["text"]
        if refuses and not project.strip():
            return s.good_error("project", "a non-empty project name")
        if refuses and not body.strip():
            return s.good_error("text", "what was done, not empty")
        entries.append((project, body))
        return s.ok({"logged": len(entries), "project": project})

    schema = {
        "type": "object",
        "properties": {
            "project": {"type": "string", "maxLength": 60, "description": "The project."},
            "text": {"type": "string", "maxLength": 200, "description": "What was done."},
        },
        "required": ["project", "text"],
        "additionalProperties": False,
    }
    annotations = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False}
    return s.build(
        [s.FakeTool("log_entry", handler, "Log an entry.", schema, annotations=annotations)], validate=True
    )


def test_a_write_that_stores_an_empty_project_name_is_reported() -> None:
    (found,) = [
        f for f in check(project_log(refuses=False), allow_writes=True).findings if f.rule == EMPTY_NAME
    ]
    assert found.tool == "log_entry"
    assert found.evidence.call is not None
    assert found.evidence.call["arguments"]["project"] == ""


def test_an_empty_name_refused_is_fine_and_no_write_gets_it_without_allow_writes() -> None:
    assert not [
        f for f in check(project_log(refuses=True), allow_writes=True).findings if f.rule == EMPTY_NAME
    ]
    assert not [f for f in check(project_log(refuses=False)).findings if f.rule == EMPTY_NAME]


def test_no_delete_no_read_and_no_tool_named_for_no_write_gets_an_empty_name() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    assert [c for c in edge_cases("create_project", schema, read_only=False) if c.constraint == "empty-name"]
    assert [
        c
        for c in edge_cases("cronos_aggiungi_entry", schema, read_only=False)
        if c.constraint == "empty-name"
    ]
    for name in (
        "delete_project",
        "purge_project",
        "rename_project",
        "cronos_elimina_voce",
        "cronos_progetto",
    ):
        assert not [c for c in edge_cases(name, schema, read_only=False) if c.constraint == "empty-name"]
    assert not [c for c in edge_cases("get_project", schema, read_only=True) if c.constraint == "empty-name"]
    bounded = {
        "type": "object",
        "properties": {"name": {"type": "string", "minLength": 1}},
        "required": ["name"],
    }
    assert not [
        c for c in edge_cases("create_project", bounded, read_only=False) if c.constraint == "empty-name"
    ]


def todo_list(*, refuses: bool) -> Any:
    """add_todo(text): appends a todo; '' is stored unless ``refuses`` (hold-out 5 td-3: an empty todo that
    broke every later load)."""
    todos: list[str] = []

    async def handler(args: dict[str, Any]) -> Any:
        if refuses and not args["text"].strip():
            return s.good_error("text", "the todo's text, not empty")
        todos.append(args["text"])
        return s.ok({"added": len(todos)})

    schema = {
        "type": "object",
        "properties": {"text": {"type": "string", "maxLength": 200, "description": "The todo."}},
        "required": ["text"],
        "additionalProperties": False,
    }
    annotations = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False}
    return s.build(
        [s.FakeTool("add_todo", handler, "Add a todo.", schema, annotations=annotations)], validate=True
    )


def test_a_create_that_stores_an_empty_item_is_reported_and_one_that_refuses_it_is_not() -> None:
    (found,) = [
        f for f in check(todo_list(refuses=False), allow_writes=True).findings if f.rule == EMPTY_NAME
    ]
    assert "an empty item" in found.message
    assert found.evidence.call is not None
    assert found.evidence.call["arguments"] == {"text": ""}
    assert not [f for f in check(todo_list(refuses=True), allow_writes=True).findings if f.rule == EMPTY_NAME]


def test_only_a_create_whose_one_required_text_is_the_item_gets_an_empty_text() -> None:
    one = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
    assert [c for c in edge_cases("add_todo", one, read_only=False) if c.constraint == "empty-text"]
    assert not [c for c in edge_cases("update_todo", one, read_only=False) if c.constraint == "empty-text"]
    two = {
        "type": "object",
        "properties": {"text": {"type": "string"}, "sql": {"type": "string"}},
        "required": ["text", "sql"],
    }
    assert not [c for c in edge_cases("add_todo", two, read_only=False) if c.constraint == "empty-text"]


def test_a_value_saved_under_a_key_may_be_empty() -> None:
    # Hold-out 5 (mk): context_save(key, value) storing value '' is a value like any other, not an empty item.
    schema = {
        "type": "object",
        "properties": {"key": {"type": "string", "minLength": 1}, "value": {"type": "string"}},
        "required": ["key", "value"],
    }
    assert not [
        c for c in edge_cases("context_save", schema, read_only=False) if c.constraint.startswith("empty")
    ]
