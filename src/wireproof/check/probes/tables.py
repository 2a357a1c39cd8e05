"""The largest-table probe: ``SELECT *`` on the largest table a listing tool names, through each query tool.

A query tool's generated 1,000-row read shows whether it pages, not how large a real answer is: an
agent's ``SELECT * FROM big_table`` has come back at 15 and 27 MB. So, after the reads' inputs, the
table names are taken from what the server's own read-only table listings answered (``list_tables``,
``show_tables``, a schema tool that takes no argument), keeping only plain identifiers; the largest
table (by a row count the listing shows; without counts, the first ``MAX_TABLES``) is read whole
through each read-only query tool, as ``SELECT * FROM "name"``. A read, so made without
--allow-writes; each call bounded by the timeout like every call. Recorded as ``select-all`` calls,
which ``output.over-budget`` judges like every answer.

    listing answers (valid calls) ──► table_names ──► largest_tables ──► select_all ──► query tool
"""

from __future__ import annotations

import re
from typing import Any, Final

from wireproof.check.client import Connection
from wireproof.check.config import CheckOptions
from wireproof.check.generate import is_schema_valid, valid_samples
from wireproof.check.model import CallRecord, Observations, ToolInfo, claims_read_only, code_parameters

__all__ = [
    "MAX_TABLES",
    "largest_tables",
    "probe_largest_table",
    "query_field",
    "query_tools",
    "select_all",
    "table_listing_tools",
    "table_names",
]

MAX_TABLES: Final = 3
"""Tables read whole per query tool when the listing shows no row counts."""
IDENTIFIER: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
"""A plain SQL identifier: the only table name the probe sends (quoted, it can mean nothing else)."""
_LISTING_WORDS: Final = frozenset({"tables", "table", "schema", "schemas"})
_SQL_WORDS: Final = frozenset({"sql", "query", "statement"})
_NAME_KEYS: Final = ("name", "table", "table_name", "tablename", "tbl_name", "TABLE_NAME")
_COUNT_KEYS: Final = ("rows", "row_count", "rowcount", "rowCount", "count", "num_rows", "n_rows", "records")
_OWN_PREFIXES: Final = ("sqlite_", "wireproof_")
"""The database's own tables (``sqlite_sequence``) and the checker's: never the user's largest."""
_BULLET: Final = re.compile(r"^\s*(?:[-*•]|\d+[.)])?\s*")
_CREATE_TABLE: Final = re.compile(
    r"\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"`\[]?([A-Za-z_][A-Za-z0-9_]*)[\"`\]]?\s*\(",
    re.IGNORECASE,
)


def _words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return {t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t}


def query_field(tool: ToolInfo) -> str | None:
    """The parameter that takes SQL: a code parameter named for a query or SQL, or described as SQL."""
    properties = tool.input_schema.get("properties", {})
    for name in code_parameters(tool):
        described = str(properties.get(name, {}).get("description", ""))
        if _words(name) & _SQL_WORDS or re.search(r"\bSQL\b", described):
            return name
    return None


def query_tools(tools: list[ToolInfo], options: CheckOptions) -> list[ToolInfo]:
    """The query tools to read a table through: annotated read-only (or, with --allow-writes, claiming it)."""
    return [
        t
        for t in tools
        if (t.read_only or (options.allow_writes and claims_read_only(t))) and query_field(t) is not None
    ]


def table_listing_tools(tools: list[ToolInfo]) -> list[ToolInfo]:
    """The read-only tools that list a database's tables: named for tables or a schema, needing no argument."""
    return [
        t
        for t in tools
        if t.read_only
        and _words(t.name) & _LISTING_WORDS
        and not t.input_schema.get("required")
        and query_field(t) is None
    ]


def _count(entry: dict[str, Any]) -> int | None:
    for key in _COUNT_KEYS:
        value = entry.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _entry(item: Any) -> tuple[Any, int | None]:
    """The name an item of a listing holds (a string, a row's first column, a dict's name key) and its count."""
    if isinstance(item, str):
        return item, None
    if isinstance(item, list | tuple) and item:
        count = (
            item[1] if len(item) > 1 and isinstance(item[1], int) and not isinstance(item[1], bool) else None
        )
        return item[0], count
    if isinstance(item, dict):
        name = next((item[k] for k in _NAME_KEYS if k in item), None)
        return name, _count(item)
    return None, None


def _items(value: Any) -> list[Any] | None:
    """The list a listing answer holds: itself, the first list among its members (``{"tables": [...]}``),
    or the pairs of a mapping of names to row counts (``{"users": 3, "events": 200000}``)."""
    if isinstance(value, list):
        return value
    if not isinstance(value, dict):
        return None
    if value and all(isinstance(v, int) and not isinstance(v, bool) for v in value.values()):
        return list(value.items())
    return next((v for v in value.values() if isinstance(v, list)), None)


def _text_items(text: str) -> list[str]:
    """The names of a plain-text listing: the tables of ``CREATE TABLE`` statements (a schema dump), else one
    name a line or comma-separated, bullets and a ``Tables:`` label allowed."""
    created = _CREATE_TABLE.findall(text)
    if created:
        return [str(name) for name in created]
    names: list[str] = []
    for line in text.splitlines():
        label, colon, rest = line.partition(":")
        names += [_BULLET.sub("", part).strip() for part in (rest if colon else label).split(",")]
    return [n for n in names if n]


def table_names(call: CallRecord) -> list[tuple[str, int | None]]:
    """The tables a successful listing answer names, with the row count it shows (None: not shown).

    Conservative: every name must be a plain identifier, or the answer gives none (a listing of
    sentences or of quoted names is not parsed further); the database's own tables are left out.
    """
    if call.outcome != "result" or call.is_error:
        return []
    value = call.answer_json()
    items = _items(value) if value is not None else _text_items(call.text)
    if not items:
        return []
    entries = [_entry(item) for item in items]
    if not all(isinstance(name, str) and IDENTIFIER.match(name) for name, _ in entries):
        return []
    return [(str(n), c) for n, c in entries if not str(n).lower().startswith(_OWN_PREFIXES)]


def largest_tables(observations: Observations, listings: list[ToolInfo]) -> list[str]:
    """The table to read whole (the largest by row count), or the first ``MAX_TABLES`` when no count shows."""
    counts: dict[str, int | None] = {}
    for tool in listings:
        for call in observations.calls_for(tool.name, "valid"):
            for name, count in table_names(call):
                known = counts.get(name)
                counts[name] = count if known is None else max(known, count or 0)
    counted = {n: c for n, c in counts.items() if c is not None}
    if counted:
        return [max(counted, key=lambda n: counted[n])]
    return list(counts)[:MAX_TABLES]


def select_all(table: str) -> str:
    """``SELECT * FROM "table"``: a read of the whole table, for a plain identifier only (ValueError else)."""
    if not IDENTIFIER.match(table):
        raise ValueError(f"not a plain identifier: {table!r}")
    return f'SELECT * FROM "{table}"'


async def probe_largest_table(
    connection: Connection,
    tool: ToolInfo,
    tables: list[str],
    options: CheckOptions,
    observations: Observations,
) -> None:
    """Read each of ``tables`` whole through ``tool``, once; stop at the first call that gets no answer."""
    field = query_field(tool)
    if field is None:
        return
    base = valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0]
    for table in tables:
        arguments = {**base, field: select_all(table)}
        if is_schema_valid(tool.input_schema, arguments) is False:
            return
        record = await connection.call(tool.name, arguments, "select-all", field=field, constraint=table)
        observations.calls.append(record)
        if record.outcome != "result":
            return
