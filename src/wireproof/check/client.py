"""Connect to the server under check, over stdio, Streamable HTTP or in memory, and make bounded calls.

A ``Connection`` belongs to one task. Each call is bounded by a timeout and turned
into a ``CallRecord`` whatever happens: a result, a JSON-RPC error, a timeout, or a
crash (the connection is then reopened for the next call, so one crashing input
does not end the check).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import re
import shlex
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import anyio
import httpx2
import mcp_types as types
import pydantic
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from wireproof._handshake import PARSE_FAILURE, STDIO_LOGGER, describe_handshake_failure, unparsed_line
from wireproof._tool_listing import list_every_tool
from wireproof.check.config import SetupCall
from wireproof.check.model import CallRecord, Purpose, ToolInfo
from wireproof.errors import CheckTargetError

__all__ = ["INVALID_RESULT", "CheckTargetError", "Connection", "Target", "connect", "target_from_mcp_config"]

INVALID_RESULT: Final = "the answer is not a valid tools/call result"
# The MCP transports' own defaults (30 s to connect, write and pool; 300 s to read a held stream);
# built here, not with the SDK's private mcp.shared._httpx_utils helper.
_HTTP_TIMEOUT: Final = httpx2.Timeout(30.0, read=300.0)
"""How a ``CallRecord``'s error message starts when the client itself refused the answer."""


@dataclass(frozen=True, slots=True)
class Target:
    """What to check: a stdio command, an HTTP URL, or an in-process SDK server."""

    command: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    server: Server[Any] | None = None
    mode: str = "auto"

    @property
    def transport(self) -> str:
        if self.server is not None:
            return "memory"
        return "http" if self.url else "stdio"

    def describe(self) -> str:
        if self.url:
            return self.url
        if self.server is not None:
            return f"in-process server {self.server.name}"
        return shlex.join(self.command)


def target_from_mcp_config(path: Path, name: str) -> Target:
    """Read a server from the ``mcpServers`` JSON that desktop MCP clients use."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CheckTargetError(f"cannot read {path}: {exc}") from exc
    servers = config.get("mcpServers") if isinstance(config, dict) else None
    if not isinstance(servers, dict):
        raise CheckTargetError(f"{path} has no mcpServers object")
    entry = servers.get(name)
    if not isinstance(entry, dict):
        raise CheckTargetError(
            f"{path} has no server named {name!r}; it has: {', '.join(sorted(servers)) or 'none'}"
        )
    if isinstance(entry.get("url"), str):
        return Target(
            url=entry["url"], headers={str(k): str(v) for k, v in (entry.get("headers") or {}).items()}
        )
    if not isinstance(entry.get("command"), str):
        raise CheckTargetError(f"server {name!r} in {path} has neither a command nor a url")
    args = [str(a) for a in entry.get("args") or []]
    env = {str(k): str(v) for k, v in (entry.get("env") or {}).items()}
    return Target(command=(entry["command"], *args), env=env, cwd=entry.get("cwd"))


_PLACEHOLDER: Final = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")


def filled(value: Any, captured: Mapping[str, str]) -> Any:
    """``value`` with every ``{{NAME}}`` in its strings replaced by what the setup captured (others kept)."""
    if isinstance(value, str):
        if "{{" not in value:
            return value
        return _PLACEHOLDER.sub(lambda m: captured.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: filled(v, captured) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, captured) for v in value]
    return value


def _captured(record: CallRecord, path: str) -> str | None:
    """The value at ``path`` (dots for nesting) of the answer's JSON, or of a ``path: value`` in its text."""
    value: Any = record.answer_json()
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    last = re.escape(path.rsplit(".", maxsplit=1)[-1])
    match = re.search(rf"\b{last}\b[\"']?\s*[:=]\s*[\"']?([\w.:/-]+)", record.text)
    return match.group(1) if match else None


MAX_FAULTS: Final = 5
"""Stdout lines that are no JSON-RPC message kept per connection (all are counted; see Observations)."""


_OPENING: Final[contextvars.ContextVar[Connection | None]] = contextvars.ContextVar(
    "wireproof_check_connection", default=None
)
"""The connection whose client is being made: the SDK's stdio reader task, started then, keeps it in its context."""


class _StdoutFaults(logging.Filter):
    """Counts each stdout line the SDK's stdio client could not parse for the connection whose reader read it.

    The SDK logs every such line (``mcp.client.stdio``) and drops it: lines written before the session is up
    (a start-up banner, read during the handshake) reach no message handler, only this log."""

    def filter(self, record: logging.LogRecord) -> bool:
        connection = _OPENING.get()
        if connection is not None and record.msg == PARSE_FAILURE:
            connection.stdout_fault(record.exc_info[1] if record.exc_info else None)
        return True


