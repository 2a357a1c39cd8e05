"""Error rules: how the server answered valid and awkward calls, and how well its errors teach."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from wireproof._jsontext import RELATIVE_PATH, json_strings
from wireproof.check.client import INVALID_RESULT
from wireproof.check.edges import MULTI_STATEMENT, NOT_LISTED, STATEMENT_MARKS, WILDCARDS, duration_like
from wireproof.check.generate import UNKNOWN_ARGUMENT, count_like, resolve
from wireproof.check.model import (
    CallRecord,
    Observations,
    RepairAttempt,
    Severity,
    code_parameters,
    path_parameters,
)
from wireproof.check.repair import (
    about_the_input,
    attempts_by_call,
    baselines,
    names_field,
    states_expected,
)
from wireproof.check.rules._registry import Hit, RuleContext, rule

TOOL_ERRORS: Final = "MCP 2026-07-28, server/tools (error handling: tool execution errors, SEP-1303)"


@dataclass(frozen=True, slots=True)
class LeakKind:
    """One kind of internal detail an error must not carry, and how sure a match is of a leak."""

    label: str
    pattern: re.Pattern[str]
    severity: Severity


_LEAKS: Final = (
    LeakKind(
        "a Python stack trace",
        re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+"),
        "error",
    ),
    LeakKind(
        "a JavaScript stack trace", re.compile(r"\n\s+at [\w.<>$]+ \(.+:\d+:\d+\)|node:internal/"), "error"
    ),
    LeakKind("a Java stack trace", re.compile(r"\n\s+at [\w.$]+\([\w]+\.java:\d+\)"), "error"),
    LeakKind(
        "an internal path",
        # Code locations only: a path the tool works on (a repository, a file it was asked about) is data.
        re.compile(r"/usr/(local/)?lib/python3|/site-packages/|/node_modules/|\\site-packages\\"),
        "error",
    ),
    LeakKind(
        "an OS error string with a path",
        # the operating system's own words with the path it failed on (the caller's own path is masked
        # out first): the server's layout, a temp file name, the root it resolves into
        re.compile(
            r"\[(Errno|WinError) \d+\][^\n'\"]*['\"](/|[A-Za-z]:\\)"
            r"|\b(ENOENT|EACCES|EISDIR|ENOTDIR|EEXIST|EPERM)\b[^\n']*'(/|[A-Za-z]:\\)"
        ),
        "warning",
    ),
    LeakKind(
        "a validation-library dump",
        re.compile(
            r"errors\.pydantic\.dev|validation errors? for \w+|pydantic_core|\bzod\b|ZodError"
            # zod's issue list as JSON ([{"code": "invalid_type", "expected": …, "path": […]}]): the TypeScript
            # SDK's validator, dumped whole
            r"|\"code\"\s*:\s*\"(invalid_type|too_small|too_big|invalid_enum_value|invalid_string|"
            r"unrecognized_keys|invalid_union|invalid_literal|invalid_format|invalid_value)\"[^\]]{0,400}\"path\"\s*:"
        ),
        "error",
    ),
    LeakKind(
        "a library's error page",
        # libraries that append a link to their own error catalogue to every exception they raise
        re.compile(r"sqlalche\.me/e/|\(Background on this error at:"),
        "error",
    ),
    LeakKind(
        "a secret",
        re.compile(
            # a credential-shaped value after the name, not prose about a parameter called password
            r"\b(password|passwd|pwd|secret|api[_-]?key|token)\s*[=:]\s*[\"']?(?=[^\s\"']*\d)[^\s\"',;]{6,}"
            r"|Bearer ey[\w-]{10,}|\b(sk|pk|ghp|xox[bp])[-_][A-Za-z0-9]{16,}",
            re.IGNORECASE,
        ),
        "error",
    ),
    LeakKind(
        "the server's own SQL",
        # a statement with bind placeholders is the server's code, never text the caller wrote
        re.compile(
            r"\b(SELECT\b[^;\n]{0,300}?\bFROM\b|INSERT\s+INTO\b|UPDATE\s+[\w\"`.]+\s+SET\b|DELETE\s+FROM\b)"
            r"[^;\n]{0,300}?(\$\d+|=\s*\?|\(\s*\?\s*[,)]|%s\b|=\s*:[a-z_]\w*)",
            re.IGNORECASE,
        ),
        "error",
    ),
    LeakKind(
        "SQL text",
        re.compile(
            r"\b(SELECT\s+[\w*\"`.,\s()]{1,200}\s+FROM\s+[\w\"`.]+|INSERT\s+INTO\s+[\w\"`.]+\s*\(|"
            r"UPDATE\s+[\w\"`.]+\s+SET\s+\w+\s*=|DELETE\s+FROM\s+[\w\"`.]+\s+WHERE)",
            re.IGNORECASE,
        ),
        "warning",
    ),
    LeakKind(
        "a database driver message",
        re.compile(
            r"\bsqlite3\.\w*Error|\bSQLITE_[A-Z]+\b|psycopg|asyncpg\.|SQLSTATE|\b(Operational|Integrity|"
            r"Programming|Database|Interface)Error\b|\bER_[A-Z_]{4,}\b|SequelizeDatabaseError|"
            r"PrismaClient\w*Error|\bpg_(catalog|class|attribute)\b"
        ),
        "warning",
    ),
    LeakKind(
        "a raw database message",
        # node-postgres and sqlite3 pass the database's own words through; the quoted name is a table,
        # column or constraint of the server's schema (names the caller passed are masked out first)
        re.compile(
            r"syntax error at or near|(relation|column|table) \"[^\"\u00ab]+\" does not exist|"
            r"duplicate key value violates unique constraint|violates (not-null|foreign key|check) constraint|"
            r"invalid input syntax for type|null value in column|no such (table|column): (?!\u00ab)[\w\"'`]|"
            r"near \"(?!\u00ab)[^\"]+\": syntax error|(UNIQUE|NOT NULL|FOREIGN KEY|CHECK) constraint failed|"
            r"\bfts5: syntax error\b|malformed MATCH expression"
        ),
        "warning",
    ),
    LeakKind(
        "an interpreter message",
        # the language runtime talking: its own advice, or an exception's text passed through as is
        re.compile(
            r"\. Did you mean: '|--trace-(warnings|uncaught|deprecation)|RUST_BACKTRACE=|tracemalloc|"
            r"name '\w+' is not defined|'\w+' object (has no attribute|is not (subscriptable|callable|iterable))|"
            r"unsupported operand type\(s\) for|takes \d+ positional arguments? but \d+ (was|were) given|"
            r"list index out of range|maximum recursion depth exceeded|Cannot read propert(y|ies) of "
            r"(undefined|null)|\bis not a function\b|undefined is not an object|"
            # arithmetic and overflow errors as the runtime words them (the huge-integer and 1/0 probes)
            r"\b(ZeroDivisionError|OverflowError|RangeError)\b|(^|: )(float |integer )?(division|modulo)"
            r"( or modulo)? by zero\b|\bint too (large|big) to convert|Python int too large|"
            r"for integer string conversion|set_int_max_str_digits|Numerical result out of range|"
            r"\bmath (range|domain) error\b|must have magnitude <= \d+|\bdate value out of range\b|"
            r"\byear -?\d+ is out of range\b|\bout of range for type (integer|bigint|smallint|int\d?)\b|"
            r"cannot convert float (infinity|NaN) to integer|Maximum call stack size exceeded"
        ),
        "warning",
    ),
    LeakKind(
        "a syntax-tree or object dump",
        re.compile(
            r"<[\w.]+ object at 0x[0-9a-fA-F]{6,}>|\bast\.[A-Z]\w+\b|\bctx=(Load|Store)\(\)|"
            r"\b(BinOp|UnaryOp|BoolOp|Compare|Call|Name|Constant|Attribute|Subscript|Expression)\("
            r"(left|op|operand|func|id|value|body|ops|values|args)="
        ),
        "warning",
    ),
)
_SQL_INPUT: Final = re.compile(
    r"^\s*\(?\s*(SELECT|WITH|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|EXPLAIN|COMMIT|BEGIN|ATTACH|COPY|"
    r"SHOW|DESCRIBE)\b",
    re.IGNORECASE,
)
_OWN_SQL: Final = "the server's own SQL"
_DATABASE_KINDS: Final = frozenset({"SQL text", "a raw database message"})
"""What a query tool's error may carry about the caller's SQL: the database's own words, not its driver's names."""
MASK: Final = "\u00abinput\u00bb"
_CERTAIN_DISGUISE: Final = re.compile(
    r"^\s*(error|exception|failed|failure|fatal|errore|erreur|fehler|erro)\b\s*[:!\-]", re.IGNORECASE
)  # English, Italian, French, German, Portuguese (Spanish "error" is English's)
_DISGUISED: Final = re.compile(
    r"^\s*(error|exception|failed|failure)\b|"
    r"^\s*(search|query|request|operation|lookup|command|update|insert|delete|save|load|export|import|"
    r"fetch|read|write|upload|download|execution|connection) (failed|error)\s*:(?!\s*\d)|"
    r"\b(database error|internal server error|failed to \w+|"
    r"an error occurred|unhandled exception)\b|"
    # Chinese: an answer opening with error/failure/exception; a format or parameter error; an operation failed
    r"^\s*(错误|錯誤|失败|失敗|异常|異常)\s*[:\uff1a!\uff01]|(格式|参数|參數)(错误|錯誤)|"
    r"(操作|查询|查詢|读取|讀取|写入|寫入|保存|加载|載入|解析)(失败|失敗)",
    re.IGNORECASE,
)
_BURIED_ERROR: Final = re.compile(r"\bError\b - |\b(ENOENT|EACCES|EPERM|EISDIR|ENOTDIR)\b")
"""A failure inside a success's text (one item of several failed): ``nosuch: Error - ENOENT: no such file``."""
_GENERIC_ERROR: Final = re.compile(r"^\s*Error executing tool [\w.\-]+\s*:?\s*$")
"""The SDK's wrapper of an exception with no message: the whole error says nothing but the tool's name."""
_FAILED_STATUS: Final = frozenset({"failed", "failure", "error", "errored", "fail"})
_ERROR_ENVELOPE: Final = frozenset(
    {"error", "errors", "message", "code", "details", "detail", "status", "success", "ok", "type", "reason"}
    | {"hint", "error_code", "errorcode", "error_message", "errormessage", "title"}
)
_EXPECTED_WORDS: Final = re.compile(
    # words that state what would be accepted; "invalid" or "unknown" alone say only that it was wrong
    r"expect|must|should|one of|allowed|at least|at most|between|format|e\.g\.|for example|such as|required|"
    r"no more than|less than|greater than|too (long|short|large|small)|maximum|minimum|not a parameter|"
    r"not allowed|not permitted|valid values|accepted values|use |try ",
    re.IGNORECASE,
)
_RETRY_WORDS: Final = re.compile(
    r"retry|try again|do not call again|don't call again|stop|wait \d", re.IGNORECASE
)
_LOOKUP_MISS: Final = re.compile(
    r"not found|no \w+( \w+)? (was |were )?found|unknown|does not exist|doesn't exist|no such|outside|"
    r"未找到|找不到|没有找到|沒有找到|不存在|查无|查無",  # Chinese: not found, cannot find, does not exist
    re.IGNORECASE,
)
_INVALID_WORDS: Final = re.compile(r"invalid|validation|not valid|must be|expected|required", re.IGNORECASE)


