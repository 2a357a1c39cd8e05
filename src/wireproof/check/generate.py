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
import re
from dataclasses import dataclass

# The regex parser behind ``re``: public as sre_parse until 3.11 deprecated that name.
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any, Final, Literal

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

__all__ = ["AwkwardCase", "awkward_cases", "is_schema_valid", "sample_value", "valid_samples"]

Kind = Literal["violation", "hostile"]
MEGABYTE: Final = 1_048_576
UNKNOWN_ARGUMENT: Final = "wireproof_unknown_argument"
HOSTILE_STRINGS: Final = {
    "control-characters": "nul\x00 esc\x1b[31m bell\x07 rtl\u202e end",
    "unicode": "日本語 ✓ émoji 🎫 \U0001f9ea zero\u200bwidth",
    # injection-shaped but harmless wherever it lands: spliced into any WHERE, it matches nothing
    "sql-injection": "' AND '1'='2",
    "path-traversal": "../../../../etc/passwd",
}
DESTRUCTIVE_STRINGS: Final = {"sql-drop-table": "'; DROP TABLE users; --"}
"""Hostile strings that harm a server that splices them into SQL: sent only with --allow-writes."""
_START_WORDS: Final = ("start", "from", "since", "after", "begin", "min")
_END_WORDS: Final = ("end", "to", "until", "before", "max", "stop")


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


def _from_regex(pattern: str) -> str | None:
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


def sample_value(schema: dict[str, Any], name: str = "", *, full: bool = False) -> Any:  # noqa: PLR0911, PLR0912 - one branch per JSON type
    """A plausible value that ``schema`` accepts (``full``: fill optional object members too)."""
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
            return sample_value(options[0], name, full=full)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
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
        count = max(schema.get("minItems", 0), 1)  # an empty list would make most writes a no-op
        if isinstance(schema.get("maxItems"), int):
            count = min(count, schema["maxItems"])
        return [sample_value(items, name, full=full) for _ in range(count)]
    if kind == "object" or "properties" in schema:
        return _sample_object(schema, full=full)
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
        value = _from_regex(schema["pattern"]) or value
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if len(value) < low:
        value = value + "x" * (low - len(value))
    if high is not None and len(value) > high:
        value = value[:high]
    return value


OPAQUE_TOKENS: Final = re.compile(
    r"^(cursor|next_?cursor|page_?token|next_?token|continuation(_?token)?|after)$", re.IGNORECASE
)
"""Parameters that take a token the server issued: no sample can be valid, so optional ones are left out."""


def _sample_object(schema: dict[str, Any], *, full: bool) -> dict[str, Any]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return {
        name: sample_value(prop, name, full=full)
        for name, prop in properties.items()
        if isinstance(prop, dict) and (name in required or (full and not OPAQUE_TOKENS.match(name)))
    }


def _validator(schema: dict[str, Any]) -> Draft202012Validator | None:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError:
        return None
    return Draft202012Validator(schema, format_checker=FormatChecker())


def is_schema_valid(schema: dict[str, Any], arguments: dict[str, Any]) -> bool | None:
    """Whether the advertised schema accepts ``arguments`` (None when the schema itself is broken)."""
    validator = _validator(schema)
    return None if validator is None else bool(validator.is_valid(arguments))


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


def _property_mutations(name: str, prop: dict[str, Any]) -> list[tuple[str, Any]]:
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
        mutations.append(("maxItems", [sample_value(items, name)] * (prop["maxItems"] + 1)))
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


def awkward_cases(
    schema: dict[str, Any], base: dict[str, Any] | None = None, *, destructive: bool = False
) -> list[AwkwardCase]:
    """Every awkward call for a tool, each breaking one constraint of ``schema`` (or hostile but valid).

    ``destructive`` (only with --allow-writes) adds the hostile strings that would harm a server
    that splices them into SQL (``DESTRUCTIVE_STRINGS``).
    """
    properties: dict[str, Any] = {
        n: p for n, p in schema.get("properties", {}).items() if isinstance(p, dict)
    }
    valid = valid_samples(schema, base)[0]
    cases: list[AwkwardCase] = []
    for name in schema.get("required", []):
        if name in valid:
            cases.append(
                AwkwardCase("violation", name, "required", {k: v for k, v in valid.items() if k != name})
            )
    for name, prop in properties.items():
        for constraint, value in _property_mutations(name, prop):
            cases.append(AwkwardCase("violation", name, constraint, {**valid, name: value}))
    cases.append(
        AwkwardCase("violation", UNKNOWN_ARGUMENT, "additionalProperties", {**valid, UNKNOWN_ARGUMENT: 1})
    )
    date_range = _date_range_case(schema, valid)
    violations = [c for c in cases if is_schema_valid(schema, c.arguments) is False]
    if date_range is not None:
        violations.append(date_range)
    hostile: list[AwkwardCase] = []
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
    return violations + hostile
