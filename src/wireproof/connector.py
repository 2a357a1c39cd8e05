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

Serving fails closed: ``server()`` needs an explicit principal source (``LOCAL_OPERATOR``, every
scope, is a named choice and says so on stderr), refuses write tools that have no transaction to
write through and tools registered after it; ``tools/list`` for a caller whose credential fails is
the JSON-RPC error ``AUTH_REQUIRED_CODE``, never a silent empty list.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import itertools
import json
import logging
import secrets
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Final, Generic, TypeVar

import anyio
import mcp_types as types
import pydantic_core
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from wireproof import telemetry
from wireproof._execution import ERROR_META, Execution, error_result, internal_error
from wireproof._fingerprint import canonical_json
from wireproof.auth import Principal, ScopePolicy
from wireproof.budget import DEFAULT_BUDGET_TOKENS
from wireproof.errors import AuthError, WireproofError, describe_value, render_tool_error
from wireproof.idempotency import IdempotencyStore
from wireproof.paging import CursorCodec
from wireproof.ratelimit import RateLimit, RateLimiter
from wireproof.schema import ToolDefinitionError
from wireproof.tools import IDEMPOTENCY_KEY, Tool, WriteEffect

__all__ = ["AUTH_REQUIRED_CODE", "DEFAULT_TIMEOUT", "Connector", "PrincipalSource", "WriteEffect"]

logger = logging.getLogger("wireproof")
audit_logger = logging.getLogger("wireproof.audit")
"""One JSON line per call at INFO, written only when this logger's own level is set (opt in:
``logging.getLogger("wireproof.audit").setLevel(logging.INFO)`` and a handler). A root logger at
INFO does not switch it on: some libraries configure that on import, and auditing costs time."""

StateT = TypeVar("StateT")
ToolFn = Callable[..., Any]


_PROCESS_ID = secrets.token_hex(3)
_AUDIT_KEY = secrets.token_bytes(32)
"""Keys the audit fingerprints (keyed BLAKE2b, a MAC in one C call, where HMAC-SHA256's copy and
digest took three Python-level steps: ~0.6 against ~2 us a line): equal arguments match within a
process, and cannot be guessed back."""
_CALLS = itertools.count(1)
DEFAULT_TIMEOUT: Final = 30.0
"""Seconds a tool call may run before the caller gets a retryable ``timeout`` error."""


# The MCP specification (basic/index, "Error Codes", 2026-07-28) leaves no code of its own for a
# failed credential: -32000..-32019 are legacy (new implementations SHOULD NOT use them), -32020..
# -32099 are the specification's alone (MUST NOT emit undefined ones), and new application codes
# SHOULD lie outside the JSON-RPC reserved range -32768..-32000. -31401 is outside it, clear of the
# codes LSP-style peers use below -32768, and echoes HTTP 401 for whoever reads a raw log.
AUTH_REQUIRED_CODE: Final = -31401
"""The JSON-RPC error code of ``tools/list`` when the caller's credential is missing, unknown or
expired; the message says what is wrong and what to do, ``data`` holds the typed error object."""

PrincipalSource = Principal | AuthError | Callable[[], Principal]
"""Who calls: a principal (``LOCAL_OPERATOR`` for an unauthenticated local server), an auth error
for every call, or a function resolving it per request (``KeysFile(path).from_env("MY_API_KEY")``)
that raises an ``AuthError`` when the credential fails."""