def answer_text(record: CallRecord) -> str:
    """Everything an answer says: its text, a protocol error's message and its structuredContent as JSON."""
    parts = [record.text, record.error_message]
    if record.structured is not None:
        parts.append(json.dumps(record.structured, ensure_ascii=False))
    return "\n".join(parts)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):  # a hostile answer may nest past the parser's limit
        return False
    return True


def disguised_failure(record: CallRecord) -> tuple[Severity, str] | None:
    """Why an ``isError: false`` answer reads as a failure, and how sure that is; None when it does not.

    ``error``: the answer says so in a way no data does (``"success": false`` beside an error message,
    an object that is nothing but an error envelope, text that opens with ``Error:``). ``warning``: a
    heuristic (a ``status`` of failed, ``"ok": false`` alone, an error phrase in the text).
    """
    if record.outcome != "result" or record.is_error:
        return None
    value = record.answer_json()
    if isinstance(value, dict):
        # a validator's verdict on its input ({"valid": false, "error": …}) is the tool's answer
        found = None if _verdict(value) else _disguised_object(value)
        if found is not None:
            return found
        # an SDK wraps a returned string as {"result": "..."}: then the text still speaks
    if _is_json(record.text):
        return None
    if _CERTAIN_DISGUISE.search(record.text):
        return "error", "its text opens with an error word"
    if _DISGUISED.search(record.text[:300]):
        return "warning", "its text reads as an error message"
    return (
        ("warning", "its text carries an error for part of the call")
        if _BURIED_ERROR.search(record.text)
        else None
    )


_ERROR_KEYS: Final = {
    "errore": "error",
    "erreur": "error",
    "fehler": "error",
    "erro": "error",
    "错误": "error",
}
"""The error member in Italian, French, German, Portuguese and Chinese, read as ``error``."""


def _verdict(value: dict[str, Any]) -> bool:
    keys = {str(k).lower() for k, v in value.items() if isinstance(v, bool)}
    return bool(keys & {"valid", "is_valid", "isvalid"}) and "success" not in {str(k).lower() for k in value}


def _disguised_object(value: dict[str, Any]) -> tuple[Severity, str] | None:
    keys = {_ERROR_KEYS.get(str(k).lower(), str(k).lower()): v for k, v in value.items()}
    has_error = bool(keys.get("error"))
    envelope_only = set(keys) <= _ERROR_ENVELOPE
    for flag in ("success", "ok"):
        if keys.get(flag) is False:
            said = any(
                isinstance(keys.get(k), str | dict) and keys.get(k) for k in ("error", "message", "reason")
            )
            if flag == "success" or said:
                return "error", f'its JSON says "{flag}": false'
            return "warning", f'its JSON says "{flag}": false'
    if has_error:
        if envelope_only:
            return "error", "its JSON is an error object"
        return "warning", "its JSON carries an error member"
    status = keys.get("status")
    if isinstance(status, str) and status.strip().lower() in _FAILED_STATUS:
        return "warning", f'its JSON has status "{status}"'
    return None


