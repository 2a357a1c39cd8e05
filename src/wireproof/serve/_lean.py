"""``tools/call`` over stdio straight into the connector's pipeline, past the SDK's request machinery.

The SDK serves every request through its dispatcher: a task and a dispatch context, in the
2026-07-28 era a connection, a session and a runner built for each request, a middleware chain,
request and result models. For a connector's ``tools/call`` none of it does anything the pipeline
needs: the handler (``Connector.call``) reads the name and the arguments, and sends nothing back
while it runs. So once the SDK has settled the connection's era, a ``tools/call`` frame is taken
here instead::

    frame ─▶ JSON ─▶ a plain tools/call on a settled connection? ─no, or any doubt─▶ the SDK, unchanged
                        │ yes
                        ▼
             the SDK's own checks of the request: its era, its envelope (2026-07-28), its params
             for the protocol version ─fail─▶ the SDK, which refuses it in its own words
                        │ pass
                        ▼
             a task: the pipeline (``Connector.call``) ─▶ the SDK's result sieve for the version,
             ``resultType`` and the ``serverInfo`` stamp (2026-07-28) ─▶ one frame

- The answer is the one the SDK writes: the same fields, the same error codes (an ``MCPError`` is
  its own ``ErrorData``; anything else is ``-32603`` with nothing of the exception on the wire).
- Each call runs in a task of its own (a plain asyncio task on asyncio: anyio's ``start_soon``
  costs a call 30-35 µs more), so a slow call holds up nothing else.
- ``notifications/cancelled`` naming a call taken here cancels it (the transport asks ``cancel``
  of every cancel it reads), and it is never answered; ids correlate as the SDK's do (``"7"`` and
  ``7`` are one id). A call still running when the
  connection closes is answered ``Connection closed``, as the SDK answers its own.
- Not taken, so the SDK serves it as before: any frame before the era is settled (the handshake
  era: until ``initialize`` has been answered; and while any ``initialize`` awaits its answer), an
  id in use on either path, params with anything past ``name``,
  ``arguments`` and ``_meta``, a server with middleware other than the SDK's OpenTelemetry span or
  a cache hint for ``tools/call``, and a process with an OpenTelemetry tracer provider set when
  serving starts (so the SDK's span, with the caller's trace context, is kept whenever anyone traces).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

import anyio
import anyio.abc
import mcp_types as types
import pydantic_core
from mcp.server._otel import OpenTelemetryMiddleware
from mcp.server.lowlevel import Server
from mcp.shared.dispatcher import coerce_request_id
from mcp.shared.exceptions import MCPError
from mcp.shared.inbound import InboundLadderRejection, classify_inbound_request
from mcp.shared.jsonrpc_dispatcher import handler_exception_to_error_data
from mcp_types import methods as _methods
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from opentelemetry import trace

from wireproof._scopes import cancel_scope

if TYPE_CHECKING:
    from wireproof.serve._stdio import _InFlight

__all__ = ["CallHandler", "LeanCalls"]

logger = logging.getLogger("wireproof.stdio")

CallHandler = Callable[[str, dict[str, Any] | None], Awaitable[types.CallToolResult]]
"""The connector's pipeline for one call: the tool's name and arguments in, its result out."""

_PARAM_KEYS: Final = frozenset({"name", "arguments", "_meta"})
_MESSAGE_KEYS: Final = frozenset({"jsonrpc", "id", "method", "params"})
_MAX_INT_ID: Final = 2**53
_MAX_CHECKED: Final = 256
_UNTRACED: Final = (trace.ProxyTracerProvider, trace.NoOpTracerProvider)


class _Running:
    __slots__ = ("closing", "peer_cancelled", "request_id", "scope")

    def __init__(self, request_id: types.RequestId) -> None:
        self.request_id = request_id
        self.scope = cancel_scope()
        self.peer_cancelled = False
        self.closing = False  # cancelled because the connection closes: answered "Connection closed"


class LeanCalls:
    """The lean ``tools/call`` path of one stdio connection (see the module)."""

    def __init__(
        self,
        server: Server[Any],
        call: CallHandler,
        in_flight: _InFlight,
        send: Callable[[bytes], Awaitable[None]],
    ) -> None:
        self.call, self.in_flight, self.send = call, in_flight, send
        self.usable = (
            "tools/call" not in server.cache_hints
            and all(isinstance(m, OpenTelemetryMiddleware) for m in server.middleware)
            and isinstance(trace.get_tracer_provider(), _UNTRACED)  # nobody traces, as serving starts
        )
        self.stamp = server.server_info_stamp
        self.checked: dict[bytes, str | None] = {}  # a request's _meta (as JSON): its version, or None
        self.era: str | None = None  # "modern" or "handshake", once the first request settles it
        self.version: str | None = None  # the handshake era's negotiated version, once answered
        self.initialize_ids: set[types.RequestId] = set()
        self.running: dict[types.RequestId, _Running] = {}
        self.tasks: set[asyncio.Task[None]] = set()  # the calls' own tasks, on asyncio

    # -- what the SDK sees, to know when its era is settled -------------------------------------

    def saw_request(self, message: types.JSONRPCRequest) -> None:
        """A request handed to the SDK: the first one settles the era (as the SDK decides it)."""
        if self.era is None:
            opens_modern = message.method != "initialize" and _has_envelope(message.params)
            self.era = "modern" if opens_modern else "handshake"
        if self.era == "handshake" and message.method == "initialize":
            self.initialize_ids.add(coerce_request_id(message.id))

    def saw_answer(self, message: types.JSONRPCResponse | types.JSONRPCError) -> None:
        """An answer the SDK wrote: a successful ``initialize`` opens the handshake era's calls."""
        if message.id is None or coerce_request_id(message.id) not in self.initialize_ids:
            return
        self.initialize_ids.discard(coerce_request_id(message.id))
        if isinstance(message, types.JSONRPCResponse):
            version = message.result.get("protocolVersion")
            if isinstance(version, str) and version != self.version:
                self.version = version
                self.checked.clear()  # checked at the version before

    # -- taking a frame ---------------------------------------------------------------------------

    def take(self, frame: bytes, tasks: anyio.abc.TaskGroup) -> bool:
        """Serve ``frame`` here when it is a call this path takes (started in ``tasks``), or a cancel
        of one; False leaves the frame to the SDK."""
        message = self._message(frame)
        if message is None:
            return False
        params = message["params"]
        if message.get("method") != "tools/call" or not _plain_call(message.get("id"), params):
            return False
        request_id: types.RequestId = message["id"]
        key = coerce_request_id(request_id)
        in_use = key in self.running or self.in_flight.holds(request_id)
        version = None if in_use else self._version(params)
        if version is None:  # an id in use, or a request the SDK would refuse: the SDK's to answer
            return False
        running = self.running[key] = _Running(request_id)
        self.in_flight.started(request_id)
        call = self._run(running, key, params["name"], params.get("arguments"), version)
        try:  # a task of its own: on asyncio a plain one (anyio's start_soon costs a call 30-35 us more)
            task = asyncio.get_running_loop().create_task(call)
        except RuntimeError:  # another event loop (trio): anyio's task group
            tasks.start_soon(lambda: call)
            return True
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return True

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:  # _run answers every failure itself
            logger.error("a lean tools/call task failed", exc_info=task.exception())

    async def close(self) -> None:
        """At the end of the connection: every call still running is cancelled and answered
        ``Connection closed``; return once their tasks have ended."""
        for running in list(self.running.values()):
            running.closing = True
            running.scope.cancel()
        while self.tasks:
            await asyncio.wait(set(self.tasks))

    def _message(self, frame: bytes) -> dict[str, Any] | None:
        """The frame as a JSON-RPC 2.0 message with params, when this path may take it at all."""
        if self.era is None or not self.usable or self.initialize_ids:  # an initialize not yet answered
            return None
        if (self.era == "handshake" and self.version is None) or b'"tools/call"' not in frame:
            return None
        try:
            message = pydantic_core.from_json(frame)
        except ValueError:
            return None
        if (
            type(message) is not dict
            or message.keys() - _MESSAGE_KEYS
            or message.get("jsonrpc") != "2.0"
            or type(message.get("params")) is not dict
        ):
            return None
        return message

    def _version(self, params: dict[str, Any]) -> str | None:
        """The protocol version the SDK would serve this call at, or None when it would refuse it.
        The name and the arguments are already known good (a string, an object or none), so what is
        left to check depends only on ``_meta``, which a client sends alike on every call: checked
        once per distinct ``_meta``."""
        meta = params.get("_meta")
        probe: dict[str, Any] = {"name": "", "arguments": {}}
        if meta is None:
            seen = b""
        elif not isinstance(meta, dict):
            return None
        else:
            probe["_meta"] = meta
            token = meta.get("progressToken")
            if "progressToken" in meta and (isinstance(token, bool) or not isinstance(token, str | int)):
                return self._checked(probe)  # a token of an odd type: checked alone, never cached
            try:  # clients send a new progress token per call, and any string or integer is one:
                seen = pydantic_core.to_json({k: v for k, v in meta.items() if k != "progressToken"})
            except (ValueError, UnicodeEncodeError):  # the key leaves it out
                return None
        if seen in self.checked:
            return self.checked[seen]
        version = self._checked(probe)
        if len(self.checked) < _MAX_CHECKED:
            self.checked[seen] = version
        return version

    def _checked(self, params: dict[str, Any]) -> str | None:
        if self.era == "modern":
            route = classify_inbound_request({"method": "tools/call", "params": params})
            if isinstance(route, InboundLadderRejection):
                return None
            version = route.protocol_version
        elif _has_envelope(params):
            return None  # the handshake era refuses a 2026-07-28 envelope
        elif self.version is None:
            return None
        else:
            version = self.version
        try:  # both checks the SDK makes: the version's surface, then the handler's params model
            _methods.validate_client_request("tools/call", version, params)
            types.CallToolRequestParams.model_validate(params, by_name=False)
        except (KeyError, ValueError):  # pydantic's ValidationError is a ValueError
            return None
        return version

    def cancel(self, request_id: types.RequestId) -> bool:
        """Cancel the call taken here under this id (``"7"`` and ``7`` alike), which then is never
        answered; False when no call here has it (the SDK's, or nobody's)."""
        running = self.running.get(coerce_request_id(request_id))
        if running is None:
            return False
        running.peer_cancelled = True
        running.scope.cancel()
        self.in_flight.settled(running.request_id)
        return True

    # -- running a call ---------------------------------------------------------------------------

    async def _run(
        self,
        running: _Running,
        key: types.RequestId,
        name: str,
        arguments: dict[str, Any] | None,
        version: str,
    ) -> None:
        started_answer = False
        try:
            with running.scope:
                try:
                    body: dict[str, Any] = {"result": self._shaped(await self.call(name, arguments), version)}
                except Exception as exc:  # noqa: BLE001 - the wire boundary, as the SDK's dispatcher's
                    body = {
                        "error": _error_data(exc).model_dump(by_alias=True, mode="json", exclude_none=True)
                    }
                if not running.peer_cancelled:
                    started_answer = True
                    await self._answer(running.request_id, body)
            if running.closing and not started_answer and not running.peer_cancelled:
                await self._closed(running)
        except anyio.get_cancelled_exc_class():
            if not started_answer and not running.peer_cancelled:  # the connection is closing
                await self._closed(running)
            raise
        finally:
            if self.running.get(key) is running:
                del self.running[key]
            if not running.peer_cancelled:
                self.in_flight.settled(running.request_id)

    async def _closed(self, running: _Running) -> None:
        closed = types.ErrorData(code=types.CONNECTION_CLOSED, message="Connection closed")
        with anyio.CancelScope(shield=True), anyio.move_on_after(1):
            await self._answer(running.request_id, {"error": closed.model_dump(exclude_none=True)})

    async def _answer(self, request_id: types.RequestId, body: dict[str, Any]) -> None:
        try:
            await self.send(_frame(request_id, body))
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            logger.warning("the answer to tools/call %s is dropped: the connection is closed", request_id)
            return
        if logger.isEnabledFor(logging.DEBUG):  # the id's JSON is made only for a line that is written
            logger.debug("tools/call %s answered on the lean path", json.dumps(request_id))

    def _shaped(self, result: types.CallToolResult, version: str) -> dict[str, Any]:
        """The result as the SDK's runner writes it at ``version`` (``ServerRunner._serialize``)."""
        dumped = result.model_dump(by_alias=True, mode="json", exclude_none=True)
        modern = version in MODERN_PROTOCOL_VERSIONS
        result_type = dumped.get("resultType")
        if not modern or not isinstance(result_type, str) or result_type in types.CORE_RESULT_TYPES:
            dumped = _sieved(dumped, version)
        if not modern:
            return dumped
        if dumped.get("resultType") is None:
            dumped["resultType"] = "complete"
        meta = dumped.get("_meta")
        if meta is None:
            dumped["_meta"] = {types.SERVER_INFO_META_KEY: self.stamp}
        elif isinstance(meta, dict) and meta.get(types.SERVER_INFO_META_KEY) is None:
            dumped["_meta"] = {**meta, types.SERVER_INFO_META_KEY: self.stamp}
        return dumped


