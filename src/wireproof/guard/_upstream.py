"""The guarded server: one supervised MCP session to it, over stdio (a child process) or Streamable HTTP.

The session lives in one supervising task (the SDK's client must be entered and left in the same
task); calls from any task use it while it is up::

    start ──► connected ──(a call finds the connection closed,  ──► down ──(backoff)──► start
                           or after a timed-out call it answers no tools/list)
                                                                   │
                                      calls meanwhile: retryable ``unavailable``, never a hang

Backoff doubles from ``RESTART_BACKOFF`` up to ``MAX_RESTART_BACKOFF`` while restarts keep
failing, and resets once a session is up. The upstream's credentials are the guard's own (its
environment or ``--upstream-header``): nothing the caller sent is ever passed on.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import anyio
import anyio.abc
import httpx2
import mcp_types as types
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from wireproof._handshake import describe_handshake_failure
from wireproof._scopes import current_time
from wireproof._tool_listing import list_every_tool
from wireproof.errors import OperatorError, Unavailable
from wireproof.guard._relay import RelayClosed, StdioRelay

__all__ = ["RESTART_BACKOFF", "Upstream", "UpstreamCalls", "UpstreamSpec", "UpstreamStartError"]

logger = logging.getLogger("wireproof.guard")

RESTART_BACKOFF: Final = 0.5
"""Seconds before the first restart of a crashed upstream; doubled while restarts fail."""
MAX_RESTART_BACKOFF: Final = 30.0
HANDSHAKE_TIMEOUT: Final = 30.0
"""Seconds an upstream has to answer the MCP handshake and its tools/list."""
PING_TIMEOUT: Final = 3.0
"""Seconds a suspected upstream has to answer tools/list before it is restarted."""
_STDIO_MODE: Final = "legacy"
"""A stdio upstream is driven in the initialize-handshake era (2025-11-25) when it takes it, as every
server of docs/third-party.md does, and in 2026-07-28 only when it refuses it: the guard needs
nothing of the newer era's per-request envelope, and a dual-era SDK server answers each call of the
handshake era with less work (0.26 ms less per call, client and server together, measured on
tests/guard/flawed_upstream.py by bench/RESULTS.md's guard section). The caller's own era with the
guard is the caller's choice, unaffected."""
_CLOSED: Final = (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream, OSError)


class UpstreamCalls(Protocol):
    """What the guarded tools need of the upstream: its listing and one forwarded call."""

    async def list_tools(self) -> list[types.Tool]: ...

    async def call(
        self, name: str, arguments: dict[str, Any], *, deadline: float | None = None
    ) -> types.CallToolResult:
        """Forward one call. ``deadline``: when the caller's cancel scope ends the call, on
        ``anyio.current_time()``'s clock (``ToolContext.deadline``), when it runs inside one."""
        ...


class UpstreamStartError(OperatorError):
    """The upstream could not be started or reached at the guard's start; the message says why."""


@dataclass(frozen=True, slots=True)
class UpstreamSpec:
    """Where the guarded server is: a command to start (stdio) or a Streamable HTTP URL.

    command (tuple[str, ...]): The stdio server's command and arguments.
    env (Mapping[str, str]): Its environment (the guard's own, less what the caller's credential was in).
    url (str | None): The HTTP server's endpoint.
    headers (Mapping[str, str]): Headers the guard sends it (its own credentials).
    """

    command: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def stdio(cls, command: Sequence[str], *, withhold: Sequence[str] = ()) -> UpstreamSpec:
        """A stdio upstream started with the guard's environment, less the variables in ``withhold``."""
        env = {k: v for k, v in os.environ.items() if k not in withhold}
        return cls(command=tuple(command), env=env)

    def describe(self) -> str:
        return self.url or " ".join(self.command)


class Upstream:
    """The supervised session to the guarded server. Run ``supervise`` in a task group first."""

    def __init__(self, spec: UpstreamSpec, *, call_timeout: float = 300.0, errlog: Any = None) -> None:
        self.spec = spec
        self.call_timeout = call_timeout  # a backstop: the guard's per-call deadline is shorter
        self.errlog = errlog
        self.restarts = 0
        self._client: Client | None = None
        self._up = anyio.Event()
        self._down = anyio.Event()
        self._backoff = RESTART_BACKOFF
        self._first_failure: BaseException | None = None
        self._started = anyio.Event()
        self._probes: anyio.abc.TaskGroup | None = None
        self._probing = False
        self._relay: StdioRelay | None = None
        self._relay_meta: dict[str, Any] = {}

    async def _connect(self, stack: AsyncExitStack) -> Client:
        spec = self.spec
        if spec.url is not None:
            http = await stack.enter_async_context(
                httpx2.AsyncClient(headers=dict(spec.headers), timeout=httpx2.Timeout(HANDSHAKE_TIMEOUT))
            )
            self._relay = None
            return await stack.enter_async_context(
                Client(
                    streamable_http_client(spec.url, http_client=http),
                    cache=None,
                    read_timeout_seconds=HANDSHAKE_TIMEOUT,
                )
            )
        params = StdioServerParameters(
            command=spec.command[0], args=list(spec.command[1:]), env=dict(spec.env)
        )
        try:
            return await self._connect_stdio(stack, params, _STDIO_MODE)
        except Exception as error:
            if not _refuses_handshake(error):
                raise
            logger.info("upstream %s refuses the initialize handshake; speaking 2026-07-28", spec.describe())
            return await self._connect_stdio(stack, params, "auto")

    async def _connect_stdio(self, stack: AsyncExitStack, params: StdioServerParameters, mode: str) -> Client:
        relay = StdioRelay(params, self.errlog)
        client = await stack.enter_async_context(
            Client(relay.transport(), cache=None, read_timeout_seconds=HANDSHAKE_TIMEOUT, mode=mode)
        )
        meta = _request_meta(client)
        self._relay = relay if meta is not None else None
        self._relay_meta = meta or {}
        return client

    async def supervise(self) -> None:
        """Keep a session to the upstream open, restarting it with backoff after it is lost. Runs until
        cancelled. The first failure to connect is kept for ``wait_started`` to raise."""
        while True:
            async with AsyncExitStack() as stack:
                try:  # bounded by the client's read timeout: a cancel scope cannot wrap entering it
                    client = await self._connect(stack)
                except Exception as exc:  # noqa: BLE001 - any failure to start is "down", retried with backoff
                    if not self._started.is_set():
                        self._first_failure = exc
                        self._started.set()
                        return
                    logger.warning(
                        "upstream %s did not restart (%s); next attempt in %g s",
                        self.spec.describe(),
                        describe_handshake_failure(exc, stdio=self.spec.url is None),
                        self._backoff,
                    )
                else:
                    self._client, self._down = client, anyio.Event()
                    self._up.set()
                    self._started.set()
                    self._backoff = RESTART_BACKOFF
                    async with anyio.create_task_group() as self._probes:
                        await self._down.wait()
                        self._probes.cancel_scope.cancel()
                    self._probes = None
                    self._client, self._up = None, anyio.Event()
                    logger.warning("upstream %s was lost; restarting it", self.spec.describe())
                    self.restarts += 1
                with contextlib.suppress(*_CLOSED, MCPError):
                    await stack.aclose()
            await anyio.sleep(self._backoff)
            self._backoff = min(self._backoff * 2, MAX_RESTART_BACKOFF)

    async def wait_started(self) -> None:
        """Wait for the first session (bounded by the handshake timeout of ``supervise``).

        Raises:
            UpstreamStartError: the upstream could not be started or reached.
        """
        await self._started.wait()
        if self._first_failure is not None:
            raise UpstreamStartError(
                f"cannot start the upstream {self.spec.describe()}: {describe_handshake_failure(self._first_failure, stdio=self.spec.url is None)}"
            )

    @property
    def is_up(self) -> bool:
        """Whether a session to the upstream is open now."""
        return self._client is not None

    def _lost(self) -> None:
        self._down.set()

    def _unavailable(self) -> Unavailable:
        return Unavailable(
            "The guarded server is restarting after it stopped answering",
            code="upstream_unavailable",
            retry_after=max(self._backoff, 1.0),
        )

    async def list_tools(self) -> list[types.Tool]:
        """Every tool the upstream lists (all pages), bounded by the handshake timeout."""
        client = self._client
        if client is None:
            raise self._unavailable()
        with anyio.fail_after(HANDSHAKE_TIMEOUT):
            return await list_every_tool(client)

    async def call(
        self, name: str, arguments: dict[str, Any], *, deadline: float | None = None
    ) -> types.CallToolResult:
        """Forward one call; the caller's deadline (a cancel scope, which ends at ``deadline`` when
        given) bounds it, and ``call_timeout`` when that comes first.

        Raises:
            Unavailable: the upstream is down or its connection closed during the call (it is
                then restarted).
            MCPError: the upstream answered with a JSON-RPC error.
        """
        client = self._client
        if client is None:
            raise self._unavailable()
        if self._relay is not None:
            return await self._relayed(client, self._relay, name, arguments, deadline)
        request = types.CallToolRequest(params=types.CallToolRequestParams(name=name, arguments=arguments))
        try:
            return await client.session.send_request(
                request, types.CallToolResult, request_read_timeout_seconds=self.call_timeout
            )
        except MCPError as error:
            if error.code == types.CONNECTION_CLOSED:
                self._lost()
                raise self._unavailable() from None
            raise
        except _CLOSED:
            self._lost()
            raise self._unavailable() from None
        except anyio.get_cancelled_exc_class():
            self._suspect(client)
            raise

    async def _relayed(
        self, client: Client, relay: StdioRelay, name: str, arguments: dict[str, Any], deadline: float | None
    ) -> types.CallToolResult:
        """``call`` through the lean relay: the same timeouts, restart and errors as the SDK's path."""
        if deadline is None:  # not told: an anyio deadline of the caller's, if any (not the pipeline's
            deadline = anyio.current_effective_deadline()  # shared-timer scope, which has none)
        try:
            if deadline <= current_time() + self.call_timeout:
                # the caller's deadline comes first (the pipeline's: the guard's policy timeout is shorter
                # than this backstop): a second cancel scope would cost the call about 20 us and never fire
                response = await relay.call_tool(name, arguments, self._relay_meta)
            else:
                with anyio.fail_after(self.call_timeout):
                    response = await relay.call_tool(name, arguments, self._relay_meta)
        except RelayClosed:
            self._lost()
            raise self._unavailable() from None
        except TimeoutError:
            self._suspect(client)
            raise MCPError(types.REQUEST_TIMEOUT, "Request 'tools/call' timed out") from None
        except anyio.get_cancelled_exc_class():
            self._suspect(client)
            raise
        error = response.get("error")
        if "result" not in response:
            error = error if isinstance(error, dict) else {}
            code, message = error.get("code"), error.get("message")
            raise MCPError(
                code if isinstance(code, int) else types.INTERNAL_ERROR,
                message if isinstance(message, str) else "the upstream answered without a result",
                error.get("data"),
            )
        return types.CallToolResult.model_validate(response["result"], by_name=False)

    def _suspect(self, client: Client) -> None:
        """A call ran past its deadline: if the upstream does not answer tools/list either, it hangs, and
        every later call would wait out its timeout too; it is restarted instead."""
        if self._probes is not None and not self._probing and client is self._client:
            self._probing = True
            self._probes.start_soon(self._probe, client)

    async def _probe(self, client: Client) -> None:
        try:
            with anyio.fail_after(PING_TIMEOUT):
                await client.list_tools(cache_mode="refresh")  # ping is gone as of 2026-07-28
        except (TimeoutError, MCPError, *_CLOSED):
            logger.warning(
                "upstream %s does not answer tools/list after a call ran past its timeout; restarting it",
                self.spec.describe(),
            )
            if client is self._client:
                self._lost()
        finally:
            self._probing = False


def _refuses_handshake(error: BaseException) -> bool:
    """Whether a failed start is the upstream refusing the initialize handshake's protocol versions
    (``-32022``), however deep the SDK's task groups wrapped it."""
    if isinstance(error, BaseExceptionGroup):
        return any(_refuses_handshake(inner) for inner in error.exceptions)
    return isinstance(error, MCPError) and error.code == types.UNSUPPORTED_PROTOCOL_VERSION


def _request_meta(client: Client) -> dict[str, Any] | None:
    """The ``_meta`` every request of this session carries (2026-07-28: the protocol version, client
    info and capabilities; 2025-11-25: none over stdio), read once from the session's own request
    stamp; None when it cannot be read, and calls then keep the SDK's path."""
    stamp = getattr(client.session, "_stamp", None)
    if not callable(stamp):
        return None
    data: dict[str, Any] = {"method": "tools/list", "params": {}}
    try:
        stamp(data, {})
    except Exception:  # noqa: BLE001 - an SDK that stamps otherwise: no relay, the SDK's path
        return None
    meta = data["params"].get("_meta", {})
    return dict(meta) if isinstance(meta, dict) else None
