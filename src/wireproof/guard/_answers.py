"""What an upstream answer becomes: passed on, or one of the library's typed errors.

::

    JSON-RPC error          -32602 (the upstream's own validation)   → invalid_input, terminal
                            anything else                            → classified as below
    isError result          its text, classified:
                              timeout / connection refused / 503     → unavailable, retryable
                              rate limit / too many requests         → rate_limited, retryable
                              not found / no such / does not exist   → not_found, terminal
                              anything else                          → invalid_input, terminal
    a success that a policy rule marks as failure ({"success": false}) → classified as above
    text holding a stack trace, a code path, a library dump,
    driver internals or a credential                                 → masked: only the type and a
                                                                       correlation id reach the
                                                                       caller; the original is logged
    an absolute path quoted in a message passed on ('/srv/fs/a.md')  → its last part ('…/a.md'): the
                                                                       caller learns which file, not
                                                                       where the server keeps it
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

import mcp_types as types
from mcp.shared.exceptions import MCPError

from wireproof._jsontext import RELATIVE_PATH, json_strings
from wireproof.errors import InvalidInput, NotFound, RateLimited, Unavailable, WireproofError
from wireproof.guard._policy import FailureRule

__all__ = [
    "MESSAGE_CHARS",
    "disguised_failure",
    "hide_roots",
    "is_leaky",
    "upstream_error",
    "upstream_failure",
]

logger = logging.getLogger("wireproof.guard")

MESSAGE_CHARS: Final = 600
"""How much of a clean upstream error message is passed on."""

_LEAKY: Final = re.compile(
    "|".join(
        (
            r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+",  # Python traces
            r"\n\s+at [\w.<>$]+ \(.+:\d+:\d+\)|\n\s+at .+:\d+:\d+|node:internal/",  # JavaScript traces
            r"\n\s+at [\w.$]+\([\w]+\.java:\d+\)",  # Java traces
            r"/usr/(local/)?lib/python3|/site-packages/|/node_modules/|\\site-packages\\|/lib/python3\.\d+/",
            r"errors\.pydantic\.dev|validation errors? for \w+|pydantic_core|\bzod\b|ZodError",
            r"sqlalche\.me/e/|\(Background on this error at:",
            r"\bsqlite3\.\w*Error|\bSQLITE_[A-Z]+\b|psycopg|asyncpg\.|SQLSTATE|\b(Operational|Integrity|"
            r"Programming|Database|Interface)Error\b|\bER_[A-Z_]{4,}\b|SequelizeDatabaseError",
            r"near \"[^\"]*\": syntax error|syntax error at or near|(relation|column|table) \"[^\"]+\" does not "
            r"exist|duplicate key value violates unique constraint|violates (not-null|foreign key|check) constraint",
            r"\b(password|passwd|pwd|secret|api[_-]?key|token)\s*[=:]\s*[\"']?(?=[^\s\"']*\d)[^\s\"',;]{6,}"
            r"|Bearer ey[\w-]{10,}|\b(sk|pk|ghp|xox[bp])[-_][A-Za-z0-9]{16,}",
            r"<[\w.]+ object at 0x[0-9a-fA-F]{6,}>|name '\w+' is not defined|'\w+' object (has no attribute|"
            r"is not (subscriptable|callable|iterable))|unsupported operand type\(s\) for|takes \d+ positional "
            r"arguments? but \d+ (was|were) given|\bKeyError: |\bAttributeError: |\bTypeError: ",
            r"\bast\.[A-Z]\w+\b|\bctx=(Load|Store)\(\)",
        )
    )
)
_TRANSIENT: Final = re.compile(
    r"time(d)? ?out|timeout|ETIMEDOUT|ECONNREFUSED|ECONNRESET|connection (refused|reset|closed|aborted)|"
    r"temporar(il)?y unavailable|service unavailable|\b50[234]\b|try again later|\bbusy\b|database is locked",
    re.IGNORECASE,
)
_RATE: Final = re.compile(r"rate.?limit|too many requests|\b429\b|quota exceeded", re.IGNORECASE)
_MISSING: Final = re.compile(
    r"not found|\bno\b.{0,60}\bfound\b|does not exist|doesn't exist|no such|ENOENT|unknown \w+ ['\"]",
    re.IGNORECASE,
)
_RETRY_AFTER: Final = 2.0
_QUOTED_PATH: Final = re.compile(r"(['\"])((?:/|[A-Za-z]:\\)[^'\"\n]*?)([^/\\'\"\n]*)\1")
"""A quoted absolute path (POSIX or Windows), as operating-system errors quote the file they failed on."""


def _without_roots(text: str) -> str:
    """``text`` with each quoted absolute path cut to its last part (``'/srv/fs/a.md'`` → ``'…/a.md'``)."""
    return _QUOTED_PATH.sub(lambda m: f"{m.group(1)}…/{m.group(3)}{m.group(1)}", text)


def is_leaky(text: str) -> bool:
    """Whether ``text`` shows what a caller must never see (traces, code paths, dumps, secrets)."""
    return _LEAKY.search(text) is not None


def _texts(content: Sequence[types.ContentBlock]) -> str:
    return "\n".join(block.text for block in content if isinstance(block, types.TextContent)).strip()


def _passed_on(tool: str, text: str, correlation_id: str) -> str:
    """The upstream's message as the caller may see it: cut to size, or masked when it leaks."""
    if not text:
        return f"{tool} failed upstream and said nothing more"
    if is_leaky(text):
        logger.warning("upstream error of %s masked [%s]: %s", tool, correlation_id, text)
        return (
            f"{tool} failed upstream; its details show internals, so they are withheld here and logged "
            f"under correlation id {correlation_id}"
        )
    logger.info("upstream error of %s [%s]: %s", tool, correlation_id, text[:2000])
    text = _without_roots(text)
    cut = text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + f"… ({len(text):,} characters)"
    return f"{tool} failed upstream: {cut}"


