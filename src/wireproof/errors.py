"""The one error tree, and how an error is shown to a model.

Every exception wireproof raises on purpose sits in one of two families. What a client can see
is a ``WireproofError``; what stops an operator's start-up (or a check before it runs) is an
``OperatorError``, which never reaches a client: the program prints its message on one line and
exits 2. The tree::

    WireproofError                      type            retry advice
    ├── InvalidInput                    invalid_input   terminal: fix the arguments
    ├── NotFound                        not_found       terminal
    ├── Conflict                        conflict        terminal
    ├── AuthError                       auth            stop
    │   ├── Unauthenticated             (unauthenticated)
    │   ├── TokenExpired                (token_expired)
    │   ├── InsufficientScope           (insufficient_scope)
    │   └── Forbidden                   (forbidden)
    ├── RateLimited                     rate_limited    retryable, after retry_after
    ├── Unavailable                     unavailable     retryable, after retry_after
    └── InternalError                   internal        masked, terminal, with a correlation id

    OperatorError                       what to change before it can run (exit code 2)
    ├── ToolDefinitionError             a tool cannot be registered or served as written
    ├── KeysFileError                   the API keys file is missing, unreadable or malformed
    ├── ServeConfigError                serving settings that would be unsafe or cannot work
    ├── CheckConfigError                the check's options or config file are not usable
    ├── CheckTargetError                the server to check cannot be reached or described
    ├── LockFileError                   a lock file (wireproof.lock) is missing, garbled or hand-edited
    └── UsageError                      a command line that contradicts itself

The operator errors also derive from the builtin their callers caught before the tree existed
(``ToolDefinitionError`` is a ``TypeError``; ``KeysFileError``, ``ServeConfigError`` and
``CheckConfigError`` are ``ValueError`` too).

Two stay outside on purpose: ``idempotency.LostClaimError`` (a store telling the pipeline that a
claim was taken over; it never leaves the pipeline) and ``testing.ConnectorNotFit`` (an
``AssertionError``, so that pytest reports it as a failed test).

``render_tool_error`` turns any ``WireproofError`` into the text a model reads and the
``io.wireproof/error`` object a program reads (in the result's ``_meta``), and the same
object in the names of the open ToolFailure proposal for MCP (``TOOL_FAILURE_META``). Anything that is not a
``WireproofError`` never reaches a client: the connector masks it as an
``InternalError`` and logs the real cause under the correlation id.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Literal

import pydantic_core

__all__ = [
    "ABSENT",
    "ERROR_META",
    "TOOL_FAILURE_META",
    "AuthError",
    "CheckConfigError",
    "CheckTargetError",
    "Conflict",
    "ErrorType",
    "FieldError",
    "Forbidden",
    "InsufficientScope",
    "InternalError",
    "InvalidInput",
    "KeysFileError",
    "NotFound",
    "OperatorError",
    "RateLimited",
    "ServeConfigError",
    "TokenExpired",
    "ToolDefinitionError",
    "ToolFailureClass",
    "Unauthenticated",
    "Unavailable",
    "UsageError",
    "WireproofError",
    "describe_value",
    "render_tool_error",
    "tool_failure",
]

ErrorType = Literal[
    "invalid_input", "not_found", "conflict", "auth", "rate_limited", "unavailable", "internal"
]
"""The ``type`` of an error: its class in the tree, which decides the retry advice."""

RECEIVED_PREVIEW_CHARS: Final = 60
"""How much of a passed value an error repeats back; the rest is summarised by its size."""


class _Absent:
    """The marker for "the caller passed nothing here" (distinct from JSON null)."""

    _instance: ClassVar[_Absent | None] = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
"""What ``FieldError.received`` holds when the caller passed nothing for the field (not JSON null)."""


def describe_value(value: Any) -> str:
    """Render a passed value for a model: JSON, control characters escaped, long values cut.

    The size of a cut value is stated so the model knows what it sent
    (``"aaaa…" (1,048,576 characters)``) without the whole value echoed back.
    """
    if value is ABSENT:
        return "nothing"
    if isinstance(value, str):
        if len(value) <= RECEIVED_PREVIEW_CHARS:
            return json.dumps(value)
        return f'{json.dumps(value[:RECEIVED_PREVIEW_CHARS])[:-1]}…" ({len(value):,} characters)'
    try:
        text = json.dumps(value, default=str, separators=(",", ":"))
    except (TypeError, ValueError):  # circular or otherwise unencodable: describe the kind only
        return f"a {type(value).__name__}"
    if len(text) <= RECEIVED_PREVIEW_CHARS:
        return text
    return f"{text[:RECEIVED_PREVIEW_CHARS]}… ({len(text):,} characters of JSON)"


def _received_for_json(value: Any) -> Any:
    """The ``received`` member of a field error: small values as they were, big ones cut."""
    if value is ABSENT:
        return None
    if isinstance(value, str) and len(value) > RECEIVED_PREVIEW_CHARS:
        return value[:RECEIVED_PREVIEW_CHARS] + "…"
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return describe_value(value)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one argument.

    field (str): The argument's name, or a path into it (``tags[2]``).
    problem (str): What is wrong, in words a model can act on ("is required").
    expected (str): What would be accepted ("a date as YYYY-MM-DD").
    received (Any): What was passed; ``ABSENT`` when nothing was.
    """

    field: str
    problem: str
    expected: str
    received: Any = ABSENT

    def line(self) -> str:
        """The one line of model-facing text for this problem."""
        passed = "" if self.received is ABSENT else f"; you passed {describe_value(self.received)}"
        return f"- {self.field}: {self.problem}. Expected {self.expected}{passed}."

    def to_json(self) -> dict[str, Any]:
        """The problem as the ``fields`` member of the ``io.wireproof/error`` object (big values cut)."""
        return {
            "field": self.field,
            "problem": self.problem,
            "received": _received_for_json(self.received),
            "expected": self.expected,
        }