def _resolve(source: PrincipalSource) -> Principal | AuthError:
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
    ``app.server(state, principal=...)`` (an SDK ``Server``: pass it to ``mcp.Client`` in tests)
    or ``app.run_stdio(state, principal=...)``. ``state`` is handed to every tool as ``ctx.state``.
    Register every tool before serving: the first ``server()`` freezes the registry.
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
        self._effects: dict[str, WriteEffect] = {}
        self._served = False

    @property
    def tools(self) -> dict[str, Tool[StateT]]:
        """The registered tools by name, in registration order (the order ``tools/list`` shows)."""
        return dict(self._tools)

    @property
    def effects(self) -> dict[str, WriteEffect]:
        """Each write tool's effect by name: ``"database"`` needs a store on the connector's database."""
        return dict(self._effects)

    def add(self, tool: Tool[Any]) -> Tool[Any]:
        """Register a tool already made (``Tool.from_schema``, ``Tool.from_function``); return it.

        Raises:
            ToolDefinitionError: the connector is already served, the name is taken, or a
                ``"database"`` write is async (it could not join the store's transaction).
        """
        if self._served:  # it would answer tools/call but never appear in tools/list
            raise ToolDefinitionError(
                f"tool {tool.name} is registered after {self.name} was served; register every "
                "tool before calling server() or run_stdio()"
            )
        if tool.name in self._tools:
            raise ToolDefinitionError(f"tool {tool.name} is registered twice")
        if tool.effect == "database" and tool.is_async:
            raise ToolDefinitionError(
                f"tool {tool.name} is async, so it cannot write in the store's transaction: make it "
                "a plain def (it runs in a worker thread), or declare effect='external' if its "
                "effect is outside the connector's database"
            )
        self._tools[tool.name] = tool
        if tool.effect is not None:
            self._effects[tool.name] = tool.effect
        return tool

    def _registering(self, make: Callable[[ToolFn], Tool[StateT]]) -> Callable[[ToolFn], Tool[StateT]]:
        """The decorator that makes a tool of a function and registers it."""

        def decorate(fn: ToolFn) -> Tool[StateT]:
            tool = make(fn)
            self.add(tool)
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
        never_blocks: bool = False,
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
            never_blocks: The author's word that this plain ``def`` never waits (an in-memory lookup,
                a read of a WAL-mode SQLite file): once 32 runs in a row have each taken at most
                0.5 ms, it runs on the event loop instead of a worker thread (the hop costs more than
                such a read), and goes back to a thread after two slow runs. On the loop its deadline
                cannot interrupt it, and every other call waits while it runs: leave it False (the
                default: always a worker thread) for anything that may wait on a lock, a network or a
                busy database.
        """
        return self._registering(
            lambda fn: Tool.from_function(
                fn,
                kind="read",
                never_blocks=never_blocks,
                name=name,
                title=title,
                open_world=open_world,
                budget_tokens=budget_tokens,
                scopes=scopes,
                public=public,
                rate_limit=rate_limit,
                timeout=timeout,
            )
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
        budget_tokens: int | None = None,
        timeout: float | None = None,
        effect: WriteEffect = "database",
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
            budget_tokens: This tool's response budget; defaults to the connector's.
            timeout: Seconds this tool may run before the caller gets a retryable ``timeout`` error;
                defaults to the connector's. A write in the store's transaction that runs out of time
                is rolled back, so the error means nothing changed.
            effect: ``"database"`` (the default): the tool writes through ``ctx.transaction``, which
                an idempotency store on the connector's own database opens, so the effect commits
                with its record; ``server()`` refuses it without such a store. ``"external"``: the
                effect is elsewhere (another service, process memory); it runs with
                ``ctx.transaction`` None, and a crash between effect and record can repeat it.
        """
        return self._registering(
            lambda fn: Tool.from_function(
                fn,
                kind="write",
                name=name,
                title=title,
                destructive=destructive,
                idempotent=idempotent,
                open_world=open_world,
                key=key,
                idempotency_key=idempotency_key,
                budget_tokens=budget_tokens,
                scopes=scopes,
                public=public,
                rate_limit=rate_limit,
                timeout=timeout,
                effect=effect,
            )
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
        principal: PrincipalSource,
        store: IdempotencyStore | None = None,
        cursors: CursorCodec | None = None,
    ) -> types.CallToolResult:
        """Run one tool call through the whole pipeline and return its result.

        Raises:
            MCPError: the tool does not exist (-32602); everything else is a tool result.
        """
        tool = self._find(name)
        started = time.perf_counter()
        caller = _resolve(principal)
        correlation_id = new_correlation_id()
        try:
            execution = Execution(
                tool,
                state,
                correlation_id,
                store,
                cursors=cursors or self._cursors,
                budget_tokens=self.budget_tokens,
                principal=self._authorize(tool, caller),
                timeout=tool.timeout or self.timeout,
            )
            values = tool.bind(arguments or {})
            key = values.pop(IDEMPOTENCY_KEY, None) if tool.idempotency_key else None
            result = await execution.run(values, key)
        except WireproofError as error:
            result = error_result(error, correlation_id)
        except Exception:  # noqa: BLE001 - the masking boundary: nothing untyped reaches a client
            result = error_result(internal_error(tool.name, correlation_id), correlation_id)
        if telemetry.active is not None:  # off (None) until wireproof.telemetry.instrument()
            telemetry.active.record(self.name, tool.name, result, started, correlation_id)
        if audit_logger.level != logging.NOTSET and audit_logger.isEnabledFor(logging.INFO):
            _audit(tool.name, caller, arguments, result, started, correlation_id)
        return result

    def _authorize(self, tool: Tool[StateT], principal: Principal | AuthError) -> Principal:
        """The caller, allowed to call ``tool``; else raise its own auth error, ``InsufficientScope``
        naming every scope the tool needs, or ``RateLimited``."""
        if isinstance(principal, AuthError):
            raise principal
        refusal = self.scope_policy.refusal(principal, tool.scopes)  # the HTTP 403 says the same
        if refusal is not None:
            raise refusal
        limit = tool.rate_limit or self.rate_limit
        if limit is not None:
            self._limiter.check(principal.id, tool.name, limit)
        return principal

    def visible_tools(self, principal: Principal) -> list[Tool[StateT]]:
        """The tools ``tools/list`` shows this caller: only those its scopes permit."""
        return [t for t in self._tools.values() if not self.scope_policy.missing(principal, t.scopes)]

    def _listing(self, principal: PrincipalSource) -> types.ListToolsResult:
        """The caller's tools, or the JSON-RPC error ``AUTH_REQUIRED_CODE`` when its credential fails:
        an empty list would read as "this connector has no tool for that"."""
        caller = _resolve(principal)
        if isinstance(caller, AuthError):
            rendered = render_tool_error(caller, correlation_id=new_correlation_id())
            message = rendered.text.replace("\n", " ")
            logger.warning(
                "tools/list refused [%s]: %s", rendered.structured["error"]["correlation_id"], message
            )
            raise MCPError(AUTH_REQUIRED_CODE, message, data={ERROR_META: rendered.structured["error"]})
        return types.ListToolsResult(tools=[tool.definition for tool in self.visible_tools(caller)])

    # -- serving ----------------------------------------------------------------------------

    def _serving(
        self,
        state: StateT,
        *,
        principal: PrincipalSource,
        store: IdempotencyStore | None,
        cursors: CursorCodec | None,
    ) -> Callable[[str, dict[str, Any] | None], Awaitable[types.CallToolResult]]:
        """``tools/call`` as served, on the SDK's path and on stdio's lean one alike: the pipeline,
        and outside it (a principal source that raises, say) a masked ``-32603`` with a correlation
        id, never the exception's text."""

        async def call(name: str, arguments: dict[str, Any] | None) -> types.CallToolResult:
            try:
                return await self.call(
                    state, name, arguments, store=store, cursors=cursors, principal=principal
                )
            except MCPError:
                raise
            except Exception:  # noqa: BLE001 - the masking boundary of tools/call
                raise _masked("tools/call") from None

        return call

    def server(
        self,
        state: StateT,
        *,
        principal: PrincipalSource,
        store: IdempotencyStore | None = None,
        cursors: CursorCodec | None = None,
    ) -> Server[Any]:
        """The SDK low-level ``Server`` that serves these tools with ``state``.

        ``principal`` is the caller of every request, and has no default: a ``Principal``
        (``LOCAL_OPERATOR`` serves every caller with every scope, and says so on stderr), an
        ``AuthError`` that answers every call, or a function that returns the principal or raises
        the error, asked on every request (so a key that expires while the server runs stops
        working). ``store`` keeps idempotency records; it is required when a tool takes an
        idempotency key, and must open transactions on the connector's own database when a write
        tool writes there (``effect="database"``, the default). The tool list is frozen here:
        registering a tool afterwards raises.

        Raises:
            ToolDefinitionError: keyed tools without a store, or database writes without a store
                that gives them a transaction.
        """
        tools = dict(self._tools)
        keyed = [t.name for t in tools.values() if t.idempotency_key]
        if keyed and store is None:
            raise ToolDefinitionError(
                f"tools {', '.join(keyed)} take idempotency keys: serve them with store="
            )
        writes = [name for name, effect in self._effects.items() if effect == "database"]
        if writes and not _opens_transactions(store):
            raise ToolDefinitionError(
                f"tools {', '.join(writes)} write through ctx.transaction, which only an idempotency "
                "store on the connector's own database opens: serve them with store= on that database "
                "(SqliteIdempotencyStore(its path) or PostgresIdempotencyStore(its URL)); declare "
                "@app.write(effect='external') for a write whose effect is outside the database"
                + ("" if store is None else f" (the store given, {type(store).__name__}, opens none)")
            )
        if isinstance(principal, Principal) and principal.all_scopes:
            logger.warning(
                "%s: every caller is served as the local operator %r, with every scope "
                "(principal=LOCAL_OPERATOR); pass a principal source to authenticate callers",
                self.name,
                principal.id,
            )
        self._served = True
        fixed_listing = (
            None if callable(principal) or isinstance(principal, AuthError) else self._listing(principal)
        )

        async def on_list_tools(
            ctx: Any, params: types.PaginatedRequestParams | None
        ) -> types.ListToolsResult:
            if params is not None and params.cursor is not None:
                raise MCPError(
                    types.INVALID_PARAMS, "Invalid cursor: this server lists every tool in one page"
                )
            try:
                return fixed_listing or self._listing(principal)
            except MCPError:
                raise
            except Exception:  # noqa: BLE001 - the masking boundary of tools/list
                raise _masked("tools/list") from None

        call = self._serving(state, store=store, cursors=cursors, principal=principal)

        async def on_call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
            return await call(params.name, params.arguments)

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
        principal: PrincipalSource,
        store: IdempotencyStore | None = None,
        cursors: CursorCodec | None = None,
    ) -> None:
        """Serve over stdin/stdout until the client closes the stream, then let calls in flight
        finish (up to 10 s) and write their answers. Malformed frames are answered with a JSON-RPC
        error when they carry a readable id (``wireproof.serve._stdio``).

        Raises:
            AuthError: the principal source fails already (a variable unset, a key unknown or
                expired): a stdio server's credential is fixed when it starts, so it does not start.
        """
        from wireproof.serve._stdio import serve_stdio  # serve sits above the connector

        refused = _resolve(principal)
        if isinstance(refused, AuthError):
            raise refused
        server = self.server(state, store=store, cursors=cursors, principal=principal)
        calls = self._serving(state, store=store, cursors=cursors, principal=principal)
        await serve_stdio(server, calls=calls)  # the handler the server runs, on the lean path

    def run_stdio(
        self,
        state: StateT,
        *,
        principal: PrincipalSource,
        store: IdempotencyStore | None = None,
        cursors: CursorCodec | None = None,
    ) -> None:
        """Blocking form of ``serve_stdio`` for a console script's ``main``.

        A credential that fails at start (``serve_stdio`` raises ``AuthError``) is one line on
        stderr, saying what is wrong and what to do, and ``SystemExit(2)``: the client sees the
        server fail to start instead of a connector without tools.
        """
        try:
            anyio.run(
                functools.partial(self.serve_stdio, state, store=store, cursors=cursors, principal=principal)
            )
        except AuthError as error:
            print(f"{self.name}: error: {_sentence(error.message)} {error.advice()}", file=sys.stderr)
            raise SystemExit(2) from None