def answered_ok(record: CallRecord) -> bool:
    """A result that says it worked: not isError, and not a certain disguised failure."""
    if record.outcome != "result" or record.is_error:
        return False
    disguise = disguised_failure(record)
    return disguise is None or disguise[0] != "error"


def invalid_result(record: CallRecord) -> bool:
    """Whether the answer was refused by the client as no valid tools/call result (never the server's error)."""
    return record.outcome == "protocol_error" and record.error_message.startswith(INVALID_RESULT)


def _violations(ctx: RuleContext) -> Iterator[CallRecord]:
    return (c for c in ctx.observations.calls if c.purpose == "violation")


def _rejections(ctx: RuleContext) -> Iterator[CallRecord]:
    return (c for c in _violations(ctx) if c.outcome == "result" and c.is_error)


@rule("errors.malformed-accepted", "error", reference=TOOL_ERRORS)
def malformed_accepted(ctx: RuleContext) -> Iterator[Hit]:
    """Malformed call accepted

    A call that breaks the advertised schema must be refused, or the schema is not the contract. Also
    (warning) a count-like parameter (limit, offset, head…) the schema leaves without a minimum, sent -1
    and answered as a success: a negative count is never meant, and backends read it as 'everything'.
    Likewise (warning) a 1-based index (named position, row, column or line, or described as 1-based; not
    one described as 0-based) the schema lets be 0, sent 0 and answered as a success: there is no item 0,
    so the server guessed where to act. Likewise (warning) a duration (timeout, ttl, delay, interval,
    *_seconds, *_ms, *_minutes, *_hours, *_days) sent -1 and answered as a success; and input outside the
    tool's stated format or value list answered as an empty success ("", null, [], {}, or a text that says
    so: 'No results found', 'No matching context found'): garbage given to a decode/parse tool's encoded
    input ('!!!not base64@@@'); 'not a date' for a free-text date parameter (named due_date, createdAfter,
    since, updated_at, or described as an ISO date); '(unclosed' for a regular expression (named regex, or
    described as one; a pattern only when the tool's description says regular expression; never where either
    description says glob or wildcard); or a value outside the list a description
    gives for a parameter ('status: open|done', 'one of: a, b', "'table', 'vertical' or 'json'", '(pending,
    in_progress, completed)'), or for a field of an array's items ('todos[].status'). Refused, they teach the
    model; answered as empty, they read as 'there is nothing' and the model carries on with a wrong belief;
    the value outside the list and the date that is none answered as any other success are warnings too
    (ignored or stored)."""
    for call in _violations(ctx):
        if call.outcome == "result" and not call.is_error and disguised_failure(call) is None:
            what = (
                "an unknown argument"
                if call.field == UNKNOWN_ARGUMENT
                else f"{call.field} ({call.constraint})"
            )
            yield Hit(call.tool, f"A call breaking {what} was answered as a success.", call.evidence())
    for call in ctx.observations.calls:
        if (
            call.purpose == "hostile"
            and call.constraint == "negative"
            and call.field is not None
            and (count_like(call.field) or duration_like(call.field))
            and answered_ok(call)
            and disguised_failure(call) is None
        ):
            what = "count" if count_like(call.field) else "duration"
            yield Hit(
                call.tool,
                f"A call breaking {call.field} (a negative {what}, -1) was answered as a success: the schema "
                f"lets it through, and the server ran it (give the {what} a minimum, and refuse what is below).",
                call.evidence(),
                "warning",
            )
    yield from _zero_for_one_based(ctx)
    yield from _garbage_answered_empty(ctx)


_GARBAGE: Final = {
    "decoder-garbage": "input that is not validly encoded ({value!r}) was decoded to an empty success",
    "bad-date": "{field} = {value!r}, which is no date, was answered as an empty success instead of a "
    "refusal saying the date format expected",
    "bad-regex": "{field} = {value!r}, which is no regular expression (an unclosed group), was answered as "
    "an empty success instead of a refusal saying the pattern does not compile",
    "not-listed": "{field} = {value!r}, outside the values the description lists, was answered as an "
    "empty success instead of a refusal naming the allowed values",
}


def _garbage_answered_empty(ctx: RuleContext) -> Iterator[Hit]:
    """Input outside the tool's stated format or value list answered as an empty success (one hit a tool and probe)."""
    reported: set[tuple[str, str]] = set()
    for call in ctx.observations.calls:
        if call.purpose != "hostile" or call.constraint not in _GARBAGE or call.field is None:
            continue
        if (call.tool, call.constraint) in reported or not answered_ok(call):
            continue
        value = NOT_LISTED if call.constraint == "not-listed" else call.arguments.get(call.field)
        if nothing(_items(call)) or _NO_RESULTS.search(_said(call)[:300]):
            reported.add((call.tool, call.constraint))
            said = _GARBAGE[call.constraint].format(field=call.field, value=value)
            yield Hit(
                call.tool,
                f"A call with {said}: the model reads it as 'there is nothing', not as 'that input is wrong'.",
                call.evidence(),
                "warning",
            )
        elif (
            call.constraint in _IGNORED
            and disguised_failure(call) is None
            and not _SAYS_REFUSED.search(call.text[:500])
        ):
            reported.add((call.tool, call.constraint))
            said = _IGNORED[call.constraint].format(field=call.field, value=value)
            yield Hit(call.tool, f"A call with {said}.", call.evidence(), "warning")


_IGNORED: Final = {
    "not-listed": "{field} = {value!r}, outside the values the description lists, was answered as a success: "
    "the server ignored or kept a value it says it does not take (refuse it, naming the allowed values, or "
    "make them an enum)",
    "bad-date": "{field} = {value!r}, which is no date, was answered as a success: the server ignored the "
    "date or kept it as it came (refuse it, saying the format expected, and give the parameter format: date "
    "or date-time)",
}
"""The garbage whose success of any kind is a finding: a value or a date the server should have refused."""
_SAYS_REFUSED: Final = re.compile(
    r"\b(invalid|not (a )?valid|must be|allowed values|expected|unknown|unsupported|not supported)\b", re.I
)
_NO_RESULTS: Final = re.compile(
    r"^\W*(no (\w+ ){0,3}(found|results?|matches|matching)|no matching\b|nothing (was )?found|"
    r"(found )?0 (results|items|matches|entries)\b)",
    re.IGNORECASE,
)
"""A text that says the answer is empty ("No matching context found", "No results found", "0 results")."""


def _said(call: CallRecord) -> str:
    """An answer's text, or the string inside an SDK's ``{"result": "..."}`` wrapper."""
    value = call.structured
    if isinstance(value, dict) and list(value) == ["result"] and isinstance(value["result"], str):
        return value["result"]
    return call.text


_ONE_BASED_WORDS: Final = frozenset({"position", "row", "column", "col", "line"})
_ONE_BASED_TEXT: Final = re.compile(
    r"\b(1|one)[- ]based\b|\b(starts?|starting|counted|counting) (at|from) (1|one)\b", re.I
)
_ZERO_BASED_TEXT: Final = re.compile(
    r"\b(0|zero)[- ]based\b|\b(starts?|starting|counted|counting) (at|from) (0|zero)\b", re.I
)