class WireproofError(Exception):
    """The root of every error a client may see.

    Subclasses fix ``type``, ``code`` and whether the call may be retried;
    instances carry the message, optional field errors and a retry-after.
    """

    type: ClassVar[ErrorType] = "internal"
    default_code: ClassVar[str] = "error"
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: list[FieldError] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields: list[FieldError] = list(fields or [])
        self.retry_after = retry_after
        self.correlation_id: str | None = None

    def advice(self) -> str:
        """The closing line that tells the model whether and when to try again."""
        return "Do not retry with the same arguments."


class InvalidInput(WireproofError):
    """The arguments do not satisfy the tool's schema or its cross-field rules. Terminal."""

    type = "invalid_input"
    default_code = "invalid_arguments"

    @classmethod
    def field(cls, name: str, problem: str, *, expected: str, received: Any = ABSENT) -> InvalidInput:
        """An error about a single argument, for cross-field rules and tool bodies."""
        error = FieldError(field=name, problem=problem, expected=expected, received=received)
        return cls(f"Invalid argument {name}", fields=[error])

    def advice(self) -> str:
        return "Do not retry with the same arguments: fix them and call again."


class NotFound(WireproofError):
    """The thing the call names does not exist (or the principal may not see it). Terminal."""

    type = "not_found"
    default_code = "not_found"


class Conflict(WireproofError):
    """The call contradicts the current state (or an earlier call with the same key). Terminal."""

    type = "conflict"
    default_code = "conflict"


class AuthError(WireproofError):
    """The caller is not allowed to make this call: the agent must stop and get authorization."""

    type = "auth"
    default_code = "forbidden"

    def advice(self) -> str:
        return "Stop: authorization is required; do not retry until the credentials change."


class Unauthenticated(AuthError):
    """No credential, or one that does not verify."""

    default_code = "unauthenticated"


class TokenExpired(AuthError):
    """The credential verified but is past its expiry."""

    default_code = "token_expired"