def _masked(method: str) -> MCPError:
    """Log the exception being handled under a new correlation id; the ``-32603`` that names only the id."""
    correlation_id = new_correlation_id()
    logger.exception("%s failed outside the tool pipeline [%s]", method, correlation_id)
    return MCPError(
        types.INTERNAL_ERROR,
        f"Internal error [{correlation_id}]: the server could not answer {method}; the cause is in its log "
        "under this id. Retrying may help.",
    )


def _sentence(message: str) -> str:
    return message if message.endswith((".", "!", "?")) else f"{message}."


def _opens_transactions(store: IdempotencyStore | None) -> bool:
    """Whether ``store`` gives write tools a transaction (asked once, at start, with an empty one)."""
    if store is None:
        return False
    with store.transaction() as transaction:
        return transaction is not None


def _audit_fingerprint(arguments: dict[str, Any]) -> str:
    """The keyed fingerprint of a call's arguments: equal for equal JSON values within this process.

    Arguments that are all strings (the common call) are canonical as they are, once their keys are
    sorted, and are encoded by pydantic-core; anything else goes through ``canonical_json`` (numbers
    spelled alike, nested values). Each value always takes the same way, so equal values match."""
    try:
        if all(type(value) is str for value in arguments.values()):
            encoded = pydantic_core.to_json(dict(sorted(arguments.items())))
        else:
            encoded = canonical_json(arguments).encode()
    except (TypeError, ValueError):  # not JSON, or a lone surrogate (pydantic-core's error is a ValueError)
        return "unhashable"
    return hashlib.blake2b(encoded, key=_AUDIT_KEY, digest_size=32).hexdigest()


