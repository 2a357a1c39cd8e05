"""Schema rules: judged from ``tools/list`` alone."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Final

from wireproof.check.edges import date_like, prose_values
from wireproof.check.generate import UNKNOWN_ARGUMENT, count_like, resolve, schema_problem
from wireproof.check.model import (
    CallRecord,
    Evidence,
    ToolInfo,
    claims_read_only,
    code_parameters,
    idempotency_key_parameter,
    observers_moved,
    path_parameters,
)
from wireproof.check.rules._prose import closed_sentences, field_values, listed_values
from wireproof.check.rules._registry import Hit, RuleContext, rule
from wireproof.check.rules.errors import answered_ok, disguised_failure

TOOLS_SPEC: Final = "MCP 2026-07-28, server/tools (Tool, inputSchema)"
_DATE_NAME: Final = re.compile(
    r"(^|_)(date|day)$|_at$|^(since|until|before|after)$|_(since|until|on)$|^(start|end)_(date|time)$"
)
_VAGUE: Final = re.compile(
    r"^(get_records|get_data|query|run|execute|exec|call|invoke|process|handle|action|tool|do|perform|api|request)$|^do_"
)
_PROSE_ENUM_FORMS: Final = re.compile(
    r"\bone of\s*:?\s*['\"`]?\w+['\"`]?\s*(,|\||/|\bor\b)|\b(allowed|possible|valid|accepted|supported) values\b"
    r"|\beither ['\"`]?\w+['\"`]? or\b|(['\"`]\w+['\"`]\s*(,|\||/)\s*){2,}",
    re.IGNORECASE,
)


def _prose_enum(text: str) -> bool:
    """Whether a description lists a closed set of values in prose ("one of: a, b", "allowed values", "either
    'x' or 'y'", three quoted values in a row), in a sentence that gives no examples (e.g., such as, like)."""
    return any(_PROSE_ENUM_FORMS.search(sentence) for sentence in closed_sentences(text))


_NON_PORTABLE: Final = re.compile(r"(?<!\\)(\\\\)*\\[dDwWsSbBAZz]|\(\?P|\(\?<[=!]|\(\?[imsxa]")


def _properties(tool: ToolInfo) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each top-level parameter, its local ``$ref`` (``#/$defs/Name``, as pydantic and zod write models) followed."""
    properties = tool.input_schema.get("properties", {})
    if isinstance(properties, dict):
        for name, prop in properties.items():
            if isinstance(prop, dict):
                yield str(name), resolve(prop, tool.input_schema)


def _schema_evidence(tool: ToolInfo, name: str | None = None) -> Evidence:
    part: Any = tool.input_schema if name is None else tool.input_schema.get("properties", {}).get(name)
    return Evidence(
        call={"method": "tools/list"}, answer=json.dumps({"tool": tool.name, "schema": part})[:600]
    )


def _listed(ctx: RuleContext, lacking: Callable[[dict[str, Any]], bool], what: str) -> Iterator[Hit]:
    """One hit a tool naming, after ``what``, every parameter for which ``lacking`` holds."""
    for tool in ctx.observations.tools:
        names = [n for n, p in _properties(tool) if lacking(p)]
        if names:
            yield Hit(tool.name, f"{what}: {', '.join(names)}.", _schema_evidence(tool))


def _each(ctx: RuleContext, problem: Callable[[str, dict[str, Any]], str | None]) -> Iterator[Hit]:
    """One hit a parameter for which ``problem(name, schema)`` gives a message, with that parameter's schema."""
    for tool in ctx.observations.tools:
        for name, prop in _properties(tool):
            message = problem(name, prop)
            if message is not None:
                yield Hit(tool.name, message, _schema_evidence(tool, name))


def _types(prop: dict[str, Any]) -> set[str]:
    kind = prop.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {str(k) for k in kind}
    found: set[str] = set()
    for key in ("anyOf", "oneOf"):
        for option in prop.get(key, []):
            if isinstance(option, dict):
                found |= _types(option)
    return found


@rule(
    "schema.malformed-input-schema",
    "error",
    reference=TOOLS_SPEC + "; JSON Schema 2020-12 (meta-schema, $ref)",
)
def malformed_input_schema(ctx: RuleContext) -> Iterator[Hit]:
    """Input schema that is no valid JSON Schema

    An inputSchema that breaks the 2020-12 meta-schema (an unknown type, a pattern that is no regular
    expression, required that is not a list), or whose $ref points nowhere or only at itself, cannot be
    validated against: a client that compiles schemas refuses the tool (or the whole listing), and the
    model is left to guess. The checker does not call such a tool with generated arguments (coverage
    lists it as skipped, with the reason); every other tool is still checked."""
    for tool in ctx.observations.tools:
        problem = schema_problem(tool.input_schema)
        if problem is not None:
            yield Hit(tool.name, f"The inputSchema is malformed: {problem}.", _schema_evidence(tool))


@rule("schema.tool-description", "warning", reference=TOOLS_SPEC)
def tool_description(ctx: RuleContext) -> Iterator[Hit]:
    """Tool without a description

    The model chooses tools by their descriptions; a tool without one is guessed at."""
    for tool in ctx.observations.tools:
        if not (tool.description or "").strip():
            yield Hit(tool.name, "The tool has no description.", _schema_evidence(tool))


@rule("schema.param-description", "warning", reference=TOOLS_SPEC)
def param_description(ctx: RuleContext) -> Iterator[Hit]:
    """Parameter without a description

    Without a description the model fills the argument from its name alone."""
    yield from _listed(
        ctx, lambda p: not str(p.get("description", "")).strip(), "Parameters without a description"
    )


@rule("schema.param-type", "error", reference=TOOLS_SPEC)
def param_type(ctx: RuleContext) -> Iterator[Hit]:
    """Parameter without a type

    An untyped parameter accepts anything, so the model guesses and the server cannot validate."""

    def untyped(name: str, prop: dict[str, Any]) -> str | None:
        if not _types(prop) and "enum" not in prop and "const" not in prop and "$ref" not in prop:
            return f"Parameter {name} has no type."
        return None

    yield from _each(ctx, untyped)


@rule("schema.open-object", "warning", reference=TOOLS_SPEC + "; JSON Schema 2020-12 additionalProperties")
def open_object(ctx: RuleContext) -> Iterator[Hit]:
    """Unknown arguments not refused

    Without additionalProperties: false, a misspelt argument is silently ignored instead of refused. Only
    info when the probe's unknown argument was refused by name: the server is strict, its schema just does
    not say so. Objects inside a parameter are read too, named by path (where.range, todos[]): one that
    declares properties, or an array's items that declare none; a bare object parameter is a map and is
    left alone."""
    for tool in ctx.observations.tools:
        if tool.input_schema.get("additionalProperties") is not False:
            refusal = _refused_by_name(ctx, tool.name)
            if refusal is not None:
                yield Hit(
                    tool.name,
                    "Unknown arguments are refused (the probe's was refused by name), but the schema does not "
                    "say so: advertise additionalProperties: false.",
                    refusal.evidence(),
                    "info",
                )
                continue
            yield Hit(
                tool.name,
                "The input schema does not set additionalProperties: false.",
                _schema_evidence(tool),
            )
    for tool in ctx.observations.tools:
        for name, prop in _properties(tool):
            for path, declares in _open_nested(name, prop, tool.input_schema):
                what = "declares no properties and " if not declares else ""
                yield Hit(
                    tool.name,
                    f"Parameter {path} is an object that {what}does not set additionalProperties: false.",
                    _schema_evidence(tool, name),
                )


_MAX_NESTING: Final = 8


def _open_nested(
    path: str, prop: dict[str, Any], root: dict[str, Any], depth: int = 0, seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str, bool]]:
    """The open objects inside a parameter (``todos[]``, ``filter.range``), and whether each declares properties.

    An object with properties and no additionalProperties: false ignores a misspelt member, as the top
    level does; an array's items that declare no members at all leave every field of the record to prose.
    A bare object parameter that declares nothing is a map (metadata, headers) and is left alone, as is an
    object whose additionalProperties is a schema (a typed map). Local ``$ref``s are followed (a model
    nested in ``$defs``), each once along a path (a recursive model is read once), and so are the
    branches of an ``anyOf``/``oneOf`` (an optional model: ``anyOf [{$ref}, {type: null}]``).
    """
    if depth > _MAX_NESTING:
        return
    followed = _follow(prop, root, seen)
    if followed is None:
        return
    prop, seen = followed
    for key in ("anyOf", "oneOf"):
        for branch in prop.get(key) or ():
            if isinstance(branch, dict):
                yield from _open_nested(path, branch, root, depth + 1, seen)
    members = prop.get("properties")
    if isinstance(members, dict):
        if members and prop.get("additionalProperties") in (None, True):
            yield path, True
        for field, schema in members.items():
            if isinstance(schema, dict):
                yield from _open_nested(f"{path}.{field}", schema, root, depth + 1, seen)
    items = _follow(prop["items"], root, seen) if isinstance(prop.get("items"), dict) else None
    if items is not None:
        inner = items[0]
        bare = not inner.get("properties") and not inner.get("patternProperties")
        if bare and "object" in _types(inner) and inner.get("additionalProperties") in (None, True):
            yield f"{path}[]", False
        else:
            yield from _open_nested(f"{path}[]", prop["items"], root, depth + 1, seen)


def _follow(
    prop: dict[str, Any], root: dict[str, Any], seen: frozenset[str]
) -> tuple[dict[str, Any], frozenset[str]] | None:
    """``prop`` with its local ``$ref`` followed, and the refs followed so far; None for a ref already on the path."""
    ref = prop.get("$ref")
    if not isinstance(ref, str):
        return prop, seen
    if ref in seen:
        return None
    return resolve(prop, root), seen | {ref}


def _refused_by_name(ctx: RuleContext, tool: str) -> CallRecord | None:
    """The unknown-argument probe's call, when the server refused it naming the argument."""
    for call in ctx.observations.calls_for(tool):
        if call.field != UNKNOWN_ARGUMENT:
            continue
        refused = call.outcome == "protocol_error" or (
            call.outcome == "result" and (call.is_error or disguised_failure(call) is not None)
        )
        answer = f"{call.text}\n{call.error_message}"
        if refused and UNKNOWN_ARGUMENT in answer:
            return call
    return None


@rule("schema.unbounded-string", "warning", reference="JSON Schema 2020-12 maxLength")
def unbounded_string(ctx: RuleContext) -> Iterator[Hit]:
    """String parameter without a length bound

    An unbounded string invites megabyte arguments; maxLength, an enum, a format or a pattern bound it."""
    yield from _listed(
        ctx,
        lambda p: (
            _types(p) == {"string"}
            and not ({"maxLength", "enum", "const", "pattern"} & set(p))
            and p.get("format") not in ("date", "date-time", "uuid", "time")
        ),
        "String parameters without maxLength",
    )


@rule("schema.unbounded-array", "warning", reference="JSON Schema 2020-12 maxItems")
def unbounded_array(ctx: RuleContext) -> Iterator[Hit]:
    """Array parameter without maxItems

    An unbounded list argument lets one call ask for unbounded work."""
    yield from _listed(
        ctx, lambda p: "array" in _types(p) and "maxItems" not in p, "Array parameters without maxItems"
    )


@rule(
    "schema.unbounded-number",
    "warning",
    reference="JSON Schema 2020-12 minimum, maximum; wireproof MISSION property 6 (tight outputs)",
)
def unbounded_number(ctx: RuleContext) -> Iterator[Hit]:
    """Count parameter without bounds, or not an integer

    A count-like number (limit, offset, head, tail, count, max_*, *_max_*, *_limit, min_chars, *_count)
    without a minimum lets -1
    through, which many backends read as 'everything' (SQLite's LIMIT -1) or as an empty answer; a limit
    without a maximum lets one call ask for unbounded work; typed number, it lets 1.5 through. Give it
    type integer, a minimum and (except an offset) a maximum."""

    def unbounded(name: str, prop: dict[str, Any]) -> str | None:
        kinds = _types(prop) - {"null"}
        if not kinds or not kinds <= {"number", "integer"} or not count_like(name) or "enum" in prop:
            return None
        missing = []
        if "integer" not in kinds:
            missing.append("type number, not integer")
        if "minimum" not in prop and "exclusiveMinimum" not in prop:
            missing.append("no minimum")
        offset = bool(re.search(r"offset|skip", name, re.IGNORECASE))
        if not offset and "maximum" not in prop and "exclusiveMaximum" not in prop:
            missing.append("no maximum")
        return f"Parameter {name} is a count with {', '.join(missing)}." if missing else None

    yield from _each(ctx, unbounded)


@rule(
    "schema.date-without-format",
    "warning",
    reference="JSON Schema 2020-12 format (date, date-time, RFC 3339)",
)
def date_without_format(ctx: RuleContext) -> Iterator[Hit]:
    """Date-like parameter without a format

    A date passed as free text is guessed at (05/01 or 01/05?); format: date or date-time says which.
    Named for a date (due_date, created_at, since) or described as one in any language the name is in
    ("Data YYYY-MM-DD", "ISO 8601 date"): a format stated only in prose is not enforced, so '2026-2-30' or
    '3 Dec' reaches the server, which then guesses or fails on it."""

    def free_text_date(name: str, prop: dict[str, Any]) -> str | None:
        if _types(prop) != {"string"} or {"format", "pattern"} & set(prop):
            return None
        if _DATE_NAME.search(name) or date_like(name, prop):
            return f"Parameter {name} looks like a date but has no format."
        return None

    yield from _each(ctx, free_text_date)


_JSON_SAID: Final = re.compile(
    r"\bJSON[- ](?:encoded |formatted )?(?:string|array|object|list|text|payload)\b|\bstringified\b|"
    r"\bJSON[- ](?:serial|encod)",
    re.IGNORECASE,
)
"""A description that says the string holds JSON: 'a JSON array of tasks', 'stringified object', 'JSON-encoded'."""
_LITERAL_EXAMPLE: Final = re.compile(r"(?:\[\s*)?\{\s*[\"']?[A-Za-z_][\w-]*[\"']?\s*:\s*\S")
"""An object literal shown as the value: ``[{name: '...', description: ...}]``, ``{"title": ...}``."""


@rule(
    "schema.json-in-string",
    "warning",
    reference="JSON Schema 2020-12 (type: object, array; properties, items)",
)
def json_in_string(ctx: RuleContext) -> Iterator[Hit]:
    """Structured data packed into a string parameter

    A string parameter that holds JSON (its name ends in json; its description says 'a JSON array of …',
    'JSON-encoded', 'stringified', or shows an object literal as the value: "[{name: '…', description: '…'}]") hides its
    structure from the schema: the model must escape JSON inside JSON, nothing validates the fields before
    the server parses them, and a parse error comes back instead of an error naming the field. Declare it
    as an object or array with its properties (and required, additionalProperties). Not for code or query
    parameters, nor for a path to a JSON file."""
    for tool in ctx.observations.tools:
        special = set(code_parameters(tool)) | set(path_parameters(tool))
        for name, prop in _properties(tool):
            if _types(prop) != {"string"} or name in special or {"enum", "const", "format"} & set(prop):
                continue
            text = str(prop.get("description", ""))
            if name.lower().endswith("json") or _JSON_SAID.search(text) or _LITERAL_EXAMPLE.search(text):
                yield Hit(
                    tool.name,
                    f"Parameter {name} is a string that holds JSON ({text[:100]!r}): declare it as an object "
                    "or array with its properties, so the fields are validated and named in errors.",
                    _schema_evidence(tool, name),
                )


@rule("schema.enum-in-prose", "warning", reference="JSON Schema 2020-12 enum")
def enum_in_prose(ctx: RuleContext) -> Iterator[Hit]:
    """Allowed values listed in prose, not as an enum

    Values named only in a description are not enforced, and the model may paraphrase them. Read in the
    parameter's description, and in the tool's ('status: open|in_progress|done', 'status is one of: open,
    done'); three or more values quoted in one sentence ("'table' (default), 'vertical' or 'json'") or
    listed alone in a parenthesis ('(pending, in_progress, completed)'), not given as examples; and an
    item field's values in an array's description ('- status: … (pending, done, failed)')."""

    for tool in ctx.observations.tools:
        code = set(code_parameters(tool))
        for name, prop in _properties(tool):
            text = str(prop.get("description", ""))
            if not {"enum", "const"} & set(prop) and _types(prop) <= {"string"} and _prose_enum(text):
                yield Hit(
                    tool.name,
                    f"Parameter {name} lists its values in prose but has no enum: {text[:120]!r}.",
                    _schema_evidence(tool, name),
                )
            elif not {"enum", "const"} & set(prop) and _types(prop) <= {"string"} and name not in code:
                values = listed_values(text)  # a query's description quoting keywords lists no values
                if values:
                    yield Hit(
                        tool.name,
                        f"Parameter {name} lists its values in prose ({' | '.join(values)}) but has no enum.",
                        _schema_evidence(tool, name),
                    )
            yield from _nested_prose_enums(tool, name, prop)
    for tool in ctx.observations.tools:
        for name, prop in _properties(tool):
            if {"enum", "const"} & set(prop) or not _types(prop) <= {"string"}:
                continue
            text = str(prop.get("description", ""))
            if _prose_enum(text) or (listed_values(text) and name not in code_parameters(tool)):
                continue  # reported above, from the parameter's own description
            listed = prose_values(tool.description or "", name)
            if listed:
                yield Hit(
                    tool.name,
                    f"Parameter {name} has its values listed in the tool's description "
                    f"({' | '.join(listed)}) but no enum.",
                    Evidence(
                        call={"method": "tools/list"},
                        answer=json.dumps({"tool": tool.name, "description": tool.description, name: prop})[
                            :600
                        ],
                    ),
                )


def _nested_prose_enums(tool: ToolInfo, name: str, prop: dict[str, Any]) -> Iterator[Hit]:
    """Fields of an object (or of an array's items) that the parameter's description lists values for,
    one ``- status: … (a, b, c)`` line each, and that the schema does not declare with an enum."""
    kinds = _types(prop)
    if "array" in kinds and isinstance(prop.get("items"), dict):
        inner, path = prop["items"], f"{name}[]"
    elif "object" in kinds:
        inner, path = prop, name
    else:
        return
    declared = inner.get("properties") if isinstance(inner.get("properties"), dict) else {}
    for field, values in field_values(str(prop.get("description", ""))).items():
        schema = declared.get(field)
        if isinstance(schema, dict) and ({"enum", "const"} & set(schema) or not _types(schema) <= {"string"}):
            continue
        yield Hit(
            tool.name,
            f"Parameter {path}.{field} lists its values in prose ({' | '.join(values)}) but has no enum.",
            _schema_evidence(tool, name),
        )


@rule("schema.vague-name", "warning", reference="wireproof MISSION: precise schemas are the contract")
def vague_name(ctx: RuleContext) -> Iterator[Hit]:
    """Vague tool name

    A name that does not say what the tool does (get_records, query, run) makes the model guess."""
    for tool in ctx.observations.tools:
        if _VAGUE.search(tool.name.lower()):
            yield Hit(
                tool.name, f"The name {tool.name} does not say what the tool does.", _schema_evidence(tool)
            )


@rule("schema.no-annotations", "warning", reference="MCP 2026-07-28, server/tools (ToolAnnotations)")
def no_annotations(ctx: RuleContext) -> Iterator[Hit]:
    """Tool without annotations

    Without readOnlyHint and friends, clients must assume every tool may write and destroy."""
    for tool in ctx.observations.tools:
        if not tool.annotations or all(k == "title" for k in tool.annotations):
            yield Hit(
                tool.name,
                "The tool declares no annotations (readOnlyHint, idempotentHint, …).",
                _schema_evidence(tool),
            )


@rule(
    "schema.write-not-idempotent",
    "warning",
    reference="MCP 2026-07-28 (SEP-2575: clients re-issue broken requests); draft-ietf-httpapi-idempotency-key-header",
)
def write_not_idempotent(ctx: RuleContext) -> Iterator[Hit]:
    """Write tool that is neither idempotent nor keyed

    Agents retry; a write that is not idempotent and takes no idempotency key can duplicate its effect.
    Only info when the writes probe (--allow-writes) makes the declaration moot: the observers saw the
    first call's effect and no second one, the repeat was refused loudly, the tool is described as
    read-only, or an unannotated tool (taking no SQL, or named for a read such as search_ with a query
    that is not SQL) gave one data answer to every identical call while the observers never moved. Info
    too, without that evidence, for an unannotated tool named as a read (get_relations, find_duplicates,
    task_get; no write word in the name, no SQL parameter, no write acknowledged by the writes probe): the
    missing declaration is readOnlyHint, which schema.no-annotations reports."""
    for tool in ctx.observations.tools:
        hints = tool.annotations or {}
        if tool.read_only or hints.get("idempotentHint") is True or idempotency_key_parameter(tool):
            continue
        evidence = _repeat_evidence(ctx, tool)
        if evidence is not None:
            call, why = evidence
            yield Hit(
                tool.name, f"{why}; declare it (idempotentHint or readOnlyHint).", call.evidence(), "info"
            )
            continue
        if named_as_read(tool) and not _acknowledges(ctx, tool):
            yield Hit(
                tool.name,
                "Treated as a write for want of readOnlyHint, but its name says it reads: if it does, declare "
                "readOnlyHint (a read needs no idempotency key).",
                _schema_evidence(tool),
                "info",
            )
            continue
        yield Hit(
            tool.name,
            "The tool may write, but neither declares idempotentHint nor takes an idempotency key.",
            _schema_evidence(tool),
        )


_READ_NAME_VERBS: Final = frozenset(
    {"get", "list", "read", "search", "describe", "find", "show", "query", "count", "fetch", "view", "lookup"}
    | {"analyze", "analyse", "inspect", "explain", "summarize", "summarise", "stats", "preview"}
    | {"check", "detect", "profile", "validate", "health", "calculate", "compute", "convert"}
    | {"estimate", "compare", "evaluate", "random", "parse"}
)
"""Verbs of a tool that reads or computes (check_data_quality, detect_outliers, health_check, random); not verify,
which marks as well as checks (hold-out 4's verify_task completes the task)."""
_WRITE_NAME_WORDS: Final = frozenset(
    {"create", "add", "set", "update", "delete", "remove", "save", "write", "insert", "upsert", "put", "post"}
    | {"clear", "reset", "move", "rename", "copy", "import", "load", "run", "execute", "apply", "send", "or"}
    | {"and", "replace", "mark", "store", "archive", "increment", "decrement", "subscribe", "next", "pop"}
)


def _acknowledges(ctx: RuleContext, tool: ToolInfo) -> bool:
    """Whether a call of the writes probe was answered as a write's acknowledgement (added, saved, updated)."""
    calls = [c for purpose in _IDENTICAL_CALLS for c in ctx.observations.calls_for(tool.name, purpose)]
    return any(
        c.outcome == "result" and c.answer_json() is None and _WRITE_ACK.search(c.text[:300]) for c in calls
    )  # a JSON record's "created"/"updated" members are data, not an acknowledgement


_WRITE_ACK: Final = re.compile(
    r"\b(added|created|inserted|updated|deleted|removed|saved|stored|written|appended|recorded|queued)\b",
    re.IGNORECASE,
)
"""A write's acknowledgement by its verb (not "success" or "done", which a read's status says too)."""


def named_as_read(tool: ToolInfo) -> bool:
    """An unannotated tool whose name opens with a read verb (or is ``<noun>_<read verb>``) and names no write
    (``get_relations``, ``task_get``, ``find_duplicates``; not ``get_or_create``, ``mark_as_read``,
    ``search_and_replace``, ``get_next_job``), taking no SQL: the missing annotation is readOnlyHint, which
    schema.no-annotations reports, not an idempotency declaration."""
    properties = tool.input_schema.get("properties", {})
    sql = any(
        re.search(r"\bsql\b", f"{name} {properties[name].get('description', '')}".replace("_", " "), re.I)
        for name in code_parameters(tool)
    )
    if "readOnlyHint" in (tool.annotations or {}) or sql:
        return False  # the author said it writes, or SQL may write whatever it is given
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", tool.name)
    words = [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]
    first = words[0] in _READ_NAME_VERBS if words else False
    last = len(words) == 2 and words[-1] in _READ_NAME_VERBS  # task_get, noteRead
    return bool(first or last) and not set(words) & _WRITE_NAME_WORDS


_IDENTICAL_CALLS: Final = ("write-first", "write-repeat", "write-concurrent", "write-after-concurrent")


def _repeat_evidence(ctx: RuleContext, tool: ToolInfo) -> tuple[CallRecord, str] | None:
    """What the writes probe showed that makes the declaration moot, or None (then the warning stands)."""
    first = ctx.observations.calls_for(tool.name, "write-first")
    repeat = ctx.observations.calls_for(tool.name, "write-repeat")
    if not first or not repeat or not answered_ok(first[0]):
        return None
    snaps = ctx.observations.snapshots.get(tool.name, {})
    seen_first = snaps.get("before") is not None and observers_moved(
        snaps.get("before"), snaps.get("write-first")
    )
    if seen_first and not observers_moved(snaps.get("write-first"), snaps.get("write-repeat")):
        # the observers show this tool's effect (the first call changed them), and the repeat added none
        why = "Not declared idempotent, but the observers saw the first call's effect and no second one"
        return repeat[0], why
    if repeat[0].outcome == "result" and repeat[0].is_error:
        return repeat[0], "Not declared idempotent, but the identical repeat was refused loudly (isError)"
    return _pure_evidence(ctx, tool, repeat[0], snaps)


def _pure_evidence(
    ctx: RuleContext, tool: ToolInfo, repeat: CallRecord, snaps: dict[str, str | None]
) -> tuple[CallRecord, str] | None:
    """Why an unannotated tool, treated as a write, is a read after all; None when nothing shows it."""
    if "readOnlyHint" in (tool.annotations or {}):
        return None  # the author said it writes: no probe outranks that
    if claims_read_only(tool):
        return repeat, "Treated as a write for want of readOnlyHint, but described as read-only"
    states = [v for v in snaps.values() if v is not None]
    if (_takes_sql(tool) and not _search_by_name(tool)) or any(
        observers_moved(states[0], v) for v in states[1:]
    ):
        return None  # SQL may write whatever the sample did not; or the observers saw an effect
    calls = [c for purpose in _IDENTICAL_CALLS for c in ctx.observations.calls_for(tool.name, purpose)]
    answers = {_answer(c) for c in calls}
    if all(answered_ok(c) for c in calls) and len(answers) == 1 and not _ACK.search(answers.pop()[:300]):
        return (
            repeat,
            f"Treated as a write for want of readOnlyHint, but all {len(calls)} identical calls gave one answer "
            "that is data, not an acknowledgement (a pure function, by every probe)",
        )
    return None


_ACK: Final = re.compile(
    r"\b(added|created|inserted|updated|deleted|removed|saved|stored|written|appended|recorded|queued|sent|"
    r"success(ful(ly)?)?|done)\b",
    re.IGNORECASE,
)
_SQL_WORDS: Final = re.compile(r"\b(sql|query|queries|statements?)\b", re.IGNORECASE)


_READ_NAME: Final = re.compile(
    r"^(search|find|list|get|read|lookup|describe|show|view|fetch|count)([_A-Z-]|$)|[_-](search|find|lookup)$"
)


def _search_by_name(tool: ToolInfo) -> bool:
    """A tool named for a read (search, find_notes) whose query parameter is not SQL: a search query."""
    properties = tool.input_schema.get("properties", {})
    sql = any(
        re.search(
            r"\bsql\b", f"{name.replace('_', ' ')} {properties[name].get('description', '')}", re.IGNORECASE
        )
        for name in code_parameters(tool)
    )
    return bool(_READ_NAME.search(tool.name)) and not sql


def _takes_sql(tool: ToolInfo) -> bool:
    properties = tool.input_schema.get("properties", {})
    return any(
        _SQL_WORDS.search(name.replace("_", " "))
        or _SQL_WORDS.search(str(properties[name].get("description", "")))
        for name in code_parameters(tool)
    )


def _answer(call: CallRecord) -> str:
    return json.dumps([call.text, call.structured], sort_keys=True, default=str)


@rule(
    "schema.non-portable-pattern",
    "warning",
    reference="JSON Schema 2020-12 pattern (ECMA-262 regular expressions)",
)
def non_portable_pattern(ctx: RuleContext) -> Iterator[Hit]:
    r"""Regex pattern that differs between Python and ECMA-262

    JSON Schema patterns are ECMA-262; \d, \w, \s and \b match more in Python, lookbehind and (?P…)
    differ."""
    for tool in ctx.observations.tools:
        for name, prop in _properties(tool):
            pattern = prop.get("pattern")
            if isinstance(pattern, str) and _NON_PORTABLE.search(pattern):
                yield Hit(
                    tool.name,
                    f"Parameter {name} has pattern {pattern!r}, which Python and ECMA read differently.",
                    _schema_evidence(tool, name),
                )


_CJK: Final = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
"""Chinese, Japanese and Korean characters."""
_LATIN: Final = re.compile(r"[A-Za-z]")
_MIN_CJK: Final = 6
"""So few CJK characters (a name, a quoted example) do not make a text Chinese."""


def _mostly_cjk(text: str) -> bool:
    cjk = len(_CJK.findall(text))
    # A CJK character carries about a word: weigh it against Latin words, not letters
    return cjk >= _MIN_CJK and cjk * 5 > len(_LATIN.findall(text))


def _prose_of(call: CallRecord) -> str | None:
    """An answer's own words: its text, or the string an SDK wraps as {"result": ...}; None for JSON, whose
    values are data (a station's name, a translation) whatever language they are in."""
    structured = call.structured
    if (
        isinstance(structured, dict)
        and list(structured) == ["result"]
        and isinstance(structured["result"], str)
    ):
        text = structured["result"]
    elif structured is not None:
        return None
    else:
        text = call.text
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return text
    return None


def _english(text: str) -> bool:
    return len(_LATIN.findall(text)) >= 10 and not _CJK.search(text)


@rule(
    "schema.mixed-language",
    "warning",
    reference="wireproof MISSION property 2 (precise schemas are the contract)",
)
def mixed_language(ctx: RuleContext) -> Iterator[Hit]:
    """Tools described in English that speak another language

    A server whose tool descriptions are English but whose parameter descriptions or answers are in Chinese,
    Japanese or Korean ('成功追加 0 个条目', '未找到', '參數格式錯誤') makes a model that chose the tool in
    English translate each answer to tell a success from a failure, and the words the rules of the client
    look for (error, not found) are not there. Keep one language throughout (a locale setting may choose
    it). One finding a server: the tool descriptions are English (at least four in five of those with text),
    and a parameter description or a successful answer's prose the check saw is mostly CJK (a JSON answer's
    values are data, not the server's words); the checker's own arguments are English, so the prose is the
    server's."""
    described = [t for t in ctx.observations.tools if (t.description or "").strip()]
    if not described or sum(_english(t.description or "") for t in described) * 5 < len(described) * 4:
        return
    for tool in ctx.observations.tools:
        for name, prop in _properties(tool):
            text = str(prop.get("description", ""))
            if _mostly_cjk(text):
                yield Hit(
                    None,
                    f"The tools are described in English, but parameter {tool.name}.{name} is described in "
                    f"another language ({text[:60]!r}): keep one language, the one the tools are chosen in.",
                    _schema_evidence(tool, name),
                )
                return
    for call in ctx.observations.calls:
        prose = _prose_of(call) if call.purpose in ("valid", "write-first") and answered_ok(call) else None
        if prose is not None and _mostly_cjk(prose[:2000]):
            yield Hit(
                None,
                f"The tools are described in English, but {call.tool} answers in another language: a model "
                "that chose the tool in English must translate the answer to tell a success from a failure.",
                call.evidence(),
            )
            return