class InsufficientScope(AuthError):
    """The principal lacks a scope the tool needs; ``required`` lists every scope needed."""

    default_code = "insufficient_scope"

    def __init__(self, message: str, *, required: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.required = required


class Forbidden(AuthError):
    """The principal is known and scoped, but may not act on this particular thing."""

    default_code = "forbidden"


class _Retryable(WireproofError):
    retryable = True
    default_retry_after: ClassVar[float] = 1.0

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(
            message, retry_after=self.default_retry_after if retry_after is None else retry_after, **kwargs
        )

    def advice(self) -> str:
        seconds = self.retry_after if self.retry_after is not None else self.default_retry_after
        return f"Safe to retry after {seconds:g} s."


class RateLimited(_Retryable):
    """The principal made too many calls; retry after ``retry_after`` seconds."""

    type = "rate_limited"
    default_code = "rate_limited"


class Unavailable(_Retryable):
    """A transient condition (a dependency down, a timeout, the same call in progress)."""

    type = "unavailable"
    default_code = "unavailable"


class InternalError(WireproofError):
    """Something failed inside the connector. The client sees only this and a correlation id."""

    type = "internal"
    default_code = "internal_error"

    def __init__(self, correlation_id: str) -> None:
        super().__init__("The tool failed inside the connector")
        self.correlation_id = correlation_id

    def advice(self) -> str:
        return (
            f"Do not retry with the same arguments; report correlation id {self.correlation_id} "
            "to the connector's operator."
        )


# -- what stops an operator's start-up ------------------------------------------------------


class OperatorError(Exception):
    """The root of what an operator must fix before the program can run; the message says what.

    Never shown to a client: a command prints it as one line (no traceback) and exits 2.
    """


class ToolDefinitionError(OperatorError, TypeError):
    """A tool cannot be registered as written, or served as registered; the message says what to change.

    Raised at registration (import time) or when serving starts, never at call time, so a connector
    with an imprecise schema does not start.
    """


class KeysFileError(OperatorError, ValueError):
    """The keys file is missing, unreadable or malformed; the message says where."""


class ServeConfigError(OperatorError, ValueError):
    """Settings that would serve unsafely or cannot work; the message says what to change."""


class CheckConfigError(OperatorError, ValueError):
    """The check's options or config file are not usable; the message names the problem."""


class CheckTargetError(OperatorError):
    """The server to check cannot be reached or described; the message says why."""


class UsageError(OperatorError):
    """The command line is inconsistent; the message says how."""


def masking_hint(exception: BaseException | None) -> str:
    """For the operator's log: what an untyped exception became, and which typed error to raise instead.

    A tool that raises ``ValueError`` (what authors of other SDKs write first) is masked, as every
    untyped exception is: its text may hold secrets. The log line says how to tell the model instead.
    """
    if exception is None:
        return "masked as an internal error"
    name = type(exception).__name__
    if isinstance(exception, pydantic_core.PydanticSerializationError | pydantic_core.ValidationError):
        instead = (
            "a pydantic error means the tool's data does not fit its models (often the return type): fix "
            "the tool; if the caller's arguments cause it, check them in a @tool.rule and raise "
            "wireproof.InvalidInput.field(...)"
        )
    elif isinstance(exception, PermissionError):
        instead = "raise wireproof.Forbidden(...) to tell the model the caller may not do this"
    elif isinstance(exception, LookupError | FileNotFoundError):
        instead = "raise wireproof.NotFound(...) to tell the model what does not exist and how to find it"
    elif isinstance(exception, TimeoutError | ConnectionError):
        instead = "raise wireproof.Unavailable(..., retry_after=seconds) to tell the model to retry later"
    elif isinstance(exception, ValueError):
        instead = (
            "raise wireproof.InvalidInput.field(name, problem, expected=..., received=...) to tell the "
            "model what to fix"
        )
    else:
        instead = (
            "if the model can act on it, raise a wireproof error instead: InvalidInput.field(...) for an "
            "argument to fix, NotFound, Conflict, or Unavailable(retry_after=...) for a passing failure"
        )
    return f"{name} masked as an internal error (untyped exceptions never reach a client); {instead}"


ERROR_META: Final = "io.wireproof/error"
"""The ``_meta`` key of an ``isError`` result (and the ``data`` key of a JSON-RPC auth error) under which
the typed error object travels: type, code, message, retryable, retry_after_ms, fields, correlation_id."""

TOOL_FAILURE_META: Final = "io.modelcontextprotocol/toolFailure"
"""The ``_meta`` key of the open ToolFailure proposal for MCP (SEP-3313, modelcontextprotocol PR
#3313, discussion #2930). An ``isError`` result carries the same typed error under it, in that
proposal's names, beside ``io.wireproof/error``, so that clients which adopt the proposal understand
it; ``io.wireproof/error`` stays the complete object (fields, retry_after_ms, required_scopes)."""

ToolFailureClass = Literal["capability", "reliability", "governance"]
"""The proposal's behavioural classes: fix or change the call; retry later; get authorization."""

_FAILURE_CLASS: Final[dict[str, ToolFailureClass]] = {
    "invalid_input": "capability",
    "not_found": "capability",
    "conflict": "capability",
    "internal": "capability",  # terminal, with a correlation id for the operator
    "auth": "governance",
    "rate_limited": "reliability",
    "unavailable": "reliability",
}
_FAILURE_CODE: Final = {  # the proposal's baseline codes where one names the same thing as ours
    "invalid_input": "invalid_input",
    "not_found": "resource_not_found",
    "rate_limited": "retryable_transient_error",
    "unavailable": "retryable_transient_error",
    "unauthenticated": "auth_required",
    "token_expired": "auth_required",
    "insufficient_scope": "permission_denied",
    "forbidden": "permission_denied",
}


def tool_failure(error: Mapping[str, Any], *, guidance: str, now: float | None = None) -> dict[str, Any]:
    """The ``io.wireproof/error`` object ``error`` in the ToolFailure proposal's names.

    ``class`` from the type (``capability``: fix the call, do not retry as is; ``reliability``:
    retry later; ``governance``: get authorization); ``code`` the proposal's baseline code where one
    means the same (``invalid_input``, ``resource_not_found``, ``auth_required``,
    ``permission_denied``, ``retryable_transient_error``), else wireproof's own code; ``retryable``;
    ``retryNotBefore`` (Unix epoch milliseconds, ``now`` plus ``retry_after_ms``) when retryable;
    ``correlationId``; and ``agentGuidance``, the retry advice the text ends with.
    """
    kind, code = str(error["type"]), str(error["code"])
    failure_class = _FAILURE_CLASS.get(kind, "capability")
    retryable = failure_class == "reliability" and error.get("retryable") is True
    block: dict[str, Any] = {
        "class": failure_class,
        "code": _FAILURE_CODE.get(code if kind == "auth" else kind, code),
        "retryable": retryable,
    }
    if retryable and isinstance(error.get("retry_after_ms"), int):
        block["retryNotBefore"] = (
            round((time.time() if now is None else now) * 1000) + error["retry_after_ms"]
        )
    block["correlationId"] = error["correlation_id"]
    block["agentGuidance"] = guidance
    return block


@dataclass(frozen=True, slots=True)
class RenderedError:
    """An error as the model (text) and a program (structured) see it.

    text (str): What the model reads: the message, one line per field error, the retry advice.
    structured (dict[str, Any]): ``{"error": …}``, the ``io.wireproof/error`` object.
    tool_failure (dict[str, Any]): The same error in the ToolFailure proposal's names
        (``TOOL_FAILURE_META``).
    """

    text: str
    structured: dict[str, Any] = field(default_factory=dict)
    tool_failure: dict[str, Any] = field(default_factory=dict)


def render_tool_error(
    error: WireproofError, *, correlation_id: str, now: float | None = None
) -> RenderedError:
    """Render an error for a tool result: model-facing text, the ``io.wireproof/error`` object, and
    the same in the ToolFailure proposal's names (``tool_failure``).

    The text is the message, one line per field error, then the retry advice. ``now`` (Unix
    seconds, default the current time) is what ``retryNotBefore`` counts from.
    """
    headline = error.message.rstrip(".:")
    lines = [f"{headline}:" if error.fields else f"{headline}."]
    lines.extend(f.line() for f in error.fields)
    lines.append(error.advice())
    retry_after_ms = None if error.retry_after is None else round(error.retry_after * 1000)
    body: dict[str, Any] = {
        "type": error.type,
        "code": error.code,
        "message": error.message,
        "retryable": error.retryable,
        "retry_after_ms": retry_after_ms,
        "fields": [f.to_json() for f in error.fields],
        "correlation_id": correlation_id,
    }
    if isinstance(error, InsufficientScope) and error.required:
        body["required_scopes"] = sorted(error.required)
    return RenderedError(
        text="\n".join(lines),
        structured={"error": body},
        tool_failure=tool_failure(body, guidance=lines[-1], now=now),
    )