class _AuditClock:
    """The audit line's UTC time to the millisecond, as ``datetime.isoformat(timespec="milliseconds")``
    writes it, with the date and time of day formatted once a second rather than on every line."""

    __slots__ = ("prefix", "second")

    def __init__(self) -> None:
        self.second, self.prefix = -1, ""

    def now(self) -> str:
        microseconds = round(time.time() * 1_000_000)  # datetime.now rounds to the microsecond too
        second, rest = divmod(microseconds, 1_000_000)
        if second != self.second:
            self.second = second
            self.prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self.prefix}.{rest // 1000:03d}+00:00"


_AUDIT_CLOCK = _AuditClock()


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
    line = {
        "time": _AUDIT_CLOCK.now(),
        "principal": caller.id if isinstance(caller, Principal) else None,
        "tool": tool,
        # keyed with a per-process secret: a small argument space cannot be brute-forced back
        "arguments_fingerprint": _audit_fingerprint(arguments or {}),
        "outcome": error["type"] if isinstance(error, dict) else "ok",
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        "correlation_id": correlation_id,
    }
    try:
        text = pydantic_core.to_json(line).decode()
    except ValueError:  # a lone surrogate in a principal's id: written as a JSON escape
        text = json.dumps(line, separators=(",", ":"))
    # Logger.info would look up the calling frame for the record (a quarter of the line's cost); an
    # audit line's place in this file says nothing, so the record is made without it (the caller has
    # checked the level, as Logger.info would).
    audit_logger.handle(audit_logger.makeRecord(audit_logger.name, logging.INFO, __file__, 0, text, (), None))