_FAULTS: Final = _StdoutFaults()


def _watch_stdout() -> None:
    """Install the counting filter on the SDK's stdio client logger, ahead of any other (idempotent)."""
    stdio_logger = logging.getLogger(STDIO_LOGGER)
    if _FAULTS not in stdio_logger.filters:
        stdio_logger.filters.insert(
            0, _FAULTS
        )  # before a filter that rewrites the record (the CLI's one line)


def _fault_line(exc: BaseException | None) -> str:
    """The stdout line a parse error was about (pydantic's error keeps it as its input), else the error."""
    if exc is None:
        return "(a line the client could not parse)"
    line = unparsed_line(exc)
    return (line if line is not None else f"{type(exc).__name__}: {exc}")[:200]


def stdio_params(target: Target) -> StdioServerParameters:
    # The SDK passes a minimal environment by default; a checker keeps PATH and HOME so
    # commands such as `uvx` or a virtualenv's scripts resolve as they do for a user.
    env = {
        k: v
        for k, v in os.environ.items()
        if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    }
    env.update(target.env)
    return StdioServerParameters(
        command=target.command[0], args=list(target.command[1:]), env=env, cwd=target.cwd
    )


class Connection:
    """An open MCP session to the target, reopened after a crash."""

    def __init__(self, target: Target, timeout: float, setup: Sequence[SetupCall] = ()) -> None:
        self.target = target
        self.timeout = timeout
        self.setup = tuple(setup)
        self.captured: dict[str, str] = {}
        """What the ``[[setup]]`` calls of the current session captured, by placeholder name."""
        self._stack: AsyncExitStack | None = None
        self.client: Client | None = None
        self.broken = False
        self.stdout_faults: list[str] = []
        """The lines a stdio server wrote to stdout that are no JSON-RPC message (the first ``MAX_FAULTS``),
        kept across reopens: stdout is the protocol channel."""
        self.stdout_fault_count = 0
        self.observer_noise: dict[str, list[str]] | None = None
        """What each observer (by position) changes on every call, learnt at the first snapshot."""

    async def open(self) -> Client:
        if self.client is not None:
            return self.client
        stack = AsyncExitStack()
        await stack.__aenter__()
        try:
            # The handshake is bounded by the client's read timeout; a cancel scope cannot wrap
            # entering the client, whose task group must outlive this call.
            # The stdio reader task starts in here and inherits this context: its parse failures are ours.
            _watch_stdout()
            token = _OPENING.set(self)
            try:
                self.client = await stack.enter_async_context(await self._make_client(stack))
            finally:
                _OPENING.reset(token)
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack
        if self.setup:
            await self._run_setup()
        return self.client

    async def _run_setup(self) -> None:
        """Make the ``[[setup]]`` calls on the fresh session and capture their values; a failure ends the check."""
        self.captured = {}
        for step in self.setup:
            record = await self.call(step.tool, step.arguments, "setup", reconnect=False)
            if record.outcome != "result" or record.is_error:
                said = record.text or record.error_message or record.outcome
                raise CheckTargetError(f"the [[setup]] call of {step.tool} failed: {said[:300]}")
            for name, path in step.capture.items():
                value = _captured(record, path)
                if value is None:
                    raise CheckTargetError(
                        f"the [[setup]] call of {step.tool} answered no {path!r} to capture as {{{{{name}}}}}: "
                        f"{(record.text or '')[:200]}"
                    )
                self.captured[name] = value

    async def _make_client(self, stack: AsyncExitStack) -> Client:
        target = self.target
        if target.server is not None:
            return Client(target.server, mode=target.mode, cache=None, read_timeout_seconds=self.timeout)
        if target.url is not None:
            # We pass the HTTP client in, so we own it: the stack closes it after the session.
            http = await stack.enter_async_context(
                httpx2.AsyncClient(headers=dict(target.headers), timeout=_HTTP_TIMEOUT)
            )
            return Client(
                streamable_http_client(target.url, http_client=http),
                mode=target.mode,
                cache=None,
                read_timeout_seconds=self.timeout,
            )
        return Client(stdio_params(target), mode=target.mode, cache=None, read_timeout_seconds=self.timeout)

    def stdout_fault(self, exc: BaseException | None) -> None:
        """A stdout line of this connection's server that is no JSON-RPC message (``_StdoutFaults``)."""
        self.stdout_fault_count += 1
        if len(self.stdout_faults) < MAX_FAULTS:
            self.stdout_faults.append(_fault_line(exc))

    async def close(self) -> None:
        stack, self._stack, self.client = self._stack, None, None
        if stack is not None:
            # No cancel scope here: the client's task group must be exited in the scope it was entered in.
            # Closing a connection whose server already died: nothing is left to release.
            with contextlib.suppress(MCPError, OSError, anyio.BrokenResourceError, anyio.ClosedResourceError):
                await stack.aclose()

    async def _after_failure(self, reconnect: bool) -> None:
        if reconnect:
            await self.close()
        else:
            self.broken = True

    async def recover(self) -> None:
        """Reopen the connection if a concurrent call left it broken (call from the owning task)."""
        if self.broken:
            self.broken = False
            await self.close()

    async def list_tools(self) -> list[ToolInfo]:
        client = await self.open()
        with anyio.fail_after(self.timeout):
            tools = await list_every_tool(client)
        return [
            ToolInfo(
                name=t.name,
                description=t.description,
                input_schema=dict(t.input_schema),
                output_schema=dict(t.output_schema) if t.output_schema is not None else None,
                annotations=t.annotations.model_dump(by_alias=True, exclude_none=True)
                if t.annotations
                else None,
            )
            for t in tools
        ]

    async def call(
        self,
        tool: str,
        arguments: dict[str, Any],
        purpose: Purpose,
        *,
        field: str | None = None,
        constraint: str | None = None,
        reconnect: bool = True,
    ) -> CallRecord:
        """Call ``tool`` once, bounded by the timeout; never raises for what the server does.

        ``reconnect=False`` for calls made concurrently on this connection: a child task must not
        close the connection under its siblings; the owner reopens it afterwards if it died.
        """
        if self.captured:
            arguments = filled(arguments, self.captured)
        record = CallRecord(tool, arguments, purpose, "result", 0.0, field=field, constraint=constraint)
        started = time.perf_counter()
        try:
            client = await self.open()
            request = types.CallToolRequest(
                params=types.CallToolRequestParams(name=tool, arguments=arguments)
            )
            with anyio.fail_after(self.timeout):
                result = await client.session.send_request(request, types.CallToolResult)
        except TimeoutError:
            record.outcome, record.error_message = "timeout", f"no answer within {self.timeout:g} s"
            await self._after_failure(reconnect)
        except MCPError as error:
            if error.code == types.REQUEST_TIMEOUT:  # the SDK's own read timeout fired first
                record.outcome, record.error_message = "timeout", f"no answer within {self.timeout:g} s"
                await self._after_failure(reconnect)
            elif error.code == types.CONNECTION_CLOSED:
                record.outcome, record.error_message = "crash", f"the connection closed: {error.message}"
                await self._after_failure(reconnect)
            else:
                record.outcome, record.error_code, record.error_message = (
                    "protocol_error",
                    error.code,
                    error.message,
                )
        except pydantic.ValidationError as error:
            record.outcome, record.error_code = "protocol_error", types.INVALID_REQUEST
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "result"
            record.error_message = (
                f"{INVALID_RESULT}: {error.error_count()} problem(s), first at {where}: {first['msg']}"
            )
        except (OSError, anyio.BrokenResourceError, anyio.ClosedResourceError) as error:
            record.outcome, record.error_message = "crash", f"{type(error).__name__}: {error}"
            await self._after_failure(reconnect)
        else:
            record.is_error = bool(result.is_error)
            record.text = "\n".join(b.text for b in result.content if isinstance(b, types.TextContent))
            record.structured = result.structured_content
            record.filled_blocks = sum(
                1 for b in result.content if not isinstance(b, types.TextContent) or b.text.strip()
            )
            record.meta = dict(result.meta) if result.meta else None
            record.size_bytes = len(result.model_dump_json(by_alias=True, exclude_none=True).encode())
        record.elapsed_ms = (time.perf_counter() - started) * 1000
        return record


@asynccontextmanager
async def connect(
    target: Target,
    timeout: float,  # noqa: ASYNC109 - bounds each call, not the whole connection
    setup: Sequence[SetupCall] = (),
) -> AsyncIterator[Connection]:
    """Open a connection to ``target`` for the calling task, and close it on exit; ``setup``: the calls
    each fresh session gets first (``[[setup]]``)."""
    connection = Connection(target, timeout, setup)
    try:
        await connection.open()
    except CheckTargetError:
        await connection.close()
        raise
    except Exception as exc:
        await connection.close()
        raise CheckTargetError(
            f"cannot connect to {target.describe()}: {describe_handshake_failure(exc, stdio=target.transport == 'stdio')}"
        ) from exc
    try:
        yield connection
    finally:
        await connection.close()