_PLAIN_RESULT_KEYS: Final = frozenset({"content", "structuredContent", "isError", "resultType"})
_PLAIN_PROBE: Final = {
    "content": [{"type": "text", "text": "probe"}],
    "structuredContent": {"probe": ["probe", 1, 2.5, True, None, {}]},
    "isError": False,
    "resultType": "complete",
}


@functools.cache
def _plain_fields(version: str) -> tuple[str, ...] | None:
    """The fields of a plain result (``_is_plain``) that the SDK's sieve keeps at ``version``, in the
    order it writes them; None when the sieve does anything to a plain result but keep or drop whole
    fields (then every result goes through it). Learned once per version from the sieve itself."""
    try:
        sieved = _methods.serialize_server_result("tools/call", version, _PLAIN_PROBE)
    except ValueError:  # a version the SDK does not know: the sieve refuses it, in its own words
        return None
    if any(key not in _PLAIN_PROBE or sieved[key] != _PLAIN_PROBE[key] for key in sieved):
        return None
    return tuple(sieved)


def _is_plain(dumped: dict[str, Any]) -> bool:
    """A result of only text blocks, a JSON object as structuredContent and the flags: the shape whose
    every value the SDK's sieve passes unchanged (``tests/serve/test_lean.py`` holds it to that)."""
    if dumped.keys() - _PLAIN_RESULT_KEYS or dumped.get("resultType") != "complete":
        return False
    if type(dumped.get("isError", False)) is not bool:
        return False
    structured = dumped.get("structuredContent")
    if structured is not None and type(structured) is not dict:
        return False
    content = dumped.get("content")
    return type(content) is list and all(
        type(block) is dict
        and block.keys() == _TEXT_BLOCK_KEYS
        and block["type"] == "text"
        and type(block["text"]) is str
        for block in content
    )


