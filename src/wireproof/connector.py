"""The connector: a registry of typed tools, served through one pipeline on the SDK's low-level server.

Every ``tools/call`` walks the same path, on every transport::

    find the tool      unknown → JSON-RPC -32602 naming the closest tools
    validate           the advertised input schema, then the cross-field rules
    claim the key      writes with an idempotency_key: replay · in progress · conflict · go
    run                async functions on the event loop, plain ones in a worker thread; writes
                       inside the store's transaction when it shares the connector's database
    shape              structuredContent from the output schema, and the same JSON as text
    complete           store the result with the key, in the same transaction as the effect

A ``WireproofError`` raised at any step becomes an ``isError`` result through
``render_tool_error``; any other exception becomes a masked ``InternalError``
whose correlation id is logged with the real cause.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import hmac
import itertools
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Final, Generic, TypeVar

import anyio
import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from wireproof._execution import ERROR_META, Execution, error_result
from wireproof.auth import ANONYMOUS_OPERATOR, Principal, ScopePolicy
from wireproof.budget import DEFAULT_BUDGET_TOKENS
from wireproof.errors import AuthError, InsufficientScope, WireproofError, describe_value
from wireproof.idempotency import IdempotencyStore, canonical_json
from wireproof.paging import CursorCodec
from wireproof.ratelimit import RateLimit, RateLimiter
from wireproof.schema import ToolDefinitionError
from wireproof.tools import IDEMPOTENCY_KEY, Tool, ToolKind

__all__ = ["DEFAULT_TIMEOUT", "Connector"]

logger = logging.getLogger("wireproof")
audit_logger = logging.getLogger("wireproof.audit")
"""One JSON line per call at INFO, written only when this logger's own level is set (opt in:
``logging.getLogger("wireproof.audit").setLevel(logging.INFO)`` and a handler). A root logger at
INFO does not switch it on: some libraries configure that on import, and auditing costs time."""

StateT = TypeVar("StateT")
ToolFn = Callable[..., Any]


_PROCESS_ID = secrets.token_hex(3)
_AUDIT_KEY = secrets.token_bytes(32)
"""Keys the audit fingerprints: equal arguments match within a process, and cannot be guessed back."""
_CALLS = itertools.count(1)
DEFAULT_TIMEOUT: Final = 30.0
"""Seconds a tool call may run before the caller gets a retryable ``timeout`` error."""


PrincipalSource = Principal | AuthError | Callable[[], Principal] | None
"""Who calls: a principal, an auth error for every call, a function resolving it per request, or None."""


def _resolve(source: PrincipalSource) -> Principal | AuthError:
    if source is None:
        return ANONYMOUS_OPERATOR
    if callable(source):
        try:
            return source()
        except AuthError as error:
            return error
    return source


def new_correlation_id() -> str:
    """A short id, unique across processes, that ties a client-visible error to its log line."""
    return f"c-{_PROCESS_ID}-{next(_CALLS)}"


class Connector(Generic[StateT]):
    """A named set of tools, served as an MCP server.

    Declare tools with ``@app.read(...)`` and ``@app.write(...)``; serve them with
    ``app.server(state)`` (an SDK ``Server``: pass it to ``mcp.Client`` in tests)
    or ``app.run_stdio(state)``. ``state`` is handed to every tool as ``ctx.state``.
    """

    def __init__(
        self,
        name: str,
        *,
        version: str = "0.0.0",
        instructions: str | None = None,
        budget_tokens: int = DEFAULT_BUDGET_TOKENS,
        scope_policy: ScopePolicy | None = None,
        rate_limit: RateLimit | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        if timeout is not None and not timeout > 0:
            raise ValueError("timeout must be a number of seconds > 0, or None for no limit")
        self.name = name
        self.timeout = timeout
        self.scope_policy = scope_policy or ScopePolicy()
        self.rate_limit = rate_limit
        self._limiter = RateLimiter()
        self.version = version
        self.instructions = instructions
        self.budget_tokens = budget_tokens
        self._cursors = CursorCodec()  # a random key per process, unless server(cursors=) names one
        self._tools: dict[str, Tool[StateT]] = {}

    @property
    def tools(self) -> dict[str, Tool[StateT]]:
        """The registered tools by name, in registration order (the order ``tools/list`` shows)."""
        return dict(self._tools)

    def _register(self, kind: ToolKind, **options: Any) -> Callable[[ToolFn], Tool[StateT]]:
        def decorate(fn: ToolFn) -> Tool[StateT]:
            tool: Tool[StateT] = Tool(fn, kind=kind, **options)
            if tool.name in self._tools:
                raise ToolDefinitionError(f"tool {tool.name} is registered twice")
            self._tools[tool.name] = tool
            return tool

        return decorate

    def read(
        self,
        *,
        scopes: Iterable[str] = (),
        public: bool = False,
        rate_limit: RateLimit | None = None,
        name: str | None = None,
        title: str | None = None,
        open_world: bool = False,
        budget_tokens: int | None = None,
        timeout: float | None = None,
    ) -> Callable[[ToolFn], Tool[StateT]]:
        """Declare a read tool: it changes nothing, so it is annotated read-only and idempotent.

        Args:
            scopes: The scopes a caller needs (all of them); a tool without scopes must be public.
            public: Any authenticated caller may use it (no scope needed).
            rate_limit: This tool's limit per caller; defaults to the connector's.
            name: The tool's name; defaults to the function's name.
            title: A human-readable title for clients to show.
            open_world: True when the tool reaches beyond the connector's own data (the web, say).
            budget_tokens: This tool's response budget; defaults to the connector's.
            timeout: Seconds this tool may run before the caller gets a retryable ``timeout``
                error; defaults to the connector's.
        """
        return self._register(
            "read",
            timeout=timeout,
            name=name,
            title=title,
            open_world=open_world,
            budget_tokens=budget_tokens,
            scopes=scopes,
            public=public,
            rate_limit=rate_limit,
        )

    def write(
        self,
        *,
        scopes: Iterable[str] = (),
        public: bool = False,
        rate_limit: RateLimit | None = None,
        name: str | None = None,
        title: str | None = None,
        destructive: bool = True,
        idempotent: bool = False,
        open_world: bool = False,
        key: tuple[str, ...] | None = None,
        idempotency_key: bool = False,
        timeout: float | None = None,
    ) -> Callable[[ToolFn], Tool[StateT]]:
        """Declare a write tool, and how repeats of it are made safe.

        Args:
            scopes: The scopes a caller needs (all of them); a tool without scopes must be public.
            public: Any authenticated caller may use it (no scope needed).
            rate_limit: This tool's limit per caller; defaults to the connector's.
            name: The tool's name; defaults to the function's name.
            title: A human-readable title for clients to show.
            destructive: False only when the tool purely adds (never overwrites or deletes).
            idempotent: True only when repeating a call with the same arguments has no further effect.
            open_world: True when the effect reaches beyond the connector's own data.
            key: A natural key: the parameters that name the one record the tool creates or updates
                (upsert). The tool is annotated idempotent; its SQL must upsert on that key.
            idempotency_key: Add an optional ``idempotency_key`` argument: a repeat with the same key and
                arguments replays the first result; the same key with other arguments is refused.
            timeout: Seconds this tool may run before the caller gets a retryable ``timeout`` error;
                defaults to the connector's. A write in the store's transaction that runs out of time
                is rolled back, so the error means nothing changed.
        """
        return self._register(
            "write",
            timeout=timeout,
            name=name,
            title=title,
            destructive=destructive,
            idempotent=idempotent,
            open_world=open_world,
            key=key,
            idempotency_key=idempotency_key,
            scopes=scopes,
            public=public,
            rate_limit=rate_limit,
        )

    # -- the pipeline -----------------------------------------------------------------------

    def _find(self, name: str) -> Tool[StateT]:
        tool = self._tools.get(name)
        if tool is not None:
            return tool
        close = difflib.get_close_matches(name, list(self._tools), n=3, cutoff=0.5)
        suggestion = f" Did you mean {', '.join(close)}?" if close else ""
        raise MCPError(
            types.INVALID_PARAMS,
            f"Unknown tool {describe_value(name)}.{suggestion} Call tools/list to see the tools this "
            f"server has.",
        )

    async def call(
        self,
        state: StateT,
        name: str,
        arguments: dict[str, Any] | None,
        *,
        store: IdempotencyStore | None = None,
        cursors: CursorCodec | None = None,
        principal: PrincipalSource = None,
    ) -> types.CallToolResult:
        """Run one tool call through the whole pipeline and return its result.

        Raises:
            MCPError: the tool does not exist (-32602); everything else is a tool result.
        """
        tool = self._find(name)
        started = time.perf_counter()
        caller = _resolve(principal)
        execution = Execution(
            tool,
            state,
            new_correlation_id(),
            store,
            cursors=cursors or self._cursors,
            budget_tokens=self.budget_tokens,
            principal=caller if isinstance(caller, Principal) else None,
            timeout=tool.timeout or self.timeout,
        )
        try:
            self._authorize(tool, caller)
            values = tool.bind(arguments or {})
            key = values.pop(IDEMPOTENCY_KEY, None) if tool.idempotency_key else None
            result = (
                await execution.run_keyed(key, values)
                if key is not None
                else execution.success(await execution.run(values))
            )
        except WireproofError as error:
            result = error_result(error, execution.correlation_id)
        except Exception:  # noqa: BLE001 - the masking boundary: nothing untyped reaches a client
            result = error_result(execution.internal_error(), execution.correlation_id)
        if audit_logger.level != logging.NOTSET and audit_logger.isEnabledFor(logging.INFO):
            _audit(tool.name, caller, arguments, result, started, execution.correlation_id)
        return result

    def _authorize(self, tool: Tool[StateT], principal: Principal | AuthError) -> None:
        """Raise the caller's own auth error, or ``InsufficientScope`` naming every scope the tool needs."""
        if isinstance(principal, AuthError):
            raise principal
        limit = tool.rate_limit or self.rate_limit
        missing = self.scope_policy.missing(principal, tool.scopes)
        if not missing and limit is not None:
            self._limiter.check(principal.id, tool.name, limit)
        if missing:
            held = ", ".join(sorted(principal.scopes)) or "no scopes"
            raise InsufficientScope(
                f"This call needs scope {', '.join(sorted(tool.scopes))}; the caller has {held}",
                required=tool.scopes,
            )

    def visible_tools(self, principal: PrincipalSource) -> list[Tool[StateT]]:
        """The tools ``tools/list`` shows this caller: only those its scopes permit."""
        caller = _resolve(principal)
        if isinstance(caller, AuthError):
            return [t for t in self._tools.values() if t.public]
        return [t for t in self._tools.values() if not self.scope_policy.missing(caller, t.scopes)]

    def _listing(self, principal: PrincipalSource) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[tool.definition for tool in self.visible_tools(principal)])

    # -- serving ----------------------------------------------------------------------------

    def server(
        self,
        state: StateT,
        *,
        store: IdempotencyStore | None = None,
        cursors: CursorCodec | None = None,
        principal: PrincipalSource = None,
    ) -> Server[Any]:
        """The SDK low-level ``Server`` that serves these tools with ``state``.

        ``store`` keeps idempotency records; it is required when a tool takes an idempotency key,
        and on the connector's own database it gives write tools their transaction. ``principal``
        is the caller of every request: a ``Principal``, an ``AuthError`` that answers every call,
        or a function that returns the principal or raises the error, asked on every request (so a
        key that expires while the server runs stops working); None serves the local operator with
        every scope. The tool list is frozen here: tools registered later are not served.
        """
        tools = dict(self._tools)
        keyed = [t.name for t in tools.values() if t.idempotency_key]
        if keyed and store is None:
            raise ToolDefinitionError(
                f"tools {', '.join(keyed)} take idempotency keys: serve them with store="
            )
        fixed_listing = None if callable(principal) else self._listing(principal)

        async def on_list_tools(
            ctx: Any, params: types.PaginatedRequestParams | None
        ) -> types.ListToolsResult:
            if params is not None and params.cursor is not None:
                raise MCPError(
                    types.INVALID_PARAMS, "Invalid cursor: this server lists every tool in one page"
                )
            return fixed_listing or self._listing(principal)

        async def on_call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
            return await self.call(
                state, params.name, params.arguments, store=store, cursors=cursors, principal=principal
            )

        def input_schema(name: str) -> dict[str, Any] | None:
            tool = tools.get(name)
            return None if tool is None else tool.input.schema

        return Server(
            self.name,
            version=self.version,
            instructions=self.instructions,
            get_tool_input_schema=input_schema,
            on_list_tools=on_list_tools,
            on_call_tool=on_call_tool,
        )

    async def serve_stdio(
        self,
        state: StateT,
        *,
        store: IdempotencyStore | None = None,
        cursors: CursorCodec | None = None,
        principal: PrincipalSource = None,
    ) -> None:
        """Serve over stdin/stdout until the client closes the stream, then let calls in flight
        finish (up to 10 s) and write their answers. Malformed frames are answered with a JSON-RPC
        error when they carry a readable id (``wireproof.serve._stdio``)."""
        from wireproof.serve._stdio import serve_stdio  # serve sits above the connector

        await serve_stdio(self.server(state, store=store, cursors=cursors, principal=principal))

    def run_stdio(
        self,
        state: StateT,
        *,
        store: IdempotencyStore | None = None,
        cursors: CursorCodec | None = None,
        principal: PrincipalSource = None,
    ) -> None:
        """Blocking form of ``serve_stdio`` for a console script's ``main``."""
        anyio.run(
            functools.partial(self.serve_stdio, state, store=store, cursors=cursors, principal=principal)
        )


def _audit(
    tool: str,
    caller: Principal | AuthError,
    arguments: dict[str, Any] | None,
    result: types.CallToolResult,
    started: float,
    correlation_id: str,
) -> None:
    """One audit line: who called what, a fingerprint of the arguments (never their values), the outcome."""
    error = (result.meta or {}).get(ERROR_META) if result.is_error else None
    try:  # keyed with a per-process secret: a small argument space cannot be brute-forced back
        canonical = canonical_json(arguments or {}).encode()
        arguments_fingerprint = hmac.new(_AUDIT_KEY, canonical, hashlib.sha256).hexdigest()
    except (TypeError, ValueError):
        arguments_fingerprint = "unhashable"
    audit_logger.info(
        json.dumps(
            {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "principal": caller.id if isinstance(caller, Principal) else None,
                "tool": tool,
                "arguments_fingerprint": arguments_fingerprint,
                "outcome": error["type"] if isinstance(error, dict) else "ok",
                "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                "correlation_id": correlation_id,
            },
            separators=(",", ":"),
        )
    )