def _classified(tool: str, text: str, correlation_id: str, *, code: str) -> WireproofError:
    message = _passed_on(tool, text, correlation_id)
    if _RATE.search(text):
        return RateLimited(message, code="upstream_rate_limited", retry_after=_RETRY_AFTER * 5)
    if _TRANSIENT.search(text):
        return Unavailable(message, code="upstream_unavailable", retry_after=_RETRY_AFTER)
    if _MISSING.search(text):
        return NotFound(message, code="upstream_not_found")
    return InvalidInput(message, code=code)


def upstream_error(tool: str, error: MCPError, correlation_id: str) -> WireproofError:
    """The typed error for a JSON-RPC error the upstream answered a call with."""
    if error.code == types.INVALID_PARAMS:  # the upstream's own validation: terminal
        message = _passed_on(tool, error.message, correlation_id)
        if _MISSING.search(error.message) and "tool" in error.message.lower():
            return NotFound(message, code="upstream_not_found")
        return InvalidInput(message, code="upstream_rejected")
    if error.code == types.REQUEST_TIMEOUT:
        return Unavailable(_passed_on(tool, error.message, correlation_id), code="timeout", retry_after=5)
    return _classified(tool, error.message, correlation_id, code="upstream_refused")


def upstream_failure(tool: str, result: types.CallToolResult, correlation_id: str) -> WireproofError:
    """The typed error for an ``isError`` result of the upstream."""
    return _classified(tool, _texts(result.content), correlation_id, code="upstream_refused")


def _answer_json(result: types.CallToolResult) -> Any:
    if result.structured_content is not None:
        return result.structured_content
    text = _texts(result.content)
    if text[:1] not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def disguised_failure(
    tool: str, result: types.CallToolResult, rules: Sequence[FailureRule], correlation_id: str
) -> WireproofError | None:
    """The typed error for a success answer that a policy rule says is a failure, else None."""
    if not rules:
        return None
    answer, text = _answer_json(result), _texts(result.content)
    if not any(rule.matches(answer, text) for rule in rules):
        return None
    said = next(
        (
            answer[k]
            for k in ("error", "message", "detail", "reason")
            if isinstance(answer, dict) and isinstance(answer.get(k), str)
        ),
        text,
    )
    return _classified(tool, said, correlation_id, code="upstream_refused")


def _mapped(value: Any, fix: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, dict):
        return {k: _mapped(v, fix) for k, v in value.items()}
    if isinstance(value, list):
        return [_mapped(v, fix) for v in value]
    return value


def hide_roots(result: types.CallToolResult, arguments: dict[str, Any]) -> types.CallToolResult:
    """A success answer with the server's root taken off the relative paths the caller sent.

    The caller sent ``notes/a.md``; an answer saying ``/srv/kb/notes/a.md`` tells it where the server
    keeps its files, which no caller needs: it reads ``notes/a.md`` instead. Only a relative path
    argument, found in the answer behind an absolute prefix, is rewritten; anything else is as the
    upstream gave it.
    """
    sent = {v for v in json_strings(arguments) if len(v) >= 3 and ".." not in v and RELATIVE_PATH.match(v)}
    if not sent:
        return result
    structured = result.structured_content
    # The strings the rewrite below can change: each text block and each string in structuredContent
    # (searched one by one, not as one JSON dump: no encoding per call, and no escape hides a path).
    strings = [b.text for b in result.content if isinstance(b, types.TextContent)]
    strings.extend(json_strings(structured))
    present = sorted((v for v in sent if any(f"/{v}" in s for s in strings)), key=len, reverse=True)
    if not present:
        return result
    pattern = re.compile(
        r"(?<![\w:/.\-])(?:/[\w.\-]+)+/(" + "|".join(map(re.escape, present)) + r")(?![\w/.\-])"
    )

    def fix(text: str) -> str:
        return pattern.sub(lambda m: m.group(1), text)

    content = [
        b.model_copy(update={"text": fix(b.text)}) if isinstance(b, types.TextContent) else b
        for b in result.content
    ]
    return result.model_copy(update={"content": content, "structured_content": _mapped(structured, fix)})
