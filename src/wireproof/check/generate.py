"""Arguments from a tool's JSON Schema: valid samples, and awkward inputs that each break one thing.

Deterministic, so a finding reproduces run after run. Awkward inputs come in two
kinds: *violations* (the advertised schema refuses them: a missing required field,
a wrong type, out of enum or range, too long, a broken pattern or format, an
unknown argument, an inverted date range) which a fit server must reject with an
instructive tool error; and *hostile but valid* strings (control characters and
unicode, SQL, path traversal) which it must survive without a crash or a leak.
Like Schemathesis, a mutation that the schema still accepts is dropped from the
violations.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass

# The regex parser behind ``re``: public as sre_parse until 3.11 deprecated that name.
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any, Final, Literal

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, best_match
from referencing.exceptions import Unresolvable

__all__ = [
    "MISSING_ID",
    "MISSING_NAME",
    "UNKNOWN_TOOL",
    "AwkwardCase",
    "awkward_cases",
    "count_like",
    "expensive_case",
    "from_regex",
    "is_schema_valid",
    "largest_sample",
    "long_query_case",
    "lookup_miss_case",
    "resolve",
    "sample_value",
    "schema_problem",
    "sql_like",
    "valid_samples",
]

Kind = Literal["violation", "hostile", "expensive"]
MEGABYTE: Final = 1_048_576
UNKNOWN_ARGUMENT: Final = "wireproof_unknown_argument"
UNKNOWN_TOOL: Final = "wireproof_no_such_tool"
"""The name of the tool the protocol probe calls: no server lists it."""
TRAVERSAL_PATH: Final = "../../../../tmp/wireproof-check-traversal-0f3a9c/no-such-file.txt"
"""The ``../`` value of the hostile strings: four levels up, then a folder that never exists."""
HOSTILE_STRINGS: Final = {
    "control-characters": "nul\x00 esc\x1b[31m bell\x07 rtl\u202e end",
    "unicode": "日本語 ✓ émoji 🎫 \U0001f9ea zero\u200bwidth",
    # injection-shaped but harmless wherever it lands: spliced into any WHERE, it matches nothing
    "sql-injection": "' AND '1'='2",
    # a traversal that names no file that exists, from any working directory: a write tool that takes it as its
    # target creates (at worst) a file in a folder of its own under the system temp folder, never overwrites one.
    # (It was ../../../../etc/passwd, until a third-party export tool wrote its database over /etc/passwd.)
    "path-traversal": TRAVERSAL_PATH,
}
DESTRUCTIVE_STRINGS: Final = {"sql-drop-table": "'; DROP TABLE users; --"}
"""Hostile strings that harm a server that splices them into SQL: sent only with --allow-writes."""
_ABSENT: Final = object()
_BOUND_EDGES: Final = frozenset({"negative", "zero"})
_START_WORDS: Final = ("start", "from", "since", "after", "begin", "min")
_END_WORDS: Final = ("end", "to", "until", "before", "max", "stop")
_MAX_REF_HOPS: Final = 16
_VALIDATOR_CACHE: Final = 256
UNBOUNDED_LIMIT: Final = 10_000
"""The size asked of a ``limit`` that has no maximum: enough to show a server that returns everything."""
_SIZE_WORDS: Final = frozenset(
    {"limit", "max", "count", "size", "top", "first", "take", "rows", "results", "per", "num", "n"}
)
_INTEGER_WORDS: Final = _SIZE_WORDS | {"page", "offset", "skip", "id", "index", "number", "depth", "level"}
_REPEAT_WORDS: Final = frozenset(
    {"repeat", "repeats", "times", "count", "iterations", "n", "depth", "rounds", "loops", "steps", "copies"}
)
_EXPRESSION_WORDS: Final = frozenset(
    {
        "expression",
        "expr",
        "formula",
        "equation",
        "calculation",
        "calculate",
        "math",
        "eval",
        "code",
        "script",
    }
)
HUGE_EXPONENT: Final = "9**9**9**9"
"""An exponent tower: instant to parse, and it never finishes for an evaluator with big integers."""
RECURSIVE_SQL: Final = (
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
)
"""A query that never ends on a database without a statement timeout."""
HUGE_COUNT: Final = 1_000_000_000
LONG_QUERY_ROWS: Final = 1_000
LONG_QUERY: Final = (
    f"WITH RECURSIVE wireproof_rows(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM wireproof_rows "
    f"WHERE n < {LONG_QUERY_ROWS}) SELECT n FROM wireproof_rows"
)
"""A read of a thousand generated rows (SQLite, PostgreSQL, DuckDB, MySQL 8): how a query tool answers a long result."""
MISSING_NAME: Final = "wireproof_does_not_exist_7f3a"
"""A name no server holds (a plain identifier, so a server splicing it into SQL or a path does not choke on it):
the lookup-miss probe's argument, and the unknown item in an array of names."""
MISSING_ID: Final = 987654321
"""An integer id no test account holds: the lookup-miss probe's id, and the effects probe's missing target."""
_LOOKUP_VERBS: Final = frozenset({"get", "describe", "read", "open"})
_LOOKUP_PREFIXES: Final = ("get_", "describe_", "read_", "open_", "get", "describe", "read", "open")
_COUNT_NAME: Final = re.compile(
    r"^(limit|offset|head|tail|count|skip|top|take|first|last|size|page_?size|per_?page|max_\w+|\w+_count|"
    r"num_\w+)$"
)
_COUNT_UNITS: Final = frozenset(
    {
        "chars",
        "characters",
        "length",
        "len",
        "items",
        "rows",
        "results",
        "lines",
        "bytes",
        "tokens",
        "words",
        "count",
    }
)
NESTING_DEPTH: Final = 100
"""Deep, yet within what SDKs parse: the Python SDK drops a message nested ~200 levels without an answer,
which would measure the SDK's JSON parser, not the server."""
DEEP_BRACKETS: Final = "[" * 5_000 + "]" * 5_000
"""Five thousand levels (past any recursive parser's stack) in 10 KB: a server that echoes it stays in budget."""