def one_based(name: str, prop: dict[str, Any]) -> bool:
    """Whether a parameter is a 1-based index: said so, or named position, row, column or line (not an index/offset)."""
    text = str(prop.get("description", ""))
    if _ZERO_BASED_TEXT.search(text):
        return False
    if _ONE_BASED_TEXT.search(text):
        return True
    words = set(re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower().replace("-", "_").split("_"))
    return bool(words & _ONE_BASED_WORDS) and not words & {
        "index",
        "offset",
        "idx",
        "count",
        "width",
        "height",
    }


def _zero_for_one_based(ctx: RuleContext) -> Iterator[Hit]:
    """A 1-based index (position, row, column, line) sent 0, which the schema let through, answered as a success."""
    schemas = {t.name: t.input_schema.get("properties", {}) for t in ctx.observations.tools}
    reported: set[tuple[str, str]] = set()
    for call in ctx.observations.calls:
        if call.purpose != "hostile" or call.constraint != "zero" or call.field is None:
            continue
        prop = schemas.get(call.tool, {}).get(call.field)
        if (
            (call.tool, call.field) in reported
            or not isinstance(prop, dict)
            or not one_based(call.field, prop)
        ):
            continue
        if answered_ok(call) and disguised_failure(call) is None:
            reported.add((call.tool, call.field))
            yield Hit(
                call.tool,
                f"A call with {call.field} 0 was answered as a success, but {call.field} counts from 1: the "
                "schema lets 0 through and the server acted on it somewhere (give it minimum 1, and refuse 0).",
                call.evidence(),
                "warning",
            )


@rule("errors.validation-as-protocol-error", "warning", reference=TOOL_ERRORS)
def validation_as_protocol_error(ctx: RuleContext) -> Iterator[Hit]:
    """Validation failure answered as a protocol error

    Input validation errors are tool execution errors (isError: true) so the model can see and fix them."""
    by_tool: dict[str, list[CallRecord]] = {}
    for call in _violations(ctx):
        if call.outcome == "protocol_error" and not invalid_result(call):
            by_tool.setdefault(call.tool, []).append(call)
    for tool, calls in by_tool.items():
        yield Hit(
            tool,
            f"{len(calls)} invalid call(s) got a JSON-RPC error instead of an isError tool result.",
            calls[0].evidence(),
        )


_NOT_TOOL_CALLS: Final = frozenset({"violation", "observe"})


@rule("errors.failure-as-protocol-error", "warning", reference=TOOL_ERRORS)
def failure_as_protocol_error(ctx: RuleContext) -> Iterator[Hit]:
    """Tool failure answered as a protocol error

    A tool that fails on a schema-valid call (a lookup miss, a refused query, a fault) must say so as an
    isError result: clients do not show JSON-RPC errors to the model, which then cannot adapt."""
    by_tool: dict[str, list[CallRecord]] = {}
    for call in ctx.observations.calls:
        if call.purpose in _NOT_TOOL_CALLS or call.outcome != "protocol_error" or invalid_result(call):
            continue
        if call.purpose == "valid" and call.error_code == -32602:
            continue  # errors.valid-rejected reports a valid call refused as invalid params
        by_tool.setdefault(call.tool, []).append(call)
    for tool, calls in by_tool.items():
        codes = ", ".join(sorted({str(c.error_code) for c in calls}))
        yield Hit(
            tool,
            f"{len(calls)} schema-valid call(s) failed with a JSON-RPC error ({codes}) instead of an isError "
            "tool result; the model never sees such an error.",
            calls[0].evidence(),
        )


@rule("errors.crash", "error", reference="wireproof MISSION: validate at the boundary")
def crash(ctx: RuleContext) -> Iterator[Hit]:
    """Crash, disconnect or timeout

    No input, however malformed, may take the server down or hang it (among the inputs: one
    catastrophic-backtracking pattern, (a+)+$ against 'aaa…a!', for a parameter named or described as a
    regular expression; a server that then does not answer tools/list either is wedged whole). Only info when the one call that
    hung is the checker's never-ending SQL query and the same session still answers tools/list: any
    database without a statement time limit runs it until stopped, which says that the limit is missing,
    not that the server hangs. Info too when the only call unanswered is the read of a whole listed table
    (SELECT * on the largest table): an answer too large to send in time is an over-budget answer whose
    size could not be measured."""
    hangs: dict[str, list[CallRecord]] = {}
    whole_table: dict[str, CallRecord] = {}
    for call in ctx.observations.calls:
        if call.outcome == "crash":
            yield Hit(
                call.tool,
                f"The server crashed or disconnected on a {call.purpose} call "
                f"({call.field or 'no field'}: {call.constraint or 'valid'}).",
                call.evidence(),
            )
        elif call.outcome == "timeout" and call.purpose == "select-all":
            whole_table.setdefault(call.tool, call)
        elif call.outcome == "timeout":
            hangs.setdefault(call.tool, []).append(call)
    for tool, call in whole_table.items():
        if tool not in hangs:
            yield Hit(
                tool,
                f"The read of the whole table {call.constraint} ({call.arguments.get(call.field or '')}) got no "
                "answer within the timeout: an answer too large to send in time, or a database with no statement "
                "time limit; cap the rows one answer holds.",
                call.evidence(),
                "info",
            )
    for tool, calls in hangs.items():  # one hang per tool: its later probes would only repeat it
        first = calls[0]
        if (
            len(calls) == 1
            and first.constraint == "recursive-query"
            and ctx.observations.survived_hang.get(tool)
        ):
            yield Hit(
                tool,
                "The never-ending query (WITH RECURSIVE without an end) got no answer within the timeout, but the "
                "same session still answered tools/list: the database has no statement time limit, so one call "
                "can run for ever, yet the server is not blocked.",
                first.evidence(),
                "info",
            )
            continue
        more = f"; {len(calls) - 1} more of its calls hung too" if len(calls) > 1 else ""
        wedged = any(c.constraint == "catastrophic-regex" for c in calls) and (
            ctx.observations.survived_hang.get(tool) is False
        )
        after = (
            "; the same session then did not answer tools/list either: one call wedged the whole server"
            if wedged
            else ""
        )
        yield Hit(
            tool,
            f"The server did not answer a {first.purpose} call "
            f"({first.field or 'no field'}: {first.constraint or 'valid'}){more}{after}.",
            first.evidence(),
        )


def _baseline_ok(ctx: RuleContext, tool: str) -> bool:
    """Whether a valid call of ``tool`` succeeded, in the state the awkward calls met (``repair.baselines``):
    only then is a rejection surely about the broken argument."""
    return any(answered_ok(c) for c in baselines(ctx.observations, tool))


class Quality(Enum):
    """What an error must carry, graded by ``field-not-named``, ``expected-not-stated`` and ``no-retry-advice``."""

    FIELD = "names the argument at fault"
    EXPECTED = "says what is expected"
    RETRY = "says whether to retry"


def _disguised_rejections(ctx: RuleContext) -> Iterator[CallRecord]:
    """Violations refused with isError: false, in words that read as a failure (errors.disguised-success)."""
    for call in _violations(ctx):
        if call.outcome == "result" and not call.is_error and disguised_failure(call) is not None:
            yield call


