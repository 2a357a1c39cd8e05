"""The largest-table probe's reading of a table listing, and the only SQL it builds: SELECT * on a plain identifier."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wireproof.check.config import CheckOptions
from wireproof.check.model import CallRecord, Observations, ToolInfo
from wireproof.check.probes.tables import (
    MAX_TABLES,
    largest_tables,
    query_tools,
    select_all,
    table_listing_tools,
    table_names,
)

READ = {"readOnlyHint": True}
SQL = {"type": "object", "properties": {"sql": {"type": "string"}}, "required": ["sql"]}
NONE = {"type": "object", "properties": {}}
TABLE = {"type": "object", "properties": {"table": {"type": "string"}}, "required": ["table"]}


def answer(text: str = "", structured: Any = None, *, is_error: bool = False) -> CallRecord:
    return CallRecord(
        "list_tables", {}, "valid", "result", 1.0, text=text, structured=structured, is_error=is_error
    )


def tool(name: str, schema: dict[str, Any], annotations: dict[str, Any] | None = READ) -> ToolInfo:
    return ToolInfo(name, "", schema, None, annotations)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            answer(structured={"tables": [{"name": "events", "rows": 9}, {"name": "users", "rows": 2}]}),
            [("events", 9), ("users", 2)],
        ),
        (answer(json.dumps(["events", "users"])), [("events", None), ("users", None)]),
        (answer(json.dumps([["events", 9], ["users", 2]])), [("events", 9), ("users", 2)]),
        (answer(json.dumps({"events": 9, "users": 2})), [("events", 9), ("users", 2)]),
        (answer("Tables:\n- events\n- users\n"), [("events", None), ("users", None)]),
        (answer("Tables: events, users"), [("events", None), ("users", None)]),
        (
            answer('CREATE TABLE events (id INTEGER);\nCREATE TABLE IF NOT EXISTS "users" (id INTEGER);'),
            [("events", None), ("users", None)],
        ),
        (answer(json.dumps(["events", "sqlite_sequence"])), [("events", None)]),
    ],
)
def test_a_listing_names_its_tables_in_json_or_text(call: CallRecord, expected: list[Any]) -> None:
    assert table_names(call) == expected


@pytest.mark.parametrize(
    "call",
    [
        answer(json.dumps(["events", 'users"; DROP TABLE events; --'])),
        answer(json.dumps(["events", "my table"])),
        answer("There are two tables here, events and users."),
        answer(json.dumps(["events"]), is_error=True),
        answer(json.dumps({"schema": "events(id)"})),
    ],
)
def test_a_listing_with_anything_but_plain_identifiers_names_no_table(call: CallRecord) -> None:
    assert table_names(call) == []


def test_the_largest_counted_table_is_read_else_the_first_few() -> None:
    listing = tool("list_tables", NONE)
    counted = Observations()
    counted.calls.append(
        answer(structured={"tables": [{"name": "a", "rows": 2}, {"name": "big", "rows": 90}]})
    )
    assert largest_tables(counted, [listing]) == ["big"]
    uncounted = Observations()
    uncounted.calls.append(answer(json.dumps(["a", "b", "c", "d", "e"])))
    assert largest_tables(uncounted, [listing]) == ["a", "b", "c", "d", "e"][:MAX_TABLES]


def test_the_only_sql_built_is_select_all_on_a_quoted_plain_identifier() -> None:
    assert select_all("events") == 'SELECT * FROM "events"'
    for name in ('events"; DROP TABLE users; --', "a b", "1abc", "", "évents"):
        with pytest.raises(ValueError, match="plain identifier"):
            select_all(name)


def test_only_read_only_query_tools_and_argument_free_table_listings_take_part() -> None:
    query, write_query = tool("query", SQL), tool("execute_sql", SQL, {"readOnlyHint": False})
    assert query_tools([query, write_query], CheckOptions()) == [query]
    listing, describe = tool("list_tables", NONE), tool("describe_table", TABLE)
    unannotated = tool("show_tables", NONE, None)
    assert table_listing_tools([listing, describe, unannotated, query]) == [listing]
