"""Fixture servers for the probes' samples, edge values, expensive inputs and repairs (issue 12, items 6 and 7).

Each flaw comes with its sound twin, built on the official SDK's low-level server (tests/check/servers.py)
as a third-party server would present it.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import anyio

from tests.check import servers as s

ROWS = 5000
ROW = {"id": 0, "subject": "A support ticket subject long enough to matter " * 2, "status": "open"}

FILTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "filter": {"$ref": "#/$defs/Filter", "description": "Which orders to count."},
    },
    "required": ["filter"],
    "additionalProperties": False,
    "$defs": {
        "Filter": {
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["open", "closed"], "description": "Status."},
                "min_total": {"type": "integer", "minimum": 0, "maximum": 10_000, "description": "Total."},
            },
            "required": ["status"],
            "additionalProperties": False,
        }
    },
}


async def count_orders(args: dict[str, Any]) -> Any:
    """Refuses anything but a real filter object, as a typed API does."""
    flt = args.get("filter")
    if not isinstance(flt, dict) or flt.get("status") not in ("open", "closed"):
        return s.good_error("filter", 'an object such as {"status": "open"}')
    return s.ok({"count": 3})


def listing_schema(limit: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"limit": {"description": "The most rows to return.", **limit}},
        "required": [],
        "additionalProperties": False,
    }


async def list_rows(args: dict[str, Any]) -> Any:
    """Returns ``limit`` rows; a negative limit, like SQLite's ``LIMIT -1``, returns every row."""
    limit = args.get("limit", 10)
    if not isinstance(limit, int) or isinstance(limit, bool):
        return s.good_error("limit", "an integer")
    count = ROWS if limit < 0 else min(limit, ROWS)
    return s.ok({"rows": [{**ROW, "id": i} for i in range(count)]})


async def list_rows_soundly(args: dict[str, Any]) -> Any:
    limit = args.get("limit", 10)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 50:
        return s.good_error("limit", "an integer from 1 to 50")
    return s.ok({"rows": [{**ROW, "id": i} for i in range(limit)]})


async def list_rows_by_sql(args: dict[str, Any]) -> Any:
    """Passes ``limit`` to a real SQLite query and sends the driver's error text back (the leak)."""
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE t (id INTEGER)")
        db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(5)])
        try:
            rows = db.execute("SELECT id FROM t LIMIT ?", (args.get("limit", 5),)).fetchall()
        except sqlite3.Error as exc:
            return s.tool_error(f"sqlite3.{type(exc).__name__}: {exc}")
    return s.ok({"ids": [r[0] for r in rows]})


CALCULATOR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "expression": {"type": "string", "maxLength": 200, "description": "An arithmetic expression."}
    },
    "required": ["expression"],
    "additionalProperties": False,
}


def evaluator(*, hangs: bool, seen: list[str]) -> s.Handler:
    """An evaluator that records each expression; ``hangs``: an exponent tower never finishes, as with
    big integers; otherwise it is refused at once, saying what is accepted."""

    async def evaluate(args: dict[str, Any]) -> Any:
        expression = args.get("expression")
        if not isinstance(expression, str) or len(expression) > 200 or set(args) != {"expression"}:
            return s.good_error("expression", "a string of at most 200 characters")
        seen.append(expression)
        if expression.count("**") > 1:
            if hangs:
                await anyio.sleep(60)
            return s.good_error("expression", "at most one ** per expression (no exponent towers)")
        return s.ok({"value": 1})

    return evaluate


COLOUR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 50, "description": "The thing's name."},
        "shade": {"type": "string", "enum": ["light", "dark"], "description": "Which shade."},
    },
    "required": ["name"],
    "additionalProperties": False,
}


def _colour_problem(args: dict[str, Any]) -> tuple[str, str] | None:
    """The first problem with ``args`` as (field, what is expected), or None."""
    extra = sorted(set(args) - {"name", "shade"})
    if extra:
        return extra[0], "no such parameter; remove it"
    if not isinstance(args.get("name"), str) or len(args["name"]) > 50:
        return "name", "a string of at most 50 characters"
    if "shade" in args and args["shade"] not in ("light", "dark"):
        return "shade", 'one of "light", "dark"'
    return None


async def meta_only_errors(args: dict[str, Any]) -> Any:
    """Plain words say only "Invalid arguments."; the field and the allowed value are in a typed error in _meta."""
    problem = _colour_problem(args)
    if problem is None:
        return s.ok({"colour": "blue"})
    field, expected = problem
    allowed = ["light", "dark"] if field == "shade" else expected
    return s.tool_error(
        "Invalid arguments. Do not retry with the same arguments.",
        {"type": "invalid_input", "fields": [{"field": field, "expected": allowed}]},
    )


async def must_be_valid_errors(args: dict[str, Any]) -> Any:
    """Names the field and uses the keyword "must", yet says nothing of what would be accepted."""
    problem = _colour_problem(args)
    if problem is None:
        return s.ok({"colour": "blue"})
    return s.tool_error(f"{problem[0]} must be valid. Do not retry.")


async def teaching_errors(args: dict[str, Any]) -> Any:
    problem = _colour_problem(args)
    if problem is None:
        return s.ok({"colour": "blue"})
    return s.good_error(*problem)


async def unknown_colour_or_vague(args: dict[str, Any]) -> Any:
    """The generated sample names no real colour (a lookup miss); every other refusal is vague."""
    if _colour_problem(args) is not None:
        return s.tool_error("Bad request.")
    return s.tool_error(f"No colour is named {json.dumps(args['name'])}; list_colours shows the names.")


def colour_server(handler: s.Handler, schema: dict[str, Any] | None = None) -> Any:
    return s.build([s.FakeTool("get_colour_by_name", handler, input_schema=schema or COLOUR_SCHEMA)])