def _graded(ctx: RuleContext, quality: Quality) -> Iterator[tuple[str, list[CallRecord], int]]:
    by_tool: dict[str, list[CallRecord]] = {}
    refused = list(_rejections(ctx))
    if quality is Quality.RETRY:  # a failure disguised as success says no more of retrying than a flagged one
        refused += list(_disguised_rejections(ctx))
    for call in refused:
        if _baseline_ok(ctx, call.tool) or about_the_input(call, ctx.observations):
            by_tool.setdefault(call.tool, []).append(call)
    attempts = attempts_by_call(ctx.observations)
    for tool, calls in by_tool.items():
        failing = [c for c in calls if _fails(c, quality, attempts.get(id(c)), ctx)]
        if failing:
            yield tool, failing, len(calls)


def _graded_hits(ctx: RuleContext, quality: Quality, lacking: str) -> Iterator[Hit]:
    """One hit a tool whose graded errors lack ``quality``: "N of M {lacking}.", with the first as evidence."""
    for tool, failing, total in _graded(ctx, quality):
        yield Hit(tool, f"{len(failing)} of {total} {lacking}.", failing[0].evidence())


_TYPE_STATED: Final = re.compile(
    r"is not of type '?(string|integer|number|boolean|array|object|null)\b"
    r"|\bshould be a valid (string|integer|number|boolean|list|array|dictionary|object)\b",
    re.IGNORECASE,
)


def _type_stated(call: CallRecord, ctx: RuleContext) -> bool:
    """A wrong-type rejection that states the type wanted, about a field it names or the tool's only one.

    "'12' is not of type 'integer'" for a tool whose one parameter is ``id`` says all there is to say.
    """
    if call.field is None or not _TYPE_STATED.search(answer_text(call)):
        return False
    tool = next((t for t in ctx.observations.tools if t.name == call.tool), None)
    properties = list((tool.input_schema if tool else {}).get("properties", {}))
    return (
        properties == [call.field]
        or re.search(rf"\b{re.escape(call.field)}\b", answer_text(call)) is not None
    )


def _fails(call: CallRecord, quality: Quality, attempt: RepairAttempt | None, ctx: RuleContext) -> bool:
    """Whether ``call``'s error lacks ``quality``; the repairer's reading decides when it ran."""
    if quality is Quality.EXPECTED and _type_stated(call, ctx):
        return False
    if attempt is not None and quality is Quality.FIELD:
        return not names_field(attempt)
    if attempt is not None and quality is Quality.EXPECTED:
        return not states_expected(attempt, ctx.observations)
    text = answer_text(call)
    if quality is Quality.FIELD:
        return call.field is not None and call.field not in text
    if quality is Quality.EXPECTED:
        return not _EXPECTED_WORDS.search(text)
    structured = call.structured if isinstance(call.structured, dict) else {}
    error = structured.get("error") if isinstance(structured.get("error"), dict) else structured
    has_flag = isinstance(error, dict) and isinstance(error.get("retryable"), bool)
    return not has_flag and not _RETRY_WORDS.search(text)


@rule(
    "errors.field-not-named",
    "warning",
    reference="RFC 9457 (problem details: detail helps the client correct the problem)",
)
def field_not_named(ctx: RuleContext) -> Iterator[Hit]:
    """Error does not name the field

    An error that does not say which argument is wrong leaves the model to guess what to fix."""
    yield from _graded_hits(ctx, Quality.FIELD, "rejections do not name the argument at fault")


@rule("errors.expected-not-stated", "warning", reference="RFC 9457; Google AIP-193 (error messages)")
def expected_not_stated(ctx: RuleContext) -> Iterator[Hit]:
    """Error does not say what is expected

    An error should say what would be accepted, so the model can fix the call in one step. Graded on the
    rejections of schema violations (a wrong-type rejection that states the type wanted, "'12' is not of
    type 'integer'", states it when it names the field or the tool has no other); and any error whose
    whole text is the SDK's generic 'Error executing tool NAME' (an exception with no message) says
    nothing at all."""
    hit: set[str] = set()
    for graded in _graded_hits(ctx, Quality.EXPECTED, "rejections do not say what is expected"):
        hit.add(str(graded.tool))
        yield graded
    for call in ctx.observations.calls:
        if call.tool in hit or call.outcome != "result" or not call.is_error:
            continue
        if _GENERIC_ERROR.match(call.text) and not call.structured:
            hit.add(call.tool)
            yield Hit(
                call.tool,
                f"An error says nothing: its whole text is the SDK's generic {call.text.strip()!r}, with no "
                "word of what went wrong or what to send instead.",
                call.evidence(),
            )


@rule(
    "errors.no-retry-advice",
    "warning",
    reference="Google AIP-194 (retry only UNAVAILABLE); wireproof MISSION property 4",
)
def no_retry_advice(ctx: RuleContext) -> Iterator[Hit]:
    """Error without retry advice

    Every error should say whether to retry: retryable, terminal (fix the input) or auth (stop). Graded on
    the rejections of schema violations, those answered isError: false in words that read as a failure
    (errors.disguised-success) included: a server that flags no failure says no more of retrying."""
    yield from _graded_hits(ctx, Quality.RETRY, "errors say nothing about whether to retry")


@rule(
    "errors.leak",
    "error",
    reference="OWASP ASVS V7.4 (error handling); RFC 9457 (detail is not debugging information)",
)
def leak(ctx: RuleContext) -> Iterator[Hit]:
    """Leaked internals

    Stack traces, internal paths, library dumps and secrets help attackers and confuse the model. Judged
    on failures (a successful answer is data); the caller's own arguments are masked out first, so quoting
    them back is no leak. Warnings: an OS error string with a path the caller did not send ([Errno 2] …
    '/srv/app/tmpa1b2.xlsx', ENOENT … '/…'), and, in any answer, a relative path argument given back as an
    absolute path (sent notes/a.md, answered /srv/kb/notes/a.md: the server's root)."""
    reported: set[tuple[str, str]] = set()
    takes_code = {t.name for t in ctx.observations.tools if code_parameters(t)}
    known = known_folders(ctx.observations)
    for call in ctx.observations.calls:
        if not _failed(call):
            continue  # a successful answer is data: a log line or a file may quote anything
        text = _masked_folders(_masked(answer_text(call), call.arguments), known)
        sent_sql = call.tool in takes_code or _sends_sql(call.arguments)
        for kind in _LEAKS:
            if kind.label in _DATABASE_KINDS and sent_sql:
                continue  # a query tool's caller needs the database's own words about its SQL
            if kind.label == _OS_ERROR and call.purpose in ("path-escape", "name-escape"):
                continue  # a ../ path the checker sent, quoted back resolved: the caller's own path
            if (call.tool, kind.label) not in reported and kind.pattern.search(text):
                reported.add((call.tool, kind.label))
                # a query tool may quote the caller's SQL reshaped (not verbatim): then it is no certain leak
                severity: Severity = "warning" if sent_sql and kind.label == _OWN_SQL else kind.severity
                yield Hit(call.tool, f"An answer contains {kind.label}.", call.evidence(), severity)
    yield from _root_leaks(ctx)


_OS_ERROR: Final = "an OS error string with a path"
_ABSOLUTE_FOLDER: Final = re.compile(r"(?<![\w:/.\-])/[\w.\-]+(?:/[\w.\-]+)*")