@dataclass(frozen=True, slots=True)
class AwkwardCase:
    """One awkward call: the arguments, the field it targets, and the constraint it breaks."""

    kind: Kind
    field: str
    constraint: str
    arguments: dict[str, Any]


def _tokens(name: str) -> set[str]:
    """The words of a parameter name: ``startDate`` and ``start_date`` both give {start, date}."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return {t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t}


def _date_for(name: str) -> str:
    words = _tokens(name)
    if words & set(_END_WORDS):
        return "2026-01-31"
    if words & set(_START_WORDS):
        return "2026-01-01"
    return "2026-01-15"


def from_regex(pattern: str) -> str | None:
    """A short string matching ``pattern`` for the common constructs, or None."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError):
        return None

    def build(items: Any) -> str:
        out = []
        for op, arg in items:
            if op is sre_constants.LITERAL:
                out.append(chr(arg))
            elif op is sre_constants.IN:
                out.append(_in_class(arg))
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                low, _high, sub = arg
                out.append(build(sub) * max(low, 1))
            elif op is sre_constants.SUBPATTERN:
                out.append(build(arg[-1]))
            elif op is sre_constants.BRANCH:
                out.append(build(arg[1][0]))
            elif op is sre_constants.ANY:
                out.append("a")
            elif op is sre_constants.AT:
                continue
            else:
                raise ValueError(op)
        return "".join(out)

    def _in_class(arg: Any) -> str:
        for op, value in arg:
            if op is sre_constants.LITERAL:
                return chr(value)
            if op is sre_constants.RANGE:
                return chr(value[0])
            if op is sre_constants.CATEGORY:
                return {"CATEGORY_DIGIT": "0", "CATEGORY_SPACE": " "}.get(str(value), "a")
        raise ValueError(arg)

    try:
        candidate = build(parsed)
    except ValueError:
        return None
    return candidate if re.search(pattern, candidate) else None


def resolve(schema: dict[str, Any], root: dict[str, Any] | None) -> dict[str, Any]:
    """``schema`` with a local ``$ref`` (``#/$defs/Name``) and a one-member ``allOf`` followed.

    SDKs that generate schemas from models (pydantic, zod-to-json-schema) put nested objects in
    ``$defs``: unresolved, every such parameter would be sampled as a plain string.
    """
    for _ in range(_MAX_REF_HOPS):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/") and root is not None:
            target: Any = root
            for raw in ref[2:].split("/"):
                part = raw.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, dict) else None
            if not isinstance(target, dict):
                return schema
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
            continue
        parts = schema.get("allOf")
        if isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], dict):
            schema = {**parts[0], **{k: v for k, v in schema.items() if k != "allOf"}}
            continue
        return schema
    return schema


