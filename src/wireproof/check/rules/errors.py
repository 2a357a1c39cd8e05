"""Error rules: how the server answered valid and awkward calls, and how well its errors teach."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Final

from wireproof.check.generate import UNKNOWN_ARGUMENT
from wireproof.check.model import CallRecord, RepairAttempt
from wireproof.check.repair import about_the_input, attempts_by_call, names_field, states_expected
from wireproof.check.rules._registry import Hit, RuleContext, rule

TOOL_ERRORS: Final = "MCP 2026-07-28, server/tools (error handling: tool execution errors, SEP-1303)"
_LEAKS: Final = (
    (
        "a Python stack trace",
        re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+"),
    ),
    ("a JavaScript stack trace", re.compile(r"\n\s+at [\w.<>$]+ \(.+:\d+:\d+\)|node:internal/")),
    ("a Java stack trace", re.compile(r"\n\s+at [\w.$]+\([\w]+\.java:\d+\)")),
    (
        "an internal path",
        # Code locations only: a path the tool works on (a repository, a file it was asked about) is data.
        re.compile(r"/usr/(local/)?lib/python3|/site-packages/|/node_modules/|\\site-packages\\"),
    ),
    (
        "a validation-library dump",
        re.compile(r"errors\.pydantic\.dev|validation errors? for \w+|pydantic_core|\bzod\b|ZodError"),
    ),
    (
        "a database error",
        re.compile(r"sqlite3\.|psycopg|SQLSTATE|syntax error at or near|OperationalError|IntegrityError"),
    ),
    (
        "a secret",
        re.compile(
            # a credential-shaped value after the name, not prose about a parameter called password
            r"\b(password|passwd|pwd|secret|api[_-]?key|token)\s*[=:]\s*[\"']?(?=[^\s\"']*\d)[^\s\"',;]{6,}"
            r"|Bearer ey[\w-]{10,}|\b(sk|pk|ghp|xox[bp])[-_][A-Za-z0-9]{16,}",
            re.IGNORECASE,
        ),
    ),
)
_DISGUISED: Final = re.compile(
    r"^\s*(error|exception|failed|failure)\b|\b(database error|internal server error|failed to \w+|"
    r"an error occurred|unhandled exception)\b",
    re.IGNORECASE,
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
    r"not found|no \w+( \w+)? (was |were )?found|unknown|does not exist|doesn't exist|no such|outside",
    re.IGNORECASE,
)
_INVALID_WORDS: Final = re.compile(r"invalid|validation|not valid|must be|expected|required", re.IGNORECASE)


def _answer_text(record: CallRecord) -> str:
    parts = [record.text, record.error_message]
    if record.structured is not None:
        parts.append(json.dumps(record.structured, ensure_ascii=False))
    return "\n".join(parts)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _violations(ctx: RuleContext) -> Iterator[CallRecord]:
    return (c for c in ctx.observations.calls if c.purpose == "violation")


def _rejections(ctx: RuleContext) -> Iterator[CallRecord]:
    return (c for c in _violations(ctx) if c.outcome == "result" and c.is_error)


@rule(
    "errors.malformed-accepted",
    "errors",
    "error",
    title="Malformed call accepted",
    rationale="A call that breaks the advertised schema must be refused, or the schema is not the contract.",
    reference=TOOL_ERRORS,
)
def malformed_accepted(ctx: RuleContext) -> Iterator[Hit]:
    for call in _violations(ctx):
        if call.outcome == "result" and not call.is_error:
            what = (
                "an unknown argument"
                if call.field == UNKNOWN_ARGUMENT
                else f"{call.field} ({call.constraint})"
            )
            yield Hit(call.tool, f"A call breaking {what} was answered as a success.", call.evidence())


@rule(
    "errors.validation-as-protocol-error",
    "errors",
    "warning",
    title="Validation failure answered as a protocol error",
    rationale="Input validation errors are tool execution errors (isError: true) so the model can see and fix them.",
    reference=TOOL_ERRORS,
)
def validation_as_protocol_error(ctx: RuleContext) -> Iterator[Hit]:
    seen: set[str] = set()
    for call in _violations(ctx):
        if call.outcome == "protocol_error" and call.tool not in seen:
            seen.add(call.tool)
            count = sum(1 for c in _violations(ctx) if c.tool == call.tool and c.outcome == "protocol_error")
            yield Hit(
                call.tool,
                f"{count} invalid call(s) got a JSON-RPC error instead of an isError tool result.",
                call.evidence(),
            )


@rule(
    "errors.crash",
    "errors",
    "error",
    title="Crash, disconnect or timeout",
    rationale="No input, however malformed, may take the server down or hang it.",
    reference="wireproof MISSION: validate at the boundary",
)
def crash(ctx: RuleContext) -> Iterator[Hit]:
    for call in ctx.observations.calls:
        if call.outcome in ("crash", "timeout"):
            yield Hit(
                call.tool,
                f"The server {'crashed or disconnected' if call.outcome == 'crash' else 'did not answer'} "
                f"on a {call.purpose} call ({call.field or 'no field'}: {call.constraint or 'valid'}).",
                call.evidence(),
            )


def _baseline_ok(ctx: RuleContext, tool: str) -> bool:
    """Whether a valid call of ``tool`` succeeded: only then is a rejection surely about the broken argument."""
    baseline = [c for c in ctx.observations.calls_for(tool) if c.purpose in ("valid", "write-first")]
    return any(c.outcome == "result" and not c.is_error for c in baseline)


def _graded(ctx: RuleContext, predicate: str) -> Iterator[tuple[str, list[CallRecord], int]]:
    by_tool: dict[str, list[CallRecord]] = {}
    for call in _rejections(ctx):
        if _baseline_ok(ctx, call.tool) or about_the_input(call, ctx.observations):
            by_tool.setdefault(call.tool, []).append(call)
    attempts = attempts_by_call(ctx.observations)
    for tool, calls in by_tool.items():
        failing = [c for c in calls if _fails(c, predicate, attempts.get(id(c)), ctx)]
        if failing:
            yield tool, failing, len(calls)


def _fails(call: CallRecord, predicate: str, attempt: RepairAttempt | None, ctx: RuleContext) -> bool:
    """Whether ``call``'s error lacks what ``predicate`` asks; the repairer's reading decides when it ran."""
    if attempt is not None and predicate == "field":
        return not names_field(attempt)
    if attempt is not None and predicate == "expected":
        return not states_expected(attempt, ctx.observations)
    text = _answer_text(call)
    if predicate == "field":
        return call.field is not None and call.field not in text
    if predicate == "expected":
        return not _EXPECTED_WORDS.search(text)
    structured = call.structured if isinstance(call.structured, dict) else {}
    error = structured.get("error") if isinstance(structured.get("error"), dict) else structured
    has_flag = isinstance(error, dict) and isinstance(error.get("retryable"), bool)
    return not has_flag and not _RETRY_WORDS.search(text)


@rule(
    "errors.field-not-named",
    "errors",
    "warning",
    title="Error does not name the field",
    rationale="An error that does not say which argument is wrong leaves the model to guess what to fix.",
    reference="RFC 9457 (problem details: detail helps the client correct the problem)",
)
def field_not_named(ctx: RuleContext) -> Iterator[Hit]:
    for tool, failing, total in _graded(ctx, "field"):
        yield Hit(
            tool,
            f"{len(failing)} of {total} rejections do not name the argument at fault.",
            failing[0].evidence(),
        )


@rule(
    "errors.expected-not-stated",
    "errors",
    "warning",
    title="Error does not say what is expected",
    rationale="An error should say what would be accepted, so the model can fix the call in one step.",
    reference="RFC 9457; Google AIP-193 (error messages)",
)
def expected_not_stated(ctx: RuleContext) -> Iterator[Hit]:
    for tool, failing, total in _graded(ctx, "expected"):
        yield Hit(
            tool, f"{len(failing)} of {total} rejections do not say what is expected.", failing[0].evidence()
        )


@rule(
    "errors.no-retry-advice",
    "errors",
    "warning",
    title="Error without retry advice",
    rationale="Every error should say whether to retry: retryable, terminal (fix the input) or auth (stop).",
    reference="Google AIP-194 (retry only UNAVAILABLE); wireproof MISSION property 4",
)
def no_retry_advice(ctx: RuleContext) -> Iterator[Hit]:
    for tool, failing, total in _graded(ctx, "retry"):
        yield Hit(
            tool,
            f"{len(failing)} of {total} errors say nothing about whether to retry.",
            failing[0].evidence(),
        )


@rule(
    "errors.leak",
    "errors",
    "error",
    title="Leaked internals",
    rationale="Stack traces, internal paths, library dumps and secrets help attackers and confuse the model.",
    reference="OWASP ASVS V7.4 (error handling); RFC 9457 (detail is not debugging information)",
)
def leak(ctx: RuleContext) -> Iterator[Hit]:
    reported: set[tuple[str, str]] = set()
    for call in ctx.observations.calls:
        if call.outcome != "result":
            continue
        text = _answer_text(call)
        for label, pattern in _LEAKS:
            if (call.tool, label) not in reported and pattern.search(text):
                reported.add((call.tool, label))
                yield Hit(call.tool, f"An answer contains {label}.", call.evidence())


@rule(
    "errors.disguised-success",
    "errors",
    "error",
    title="Error disguised as success",
    rationale="A failure reported with isError: false is taken as data: the model believes the call worked.",
    reference=TOOL_ERRORS,
)
def disguised_success(ctx: RuleContext) -> Iterator[Hit]:
    reported: set[str] = set()
    for call in ctx.observations.calls:
        quiet = call.outcome == "result" and not call.is_error and call.tool not in reported
        if quiet and not _is_json(call.text) and _DISGUISED.search(call.text[:300]):
            reported.add(call.tool)
            yield Hit(call.tool, "A failure was answered with isError: false.", call.evidence())


@rule(
    "errors.valid-rejected",
    "errors",
    "warning",
    title="Schema-valid input rejected as invalid",
    rationale="What the schema accepts, the server must accept: otherwise the schema misleads the model.",
    reference="MCP 2026-07-28, server/tools (inputSchema)",
)
def valid_rejected(ctx: RuleContext) -> Iterator[Hit]:
    for call in ctx.observations.calls:
        if call.purpose != "valid":
            continue
        text = _answer_text(call)
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