def known_folders(observations: Observations) -> set[str]:
    """Paths the caller already knows: the absolute paths the check sent, and those a tool called without
    arguments answered (a server that announces its allowed directories). A path inside one of them tells
    the caller nothing about the server's layout."""
    known = {
        v.rstrip("/")
        for call in observations.calls
        if call.purpose != "path-escape"  # the checker's own planted paths prove nothing about the server
        for v in json_strings(call.arguments)
        if v.startswith("/")
    }
    for call in observations.calls:
        if not call.arguments and call.outcome == "result" and not call.is_error:
            known |= {m.group(0).rstrip("/") for m in _ABSOLUTE_FOLDER.finditer(answer_text(call))}
    return {k for k in known if k.count("/") >= 2}  # never "/" or "/tmp" alone: that would mask everything


def _masked_folders(text: str, known: set[str]) -> str:
    """``text`` with every path inside a known folder replaced, as the caller's own input is."""
    for folder in sorted(known, key=len, reverse=True):
        text = re.sub(re.escape(folder) + r"(?=[/'\"\s]|$)[\w./\-]*", MASK, text)
    return text


def _root_leaks(ctx: RuleContext) -> Iterator[Hit]:
    """An answer (success or error) that gives a relative path argument back as an absolute path.

    The caller sent ``notes/a.md``; ``/srv/kb/project/notes/a.md`` in the answer tells it where the server
    keeps its files, which no caller needs (and which the path-confinement probe would aim at).
    """
    paths = {t.name: path_parameters(t) for t in ctx.observations.tools}
    known = known_folders(ctx.observations)
    reported: set[str] = set()
    for call in ctx.observations.calls:
        if call.tool in reported or call.outcome not in ("result", "protocol_error"):
            continue
        text = answer_text(call)
        sent = set(json_strings(call.arguments))
        for name in paths.get(call.tool, []):
            value = call.arguments.get(name)
            if (
                not isinstance(value, str)
                or len(value) < 3
                or ".." in value
                or not RELATIVE_PATH.match(value)
            ):
                continue
            pattern = r"(?<![\w:/.\-])(/[\w.\-]+(?:/[\w.\-]+)*)/" + re.escape(value) + r"(?![\w/.\-])"
            found = next(
                (
                    m
                    for m in re.finditer(pattern, text)
                    if m.group(0) not in sent and not _inside(m.group(1), known)
                ),
                None,
            )
            if found is not None:
                reported.add(call.tool)
                yield Hit(
                    call.tool,
                    f"An answer gives the relative {name} {value!r} back as the absolute path "
                    f"{found.group(0)!r}: it tells the caller where the server keeps its files ({found.group(1)}).",
                    call.evidence(),
                    "warning",
                )
                break


def _inside(path: str, folders: set[str]) -> bool:
    return any(path == f or path.startswith(f + "/") for f in folders)


def _failed(call: CallRecord) -> bool:
    if call.outcome == "protocol_error":
        return not invalid_result(call)
    return call.outcome == "result" and (call.is_error or disguised_failure(call) is not None)


def _masked(text: str, arguments: dict[str, Any]) -> str:
    """``text`` with the caller's own string arguments replaced: quoting them back is no leak."""
    for value in sorted({v for v in json_strings(arguments) if len(v) >= 3}, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


def _sends_sql(arguments: dict[str, Any]) -> bool:
    return any(_SQL_INPUT.match(v) for v in json_strings(arguments))


@rule("errors.disguised-success", "error", reference=TOOL_ERRORS)
def disguised_success(ctx: RuleContext) -> Iterator[Hit]:
    """Error disguised as success

    A failure reported with isError: false is taken as data: the model believes the call worked. Error
    when the answer says so unmistakably ("success": false with a message, an object that is only an
    error, text opening with Error:); warning for a status of failed, an error phrase in the text, or a
    failure buried in it ("nosuch: Error - ENOENT", one item of several failed)."""
    worst: dict[str, tuple[Severity, str, CallRecord]] = {}
    for call in ctx.observations.calls:
        found = disguised_failure(call)
        if found is not None and (
            call.tool not in worst or (found[0], worst[call.tool][0]) == ("error", "warning")
        ):
            worst[call.tool] = (found[0], found[1], call)
    for tool, (severity, why, call) in worst.items():
        yield Hit(tool, f"A failure was answered with isError: false: {why}.", call.evidence(), severity)


@rule("errors.valid-rejected", "warning", reference="MCP 2026-07-28, server/tools (inputSchema)")
def valid_rejected(ctx: RuleContext) -> Iterator[Hit]:
    """Schema-valid input rejected as invalid

    What the schema accepts, the server must accept: otherwise the schema misleads the model."""
    for call in ctx.observations.calls:
        if call.purpose != "valid":
            continue
        text = answer_text(call)
        rejected = (call.outcome == "protocol_error" and call.error_code == -32602) or (
            call.outcome == "result"
            and call.is_error
            and _INVALID_WORDS.search(text) is not None
            and not _LOOKUP_MISS.search(text)
        )
        if rejected:
            yield Hit(
                call.tool,
                "Arguments the advertised schema accepts were rejected as invalid "
                "(if the tool needs real ids, give sample arguments in --config).",
                call.evidence(),
            )


def _empty(value: Any) -> bool:
    if value is None or value in ("", [], {}):
        return True
    # an SDK's wrapper of a returned value: {"result": []}
    return isinstance(value, dict) and len(value) == 1 and _empty(next(iter(value.values())))


@rule(
    "errors.miss-answered-empty",
    "warning",
    reference="wireproof MISSION properties 1 and 3 (fail loudly, errors that teach); " + TOOL_ERRORS,
)
def miss_answered_empty(ctx: RuleContext) -> Iterator[Hit]:
    """A lookup of a missing name answered as a success

    A get/describe/read/open tool (the verb first or last: get_ticket, task_get) asked for a name or id
    that cannot exist (wireproof_does_not_exist_7f3a, 987654321) must say it was not found with isError:
    true; an empty success ([], {}, "", null) reads as 'it exists and is empty', and a not-found text with
    isError: false ('Task not found') reads as a success to every client that trusts the flag: the model
    carries on with a wrong belief."""
    for call in ctx.observations.calls:
        if call.purpose != "lookup-miss" or call.outcome != "result" or call.is_error:
            continue
        value = call.structured if call.structured is not None else _text_value(call.text)
        if isinstance(value, dict) and list(value) == ["result"] and isinstance(value["result"], str):
            value = value["result"]  # an SDK's wrapper of a returned string: {"result": "No relations found"}
        asked = f"A lookup of {call.field} = {call.arguments.get(call.field or '')!r}, which cannot exist,"
        if _empty(value):
            yield Hit(
                call.tool, f"{asked} was answered as an empty success, not as not-found.", call.evidence()
            )
        elif isinstance(value, str) and _LOOKUP_MISS.search(value[:300]):
            yield Hit(
                call.tool,
                f"{asked} was answered with a not-found text but isError: false: flag the miss as an error.",
                call.evidence(),
            )


def nothing(value: Any) -> bool:
    """Whether an answer holds no data: empty, or an object of empty members and zero counts.

    ``{"count": 0, "items": []}`` and ``{"decoded": ""}`` say 'nothing' as plainly as ``[]``; a flag
    beside them (``"ok": true``) is no data, and a false one (``"valid": false``) says something.
    """
    if _empty(value):
        return True
    if not isinstance(value, dict) or any(v is False for v in value.values()):
        return False
    members = [v for v in value.values() if not isinstance(v, bool)]
    return bool(members) and all(_empty(v) or (isinstance(v, int) and v == 0) for v in members)


def _text_value(text: str) -> Any:
    stripped = text.strip()
    if not stripped:
        return ""
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):  # a hostile answer may nest past the parser's limit
        return {"[]": [], "()": [], "{}": {}, "None": None}.get(stripped, stripped)


