"""Fixture servers for the general edge probes (issue 12: the hold-out's errors and protocol misses).

Each flaw comes with its sound twin, built on the official SDK's low-level server (tests/check/servers.py)
as a third-party server would present it. The servers whose flaw holds the interpreter (a catastrophic
regex) run as real stdio subprocesses: ``python -m tests.check.edge_servers NAME``.
"""

from __future__ import annotations

import ast
import base64
import binascii
import datetime
import operator
import re
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s


async def unknown_tool_as_result(args: dict[str, Any]) -> Any:
    """The high-level SDK's answer to an unknown tool: a tool result, isError true."""
    return s.tool_error("Unknown tool: wireproof_no_such_tool")


def unknown_tool_server(*, as_result: bool) -> Any:
    """One sound tool; an unknown tool is a tool result (``as_result``) or the JSON-RPC error -32602."""
    return s.build(
        [s.FakeTool("get_colour_by_name", s.strict_colour)],
        on_unknown=unknown_tool_as_result if as_result else None,
    )


def obj(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


# -- 2 and 3. huge integers and negative durations ----------------------------------------------------

TIMER_SCHEMA = obj(
    {
        "name": {"type": "string", "maxLength": 40, "description": "The timer's name."},
        "fire_in_seconds": {"type": "integer", "minimum": 1, "description": "Seconds until it fires."},
        "recurring_seconds": {"type": "integer", "description": "Repeat every so many seconds (optional)."},
    },
    ["name", "fire_in_seconds"],
)
YEAR = 365 * 24 * 3600


def timers(*, sound: bool) -> Any:
    """timer_set: the flawed one hands the numbers to ``datetime.timedelta`` and answers its exception as
    is (an OverflowError for a huge value), and drops a negative period; the sound one refuses both."""

    async def timer_set(args: dict[str, Any]) -> Any:
        fire, every = args.get("fire_in_seconds"), args.get("recurring_seconds")
        if not isinstance(fire, int) or not isinstance(args.get("name"), str):
            return s.good_error("fire_in_seconds", "an integer number of seconds")
        if sound:
            if not 1 <= fire <= YEAR:
                return s.good_error("fire_in_seconds", f"an integer from 1 to {YEAR} (one year)")
            if every is not None and (not isinstance(every, int) or not 1 <= every <= YEAR):
                return s.good_error("recurring_seconds", f"an integer from 1 to {YEAR}, or leave it out")
        try:
            at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(seconds=fire)
        except OverflowError as exc:
            return s.tool_error(f"Error executing tool timer_set: {exc}")
        period = every if isinstance(every, int) and every > 0 else None  # the flaw: -1 silently dropped
        return s.ok({"name": args["name"], "fires_at": at.isoformat(), "recurring_seconds": period})

    return s.build(
        [
            s.FakeTool(
                "timer_set",
                timer_set,
                description="Set a timer.",
                input_schema=TIMER_SCHEMA,
                annotations=s.WRITE_IDEMPOTENT,
            )
        ]
    )


# -- 4. domain-invalid expressions ---------------------------------------------------------------------

CALCULATOR_SCHEMA = obj(
    {"expression": {"type": "string", "maxLength": 200, "description": "An arithmetic expression."}},
    ["expression"],
)
_OPERATORS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


def _arithmetic(node: ast.AST) -> Any:
    """Numbers and + - * / // % ** only; an exponent above 100 is refused (so a tower never runs)."""
    if isinstance(node, ast.Expression):
        return _arithmetic(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_arithmetic(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _arithmetic(node.left), _arithmetic(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 100:
            raise LookupError("exponents above 100 are not accepted")
        return _OPERATORS[type(node.op)](left, right)
    raise LookupError("only numbers and + - * / // % ** are accepted")


def calculator(*, sound: bool) -> Any:
    """calculate: the flawed one answers Python's own exception text (ZeroDivisionError's "division by zero",
    the 4,300-digit limit's advice); the sound one says what is wrong in the caller's terms."""

    async def calculate(args: dict[str, Any]) -> Any:
        expression = args.get("expression")
        if not isinstance(expression, str) or len(expression) > 200:
            return s.good_error("expression", "a string of at most 200 characters")
        try:
            value = _arithmetic(
                ast.parse(expression.replace("^", "**"), mode="eval")
            )  # ^ is the power, as in units
            text = str(value)
        except (LookupError, SyntaxError) as exc:
            return s.good_error("expression", f"an arithmetic expression ({exc})")
        except ZeroDivisionError as exc:
            if sound:
                return s.good_error("expression", "an expression that does not divide by zero")
            return s.tool_error(f"Error calling tool 'calculate': {exc}")
        except ValueError as exc:
            if sound:
                return s.good_error("expression", "an expression whose result has at most 4,000 digits")
            return s.tool_error(f"Error calling tool 'calculate': {exc}")
        return s.ok({"value": text})

    return s.build(
        [
            s.FakeTool(
                "calculate", calculate, description="Evaluate arithmetic.", input_schema=CALCULATOR_SCHEMA
            )
        ]
    )


# -- 6. decoder garbage ----------------------------------------------------------------------------------

DECODE_SCHEMA = obj(
    {"data": {"type": "string", "maxLength": 1000, "description": "The base64 text to decode."}}, ["data"]
)


def decoder(*, sound: bool) -> Any:
    """base64_decode: the flawed one answers "" for anything it cannot decode; the sound one refuses it."""

    async def base64_decode(args: dict[str, Any]) -> Any:
        data = args.get("data")
        if not isinstance(data, str):
            return s.good_error("data", "a base64 string")
        try:
            return s.ok({"text": base64.b64decode(data, validate=True).decode("utf-8", "replace")})
        except (binascii.Error, ValueError):
            if sound:
                return s.good_error("data", "base64 text (A-Z, a-z, 0-9, +, /, = padding)")
            return s.ok({"text": ""})

    return s.build(
        [
            s.FakeTool(
                "base64_decode", base64_decode, description="Decode base64.", input_schema=DECODE_SCHEMA
            )
        ],
        validate=True,
    )


# -- 7. values listed in the tool's description ---------------------------------------------------------

TODOS = [{"id": i, "title": f"todo {i}", "status": ("open", "done")[i % 2]} for i in range(4)]


def todos(*, refuses: bool, enum: bool = False) -> Any:
    """todo_list(status): its values are listed in the tool's description (or, ``enum``, in the schema).
    The flawed one filters by whatever it is given, answering an unknown status as an empty list."""
    status: dict[str, Any] = {
        "type": "string",
        "maxLength": 20,
        "description": "Only todos with this status.",
    }
    if enum:
        status["enum"] = ["open", "in_progress", "done"]

    async def todo_list(args: dict[str, Any]) -> Any:
        wanted = args.get("status", "open")
        if refuses and wanted not in ("open", "in_progress", "done"):
            return s.good_error("status", 'one of "open", "in_progress", "done"')
        items = [t for t in TODOS if t["status"] == wanted]
        return s.ok({"count": len(items), "items": items})

    return s.build(
        [
            s.FakeTool(
                "todo_list",
                todo_list,
                description="List todos. status: open|in_progress|done",
                input_schema=obj({"status": status}, []),
            )
        ],
        validate=True,
    )


# -- 8. wildcards in a search ---------------------------------------------------------------------------

NOTES = [f"big note {i}" for i in range(6)] + ["100% sure", "a_b"]
NOTES_SCHEMA = obj(
    {
        "search": {"type": "string", "maxLength": 100, "description": "Text the note must contain."},
        "limit": {"type": "integer", "minimum": 1, "maximum": 50, "description": "The most notes to return."},
    },
    [],
)


def notes(*, escapes: bool) -> Any:
    """list_notes over a real SQLite table: the flawed one splices the search into LIKE unescaped."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.executemany("INSERT INTO notes (body) VALUES (?)", [(n,) for n in NOTES])

    async def list_notes(args: dict[str, Any]) -> Any:
        search, limit = args.get("search", ""), args.get("limit", 50)
        if not isinstance(search, str) or not isinstance(limit, int) or not 1 <= limit <= 50:
            return s.good_error("search", "a string, and limit an integer from 1 to 50")
        if escapes:
            term = re.sub(r"([\\%_])", r"\\\1", search)
            sql = "SELECT id, body FROM notes WHERE body LIKE '%' || ? || '%' ESCAPE '\\' LIMIT ?"
        else:
            term, sql = search, "SELECT id, body FROM notes WHERE body LIKE '%' || ? || '%' LIMIT ?"
        rows = db.execute(sql, (term, limit)).fetchall()
        return s.ok({"notes": [{"id": i, "body": b} for i, b in rows]})

    return s.build(
        [s.FakeTool("list_notes", list_notes, description="List notes.", input_schema=NOTES_SCHEMA)]
    )


PREFIXED_SCHEMA = obj(
    {
        # pydantic's `ns: str | None = None`, with no description: the tool's description says what it is
        "ns": {"anyOf": [{"type": "string", "maxLength": 50}, {"type": "null"}], "default": None},
        "limit": {"type": "integer", "minimum": 1, "maximum": 50, "description": "The most notes to return."},
    },
    [],
)


def prefixed_notes(*, escapes: bool, annotated: bool = True, prose: bool = False) -> Any:
    """list_entries filtered by a namespace prefix (hold-out 4 kb-9: mcp-kb-sqlite's ``list {ns}``): the
    flawed one splices the prefix into LIKE unescaped, so '%' lists every entry."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, ns TEXT)")
    db.executemany(
        "INSERT INTO entries (ns) VALUES (?)", [(n,) for n in ("proj/a", "proj/b", "home", "50%off")]
    )

    async def list_entries(args: dict[str, Any]) -> Any:
        ns, limit = args.get("ns") or "", args.get("limit", 50)
        if not isinstance(ns, str) or not isinstance(limit, int) or not 1 <= limit <= 50:
            return s.good_error("ns", "a string, and limit an integer from 1 to 50")
        if escapes:
            term = re.sub(r"([\\%_])", r"\\\1", ns)
            sql = "SELECT id, ns FROM entries WHERE ns LIKE ? || '%' ESCAPE '\\' LIMIT ?"
        else:
            term, sql = ns, "SELECT id, ns FROM entries WHERE ns LIKE ? || '%' LIMIT ?"
        rows = db.execute(sql, (term, limit)).fetchall()
        if prose:  # mcp-kb-sqlite answers 'id=3 | proj/c' lines, or 'No entries found.'
            said = "\n".join(f"id={i} | {n}" for i, n in rows) or "No entries found."
            return s.types.CallToolResult(content=[s.types.TextContent(text=said)])
        return s.ok({"entries": [{"id": i, "ns": n} for i, n in rows]})

    description = "List entries (id, ns). Optionally filter by ns prefix."
    annotations = None if not annotated else {"readOnlyHint": True}  # mcp-kb-sqlite's list has none
    tool = s.FakeTool(
        "list_entries",
        list_entries,
        description=description,
        input_schema=PREFIXED_SCHEMA,
        annotations=annotations,
    )
    return s.build([tool])


# -- 10. values a description lists, at the top and inside an array's items -------------------------------

TODOS_SCHEMA = obj(
    {
        "todos": {
            "type": "array",
            "maxItems": 20,
            "description": "The whole list. Each todo:\n- content: what to do\n- status: where it stands "
            "(pending, in_progress, completed)",
            "items": {
                "type": "object",
                "properties": {
                    "content": {"type": "string", "maxLength": 200},
                    "status": {"type": "string", "maxLength": 20},
                },
                "required": ["content", "status"],
            },
        },
        "format": {
            "type": "string",
            "maxLength": 20,
            "description": "How to answer: 'table', 'json' or 'csv'.",
        },
    },
    ["todos"],
)
STATUSES = ("pending", "in_progress", "completed")


def todo_list(*, checks: bool) -> Any:
    """save_todos: the flawed one keeps any status and answers any format as a table; the sound one refuses
    a status or a format outside the lists its descriptions give, naming them."""

    async def save_todos(args: dict[str, Any]) -> Any:
        todos, fmt = args.get("todos"), args.get("format", "table")
        if not isinstance(todos, list) or not all(isinstance(t, dict) for t in todos):
            return s.good_error("todos", "a list of {content, status} objects")
        if checks:
            bad = next((t for t in todos if t.get("status") not in STATUSES), None)
            if bad is not None:
                return s.good_error("todos[].status", f"one of {', '.join(STATUSES)}")
            if fmt not in ("table", "json", "csv"):
                return s.good_error("format", "one of table, json, csv")
        return s.ok({"saved": len(todos), "format": "table"})

    return s.build(
        [
            s.FakeTool(
                "save_todos",
                save_todos,
                description="Replace the todo list.",
                input_schema=TODOS_SCHEMA,
                annotations={"readOnlyHint": False, "idempotentHint": True},
            )
        ]
    )


# -- 9. two statements in one SQL string ----------------------------------------------------------------

QUERY_SCHEMA = obj(
    {"sql": {"type": "string", "maxLength": 2000, "description": "A read-only SQL query (SELECT)."}},
    ["sql"],
)


def sql_reader(*, runs: str, empty_ok: bool = False) -> Any:
    """run_query over a real SQLite database. ``runs``: ``"first"`` runs the first statement and drops the rest
    without a word (as node-sqlite3's ``db.all`` does); ``"all"`` runs each and answers every result;
    ``"refuses"`` refuses a string of several statements, saying so. ``empty_ok``: an empty statement runs
    nothing and is answered ``{"rows": []}`` (else it is refused, naming the field)."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute("INSERT INTO notes (body) VALUES ('hello')")
    budget = {"steps": 0}

    def over_budget() -> int:  # runs in the event loop: a never-ending query must not hold the test
        budget["steps"] += 1
        return 1 if budget["steps"] > 2_000 else 0

    db.set_progress_handler(over_budget, 1_000)

    async def run_query(args: dict[str, Any]) -> Any:
        budget["steps"] = 0
        sql = args.get("sql")
        if not isinstance(sql, str) or (not sql.strip() and not empty_ok):
            return s.good_error("sql", "a SELECT statement")
        statements = [part for part in sql.split(";") if part.strip()]
        if runs == "refuses" and len(statements) > 1:
            return s.good_error("sql", "one statement at a time (this string holds several)")
        if runs == "first":
            statements = statements[:1]
        results = []
        for statement in statements:
            try:
                cursor = db.execute(statement)
            except sqlite3.Error as exc:
                return s.good_error("sql", f"valid SQL ({exc})")
            columns = [d[0] for d in cursor.description or []]
            results.append([dict(zip(columns, row, strict=True)) for row in cursor.fetchall()])
        return s.ok({"rows": results[0] if len(results) == 1 else [row for r in results for row in r]})

    return s.build(
        [s.FakeTool("run_query", run_query, description="Run a read query.", input_schema=QUERY_SCHEMA)]
    )


# -- 5. a catastrophic regular expression (stdio: the flaw holds the interpreter) ---------------------

REGEX_SCHEMA = obj(
    {
        "pattern": {"type": "string", "maxLength": 200, "description": "A regular expression."},
        "text": {"type": "string", "maxLength": 1000, "description": "The text to search."},
    },
    ["pattern", "text"],
)
NESTED_QUANTIFIER = re.compile(r"\([^()]*[+*][^()]*\)[+*{]")
QUANTIFIED_ALTERNATION = re.compile(r"\([^()]*\|[^()]*\)[+*{]")


def regex(*, sound: bool, filtered: bool = False, annotated: bool = True) -> Any:
    """regex_match: the flawed one runs ``re.search`` in the event loop, so a backtracking pattern holds
    the whole server; ``filtered`` refuses nested quantifiers only, as hold-out 7's calc-mcp does (so
    ``(a|a)*$`` still holds it); the sound one refuses quantified alternations too."""

    async def regex_match(args: dict[str, Any]) -> Any:
        pattern, text = args.get("pattern"), args.get("text")
        if not isinstance(pattern, str) or not isinstance(text, str):
            return s.good_error("pattern", "a string, and text a string")
        if (sound or filtered) and NESTED_QUANTIFIER.search(pattern):
            return s.good_error("pattern", "a pattern without nested quantifiers such as (a+)+")
        if sound and QUANTIFIED_ALTERNATION.search(pattern):
            return s.good_error("pattern", "a pattern without a quantified alternation such as (a|b)*")
        try:
            found = re.search(pattern, text)
        except re.error as exc:
            return s.good_error("pattern", f"a valid regular expression ({exc.msg})")
        return s.ok({"match": found.group(0) if found else None})

    annotations = {"readOnlyHint": True} if annotated else None  # calc-mcp's regex declares none
    tool = s.FakeTool(
        "regex_match", regex_match, description="Match.", input_schema=REGEX_SCHEMA, annotations=annotations
    )
    return s.build([tool])


SERVERS: dict[str, Callable[[], Any]] = {
    "regex-flawed": lambda: regex(sound=False),
    "regex-sound": lambda: regex(sound=True),
    "regex-filtered": lambda: regex(sound=False, filtered=True),
    "regex-unannotated": lambda: regex(sound=False, filtered=True, annotated=False),
}
"""The stdio servers by name, for ``python -m tests.check.edge_servers NAME``."""


async def main(name: str) -> None:
    server = SERVERS[name]()
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main, sys.argv[1])
