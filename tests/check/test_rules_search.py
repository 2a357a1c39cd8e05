"""A search whose query language cannot parse the term answers "Search failed: …" as a success.

The fixture is a real SQLite FTS5 index (hold-out 4's kb-2: mcp-kb-sqlite passes the term to MATCH and
answers "Search failed: OperationalError: fts5: syntax error near "AND"" with isError false); the
checker's injection-shaped strings (``' AND '1'='2``, ``SELECT COUNT(*) …``) are terms FTS5 cannot
parse. The sound twin quotes the term as one FTS5 phrase, so any text is a literal search. Checked in
memory through the official client.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import anyio
import mcp_types as types
import pytest

from tests.check import servers as s
from wireproof.check import CheckOptions, Report, Target, run_check


def search_server(*, literal: bool) -> Any:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE notes USING fts5(body)")
    db.executemany("INSERT INTO notes VALUES (?)", [("hello world",), ("meter and litre",)])

    async def search(args: dict[str, Any]) -> types.CallToolResult:
        query = args.get("query")
        if not isinstance(query, str) or not 1 <= len(query) <= 100:
            return s.good_error("query", "a string of 1 to 100 characters")
        if any(ord(c) < 32 for c in query):  # both refuse control characters: only the syntax differs
            return s.good_error("query", "text without control characters")
        term = '"' + query.replace('"', '""') + '"' if literal else query
        try:
            rows = db.execute("SELECT body FROM notes WHERE notes MATCH ?", (term,)).fetchall()
        except sqlite3.Error as exc:
            text = f"Search failed: {type(exc).__name__}: {exc}"
            return types.CallToolResult(
                content=[types.TextContent(text=text)], structured_content={"result": text}
            )
        return s.ok({"items": [r[0] for r in rows]})

    tool = s.FakeTool(
        "search_notes",
        search,
        description="Full-text search of the notes.",
        input_schema={
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "Words to find.", "minLength": 1, "maxLength": 100}
            },
            "required": ["query"],
            "additionalProperties": False,
        },
    )
    return s.build([tool])


def check(server: Any) -> Report:
    return anyio.run(run_check, Target(server=server), CheckOptions())


def test_a_query_the_engine_cannot_parse_answered_as_a_success_is_found() -> None:
    report = check(search_server(literal=False))
    disguised = [f for f in report.findings if f.rule == "errors.disguised-success"]
    assert [f.tool for f in disguised] == ["search_notes"]
    assert "Search failed: OperationalError: fts5: syntax error" in (disguised[0].evidence.answer or "")
    leaks = [f for f in report.findings if f.rule == "errors.leak" and f.tool == "search_notes"]
    assert leaks, "the engine's own words (OperationalError, fts5) are a driver message"


@pytest.mark.parametrize("rule", ["errors.disguised-success", "errors.leak"])
def test_a_literal_search_stays_quiet(rule: str) -> None:
    report = check(search_server(literal=True))
    assert not [f for f in report.findings if f.rule == rule]


@pytest.mark.parametrize(
    "said",
    [
        "No error: the file is valid",
        "Test failed: test_login (expected 2)",
        "Syntax error: unexpected token at line 3",
        "Build failed: fix CI [pending]",
        "Standard error: (empty)",
        "Validation error: none",
    ],
)
def test_a_success_that_opens_with_other_words_and_failed_or_error_is_no_disguise(said: str) -> None:
    """Review of 7688621: only an operation's own failure ("Search failed:", "Query error:") reads as one."""
    from wireproof.check.model import CallRecord
    from wireproof.check.rules.errors import disguised_failure

    assert disguised_failure(CallRecord("tool", {}, "valid", "result", 1.0, text=said)) is None