@rule(
    "errors.search-wildcards-unescaped",
    "warning",
    reference="OWASP WSTG-INPV-05 (SQL injection: LIKE wildcards); CWE-155 (improper neutralization of wildcards)",
)
def search_wildcards_unescaped(ctx: RuleContext) -> Iterator[Hit]:
    """A search passes LIKE wildcards through

    A list or search tool's search term searched for as the text given: '%' must find what contains a
    percent sign, not everything. When '%' answers the same non-empty set as the unfiltered call (or '%'
    and '_' both answer items, or '%' answers items none of which holds a '%') while a literal that cannot
    occur (wireproof_does_not_exist_7f3a) answers none (empty, or a short 'No entries found.'), the term is
    spliced into a LIKE pattern unescaped: the model cannot search for '50%' or 'a_b',
    and a caller can enumerate what a filter was meant to narrow."""
    calls = ctx.observations.calls
    for tool in {c.tool for c in calls if c.constraint in WILDCARDS}:
        by = {c.constraint: c for c in calls if c.tool == tool and c.constraint in WILDCARDS}
        percent, underscore, literal = (by.get(k) for k in WILDCARDS)
        if percent is None or literal is None or not answered_ok(percent) or not answered_ok(literal):
            continue
        answer = _items(percent)
        if _answers_nothing(percent) or not _answers_nothing(literal):
            continue
        field = percent.field or ""
        unfiltered = [
            c
            for c in calls
            if c.tool == tool
            and c.purpose == "valid"
            and c.arguments.get(field) in ("", None)
            and answered_ok(c)
        ]
        same_as_all = any(_items(c) == answer for c in unfiltered)
        both = underscore is not None and answered_ok(underscore) and not _answers_nothing(underscore)
        # items, none of which holds a percent sign: they matched '%' as a wildcard, not as the text given
        no_percent = "%" not in _said(percent) and _holds_items(percent)
        if same_as_all or (not unfiltered and both) or no_percent:
            why = (
                "the same items as the call without a search term"
                if same_as_all
                else "items, and so did '_'"
                if not unfiltered and both
                else "items none of which holds a '%'"
            )
            yield Hit(
                tool,
                f"A search for {field} = '%' answered {why}, while a literal that cannot occur answered "
                "none: the term is used as a LIKE pattern; escape % and _ (LIKE … ESCAPE '\\').",
                percent.evidence(
                    note=f"the literal {literal.arguments.get(field)!r} answered: "
                    + (literal.text[:120] or "(empty)")
                ),
            )


_SAYS_NONE: Final = re.compile(
    r"^\W*(no|0|zero)\b.{0,40}\b(found|results?|entries|items|matches|records|rows|hits)\b|^\W*nothing\b|"
    r"^\W*(not found|none)\b",
    re.IGNORECASE,
)
"""A short prose answer that says there is nothing: 'No entries found.', '0 results', 'Nothing matched.'."""


def _answers_nothing(call: CallRecord) -> bool:
    """An answer that holds no data: empty JSON, or a short text that says there is nothing."""
    if nothing(_items(call)):
        return True
    said = _said(call).strip()
    return len(said) <= 120 and _SAYS_NONE.search(said) is not None


_ALL_ON_EMPTY: Final = re.compile(
    r"\b(empty|blank|omit\w*|leave \w+ out|no (term|query))\b.{0,60}\b(all|every\w*|everything|whole)\b|"
    r"\b(all|every\w*|everything)\b.{0,40}\b(if|when) (empty|blank|omitted|not given)\b",
    re.IGNORECASE | re.DOTALL,
)


_EMPTY_REFUSED: Final = re.compile(
    r"\b(provide|required|empty|blank|cannot|can't|must|missing|enter)\b", re.IGNORECASE
)
"""An answer that asks for a term (isError false, but a refusal all the same): no items."""


def _holds_items(call: CallRecord) -> bool:
    """Whether an answer holds items: JSON with a non-empty list (at the top or one level down), or text of
    two or more lines."""
    value = call.answer_json()
    for candidate in (value, *(value.values() if isinstance(value, dict) else ())):
        if isinstance(candidate, list) and candidate:
            return True
    wrapped = isinstance(value, dict) and list(value) == ["result"] and isinstance(value["result"], str)
    if value is not None and not wrapped:  # FastMCP's {"result": "<prose>"} is text, read as text
        return False
    return len([line for line in _said(call).splitlines() if line.strip()]) >= 2


@rule("errors.empty-search-accepted", "warning", reference="wireproof MISSION property 3; " + TOOL_ERRORS)
def empty_search_accepted(ctx: RuleContext) -> Iterator[Hit]:
    """An empty search term answered with items

    A tool named for a search (search_notes, find_items, cerca) whose search term is required, sent an empty
    term, answered with items: a search
    for nothing found everything (or whatever an empty pattern matches). An agent whose term came out empty
    (a template left unfilled, a truncated argument) reads the whole store as matches of what it meant to
    find. Refuse an empty term (minLength: 1, or an isError result naming the field); where an empty term
    means 'everything', say so in the description, which silences this finding."""
    reported: set[str] = set()
    for call in ctx.observations.calls:
        if call.purpose != "hostile" or call.constraint != "empty-search" or call.tool in reported:
            continue
        if not answered_ok(call) or disguised_failure(call) is not None or not _holds_items(call):
            continue
        said = _said(call)[:500]
        if _NO_RESULTS.search(said) or _SAYS_REFUSED.search(said) or _EMPTY_REFUSED.search(said):
            continue
        tool = next((t for t in ctx.observations.tools if t.name == call.tool), None)
        raw = (tool.input_schema.get("properties", {}) if tool else {}).get(call.field or "", {})
        prop = resolve(raw, tool.input_schema) if tool and isinstance(raw, dict) else raw
        told = f"{tool.description if tool else ''} {prop.get('description', '') if isinstance(prop, dict) else ''}"
        if _ALL_ON_EMPTY.search(told):
            continue
        reported.add(call.tool)
        yield Hit(
            call.tool,
            f"A search with {call.field} = '' (an empty term) was answered with items, as a success: a search for "
            "nothing must be refused (minLength: 1), or the description must say that an empty term lists "
            "everything.",
            call.evidence(),
        )


