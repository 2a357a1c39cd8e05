"""Output rules: answer size against a token budget, paging of lists, structuredContent against outputSchema."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from typing import Any, Final

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from wireproof._jsontext import json_strings
from wireproof.check.config import BYTES_PER_TOKEN
from wireproof.check.edges import SEARCH_TOOLS
from wireproof.check.generate import LONG_QUERY_ROWS, name_words
from wireproof.check.model import CallRecord, Evidence, ToolInfo, code_parameters, name_list, wrapped_json
from wireproof.check.rules._registry import Hit, RuleContext, rule
from wireproof.check.rules.errors import answer_text, disguised_failure
from wireproof.check.rules.schema import named_as_read

LONG_LIST: Final = 25
"""A list of at least this many items "came back long": paging it is no longer a matter of taste."""

_WRITE_WORDS: Final = frozenset(
    {
        "write",
        "insert",
        "update",
        "delete",
        "create",
        "drop",
        "alter",
        "remove",
        "append",
        "add",
        "set",
        "put",
    }
)
"""Words of a tool named for a write (``write_query``, ``create_table``): its answer to a read query is no listing."""


_SIZE_PARAMS: Final = frozenset(
    {
        "limit",
        "page_size",
        "pagesize",
        "per_page",
        "max_results",
        "maxresults",
        "top",
        "first",
        "count",
        "size",
        "max",
    }
)
"""Parameters that bound how much one answer holds, but reach nothing past it."""
_CONTINUATION_PARAMS: Final = frozenset(
    {
        "cursor",
        "page",
        "offset",
        "skip",
        "start",
        "after",
        "page_token",
        "pagetoken",
        "next_cursor",
        "starting_after",
    }
)
"""Parameters that reach the rest of a list: a cursor, an offset, a page number."""
NAME_LENGTH: Final = 64
"""A list whose items are all strings shorter than this is a list of names (sheets, tables, branches)."""


@rule("output.over-budget", "error", reference="wireproof MISSION property 6 (tight outputs)")
def over_budget(ctx: RuleContext) -> Iterator[Hit]:
    """Answer over the token budget

    Clients cap tool results (about 25,000 tokens, with a warning at 10,000); a huge answer burns context.
    Every answer counts, a listing's at its largest limit and a query tool's to SELECT * on the largest
    table the server's own table listing (list_tables, a schema tool) names: a read an agent makes. An
    awkward call's answer that is large only because it repeats the checker's own oversized argument (a
    1 MB value quoted whole in the error) is a warning whatever its size: the size is the caller's, but an
    error should quote a short prefix. So is the growth probe's own large write answered with the item it
    stored (the checker's 100 KB text echoed back): the read of that item is what is measured."""
    worst: dict[str, Any] = {}
    echoes: dict[str, Any] = {}
    for call in ctx.observations.calls:
        if call.outcome != "result":
            continue
        kept = echoes if _echoes_own_input(call) else worst
        if call.size_bytes > kept.get(call.tool, (0, None))[0]:
            kept[call.tool] = (call.size_bytes, call)
    for tool, (size, call) in worst.items():
        tokens = size // BYTES_PER_TOKEN
        level = ctx.options.error_tokens if tokens > ctx.options.error_tokens else ctx.options.warn_tokens
        if tokens > ctx.options.warn_tokens:
            what = "limit" if level == ctx.options.error_tokens else "warning level"
            yield Hit(
                tool,
                f"{_which_answer(call)} was {size:,} bytes (about {tokens:,} tokens), over the {level:,}-token "
                f"{what}.",
                call.evidence(note=_select_all_note(call)),
                "error" if level == ctx.options.error_tokens else "warning",
            )
    for tool, (size, call) in echoes.items():
        tokens = size // BYTES_PER_TOKEN
        already = tool in worst and worst[tool][0] // BYTES_PER_TOKEN > ctx.options.warn_tokens
        if not already and tokens > ctx.options.warn_tokens:
            what = (
                "An answer to the checker's large write"
                if call.purpose == "grow"
                else "An error"
                if call.is_error or disguised_failure(call) is not None
                else "An answer"
            )
            advice = (
                "answer a write with the item's id and a summary, not the whole value"
                if call.purpose == "grow"
                else "quote a short prefix of a wrong value, not all of it"
            )
            yield Hit(
                tool,
                f"{what} was {size:,} bytes (about {tokens:,} tokens) because it repeats the caller's "
                f"oversized argument whole: {advice}.",
                call.evidence(),
                "warning",
            )


_AWKWARD: Final = frozenset({"violation", "hostile", "expensive", "repair"})


def _echoes_own_input(call: CallRecord) -> bool:
    """An awkward call whose answer is large only because it quotes the checker's own oversized argument
    (a 10,000-character or 1 MB string refused with an error that repeats it): what the checker sent, not
    what the server holds. Copies of that argument must account for most of the answer: at most four of
    them (the text and the structuredContent each hold one, JSON escaping aside) and 4 KB more."""
    if call.purpose not in _AWKWARD and call.purpose != "grow":
        return False
    longest = max(json_strings(call.arguments), key=len, default="")
    if len(longest) < 1_000 or call.size_bytes > 4 * len(longest.encode()) + 4_096:
        return False
    said = answer_text(call)  # the answer really quotes it: as it is, JSON-escaped (a newline as \\n), or
    prefix = longest[:1_000]  # with its line breaks flattened to spaces (a one-line-per-item store: todo.txt)
    if prefix in said or json.dumps(prefix, ensure_ascii=False)[1:-1] in said:
        return True
    return " ".join(prefix.split()) in " ".join(said.split())


def _which_answer(call: CallRecord) -> str:
    if call.purpose == "select-all" and call.field is not None:
        return f"The answer to {call.arguments.get(call.field)!s}"
    return "An answer"


def _select_all_note(call: CallRecord) -> str | None:
    """For a whole-table read, where the table came from (the evidence's call shows the query itself)."""
    if call.purpose != "select-all":
        return None
    return (
        f"a read of the whole table {call.constraint}, which the server's table listing names: "
        "cap the rows one answer holds, or page them"
    )


def _longest_list(value: Any) -> int:
    """The length of the longest list in ``value`` (itself, or one of its members)."""
    if isinstance(value, list):
        return len(value)
    if isinstance(value, dict):
        return max((len(v) for v in value.values() if isinstance(v, list)), default=0)
    return 0


_REPR_LIST: Final = re.compile(r"^\s*\[\s*[\[({]")
REPR_LIMIT: Final = 2_000_000
"""The longest text read as a Python literal (``ast.literal_eval`` is linear, but not free)."""


def parse_listing(text: str) -> Any:
    """The value a text answer holds: JSON, or the Python repr of a list of dicts, tuples or lists.

    Servers that ``str()`` their rows answer ``[{'id': 1, 'name': 'a'}, ...]`` or ``[(1, 'a'), ...]``:
    that is a list too. None when the text is neither.
    """
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # a hostile answer may nest past the parser's limit
        pass
    if len(text) > REPR_LIMIT or not _REPR_LIST.match(text):
        return None
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return None


def _answer_value(call: CallRecord) -> Any:
    if call.structured is not None:
        return call.structured
    return parse_listing(call.text)


def _bounded_by_schema(tool: ToolInfo) -> bool:
    """Whether every list the outputSchema describes (at the top or one level down) has maxItems."""
    schema = tool.output_schema or {}
    arrays = [schema] if schema.get("type") == "array" else []
    properties = schema.get("properties", {})
    if isinstance(properties, dict):
        arrays += [p for p in properties.values() if isinstance(p, dict) and p.get("type") == "array"]
    return bool(arrays) and all("maxItems" in a for a in arrays)


def _grew_with_data(ctx: RuleContext, tool: str) -> Evidence | None:
    """How ``tool``, as an observer, answered with a longer list after some write than before it (None: never)."""
    for write, snaps in ctx.observations.snapshots.items():
        steps = list(snaps)
        counts = [_observer_list(snaps[step], tool) for step in steps]
        first = counts[0] if counts else None
        for step, count in zip(steps[1:], counts[1:], strict=True):
            if first is not None and count is not None and count > first:
                observer = next((o for o in ctx.options.observers if o.tool == tool), None)
                return Evidence(
                    call={"tool": tool, "arguments": observer.arguments if observer else {}},
                    answer=f"a list of {first} item(s) at {steps[0]}, {count} at {step}",
                    note=f"the observer's snapshots around the writes probe of {write}",
                )
    return None


def _observer_list(snapshot: str | None, tool: str) -> int | None:
    if snapshot is None:
        return None
    for answer in json.loads(snapshot):
        if answer.get("tool") == tool and answer.get("outcome") == "result" and not answer.get("is_error"):
            value = answer.get("structured")
            if value is None:
                value = parse_listing(answer.get("text") or "")
            return _longest_list(value)
    return None


def _words(name: str) -> set[str]:
    return set(name_words(name))


def _is_long(call: CallRecord) -> bool:
    return call.outcome == "result" and not call.is_error and _longest_list(_answer_value(call)) >= LONG_LIST


def _long_queries(ctx: RuleContext, tool: str) -> list[CallRecord]:
    return [c for c in ctx.observations.calls_for(tool) if c.constraint == "long-query"]


def _long_answer(ctx: RuleContext, tool: ToolInfo) -> CallRecord | None:
    if _bounded_by_schema(tool):
        return None
    return next((c for c in ctx.observations.calls_for(tool.name) if _is_long(c)), None)


@rule(
    "output.list-without-paging",
    "warning",
    reference="MCP 2026-07-28, utilities/pagination (opaque cursors)",
)
def list_without_paging(ctx: RuleContext) -> Iterator[Hit]:
    """List-like tool without a limit or cursor

    A tool that returns a list without limit/cursor returns everything, however much there is. Judged on
    evidence: the list grew with the data (the tool as an observer of writes), or the outputSchema leaves
    it unbounded and an answer held 25 or more items; never for a short list or one that mirrors a list
    the caller passed. A list of names (strings only, each short) that grew but stayed under 25 items is
    info: a workbook's sheets or a database's tables are few by nature. A bare limit (limit, page_size,
    max_results…) without an offset, cursor or page parameter is no paging: it bounds the answer, but what
    lies past the limit can never be read, so it is judged the same way. Judged for read-only tools and
    the tools configured as observers (reads by the user's word); and for any tool that takes SQL and is
    not named for a write (write_, create_, insert_…), which is asked for 1,000 generated rows (WITH
    RECURSIVE). A text answer that is a JSON array or the Python repr of a list ([{…}, …], [(…), …])
    counts as a list."""
    observers = {o.tool for o in ctx.options.observers}
    for tool in ctx.observations.tools:
        properties = tool.input_schema.get("properties", {})
        params = {str(n).lower() for n in properties}
        mirrors_input = any(isinstance(p, dict) and p.get("type") == "array" for p in properties.values())
        if params & _CONTINUATION_PARAMS:
            continue
        bounded = sorted(params & _SIZE_PARAMS)
        if bounded and code_parameters(tool):
            continue  # a bounded query tool pages in its own language (OFFSET, a WHERE on the last key)
        lacks = (
            f"it takes {bounded[0]} but no offset, cursor or page, so the items past it cannot be read"
            if bounded
            else "it takes no limit or cursor"
        )
        long_read = next((c for c in _long_queries(ctx, tool.name) if _is_long(c)), None)
        if long_read is not None and not _words(tool.name) & _WRITE_WORDS and not bounded:
            # whatever the tool's annotations, a read query of a thousand rows is a read (but a tool
            # named for writing that runs it has a different flaw: it should refuse the read)
            yield Hit(
                tool.name,
                f"A read query of {LONG_QUERY_ROWS:,} generated rows was answered with "
                f"{_longest_list(_answer_value(long_read))} items in one list, and the tool takes no "
                "limit or cursor.",
                long_read.evidence(),
            )
            continue
        if mirrors_input or not (tool.read_only or tool.name in observers):
            continue  # writes, and reads of a list the caller names, answer about what they were given
        grew = _grew_with_data(ctx, tool.name)
        if grew is not None:
            names = _names_only(ctx, tool.name)
            yield Hit(
                tool.name,
                f"The tool's list grew with the data (as an observer of writes) and {lacks}"
                + (
                    f"; it is a short list of names, so paging matters only if it can grow past {LONG_LIST}."
                    if names
                    else "."
                ),
                grew,
                "info" if names else None,
            )
            continue
        long_answer = _long_answer(ctx, tool)
        if long_answer is not None:
            yield Hit(
                tool.name,
                f"An answer held {_longest_list(_answer_value(long_answer))} items in one unbounded list, and "
                f"{lacks}.",
                long_answer.evidence(),
            )


def _names_only(ctx: RuleContext, tool: str) -> bool:
    """Whether every list the tool answered (as an observer, or to a call) is short and holds only short strings."""
    values: list[Any] = [_answer_value(c) for c in ctx.observations.calls_for(tool) if answered(c)]
    for snaps in ctx.observations.snapshots.values():
        for snap in snaps.values():
            for answer in json.loads(snap) if snap else []:
                if answer.get("tool") != tool or answer.get("outcome") != "result" or answer.get("is_error"):
                    continue
                structured = answer.get("structured")
                values.append(
                    structured if structured is not None else parse_listing(answer.get("text") or "")
                )
    lists = [_first_list(v) for v in values]
    found = [v for v in lists if v]
    return bool(found) and all(
        len(v) < LONG_LIST and all(isinstance(i, str) and len(i) < NAME_LENGTH for i in v) for v in found
    )


def _first_list(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return next((v for v in value.values() if isinstance(v, list)), None)
    return None


def answered(call: CallRecord) -> bool:
    return call.outcome == "result" and not call.is_error


_TRUNCATED: Final = re.compile(
    r"\b(truncated|showing (only )?(the )?first \d+|first \d+ of \d+|results? (were |was )?(cut|limited) to)\b"
    r"|\"(truncated|limited|has_?more|is_?truncated)\"\s*:\s*true",  # the same said as a JSON flag
    re.IGNORECASE,
)
_CONTINUATION: Final = re.compile(r"cursor|offset|page|skip|after|token|start", re.IGNORECASE)


@rule(
    "output.truncated-without-cursor",
    "warning",
    reference="MCP 2026-07-28, utilities/pagination (opaque cursors); wireproof MISSION property 6",
)
def truncated_without_cursor(ctx: RuleContext) -> Iterator[Hit]:
    """Truncated answer with no way to continue

    An answer that says it was truncated ("showing first 248 rows", "output truncated", a JSON flag such as
    "limited": true or "has_more": true) is honest, but
    without a cursor, offset or page parameter the rest can never be read: the model works from a part it
    cannot complete. Give a cursor (or at least an offset) and say how to continue."""
    for tool in ctx.observations.tools:
        names = [str(n) for n in tool.input_schema.get("properties", {})]
        if any(_CONTINUATION.search(n) for n in names):
            continue
        for call in ctx.observations.calls_for(tool.name):
            if call.outcome != "result" or call.is_error or call.purpose == "violation":
                continue
            match = _TRUNCATED.search(call.text[-2000:]) or _TRUNCATED.search(call.text[:2000])
            if match is not None:
                yield Hit(
                    tool.name,
                    f"An answer says it was cut short ({match.group(0)!r}), and the tool takes no cursor, "
                    "offset or page parameter to read the rest.",
                    call.evidence(note=f"the answer says: {match.group(0)!r}"),
                )
                break


_COUNT_KEYS: Final = ("total", "total_count", "totalcount", "count", "num_results", "matches", "found")
_SAYS_MORE: Final = re.compile(
    r"\b(more|next|remaining|total|of \d+)\b|has_?more|next_?(cursor|page|token)", re.IGNORECASE
)


def _count_field(value: Any) -> tuple[str, int] | None:
    """A top-level count of an answer (``"count": 10``), as (key, value)."""
    if not isinstance(value, dict):
        return None
    for key in _COUNT_KEYS:
        count = value.get(key)
        if isinstance(count, int) and not isinstance(count, bool):
            return key, count
    return None


def _size_parameter(tool: ToolInfo) -> str | None:
    names = [str(n) for n in tool.input_schema.get("properties", {})]
    if any(_CONTINUATION.search(n) for n in names):
        return None  # the rest can be reached: an offset, a page, a cursor
    return next((n for n in names if _words(n) & _SIZE_PARAMS), None)


@rule(
    "output.cut-at-limit",
    "warning",
    reference="MCP 2026-07-28, utilities/pagination (opaque cursors); wireproof MISSION property 6",
)
def cut_at_limit(ctx: RuleContext) -> Iterator[Hit]:
    """A list cut at its limit without a word, and no way to the rest

    A read tool with a limit and no cursor, offset or page parameter answered exactly as many items as
    the limit asked for, while the same call with a larger limit showed that more exist, and the first
    answer says nothing of them: no total, no "more", no flag. Worse when its count field gives the page
    size as if it were the total. The agent takes the page for the whole. Say how many there are in all
    (or that more exist) and give a cursor or an offset to reach them."""
    for tool in ctx.observations.tools:
        size = _size_parameter(tool) if tool.read_only or named_as_read(tool) else None
        if size is None:
            continue
        calls = [
            c
            for c in ctx.observations.calls_for(tool.name)
            if c.purpose in ("valid", "write-first")
            and answered(c)
            and isinstance(c.arguments.get(size), int)
        ]
        for first in sorted(calls, key=lambda c: c.arguments[size]):
            asked, value = first.arguments[size], _answer_value(first)
            held = _longest_list(value)
            if asked < 1 or held != asked:
                continue
            rest = {k: v for k, v in first.arguments.items() if k != size}
            larger = [
                c
                for c in calls
                if c.arguments[size] > asked
                and {k: v for k, v in c.arguments.items() if k != size} == rest
                and _longest_list(_answer_value(c)) > asked
            ]
            if not larger:
                continue
            count = _count_field(value)
            more = _longest_list(_answer_value(larger[0]))
            misleading = count is not None and count[1] == asked
            told = (
                (count is not None and count[1] > asked)
                or _TRUNCATED.search(first.text)
                or (_SAYS_MORE.search(first.text) and not misleading)
            )
            if told or not (misleading or _words(tool.name) & SEARCH_TOOLS):
                continue
            why = (
                f" and its {count[0]!r} says {asked}, the page size, not the total"
                if count and misleading
                else ""
            )
            yield Hit(
                tool.name,
                f"With {size}={asked} the answer held exactly {asked} item{'s' if asked != 1 else ''} and nothing "
                f"says more exist{why}, but {size}={larger[0].arguments[size]} answered {more}: the list was cut "
                "at the limit without a word, and no cursor or offset reaches the rest.",
                first.evidence(note=f"with {size}={larger[0].arguments[size]}: {more} items"),
            )
            break


@rule(
    "output.listing-over-budget",
    "error",
    reference="wireproof MISSION property 6 (tight outputs); MCP 2026-07-28, server/tools (tools/list)",
)
def listing_over_budget(ctx: RuleContext) -> Iterator[Hit]:
    """tools/list answer over the token budget

    Every tool definition sits in the model's context on every turn; a listing over the budget crowds out
    the task. Measured as the compact JSON of each tool's name, description, schemas and annotations (a
    lower bound of the wire size), against the same warn/error token levels as answers."""
    if not ctx.observations.listings:
        return
    listing = ctx.observations.listings[0]
    size = sum(
        len(json.dumps(json.loads(t), separators=(",", ":"), ensure_ascii=False).encode()) for t in listing
    )
    tokens = size // BYTES_PER_TOKEN
    level = ctx.options.error_tokens if tokens > ctx.options.error_tokens else ctx.options.warn_tokens
    if tokens > ctx.options.warn_tokens:
        yield Hit(
            None,
            f"The tools/list answer is at least {size:,} bytes (about {tokens:,} tokens) for {len(listing)} tools, "
            f"over the {level:,}-token {'limit' if level == ctx.options.error_tokens else 'warning level'}: "
            "shorten descriptions, or split the server.",
            Evidence(call={"method": "tools/list"}, answer=f"{len(listing)} tools, {size:,} bytes"),
            "error" if tokens > ctx.options.error_tokens else "warning",
        )


@rule(
    "output.structured-mismatch",
    "error",
    reference="MCP 2026-07-28, server/tools (structured content, output schema)",
)
def structured_mismatch(ctx: RuleContext) -> Iterator[Hit]:
    """structuredContent does not match outputSchema

    With an outputSchema, servers MUST return conforming structuredContent; clients reject the rest."""
    for tool, validator in _output_validators(ctx):
        if validator is None:
            yield Hit(tool.name, "The outputSchema is not a valid JSON Schema.")
            continue
        for call in ctx.observations.calls:
            if call.tool != tool.name or call.outcome != "result" or call.is_error:
                continue
            if call.structured is None:
                yield Hit(
                    tool.name,
                    "A successful answer has no structuredContent although the tool has an outputSchema.",
                    call.evidence(),
                )
                break
            error = next(iter(validator.iter_errors(call.structured)), None)
            if error is not None:
                yield Hit(
                    tool.name,
                    f"structuredContent does not match outputSchema: {error.message[:200]}",
                    call.evidence(),
                )
                break


@rule(
    "output.error-structured-mismatch",
    "warning",
    reference="MCP 2026-07-28, server/tools (output schema); modelcontextprotocol/typescript-sdk#1943",
)
def error_structured_mismatch(ctx: RuleContext) -> Iterator[Hit]:
    """An error result's structuredContent does not match outputSchema

    Clients that validate structuredContent on every result (the TypeScript SDK 1.x client, the MCP
    Inspector) reject such an error, so the model never reads its message. Leave structuredContent out of
    isError results; put machine-readable error details in the result's _meta."""
    for tool, validator in _output_validators(ctx):
        if validator is None:
            continue  # output.structured-mismatch reports the schema itself
        for call in ctx.observations.calls:
            if call.tool != tool.name or call.outcome != "result" or not call.is_error:
                continue
            if call.structured is None:
                continue
            error = next(iter(validator.iter_errors(call.structured)), None)
            if error is not None:
                yield Hit(
                    tool.name,
                    "An isError result carries structuredContent that does not match outputSchema "
                    f"({error.message[:160]}); strict clients reject it and hide the error's message.",
                    call.evidence(),
                )
                break


def _output_validators(ctx: RuleContext) -> Iterator[tuple[ToolInfo, Draft202012Validator | None]]:
    """Each tool with an outputSchema and its validator (None when the schema itself is invalid)."""
    for tool in ctx.observations.tools:
        if not tool.output_schema:
            continue
        try:
            validator: Draft202012Validator | None = Draft202012Validator(tool.output_schema)
        except SchemaError:
            validator = None
        yield tool, validator


JSON_TEXT_LARGE: Final = 4096
"""A JSON text answer of at least this many bytes is large: a client that parses it needs to know its shape."""
_ANSWER_PURPOSES: Final = ("valid", "read-repeat", "read-effect", "write-first")


def _json_text(call: CallRecord) -> Any:
    """The JSON object or array a successful text-only answer holds; None when it holds none."""
    if call.outcome != "result" or call.is_error or call.structured is not None:
        return None
    text = call.text.strip()
    if not text.startswith(("{", "[")):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict | list) and value else None


_STRUCTURED_SINCE: Final = "2025-06-18"
"""The first protocol revision with outputSchema and structuredContent (revisions are dates: they sort as text)."""


def _echoes_json_argument(call: CallRecord) -> bool:
    """Whether the wrapped JSON is a JSON text the call was sent (a formatter or validator returns text)."""
    inner = wrapped_json(call.structured)
    for value in call.arguments.values():
        if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
            try:
                if json.loads(value) == inner:
                    return True
            except (ValueError, RecursionError):
                continue
    return False


@rule(
    "output.json-in-text",
    "warning",
    reference="MCP 2025-06-18 and 2026-07-28, server/tools (structured content, output schema)",
)
def json_in_text(ctx: RuleContext) -> Iterator[Hit]:
    """Structured answer sent only as JSON text, without outputSchema

    The spec (2025-06-18 and later) lets a tool return unstructured text, JSON included; structured
    results go in structuredContent, and when the tool declares an outputSchema they MUST conform to it
    (the serialized JSON SHOULD also be a text block, for older clients). Without an outputSchema nothing
    is broken, so a small JSON object in text is only info with advice: declare an outputSchema and return
    structuredContent, so clients and models get the shape instead of guessing it from prose. It is a
    warning when the answer is a list (a JSON array, or an object holding one, of two or more items) or at
    least 4,096 bytes: a client cannot select, page or validate what it must re-parse from text, and a
    model reads every byte of it. The same defect in disguise, a warning whatever the outputSchema: a
    structuredContent whose only member is a string holding JSON ({"result": "{...}"}). Silent on a protocol older than 2025-06-18, which has neither outputSchema
    nor structuredContent: the advice could not be followed."""
    if ctx.protocol_version is not None and ctx.protocol_version < _STRUCTURED_SINCE:
        return
    for tool in ctx.observations.tools:
        wrapped = next(
            (
                (c, c.structured)
                for c in ctx.observations.calls_for(tool.name)
                if c.purpose in _ANSWER_PURPOSES
                and c.outcome == "result"
                and not c.is_error
                and wrapped_json(c.structured) is not None
                and not _echoes_json_argument(c)
            ),
            None,
        )
        if wrapped is not None:
            call, structured = wrapped
            (member,) = structured
            yield Hit(
                tool.name,
                f"structuredContent is {{{member!r}: <JSON text>}}: the answer's JSON is a string inside it, so "
                "a client reading structuredContent gets text to re-parse, not the shape (FastMCP 1.x does this "
                "for a tool that returns a JSON string); return the object itself and declare its outputSchema.",
                call.evidence(),
            )
            continue
        if tool.output_schema:
            continue  # output.structured-mismatch judges tools that declare one
        answers = [
            (c, v)
            for c in ctx.observations.calls_for(tool.name)
            if c.purpose in _ANSWER_PURPOSES and (v := _json_text(c)) is not None
        ]
        if not answers:
            continue
        listed = [
            (c, v) for c, v in answers if len(_first_list(v) or []) >= 2 or c.size_bytes >= JSON_TEXT_LARGE
        ]
        call, value = (listed or answers)[0]
        shape = "a JSON array" if isinstance(value, list) else "a JSON object"
        if listed:
            yield Hit(
                tool.name,
                f"A successful answer is {shape} of {len(_first_list(value) or value):,} entries "
                f"({call.size_bytes:,} bytes) in text only, with no outputSchema and no structuredContent: "
                "declare an outputSchema and return the list as structuredContent.",
                call.evidence(),
            )
        else:
            yield Hit(
                tool.name,
                f"A successful answer is {shape} in text only (no outputSchema, no structuredContent); "
                "allowed, but declaring an outputSchema and returning structuredContent gives clients its shape.",
                call.evidence(),
                "info",
            )


_NOT_ROWS: Final = frozenset(
    {"plan", "explain", "validate", "validation", "lint", "format", "parse", "check", "analyze", "analyse"}
)
_SAYS_ROWS: Final = re.compile(r"\b(999|1,?000)\b")
_NUMBER: Final = re.compile(r"\b\d{1,4}\b")


@rule(
    "errors.query-rows-dropped",
    "warning",
    reference="wireproof MISSION properties 3 and 6 (never a silent partial result)",
)
def query_rows_dropped(ctx: RuleContext) -> Iterator[Hit]:
    """A read query answered as a success with none of its rows

    A SQL tool was sent a read of 1,000 generated rows (WITH RECURSIVE … SELECT n) and answered a plain
    success that holds no row at all (no list of two or more items, not the figures 999 or 1,000): the
    server ran it as a statement and threw its rows away (a WITH, PRAGMA or EXPLAIN is not a SELECT to a
    guard that looks at the first word). The model reads "executed successfully" as "there is nothing"."""
    for tool in ctx.observations.tools:
        if _words(tool.name) & _NOT_ROWS:
            continue  # a plan, a validation or a formatting of the query answers no rows by design
        for call in _long_queries(ctx, tool.name)[:1]:
            if call.outcome != "result" or call.is_error or disguised_failure(call) is not None:
                continue
            value = _answer_value(call)
            shown = f"{call.text} {value}"
            if (
                _longest_list(value) >= 2
                or _SAYS_ROWS.search(shown)
                or len(set(_NUMBER.findall(shown))) >= 10
            ):
                continue  # rows in a list, a row count, or rows in a text layout (``n: 1 … n: 28``)
            yield Hit(
                tool.name,
                f"A read query of {LONG_QUERY_ROWS:,} generated rows (WITH RECURSIVE) was answered as a success "
                "with none of its rows: the rows of a query the tool does not take for a SELECT are dropped.",
                call.evidence(),
            )


_LABEL_LINE: Final = re.compile(
    r"^[ \t]*(?:[-*\u2022][ \t]+|\d{1,3}[.)][ \t]+)?[^\s:\uff1a|#>][^:\uff1a\n]{0,40}[:\uff1a][ \t]+\S", re.M
)
"""A record's field as prose: ``Priority: high``, ``  - Created: 2026-12-03``, ``1. Key: knuth1984``, and the full-width colon of Chinese text."""
_TABLE_RULE: Final = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|", re.M)
"""A Markdown table's header rule (``|---|---|``): the rows under it are records."""
_RECORD_LINES: Final = 3
_FEW_TOOLS: Final = 3
"""A server with at most this many tools needs one tool answering records as prose, a larger one two."""


def _prose(call: CallRecord) -> str | None:
    """A successful answer's prose: its text, or the string in an SDK's ``{"result": ...}``; None for JSON or data."""
    if call.outcome != "result" or call.is_error or disguised_failure(call) is not None:
        return None
    wrapped = isinstance(call.structured, dict) and list(call.structured) == ["result"]
    text = call.structured["result"] if wrapped else call.text if call.structured is None else None
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return text
    return None  # JSON text: output.json-in-text's case


_FRONT_MATTER: Final = re.compile(r"\A\s*---\s*\n.*?\n---\s*(\n|\Z)", re.DOTALL)
_CONTENT_TOOLS: Final = frozenset(
    {"file", "files", "content", "contents", "document", "documents", "page", "note", "notes", "log", "logs"}
    | {"readme", "markdown", "text", "body", "source", "raw", "cat"}
)
"""Name words of a tool whose answer is content the user stored (a file, a note, a log): its lines are data."""


_INLINE_FIELD: Final = re.compile(r"(?:^|(?<=[\s|,;(]))[A-Za-z_][\w-]{0,30}(?:=|: )(?=[^\s=])")
"""A field inside a line of prose: ``id=1``, ``tags=['x']``, ``created: 2026-12-03`` (not a URL's ``?a=1``)."""


def _records_as_prose(text: str) -> bool:
    text = _FRONT_MATTER.sub("", text, count=1)  # a note's YAML front matter is its content, not a record
    if len(_LABEL_LINE.findall(text)) >= _RECORD_LINES or _TABLE_RULE.search(text):
        return True
    # one record a line: 'id=1 | proj/a/k1  tags=['x', 'y']  created: 2026-12-03' (hold-out 4 kb-13), or rows of
    # cells a pipe apart, a table without its header: 'id=3 | proj/c/c1 | c1 | 2026-12-03' on two lines or more
    lines = text.splitlines()
    if any(len(_INLINE_FIELD.findall(line)) >= _RECORD_LINES for line in lines):
        return True
    rows = [len(line.split(" | ")) for line in lines if line.count(" | ") >= _RECORD_LINES - 1]
    return len(rows) >= 2 and len(set(rows)) == 1


def _string_only_output(tool: ToolInfo) -> bool:
    """No outputSchema, or one whose only property is a string (FastMCP's ``{"result": str}`` for a str return)."""
    schema = tool.output_schema
    if not schema:
        return True
    properties = schema.get("properties")
    if not isinstance(properties, dict) or len(properties) != 1:
        return False
    (only,) = properties.values()
    return isinstance(only, dict) and only.get("type") == "string"


@rule(
    "output.prose-records",
    "warning",
    reference="wireproof MISSION property 6 (results small and structured); MCP 2025-06-18 and 2026-07-28, "
    "server/tools (structured content, output schema)",
)
def prose_records(ctx: RuleContext) -> Iterator[Hit]:
    """Records answered as prose, with no structured content

    A tool whose answer is a record or a list of them (an item's fields, search hits, a status) written as
    prose, 'Priority: high' lines or a Markdown table, with no structuredContent (or only the string an
    SDK wraps as {"result": "..."} with an outputSchema of one string), makes the model parse text to read
    a field, and a client can neither select, validate nor page it: field names and formats drift between
    answers, and a label in the model's context costs tokens on every item. Return structuredContent with
    an outputSchema (the text may still summarise it). Judged on the successful answers the check saw: a
    text with at least three 'label: value' lines, a line of three or more fields ('id=1 | tags=[...]
    created: …') or a Markdown table (a leading YAML front matter left out),
    not JSON, from a tool not named for stored content (read_file, get_note, tail_logs: their lines are the
    user's data). One finding a server, when at least
    two tools answer this way (one, for a server of at most three tools). Silent on a protocol older than
    2025-06-18, which has no structuredContent."""
    if ctx.protocol_version is not None and ctx.protocol_version < _STRUCTURED_SINCE:
        return
    found: list[CallRecord] = []
    for tool in ctx.observations.tools:
        if not _string_only_output(tool) or _words(tool.name) & _CONTENT_TOOLS:
            continue
        for call in ctx.observations.calls_for(tool.name):
            text = _prose(call) if call.purpose in _ANSWER_PURPOSES else None
            if text is not None and _records_as_prose(text):
                found.append(call)
                break
    needed = 1 if len(ctx.observations.tools) <= _FEW_TOOLS else 2
    if len(found) < needed:
        return
    names = [c.tool for c in found]
    shown = name_list(names, 6)
    yield Hit(
        None,
        f"{len(found)} of {len(ctx.observations.tools)} tools answer records as prose ('label: value' lines or "
        f"a Markdown table), with no structuredContent: {shown}. The model must parse text to read a field, and "
        "a client cannot select, validate or page it: return structuredContent with an outputSchema.",
        found[0].evidence(),
    )


@rule(
    "output.empty-answer",
    "warning",
    reference="wireproof MISSION property 3 (no silent failure); MCP 2025-06-18 and 2026-07-28, server/tools "
    "(tool result content)",
)
def empty_answer(ctx: RuleContext) -> Iterator[Hit]:
    """A success answered with nothing at all

    A tool that answers isError false with no content block that carries anything (content [] or only
    blank text) and no structuredContent gives the model an empty message it cannot tell from a broken
    call, a lost answer or an empty list: say what happened ('[]', 'no expenses between … and …',
    'deleted 1'). Judged on every answer to the check's own calls (its samples and repeats, its writes, its
    awkward calls: a filter that matched nothing answered with nothing is the same silence); one finding a
    tool."""
    for tool in ctx.observations.tools:
        for call in ctx.observations.calls_for(tool.name):
            if (
                call.outcome == "result"
                and not call.is_error
                and call.filled_blocks == 0
                and call.structured is None
            ):
                yield Hit(
                    tool.name,
                    "A call was answered as a success with no content at all (no text, no structuredContent): "
                    "the model cannot tell it from a broken call or an empty list. Say what happened.",
                    call.evidence("content held nothing"),
                )
                break