_TEXT_BLOCK_KEYS: Final = frozenset({"type", "text"})


def _sieved(dumped: dict[str, Any], version: str) -> dict[str, Any]:
    """The result as the SDK's sieve at ``version`` writes it (``serialize_server_result``): for a plain
    result, the fields the version keeps, taken as they are (the sieve would validate and dump each
    one again to the same value); anything else through the sieve itself."""
    kept = _plain_fields(version)
    if kept is not None and _is_plain(dumped):
        return {key: dumped[key] for key in kept if key in dumped}
    try:
        return _methods.serialize_server_result("tools/call", version, dumped)
    except ValueError:
        logger.exception("tools/call returned a result the protocol version %s cannot carry", version)
        raise MCPError(code=types.INTERNAL_ERROR, message="Handler returned an invalid result") from None


def _plain_call(request_id: Any, params: dict[str, Any]) -> bool:
    """A ``tools/call`` of the shape this path takes: an id of a kind the SDK takes, a string name,
    an object (or no) arguments, and nothing in params past those and ``_meta``."""
    if isinstance(request_id, bool) or not (
        isinstance(request_id, str) or (isinstance(request_id, int) and abs(request_id) < _MAX_INT_ID)
    ):
        return False
    arguments = params.get("arguments")
    return (
        not params.keys() - _PARAM_KEYS
        and type(params.get("name")) is str
        and (arguments is None or type(arguments) is dict)
    )


def _has_envelope(params: Any) -> bool:
    meta = params.get("_meta") if isinstance(params, dict) else None
    return isinstance(meta, dict) and types.PROTOCOL_VERSION_META_KEY in meta


def _error_data(exc: Exception) -> types.ErrorData:
    error = handler_exception_to_error_data(exc)
    if error is not None:
        return error
    logger.error("tools/call failed outside the pipeline", exc_info=exc)
    return types.ErrorData(code=types.INTERNAL_ERROR, message="Internal error")


def _frame(request_id: types.RequestId, body: dict[str, Any]) -> bytes:
    message = {"jsonrpc": "2.0", "id": request_id, **body}
    try:
        return pydantic_core.to_json(message) + b"\n"
    except (ValueError, UnicodeEncodeError):  # a lone surrogate echoed from the request
        return json.dumps(message, ensure_ascii=True).encode() + b"\n"