@rule("errors.empty-value-accepted", "warning", reference="wireproof MISSION property 3; " + TOOL_ERRORS)
def empty_value_accepted(ctx: RuleContext) -> Iterator[Hit]:
    """A write given an empty name or an empty item answered as a success

    A write (not a delete) whose required parameter names an item or a field (name, title, key, field,
    project, category, tag; progetto, nombre, titre…) was sent '' for it, its other arguments valid, and
    answered a success: an item named nothing cannot be found again by name, and a field named '' is no
    field (the write changed nothing anyone can read, or wrote under a key every reader skips). Likewise a
    create (add_todo, add_note, aggiungi_…) whose one required text is the item itself (text, content,
    description) sent '' for it: it stored an empty item, which readers then skip or choke on. An agent
    whose value came out empty learns nothing from the answer. Refuse it (minLength: 1, or an isError
    result naming the field). Only with --allow-writes (writes get no probe otherwise)."""
    reported: set[str] = set()
    for call in ctx.observations.calls:
        if call.purpose != "hostile" or call.constraint not in ("empty-name", "empty-text"):
            continue
        if call.tool in reported or not answered_ok(call) or disguised_failure(call) is not None:
            continue
        said = _said(call)[:500]
        if _SAYS_REFUSED.search(said) or _EMPTY_REFUSED.search(said):
            continue
        reported.add(call.tool)
        what = (
            "an empty name) was answered as a success: an item or field named nothing cannot be found again"
            if call.constraint == "empty-name"
            else "an empty item) was answered as a success: an empty item was stored, which readers skip or "
            "choke on"
        )
        yield Hit(
            call.tool,
            f"A write with {call.field} = '' ({what}. Refuse it (minLength: 1, or an isError result naming the "
            "field).",
            call.evidence(),
        )


_NAME_AROUND: Final = r"[^\s\"'`,:;()\[\]{}<>|]*"
"""The characters an echoed name may have beside the checker's token: anything but spaces, quotes and JSON or
prose punctuation (so ``..wireproof-name-…-up`` is read whole from ``{"saved": "..wireproof-name-…-up"}``)."""


_TOLD_CHANGED: Final = re.compile(
    r"\b(renamed|saniti[sz]ed|normali[sz]ed|changed|removed|stripped|replaced|not allowed|invalid characters?)\b",
    re.IGNORECASE,
)


@rule("errors.name-changed-silently", "warning", reference="wireproof MISSION property 3; " + TOOL_ERRORS)
def name_changed_silently(ctx: RuleContext) -> Iterator[Hit]:
    """A write that stored a name other than the one it was sent, without a word

    Only with --allow-writes, on a stdio server: the name-traversal probe gives a write tool a plain unique
    name (answered with that name, unchanged) and then ``../`` and a second unique name. When the second is
    answered as a success that quotes the name with characters dropped or changed (``..wireproof-name-…-up``
    for ``../wireproof-name-…-up``) and never as sent, and nothing landed outside the tool's folder, the
    server kept the path out of the name by rewriting it silently: the agent believes it stored
    ``../x`` and looks it up, or reports it, under a name that does not exist. Refuse a name with characters
    the store does not keep (an isError result naming the field and the characters allowed), or say in the
    answer that the name was changed."""
    for escape in ctx.observations.escapes:
        if escape.kind != "name-traversal" or escape.file_appeared or len(escape.attempt) < 2:
            continue
        control, call = escape.attempt[0], escape.attempt[1]
        sent, plain = call.constraint, control.constraint
        if not sent or not plain or not sent.startswith("../"):
            continue
        if not answered_ok(control) or plain not in answer_text(control):
            continue  # the tool does not echo names as given: nothing to compare with
        if not answered_ok(call) or disguised_failure(call) is not None:
            continue
        shown = answer_text(call).replace("\\/", "/")
        if sent in shown or _SAYS_REFUSED.search(shown) or _TOLD_CHANGED.search(shown):
            continue
        stem = sent.removeprefix("../")
        changed = [m.group(0) for m in re.finditer(_NAME_AROUND + re.escape(stem) + _NAME_AROUND, shown)]
        if not changed:
            continue
        yield Hit(
            call.tool,
            f"{call.field} {sent!r} was answered as a success, stored as {changed[0]!r}: the name was changed "
            "without a word, so the agent looks it up under a name that does not exist. Refuse a name with "
            "characters the store does not keep (an isError result naming the field and the characters "
            "allowed), or say in the answer that the name was changed.",
            call.evidence(),
        )


_TOLD_ONE_STATEMENT: Final = re.compile(
    r"\b(only (the )?first|one statement|single statement|multiple statements|more than one statement|"
    r"ignored|skipped|not (executed|run))\b",
    re.IGNORECASE,
)


@rule(
    "errors.statement-dropped",
    "warning",
    reference="MCP 2026-07-28, server/tools (tool results: errors the model can act on)",
)
def statement_dropped(ctx: RuleContext) -> Iterator[Hit]:
    """A second SQL statement silently dropped

    Two read statements in one string ("SELECT 'wireproof_first_7f3a' …; SELECT 'wireproof_second_7f3a' …")
    answered as a success that shows the first statement's mark and not the second's, and says nothing
    about it: the tool ran one statement and dropped the rest. The model that sends "INSERT …; INSERT …"
    believes both ran. Run every statement, or refuse a string of several with an error that says so. Only
    read statements are sent, so the probe is safe on any SQL tool."""
    first, second = STATEMENT_MARKS
    for call in ctx.observations.calls:
        if call.purpose != "hostile" or call.constraint != "multi-statement" or not answered_ok(call):
            continue
        shown = answer_text(call)
        shown = shown.replace(MULTI_STATEMENT, "")  # the query echoed back is no result
        if first in shown and second not in shown and not _TOLD_ONE_STATEMENT.search(shown):
            yield Hit(
                call.tool,
                f"Two SELECT statements sent in {call.field} in one string were answered with the first one's "
                "result only, and no word about the second: the tool runs the first statement and drops the "
                "rest silently (run them all, or refuse several statements with an error saying so).",
                call.evidence(),
            )


_TOLD_EMPTY: Final = re.compile(
    r"\b(empty|blank|no (sql|query|statement)|missing (sql|query|statement)|nothing to (run|execute))\b",
    re.IGNORECASE,
)


@rule(
    "errors.empty-statement-accepted",
    "warning",
    reference="MCP 2026-07-28, server/tools (tool results: errors the model can act on)",
)
def empty_statement_accepted(ctx: RuleContext) -> Iterator[Hit]:
    """An empty SQL statement answered as a success

    A SQL tool sent an empty string as its statement answered isError: false without a word that nothing
    ran ("UNKNOWN executed successfully", or an empty row list that looks like a read that matched
    nothing). An agent whose query came out empty (a template left unfilled, a truncated argument) is told
    it ran. Refuse it (minLength: 1 in the schema, or an isError result saying the statement is empty)."""
    for call in ctx.observations.calls:
        if call.purpose != "hostile" or call.constraint != "empty-statement" or not answered_ok(call):
            continue
        if disguised_failure(call) is not None or _TOLD_EMPTY.search(answer_text(call)):
            continue  # refused in its text ("Error getting query plan: incomplete input"): errors.disguised-success
        yield Hit(
            call.tool,
            f"An empty statement in {call.field} was answered as a success: refuse it (minLength: 1, or an "
            "error saying the statement is empty), so that an agent whose query came out empty is not told it ran.",
            call.evidence(),
        )


def _items(call: CallRecord) -> Any:
    """A call's answer as JSON when it has some, else its text (for comparing two answers)."""
    value = call.answer_json()
    return value if value is not None else _text_value(call.text)