def _json_type(schema: dict[str, Any]) -> str | None:
    """The one JSON type a schema stands for (null left aside), inferred from its keywords if not stated."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return None


def sample_value(  # noqa: PLR0911, PLR0912 - one branch per JSON type
    schema: dict[str, Any],
    name: str = "",
    *,
    full: bool = False,
    root: dict[str, Any] | None = None,
    depth: int = 0,
) -> Any:
    """A plausible value that ``schema`` accepts (``full``: fill optional object members too).

    ``root`` is the document local ``$ref``s point into (the tool's whole input schema). Objects
    are real objects built from their members, arrays hold valid items. A recursive model (a tree
    whose nodes hold nodes) is sampled ``SAMPLE_DEPTH`` levels deep: below that, optional members
    are left out and arrays hold only the items they must; past ``_MAX_DEPTH`` nothing is nested.
    """
    if depth > _MAX_DEPTH:
        return {}
    if depth > SAMPLE_DEPTH:
        full = False
    schema = resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    if schema.get("examples"):
        return copy.deepcopy(schema["examples"][0])
    for key in ("anyOf", "oneOf"):
        options = [s for s in schema.get(key, []) if isinstance(s, dict) and s.get("type") != "null"]
        if options:
            return sample_value(options[0], name, full=full, root=root, depth=depth + 1)
    kind = _json_type(schema)
    if kind == "string":
        return _sample_string(schema, name)
    if kind in ("integer", "number"):
        low = schema.get(
            "minimum", schema.get("exclusiveMinimum", 0) + 1 if "exclusiveMinimum" in schema else 1
        )
        high = schema.get("maximum", schema["exclusiveMaximum"] - 1 if "exclusiveMaximum" in schema else None)
        value = low if high is None else min(max(low, 1), high)
        if kind == "number" and "exclusiveMinimum" in schema and "exclusiveMaximum" in schema:
            value = (schema["exclusiveMinimum"] + schema["exclusiveMaximum"]) / 2
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return True
    if kind == "array":
        items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
        prefix = [p for p in schema.get("prefixItems", []) if isinstance(p, dict)]
        count = max(
            schema.get("minItems", 0), 1 if depth <= SAMPLE_DEPTH else 0, len(prefix)
        )  # [] makes most writes no-ops
        if isinstance(schema.get("maxItems"), int):
            count = min(count, schema["maxItems"])
        item_schemas = [prefix[i] if i < len(prefix) else items for i in range(count)]
        values = [sample_value(item, name, full=full, root=root, depth=depth + 1) for item in item_schemas]
        if schema.get("uniqueItems") and len(values) > 1 and all(isinstance(v, str) for v in values):
            values = [f"{v}{i}" if i else v for i, v in enumerate(values)]
        return values
    if kind == "object":
        nested = _sample_object(schema, full=full, root=root, depth=depth)
        if not nested and not schema.get("required") and depth <= SAMPLE_DEPTH:  # its members, not a bare {}
            nested = _sample_object(schema, full=True, root=root, depth=depth)
        return nested
    return "example"


def _sample_string(schema: dict[str, Any], name: str) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return _date_for(name)
    if fmt == "date-time":
        return _date_for(name) + "T12:00:00Z"
    value = {
        "email": "someone@example.com",
        "uri": "https://example.com/",
        "uuid": "00000000-0000-4000-8000-000000000000",
    }.get(fmt or "", "example")
    if "pattern" in schema:
        value = from_regex(schema["pattern"]) or value
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if len(value) < low:
        value = value + "x" * (low - len(value))
    if high is not None and len(value) > high:
        value = value[:high]
    return value


SAMPLE_DEPTH: Final = 6
"""Levels of nesting a sample fills in full; deeper, only what the schema requires."""
_MAX_DEPTH: Final = 24
"""Levels of nesting a sample holds at most (a model that requires itself, forever)."""

OPAQUE_TOKENS: Final = re.compile(
    r"^(cursor|next_?cursor|page_?token|next_?token|continuation(_?token)?|after)$", re.IGNORECASE
)
"""Parameters that take a token the server issued: no sample can be valid, so optional ones are left out."""


def _sample_object(
    schema: dict[str, Any], *, full: bool, root: dict[str, Any] | None = None, depth: int = 0
) -> dict[str, Any]:
    root = schema if root is None else root
    schema = resolve(schema, root)
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return {
        name: sample_value(prop, name, full=full, root=root, depth=depth + 1)
        for name, prop in properties.items()
        if isinstance(prop, dict) and (name in required or (full and not OPAQUE_TOKENS.match(name)))
    }


_VALIDATORS: dict[str, Draft202012Validator | None] = {}


def _validator(schema: dict[str, Any]) -> Draft202012Validator | None:
    """The compiled validator of ``schema`` (cached: one tool's schema is checked hundreds of times)."""
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        key = ""
    if key and key in _VALIDATORS:
        return _VALIDATORS[key]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError:
        validator = None
    else:
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
    if key and len(_VALIDATORS) < _VALIDATOR_CACHE:
        _VALIDATORS[key] = validator
    return validator


def is_schema_valid(schema: dict[str, Any], arguments: dict[str, Any]) -> bool | None:
    """Whether the advertised schema accepts ``arguments`` (None when the schema itself is broken)."""
    validator = _validator(schema)
    try:
        return None if validator is None else bool(validator.is_valid(arguments))
    except RecursionError:  # a deeply nested probe value, or a $ref loop: the schema cannot say
        return None
    except Unresolvable:  # a $ref that points nowhere (schema_problem names it)
        return None


_META_VALIDATOR: Final = Draft202012Validator(
    Draft202012Validator.META_SCHEMA, format_checker=FormatChecker()
)


def schema_problem(schema: Any) -> str | None:
    """What makes ``schema`` (a tool's inputSchema) no usable JSON Schema, in a sentence; None when it is one.

    Broken against the 2020-12 meta-schema (an unknown type, a pattern that is no regular expression,
    ``required`` that is not a list), a local ``$ref`` that points nowhere, or a ``$ref`` that only leads
    to itself: a validating client refuses such a tool, and no argument can be generated that it accepts.
    """
    if not isinstance(schema, dict):
        return f"the inputSchema is {type(schema).__name__}, not an object"
    try:
        error = best_match(_META_VALIDATOR.iter_errors(schema))
    except RecursionError:
        return "the inputSchema is nested too deeply to be checked"
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the root"
        return f"at {where}: {error.message[:200]}"
    return _ref_problem(schema)


def _ref_problem(root: dict[str, Any]) -> str | None:
    """The first local ``$ref`` of ``root`` that points nowhere or only at itself (a chain of bare refs)."""
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and (ref == "#" or ref.startswith("#/")):
            seen: list[str] = []
            while isinstance(ref, str) and (ref == "#" or ref.startswith("#/")):
                if ref in seen:
                    return (
                        f"$ref {seen[0]} is a loop ({' -> '.join([*seen, ref])}) that never reaches a schema"
                    )
                seen.append(ref)
                target = _pointer(root, ref)
                if target is None:
                    return f"$ref {ref} points to nothing in the inputSchema"
                ref = (
                    target.get("$ref")
                    if set(target) <= {"$ref", "description", "title", "$comment"}
                    else None
                )
        stack.extend(v for k, v in node.items() if k not in ("const", "enum", "default", "examples"))
    return None


def _pointer(root: dict[str, Any], ref: str) -> dict[str, Any] | None:
    """The schema a local JSON Pointer ``$ref`` names, or None."""
    target: Any = root
    for raw in ref[2:].split("/") if ref != "#" else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            target = target.get(part) if isinstance(target, dict) else None
    return target if isinstance(target, dict) else None


def valid_samples(schema: dict[str, Any], base: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Up to two argument sets the schema accepts: required members only, and every member.

    A generated set the schema refuses (a ``multipleOf``, a pattern the sampler cannot meet) is
    dropped, so a "valid" call never misleads the rules; the user's ``base`` arguments are kept
    as given, valid or not.
    """
    out: list[dict[str, Any]] = []
    for full in (False, True):
        arguments = _sample_object(schema, full=full)
        arguments.update(copy.deepcopy(base or {}))
        if arguments not in out and (base or is_schema_valid(schema, arguments) is not False):
            out.append(arguments)
    return out


def count_like(name: str) -> bool:
    """Whether a parameter named ``name`` is a count (``limit``, ``offset``, ``head``, ``max_results``, ``row_count``…).

    camelCase is read as snake_case: ``maxResults`` is ``max_results``. ``max`` or ``limit`` later in the name
    counts too (``cell_max_chars``, ``result_limit``), and a unit after ``min_`` (``min_chars``); a ``min``,
    ``top`` or ``offset`` elsewhere does not (``min_score``, ``top_p`` and ``utc_offset`` may be fractions or
    signed).
    """
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).replace("-", "_").lower()
    if _COUNT_NAME.match(snake) is not None:
        return True
    words = snake.split("_")
    return bool({"max", "limit"} & set(words[1:])) or (
        len(words) > 1 and words[0] == "min" and words[-1] in _COUNT_UNITS
    )


def _is_integer_like(name: str) -> bool:
    return bool(_tokens(name) & _INTEGER_WORDS)


def _numeric_bounds(prop: dict[str, Any]) -> tuple[float | None, float | None]:
    low = prop.get("minimum", prop.get("exclusiveMinimum"))
    high = prop.get("maximum", prop.get("exclusiveMaximum"))
    return (
        low if isinstance(low, int | float) and not isinstance(low, bool) else None,
        high if isinstance(high, int | float) and not isinstance(high, bool) else None,
    )


def largest_sample(schema: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The call most likely to give the tool's largest answer: every size parameter at its maximum.

    A ``limit``-like integer is set to its ``maximum`` (or to ``UNBOUNDED_LIMIT`` when it has none),
    so a listing tool is measured at the answer an agent can actually ask for, also where the sample
    arguments of ``--config`` give a smaller one (those make the other calls valid; they do not excuse a
    listing from being measured at its largest). None when the tool has no size parameter, or the schema
    refuses the call.
    """
    arguments = valid_samples(schema, base)[-1]
    changed = False
    for name, raw in schema.get("properties", {}).items():
        prop = resolve(raw, schema) if isinstance(raw, dict) else {}
        if _json_type(prop) != "integer" or not _tokens(name) & _SIZE_WORDS:
            continue
        _low, high = _numeric_bounds(prop)
        value = UNBOUNDED_LIMIT if high is None else int(high) - (1 if "exclusiveMaximum" in prop else 0)
        if arguments.get(name) != value:
            arguments[name], changed = value, True
    if not changed or is_schema_valid(schema, arguments) is False:
        return None
    return arguments


def _edge_values(name: str, prop: dict[str, Any]) -> list[tuple[str, Any]]:
    """Edge values a careless server mishandles: fractions, negatives, zero, an empty object."""
    kind = _json_type(prop)
    nullable = None
    if kind is None:  # Optional[int] as pydantic writes it: anyOf [{type: integer}, {type: null}]
        branches = [b for b in prop.get("anyOf", prop.get("oneOf", [])) if isinstance(b, dict)]
        typed = [b for b in branches if b.get("type") != "null"]
        nullable = _json_type(typed[0]) if len(typed) == 1 and len(branches) == 2 else None
    edges: list[tuple[str, Any]] = []
    if nullable in ("integer", "number"):
        return [("negative", -1), ("zero", 0)]  # an optional number's bounds; its type is the validator's
    if kind == "integer" or (kind == "number" and _is_integer_like(name)):
        edges.append(("fractional", 1.5))
    if kind in ("integer", "number"):
        edges += [("negative", -1), ("zero", 0)]
    if kind == "object":
        edges.append(("empty-object", {}))
    return edges


def _wrong_type(prop: dict[str, Any]) -> Any:
    kind = prop.get("type")
    if kind == "string":
        return 12345
    if kind in ("integer", "number"):
        return "12"
    if kind == "boolean":
        return "yes"
    if kind == "array":
        return "not-a-list"
    return ["not", "an", "object"]


def _property_mutations(
    name: str, prop: dict[str, Any], root: dict[str, Any] | None = None
) -> list[tuple[str, Any]]:
    mutations: list[tuple[str, Any]] = [("type", _wrong_type(prop))]
    if prop.get("enum"):
        mutations.append(("enum", "wireproof-not-an-allowed-value"))
    if isinstance(prop.get("minimum"), int | float):
        mutations.append(("minimum", prop["minimum"] - 1))
    if isinstance(prop.get("maximum"), int | float):
        mutations.append(("maximum", prop["maximum"] + 1))
    if isinstance(prop.get("exclusiveMinimum"), int | float):
        mutations.append(("exclusiveMinimum", prop["exclusiveMinimum"]))
    if isinstance(prop.get("exclusiveMaximum"), int | float):
        mutations.append(("exclusiveMaximum", prop["exclusiveMaximum"]))
    if isinstance(prop.get("minLength"), int) and prop["minLength"] > 0:
        mutations.append(("minLength", "x" * (prop["minLength"] - 1)))
    if isinstance(prop.get("maxLength"), int) and prop["maxLength"] < MEGABYTE:
        mutations.append(("maxLength", "x" * (prop["maxLength"] + 1)))
    if prop.get("type") == "string" and prop.get("maxLength", MEGABYTE * 2) > MEGABYTE:
        mutations.append(("size", "x" * MEGABYTE))
    if isinstance(prop.get("pattern"), str):
        mutations.append(("pattern", "!! wireproof: does not match !!"))
    fmt = prop.get("format")
    bad_formats = {
        "date": "01/02/2026",
        "date-time": "yesterday at noon",
        "email": "not-an-email",
        "uri": "not a uri",
    }
    if fmt in bad_formats:
        mutations.append(("format", bad_formats[fmt]))
    if isinstance(prop.get("maxItems"), int) and prop["maxItems"] < 10_000:
        items: dict[str, Any] = prop["items"] if isinstance(prop.get("items"), dict) else {}
        mutations.append(("maxItems", [sample_value(items, name, root=root)] * (prop["maxItems"] + 1)))
    return mutations


def _date_range_case(schema: dict[str, Any], base: dict[str, Any]) -> AwkwardCase | None:
    properties = schema.get("properties", {})
    dated = [
        n for n, p in properties.items() if isinstance(p, dict) and p.get("format") in ("date", "date-time")
    ]
    starts = [n for n in dated if _tokens(n) & set(_START_WORDS) and not _tokens(n) & set(_END_WORDS)]
    ends = [n for n in dated if _tokens(n) & set(_END_WORDS) and not _tokens(n) & set(_START_WORDS)]
    if len(starts) != 1 or len(ends) != 1:  # only an unambiguous pair is a range
        return None
    start, end = starts[0], ends[0]
    time_part = "T12:00:00Z" if properties[start].get("format") == "date-time" else ""
    arguments = {**base, start: "2026-05-10" + time_part, end: "2026-05-01" + time_part}
    return AwkwardCase("violation", end, "date-range", arguments)


def _expression_like(name: str, prop: dict[str, Any]) -> bool:
    return bool(_tokens(name) & _EXPRESSION_WORDS) or bool(
        _EXPRESSION_WORDS & _tokens(str(prop.get("description", "")))
    )


def sql_like(name: str, prop: dict[str, Any], description: str) -> bool:
    text = f"{prop.get('description', '')} {description}"
    return bool(_tokens(name) & {"sql", "query", "statement"}) and re.search(r"\bSQL\b", text) is not None


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def expensive_case(
    schema: dict[str, Any], base: dict[str, Any] | None = None, description: str = ""
) -> AwkwardCase | None:
    """One input that is cheap to send and may be ruinous to answer, for the parameter it fits best.

    In order: a recursive SQL query for a parameter that takes SQL, a huge exponent for an
    expression, a huge repeat count for a count-like integer, deep nesting for an object or array,
    and a deeply bracketed string for free text. The call is bounded by the check's timeout like
    any other; a server that hangs or dies on it is ``errors.crash``. None for a tool with nothing
    to send it in.
    """
    properties = {
        n: resolve(p, schema) for n, p in schema.get("properties", {}).items() if isinstance(p, dict)
    }
    valid = valid_samples(schema, base)[0]
    strings = {n: p for n, p in properties.items() if _json_type(p) == "string" and not p.get("enum")}
    candidates: list[tuple[str, str, Any]] = []
    candidates += [
        (n, "recursive-query", RECURSIVE_SQL) for n, p in strings.items() if sql_like(n, p, description)
    ]
    candidates += [(n, "huge-exponent", HUGE_EXPONENT) for n, p in strings.items() if _expression_like(n, p)]
    for name, prop in properties.items():
        if _json_type(prop) == "integer" and _tokens(name) & _REPEAT_WORDS:
            _low, high = _numeric_bounds(prop)
            count = HUGE_COUNT if high is None or high >= HUGE_COUNT else None
            if count is not None:
                candidates.append((name, "huge-count", count))
    for name, prop in properties.items():
        if _json_type(prop) in ("object", "array"):
            value: Any = _nested(NESTING_DEPTH)
            candidates.append((name, "deep-nesting", value if _json_type(prop) == "array" else {"a": value}))
    candidates += [(n, "deep-nesting", DEEP_BRACKETS) for n, p in strings.items() if not p.get("format")]
    if not candidates:
        return None
    name, constraint, value = candidates[0]
    return AwkwardCase("expensive", name, constraint, {**valid, name: value})


def _sort_edges(
    schema: dict[str, Any], edges: list[AwkwardCase], seen: list[dict[str, Any]]
) -> tuple[list[AwkwardCase], list[AwkwardCase]]:
    """Edge calls split into those the schema refuses (violations) and those it accepts (hostile).

    A negative or zero the schema refuses is left out: the ``minimum`` mutation already tests that
    bound, and each violation costs a call and a repair.
    """
    refused: list[AwkwardCase] = []
    accepted: list[AwkwardCase] = []
    for edge in edges:
        if edge.arguments in seen:
            continue  # the same call as a mutation (minimum - 1 is often 0)
        seen.append(edge.arguments)
        if is_schema_valid(schema, edge.arguments) is False:
            if edge.constraint not in _BOUND_EDGES:  # a refused negative or zero: the minimum case covers it
                refused.append(AwkwardCase("violation", edge.field, edge.constraint, edge.arguments))
        else:
            accepted.append(edge)
    return refused, accepted


def awkward_cases(
    schema: dict[str, Any], base: dict[str, Any] | None = None, *, destructive: bool = False
) -> list[AwkwardCase]:
    """Every awkward call for a tool, each breaking one constraint of ``schema`` (or hostile but valid).

    Edge values (a fraction for an integer-looking field, a negative, zero, an empty object) are
    violations where the schema refuses them and hostile-but-valid calls where it accepts them.

    ``destructive`` (only with --allow-writes) adds the hostile strings that would harm a server
    that splices them into SQL (``DESTRUCTIVE_STRINGS``).
    """
    properties: dict[str, Any] = {
        n: resolve(p, schema) for n, p in schema.get("properties", {}).items() if isinstance(p, dict)
    }
    valid = valid_samples(schema, base)[0]
    cases: list[AwkwardCase] = []
    for name in schema.get("required", []):
        if name in valid:
            cases.append(
                AwkwardCase("violation", name, "required", {k: v for k, v in valid.items() if k != name})
            )
    edges: list[AwkwardCase] = []
    for name, prop in properties.items():
        for constraint, value in _property_mutations(name, prop, schema):
            cases.append(AwkwardCase("violation", name, constraint, {**valid, name: value}))
        for constraint, value in _edge_values(name, prop):
            if valid.get(name, _ABSENT) != value:
                edges.append(AwkwardCase("hostile", name, constraint, {**valid, name: value}))
    cases.append(
        AwkwardCase("violation", UNKNOWN_ARGUMENT, "additionalProperties", {**valid, UNKNOWN_ARGUMENT: 1})
    )
    violations = [c for c in cases if is_schema_valid(schema, c.arguments) is False]
    refused, hostile = _sort_edges(schema, edges, [c.arguments for c in violations])
    violations += refused
    date_range = _date_range_case(schema, valid)
    if date_range is not None:
        violations.append(date_range)
    unknown = {**valid, UNKNOWN_ARGUMENT: 1}
    if is_schema_valid(schema, unknown):  # an open schema: is a misspelt argument refused or ignored?
        hostile.append(AwkwardCase("hostile", UNKNOWN_ARGUMENT, "additionalProperties", unknown))
    free_text = [
        n
        for n, p in properties.items()
        if p.get("type") == "string" and not p.get("enum") and not p.get("format") and not p.get("pattern")
    ]
    for name in free_text[:2]:
        for label, text in {**HOSTILE_STRINGS, **(DESTRUCTIVE_STRINGS if destructive else {})}.items():
            arguments = {**valid, name: text}
            if is_schema_valid(schema, arguments):
                hostile.append(AwkwardCase("hostile", name, label, arguments))
    return violations + hostile + _blank_and_partial(schema, properties, valid, free_text)


def _blank_and_partial(
    schema: dict[str, Any], properties: dict[str, Any], valid: dict[str, Any], free_text: list[str]
) -> list[AwkwardCase]:
    """``""`` and ``"   "`` for a required string the schema lets be empty; ``[valid, missing]`` for an array of names."""
    cases = []
    required = set(schema.get("required", []))
    blank_able = [n for n in free_text if n in required and not properties[n].get("minLength")]
    for name in blank_able[:2]:  # a required string the schema lets be empty: is "" refused, or run?
        for label, text in (("empty-string", ""), ("blank-string", "   ")):
            arguments = {**valid, name: text}
            if valid.get(name) != text and is_schema_valid(schema, arguments):
                cases.append(AwkwardCase("hostile", name, label, arguments))
    for name, prop in properties.items():
        partial = _partial_miss(name, prop, valid)
        if partial is not None and is_schema_valid(schema, {**valid, name: partial}):
            cases.append(AwkwardCase("hostile", name, "partial-miss", {**valid, name: partial}))
    return cases


def _partial_miss(name: str, prop: dict[str, Any], valid: dict[str, Any]) -> list[str] | None:
    """For an array of names: the valid one and one that cannot exist, so one item fails and one works."""
    items = prop.get("items") if isinstance(prop.get("items"), dict) else None
    if _json_type(prop) != "array" or items is None or _json_type(items) != "string" or items.get("enum"):
        return None
    if items.get("format") or items.get("pattern"):
        return None
    current = valid.get(name)
    if not isinstance(current, list) or not current or not all(isinstance(v, str) for v in current):
        return None
    if isinstance(prop.get("maxItems"), int) and prop["maxItems"] < 2:
        return None
    return [current[0], MISSING_NAME]


_ITEM_WORDS: Final = frozenset({"id", "key", "name", "slug", "uuid", "ref"})


def name_words(name: str) -> list[str]:
    """The words of a name, in order: ``fireInSeconds`` and ``fire_in_seconds`` both give fire, in, seconds."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def _names_an_item(parameter: str) -> bool:
    """Whether a parameter names the item a lookup fetches: ``key``, ``task_id``, ``entryName`` (its last word)."""
    words = name_words(parameter)
    return bool(words) and words[-1] in _ITEM_WORDS


_PATH_NAME_WORDS: Final = frozenset({"path", "file", "filename", "filepath"})


def _missing_path(parameter: str, sample: Any) -> str | None:
    """For a file path parameter whose sample has a folder, a file that cannot exist in that folder with the
    sample's ending (``/srv/refs.bib`` gives ``/srv/wireproof_does_not_exist_7f3a.bib``): a server then looks
    where it looks for real files, and says how it answers a missing one. None otherwise."""
    words = name_words(parameter)
    if not words or words[-1] not in _PATH_NAME_WORDS or not isinstance(sample, str) or "/" not in sample:
        return None
    folder, _, stem = sample.rpartition("/")
    dot = stem.rfind(".")
    return f"{folder}/{MISSING_NAME}{stem[dot:] if dot > 0 else ''}"


def lookup_miss_case(
    name: str, schema: dict[str, Any], base: dict[str, Any] | None = None
) -> AwkwardCase | None:
    """A lookup of a name or id that cannot exist, for a get/describe/read/open tool (the verb first or
    last: ``get_ticket``, ``task_get``, ``ticketRead``) with one required string or integer (a table name,
    an id, a path), or with several of which exactly one names the item (``key``, ``task_id``; the others
    keep their samples: ``get_entry(filepath, key)``): a fit server answers it as an error, never a success.
    A file path with a folder in its sample is given a missing file in that folder (``_missing_path``).
    """
    lowered = name.lower()
    parts = name_words(name)
    first_or_last = bool(parts) and (parts[0] in _LOOKUP_VERBS or parts[-1] in _LOOKUP_VERBS)
    if not lowered.startswith(_LOOKUP_PREFIXES[:4]) and not first_or_last:
        return None
    required = [r for r in schema.get("required", []) if isinstance(r, str)]
    if len(required) > 1:  # get_entry(filepath, key): the one that names the item, the others sampled
        required = [r for r in required if _names_an_item(r)]
    if len(required) != 1:
        return None
    prop = schema.get("properties", {}).get(required[0])
    prop = resolve(prop, schema) if isinstance(prop, dict) else {}
    if prop.get("enum") or prop.get("format") or prop.get("pattern") or prop.get("const") is not None:
        return None
    kind = _json_type(prop)
    sample = valid_samples(schema, base)[0].get(required[0])
    if kind == "string":
        missing: Any = _missing_path(required[0], sample) or MISSING_NAME
    elif kind == "integer":
        high = prop.get("maximum")
        missing = MISSING_ID if not isinstance(high, int | float) or high >= MISSING_ID else int(high)
    else:
        return None
    arguments = {**valid_samples(schema, base)[0], required[0]: missing}
    if is_schema_valid(schema, arguments) is False:
        return None
    return AwkwardCase("hostile", required[0], "lookup-miss", arguments)


def long_query_case(
    schema: dict[str, Any], base: dict[str, Any] | None = None, description: str = ""
) -> AwkwardCase | None:
    """A read query of ``LONG_QUERY_ROWS`` generated rows, for a parameter that takes SQL: does the tool page?"""
    properties = {
        n: resolve(p, schema) for n, p in schema.get("properties", {}).items() if isinstance(p, dict)
    }
    for name, prop in properties.items():
        if _json_type(prop) == "string" and not prop.get("enum") and sql_like(name, prop, description):
            arguments = {**valid_samples(schema, base)[0], name: LONG_QUERY}
            if is_schema_valid(schema, arguments) is not False:
                return AwkwardCase("hostile", name, "long-query", arguments)
    return None
