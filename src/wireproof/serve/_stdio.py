"""stdio for a connector: newline-delimited JSON-RPC frames, every malformed one answered or logged.

The SDK's own stdio transport hands the session whatever parses, and drops the rest unanswered;
this one reads the frames itself so it can answer them::

    stdin ──frames──▶ parse ─ok──▶ server (SDK session: both protocol eras) ──▶ stdout
                        │                                                  ▲
                        └─ malformed, with a readable id: JSON-RPC error ──┘
                           malformed, no readable id: logged and dropped

- A frame that is not JSON (bad UTF-8, a byte-order mark, nesting past the parser's depth, a
  number past its range, lone surrogates) is ``-32700`` Parse error; valid JSON that is not a
  JSON-RPC 2.0 request MCP accepts (wrong ``jsonrpc``, an id of another type, a batch, params
  that are not an object) is ``-32600`` Invalid Request. Either is sent with the frame's id when
  it can be read (a string or a number); otherwise the frame is logged and dropped.
- A frame longer than ``MAX_FRAME_BYTES`` (4 MiB, as over HTTP) is never buffered whole: it is
  refused with ``-32600`` naming the limit.
- On EOF of stdin nothing new is taken; calls in flight get ``drain_timeout`` seconds to answer,
  and their answers are written, before the session is closed (which cancels what still runs).

While serving, fd 0 reads the null device and fd 1 writes to stderr, so a stray ``print`` or a
child process cannot corrupt the wire; both are restored on return.

Served for a connector (``calls``, the handler the server runs for ``tools/call``), a ``tools/call``
on a settled connection skips the SDK's per-request machinery and runs straight into the pipeline,
with the same answer (``wireproof.serve._lean``); everything else reaches the server as drawn above.

A pipe or socket is read and written on the event loop (non-blocking, woken by readiness), with no
thread per frame; its blocking mode is restored on return. Anything else (a file, a terminal, and
a stdout that shares its pipe with stderr, which must stay blocking) goes through a worker thread.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import json
import logging
import os
import stat
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any, Final

import anyio
import anyio.to_thread
import mcp_types as types
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.server.lowlevel import Server
from mcp.shared.dispatcher import as_request_id, coerce_request_id
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

from wireproof.serve._lean import CallHandler, LeanCalls

__all__ = ["DEFAULT_DRAIN_TIMEOUT", "MAX_FRAME_BYTES", "serve_stdio", "serve_stdio_fds"]

logger = logging.getLogger("wireproof.stdio")

MAX_FRAME_BYTES: Final = 4 * 1024 * 1024
"""A frame (one line) longer than this is refused with ``-32600``, as HTTP refuses a larger body."""
DEFAULT_DRAIN_TIMEOUT: Final = 10.0
"""Seconds calls in flight at EOF of stdin may take to answer (as ``--shutdown-timeout`` over HTTP)."""
_READ_CHUNK: Final = 256 * 1024
_ID_PREFIX_BYTES: Final = 64 * 1024
"""How much of an oversized frame is kept to find its id."""
_BOM: Final = b"\xef\xbb\xbf"
_FRAME_ADVICE: Final = "send one JSON-RPC 2.0 message per line, as UTF-8 JSON without a byte-order mark"


class _Refusal:
    """A frame the server will not take: the JSON-RPC code, why, and the id to answer (JSON text)."""

    __slots__ = ("code", "ids", "reason")

    def __init__(self, code: int, reason: str, ids: list[str]) -> None:
        self.code, self.reason, self.ids = code, reason, ids


def _skip_whitespace(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


_NUMBERS_AS_TEXT: Final = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str)
"""Decodes the id alone: numbers stay text, so an id of 5,000 digits is echoed, not converted."""


def _readable_id(text: str) -> str | None:
    """The top-level ``id`` of a JSON object as JSON text, read up to the first member that does
    not parse; None when there is none, or it is not a string or a number (JSON-RPC 2.0 ids)."""
    at = _skip_whitespace(text, 0)
    if not text.startswith("{", at):
        return None
    at += 1
    try:
        while True:
            at = _skip_whitespace(text, at)
            key, at = _NUMBERS_AS_TEXT.raw_decode(text, at)
            at = _skip_whitespace(text, at)
            if not isinstance(key, str) or not text.startswith(":", at):
                return None
            at = _skip_whitespace(text, at + 1)
            value, end = _NUMBERS_AS_TEXT.raw_decode(text, at)
            if key == "id":
                return _id_text(text[at:end], value)
            at = _skip_whitespace(text, end)
            if not text.startswith(",", at):
                return None
            at += 1
    except (ValueError, RecursionError):  # the frame breaks before its id
        return None


def _id_text(raw: str, value: Any) -> str | None:
    if raw.startswith('"'):
        if not isinstance(value, str) or any("\udc80" <= c <= "\udcff" for c in value):
            return None  # undecodable bytes inside the id: not that id any more
        return json.dumps(value)
    if raw[:1] in "-0123456789" and raw not in ("-Infinity",):
        return raw  # a JSON number, echoed exactly as sent
    return None


_OBJECT_RULES: Final = (
    (lambda m: m.get("jsonrpc") != "2.0", '"jsonrpc" must be "2.0"'),
    (lambda m: "method" not in m, 'a request needs a "method"'),
    (lambda m: not isinstance(m["method"], str), '"method" must be a string'),
    (
        lambda m: "id" in m and (isinstance(m["id"], bool) or not isinstance(m["id"], (str, int))),
        '"id" must be a string or an integer',
    ),
    (lambda m: "params" in m and not isinstance(m["params"], dict), '"params" must be an object'),
)
"""What a JSON object must be to be a request MCP takes (JSON-RPC 2.0 section 4, MCP's ids and params)."""


def _unreadable(frame: bytes, body: bytes, error: ValidationError | None) -> str | None:
    """Why a frame is not JSON the server can read (-32700), or None when it is JSON."""
    if frame.startswith(_BOM):
        return "the frame starts with a byte-order mark"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"the frame is not UTF-8 (byte {exc.start})"
    invalid_json = [e for e in (error.errors() if error else []) if e["type"] == "json_invalid"]
    if invalid_json:
        return f"the frame is not JSON the server can read: {(invalid_json[0].get('ctx') or {}).get('error')}"
    return None


def _refusal(frame: bytes, error: ValidationError | None) -> _Refusal:
    """Classify a frame the SDK's message model refused (or took for a notification despite an id)."""
    body = frame[len(_BOM) :] if frame.startswith(_BOM) else frame
    found = _readable_id(body.decode("utf-8", errors="surrogateescape"))
    ids = [found] if found is not None else []
    reason = _unreadable(frame, body, error)
    try:
        message = json.loads(body) if reason is None else None
    except (ValueError, RecursionError):
        reason = "the frame is not JSON the server can read"
    if reason is not None:
        return _Refusal(types.PARSE_ERROR, reason, ids)
    if isinstance(message, list):
        batch = [_id_of(m) for m in message]
        reason = "batches (JSON arrays) are not part of MCP"
        return _Refusal(types.INVALID_REQUEST, reason, [i for i in batch if i is not None])
    if not isinstance(message, dict):
        return _Refusal(types.INVALID_REQUEST, "a message must be a JSON object", [])
    if "method" not in message and ("result" in message or "error" in message):
        return _Refusal(types.INVALID_REQUEST, "a malformed response", [])  # never answered (JSON-RPC 5)
    broken = next((text for rule, text in _OBJECT_RULES if rule(message)), None)  # in order: later rules
    if broken is not None:  # read keys the earlier ones checked
        return _Refusal(types.INVALID_REQUEST, broken, ids)
    first = error.errors()[0] if error and error.errors() else None
    where = ".".join(str(p) for p in first["loc"][1:]) if first else ""
    reason = f"{where or 'the message'}: {first['msg']}" if first else "not a JSON-RPC 2.0 request"
    return _Refusal(types.INVALID_REQUEST, reason, ids)


def _id_of(message: Any) -> str | None:
    """The id of one decoded batch entry, when it is one a response can carry."""
    if not isinstance(message, dict) or "method" not in message or "id" not in message:
        return None
    value = message["id"]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return json.dumps(value)


def _error_frame(id_text: str, code: int, message: str) -> bytes:
    error = json.dumps({"code": code, "message": message})
    return f'{{"jsonrpc":"2.0","id":{id_text},"error":{error}}}\n'.encode()


def _serialized(message: types.JSONRPCMessage) -> bytes:
    """One outgoing frame. Text the SDK cannot encode (a lone surrogate echoed from a request)
    is written as JSON escapes instead of killing the writer."""
    try:
        return message.model_dump_json(by_alias=True, exclude_unset=True).encode() + b"\n"
    except (ValueError, UnicodeEncodeError):
        plain = message.model_dump(by_alias=True, exclude_unset=True, mode="json")
        return json.dumps(plain, ensure_ascii=True).encode() + b"\n"


def _request_key(value: Any) -> tuple[str, Any]:
    """Ids as the SDK correlates them: ``"7"`` and ``7`` are one id (``coerce_request_id``)."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        value = coerce_request_id(value)
    return (type(value).__name__, value)


class _InFlight:
    """The requests handed to the server and not yet answered, to drain them at EOF."""

    def __init__(self) -> None:
        # a plain dict: Counter's missing-key and delete hooks are Python calls, three per call
        self.counts: dict[tuple[str, Any], int] = {}
        self._idle: anyio.Event | None = None  # made only when someone waits: not one per call

    def started(self, request_id: Any) -> None:
        key = _request_key(request_id)
        self.counts[key] = self.counts.get(key, 0) + 1

    def holds(self, request_id: Any, exactly: int | None = None) -> bool:
        """Whether a request with this id (as the SDK correlates ids) is in flight; with ``exactly``,
        whether that many are."""
        held = self.counts.get(_request_key(request_id), 0)
        return bool(held) if exactly is None else held == exactly

    def settled(self, request_id: Any) -> None:
        key = _request_key(request_id)
        held = self.counts.get(key)
        if held == 1:
            del self.counts[key]
        elif held:
            self.counts[key] = held - 1
        if not self.counts and self._idle is not None:
            self._idle.set()

    async def idle(self) -> None:
        """Return once no request is in flight."""
        while self.counts:
            self._idle = anyio.Event()
            await self._idle.wait()


class _Transport:
    """One stdio connection: frames in from ``read_fd``, frames out to ``write_fd``."""

    def __init__(
        self, read_fd: int, write_fd: int, max_frame_bytes: int, *, read_polled: bool, write_polled: bool
    ) -> None:
        self.read_fd, self.write_fd, self.max_frame_bytes = read_fd, write_fd, max_frame_bytes
        self.read_polled, self.write_polled = read_polled, write_polled
        self.in_flight = _InFlight()
        self.out_send, self.out_receive = anyio.create_memory_object_stream[bytes](1024)
        self.lean: LeanCalls | None = None
        self.pipe: _StdinChunks | None = None  # the input, while read through asyncio's transport
        self.between_lines = False  # the reader waits for input with no line begun (see _StdinChunks)
        self.lean_tasks: anyio.abc.TaskGroup | None = None  # the lean calls' group, while reading
        self.write_lock = anyio.Lock(fast_acquire=True)  # frames never interleave; no checkpoint when free
        self.gone = False  # stdout is closed (the client left): frames are discarded
        self.writer_done = False

    async def frames(self) -> AsyncIterator[tuple[bytes, int | None]]:
        """Each complete line of stdin (without its newline), or the prefix and size of a line
        past the limit; ends at EOF."""
        pending = bytearray()
        oversize: int | None = None  # bytes of the current line past the limit, once it is over
        prefix = b""
        while True:
            self.between_lines = not pending and oversize is None
            chunk = await self.read_chunk()
            self.between_lines = False
            if not chunk:
                if oversize is not None:
                    yield prefix, oversize
                elif pending.strip():
                    yield bytes(pending), None
                return
            start = 0
            while True:
                newline = chunk.find(b"\n", start)
                piece = chunk[start:] if newline < 0 else chunk[start:newline]
                if oversize is not None:
                    oversize += len(piece)
                else:
                    pending += piece
                    if len(pending) > self.max_frame_bytes:
                        prefix, oversize = bytes(pending[:_ID_PREFIX_BYTES]), len(pending)
                        pending.clear()
                if newline < 0:
                    break
                if oversize is not None:
                    yield prefix, oversize
                    oversize, prefix = None, b""
                else:
                    yield bytes(pending), None
                    pending.clear()
                start = newline + 1

    async def read_chunk(self) -> bytes:
        """The next bytes of the input (empty at EOF): on the event loop for a non-blocking pipe."""
        if self.pipe is not None:
            return await self.pipe.read()
        if not self.read_polled:
            return await anyio.to_thread.run_sync(os.read, self.read_fd, _READ_CHUNK, abandon_on_cancel=True)
        while True:
            try:
                return os.read(self.read_fd, _READ_CHUNK)
            except BlockingIOError:
                await anyio.wait_readable(self.read_fd)

    async def write_all(self, data: bytes) -> None:
        """Write every byte: on the event loop for a non-blocking pipe (waiting while it is full)."""
        if not self.write_polled:
            await anyio.to_thread.run_sync(_write_all, self.write_fd, data)
            return
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.write_fd, view) :]
            except BlockingIOError:
                await anyio.wait_writable(self.write_fd)

    async def answer(self, frame: bytes) -> None:
        """A lean call's answer: written at once when no other frame waits or is being written (one
        pipe write, in the call's own task), else queued behind them for the writer task. The queue
        would cost the answer two more turns of the event loop (the stream's checkpoint, then the
        writer's wake-up) before the write that wakes the client. A frame is never cut: once its
        first bytes are written, the rest is written under a shield from the call's cancel scope.

        Raises:
            anyio.ClosedResourceError: the writer has ended (the connection is closing).
        """
        if (
            not self.write_polled
            or self.writer_done
            or self.write_lock.locked()
            or self.out_send.statistics().current_buffer_used
        ):
            await self.out_send.send(frame)
            return
        # Nothing is being written and nothing waits, and no await comes before the write: the frame
        # goes out at once, without taking the lock (3-4 us a call); only a full pipe takes it.
        if self.gone:
            return
        try:
            written = os.write(self.write_fd, frame)
        except BlockingIOError:
            written = 0
        except OSError as exc:
            logger.warning("stdout is closed (%s): answers from now on are discarded", exc.strerror)
            self.gone = True
            return
        if written < len(frame):  # the pipe is full: the rest, never cut by the call's cancel scope
            with anyio.CancelScope(shield=True):
                async with self.write_lock:  # free (checked above): taken with no checkpoint
                    await self.write_out(frame[written:])

    async def write_out(self, data: bytes) -> None:
        """Write ``data`` (whole frames) unless stdout is gone; once it is, say so once and discard."""
        if self.gone:
            return
        try:
            await self.write_all(data)
        except OSError as exc:
            logger.warning("stdout is closed (%s): answers from now on are discarded", exc.strerror)
            self.gone = True

    async def read(self, to_server: MemoryObjectSendStream[SessionMessage | Exception], drain: float) -> None:
        """Hand good frames to the server and answer bad ones; at EOF, drain, then close."""
        lean = self.lean
        try:
            async with self._reading():
                await self._read(to_server, drain)
        finally:
            if lean is not None:  # calls still running: answered "Connection closed", and waited for
                with anyio.CancelScope(shield=True), anyio.move_on_after(drain + 2):
                    await lean.close()

    @contextlib.asynccontextmanager
    async def _reading(self) -> AsyncIterator[None]:
        """On asyncio, a polled input is read through the loop's own pipe transport (``_StdinChunks``):
        the descriptor stays registered while serving, and each wake-up is one read.
        (``anyio.wait_readable`` registers it again for every chunk, after a read that found nothing:
        three system calls and a future more per frame.)"""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # another event loop (trio): anyio's wait_readable
            loop = None
        if not self.read_polled or loop is None:
            yield
            return
        chunks = self.pipe = _StdinChunks(self)
        pipe = os.fdopen(self.read_fd, "rb", buffering=0, closefd=False)  # the descriptor stays ours
        reading, _ = await loop.connect_read_pipe(lambda: chunks, pipe)
        try:
            yield
        finally:
            reading.close()
            self.pipe = None

    async def _read(
        self, to_server: MemoryObjectSendStream[SessionMessage | Exception], drain: float
    ) -> None:
        lean = self.lean
        async with to_server, anyio.create_task_group() as lean_calls:
            self.lean_tasks = lean_calls
            async for line, oversize in self.frames():
                if oversize is not None:
                    await self.refuse(_oversized(line, oversize, self.max_frame_bytes), oversize)
                    continue
                frame = line.rstrip(b"\r")
                if not frame.strip():
                    continue
                if lean is not None and lean.take(frame, lean_calls):
                    continue
                message = await self.parse(frame)
                if message is None:
                    continue
                if isinstance(message, types.JSONRPCRequest):
                    self.in_flight.started(message.id)
                    if lean is not None:
                        lean.saw_request(message)
                elif isinstance(message, types.JSONRPCNotification) and self.cancelled_lean(message):
                    continue
                await to_server.send(SessionMessage(message))
            with anyio.move_on_after(drain):
                await self.in_flight.idle()
            if self.in_flight.counts:
                logger.warning(
                    "stdin closed; %d call(s) still running after %.3g s are cancelled",
                    sum(self.in_flight.counts.values()),
                    drain,
                )
            self.lean_tasks = None
            if lean is not None:
                await lean.close()  # each still running is answered "Connection closed"
            lean_calls.cancel_scope.cancel()  # (on trio, the calls are this group's tasks)

    def take_lines(self, data: bytes) -> bytes:
        """Hand the whole lines at the start of ``data`` to the lean path while it takes them; return
        the rest (from the first line it does not take), for the reader task. Called only while the
        reader waits with no line begun and nothing queued, so the order of frames is kept."""
        lean, tasks = self.lean, self.lean_tasks
        if lean is None or tasks is None:
            return data
        start = 0
        while (newline := data.find(b"\n", start)) >= 0 and newline - start <= self.max_frame_bytes:
            frame = data[start:newline].rstrip(b"\r")
            if frame.strip() and not lean.take(frame, tasks):
                break
            start = newline + 1
        return data[start:] if start else data

    def cancelled_lean(self, message: types.JSONRPCNotification) -> bool:
        """For a ``notifications/cancelled``: settle the request it names (never answered), and
        cancel it here when it is a lean call, the only request in flight with that id (with two,
        the newer is the SDK's, and the SDK cancels the newer). True when the lean path took it."""
        if message.method != "notifications/cancelled":
            return False
        request_id = as_request_id((message.params or {}).get("requestId"))  # else it names no request
        if request_id is None:
            return False
        if (
            self.lean is not None
            and self.in_flight.holds(request_id, exactly=1)
            and self.lean.cancel(request_id)
        ):
            return True  # settled by the lean path
        self.in_flight.settled(request_id)
        return False

    async def parse(self, frame: bytes) -> types.JSONRPCMessage | None:
        """The message in a frame, or None after answering (or logging) why it is refused."""
        try:
            message = types.jsonrpc_message_adapter.validate_json(frame, by_name=False)
        except ValidationError as error:
            await self.refuse(_refusal(frame, error), len(frame))
            return None
        if isinstance(message, types.JSONRPCNotification) and b'"id"' in frame and _has_top_level_id(frame):
            # The model took it for a notification, ignoring an id of another type (1.5, null,
            # true): run nothing, answer when the id can be echoed.
            await self.refuse(_refusal(frame, None), len(frame))
            return None
        return message

    async def refuse(self, refusal: _Refusal, size: int) -> None:
        """Answer each id the refused frame carries, or log that it is dropped."""
        kind = "Parse error" if refusal.code == types.PARSE_ERROR else "Invalid Request"
        text = f"{kind}: {refusal.reason}; {_FRAME_ADVICE}"
        if refusal.ids:
            for id_text in refusal.ids:
                await self.out_send.send(_error_frame(id_text, refusal.code, text))
        else:
            logger.warning("dropped a stdio frame of %d bytes with no id to answer: %s", size, text)

    async def relay(self, from_server: MemoryObjectReceiveStream[SessionMessage]) -> None:
        """The server's messages, serialized in order onto the outgoing frames."""
        async with from_server, self.out_send:
            async for item in from_server:
                message = item.message
                await self.out_send.send(_serialized(message))
                if isinstance(message, (types.JSONRPCResponse, types.JSONRPCError)):
                    self.in_flight.settled(message.id)
                    if self.lean is not None:
                        self.lean.saw_answer(message)

    async def write(self) -> None:
        """Write frames to stdout, as many at once as are ready; ends when the relay ends. Once
        stdout is gone (the client left) the rest is discarded, so the session never blocks."""
        try:
            async with self.out_receive:
                async for frame in self.out_receive:
                    frames = [frame]
                    with contextlib.suppress(anyio.WouldBlock):
                        while len(frames) < 256:
                            frames.append(self.out_receive.receive_nowait())
                    async with self.write_lock:  # a lean answer may be mid-write (a full pipe)
                        await self.write_out(b"".join(frames))
        finally:
            self.writer_done = True


class _StdinChunks(asyncio.Protocol):
    """A polled stdin on asyncio, read by the loop's own pipe transport: the descriptor stays
    registered while serving, and each wake-up is one read.

    What it reads goes to the reader task (``_Transport.frames``) in order. While that task waits
    with no line begun and nothing queued, the whole lines a read brings go first to the lean path,
    here (``_Transport.take_lines``): a call it takes starts a turn of the loop earlier, with no
    reader task to wake; the first line it does not take, and all after it, go to the reader task.
    Reading pauses while more than ``_READ_CHUNK`` bytes wait for the reader."""

    def __init__(self, owner: _Transport) -> None:
        self.owner = owner
        self.chunks: collections.deque[bytes] = collections.deque()
        self.waiting = 0  # bytes in ``chunks``
        self.ended = False
        self.waiter: asyncio.Future[None] | None = None
        self.transport: asyncio.ReadTransport | None = None
        self.paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.ReadTransport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.waiter is not None and not self.chunks and self.owner.between_lines:
            data = self.owner.take_lines(data)
            if not data:
                return
        self.chunks.append(data)
        self.waiting += len(data)
        if self.waiting > _READ_CHUNK and self.transport is not None and not self.paused:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.ended = True
        self._wake()
        return False  # the transport closes, and connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self._wake()

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def read(self) -> bytes:
        """The next bytes read, in order; empty at EOF."""
        while not self.chunks:
            if self.ended:
                return b""
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        chunk = self.chunks.popleft()
        self.waiting -= len(chunk)
        if self.paused and self.waiting <= _READ_CHUNK // 2 and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        return chunk


def _has_top_level_id(frame: bytes) -> bool:
    try:
        message = json.loads(frame)
    except (ValueError, RecursionError):
        return False
    return isinstance(message, dict) and "id" in message


def _oversized(prefix: bytes, size: int, limit: int) -> _Refusal:
    """A frame past the limit, answered with the id found in its first bytes (ids come early)."""
    reason = (
        f"the frame is {size:,} bytes or more; the limit is {limit:,} bytes ({limit / 1048576:g} MiB): "
        "send smaller arguments"
    )
    found = _readable_id(prefix.decode("utf-8", errors="surrogateescape"))
    return _Refusal(types.INVALID_REQUEST, reason, [found] if found else [])


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


async def serve_stdio_fds(
    server: Server[Any],
    read_fd: int,
    write_fd: int,
    *,
    max_frame_bytes: int = MAX_FRAME_BYTES,
    drain_timeout: float = DEFAULT_DRAIN_TIMEOUT,
    calls: CallHandler | None = None,
) -> None:
    """Serve ``server`` on two file descriptors until EOF of ``read_fd`` and the drain that follows.
    With ``calls`` (the handler ``server`` runs for ``tools/call``), calls take the lean path of
    ``wireproof.serve._lean`` once the connection is settled."""
    with _non_blocking(read_fd) as read_polled, _non_blocking(write_fd, unless_shared_with=2) as write_polled:
        transport = _Transport(
            read_fd, write_fd, max_frame_bytes, read_polled=read_polled, write_polled=write_polled
        )
        if calls is not None:
            transport.lean = LeanCalls(server, calls, transport.in_flight, transport.answer)
        to_server, server_reads = anyio.create_memory_object_stream[SessionMessage | Exception](0)
        server_writes, from_server = anyio.create_memory_object_stream[SessionMessage](0)
        async with anyio.create_task_group() as tg:
            tg.start_soon(transport.write)
            tg.start_soon(transport.relay, from_server)
            tg.start_soon(transport.read, to_server, drain_timeout)
            await server.run(server_reads, server_writes, server.create_initialization_options())


def _pipe_or_socket(fd: int) -> os.stat_result | None:
    try:
        found = os.fstat(fd)
    except OSError:
        return None
    return found if stat.S_ISFIFO(found.st_mode) or stat.S_ISSOCK(found.st_mode) else None


@contextlib.contextmanager
def _non_blocking(fd: int, *, unless_shared_with: int | None = None) -> Iterator[bool]:
    """Make ``fd`` non-blocking while serving, when it is a pipe or a socket (the event loop can wait
    for those), and restore its mode on exit; yields whether it did. A descriptor on the same pipe
    as ``unless_shared_with`` (stdout and stderr both on one pipe, ``2>&1``) stays blocking: the
    mode belongs to the pipe's open file, and stderr's writers expect to block."""
    found = _pipe_or_socket(fd)
    if found is not None and unless_shared_with is not None:
        with contextlib.suppress(OSError):
            other = os.fstat(unless_shared_with)
            if (other.st_dev, other.st_ino) == (found.st_dev, found.st_ino):
                found = None
    if found is None:
        yield False
        return
    try:
        was_blocking = os.get_blocking(fd)
        os.set_blocking(fd, False)
    except OSError:
        yield False
        return
    try:
        yield True
    finally:
        with contextlib.suppress(OSError):
            os.set_blocking(fd, was_blocking)


@contextlib.contextmanager
def _claimed_stdio() -> Iterator[tuple[int, int]]:
    """Private duplicates of fd 0 and 1 for the wire, with fd 0 on the null device and fd 1 on
    stderr meanwhile; restored on exit. The read duplicate is never closed: a worker thread may
    still be blocked reading it, and a recycled descriptor would feed it another file."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    wire_in, wire_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(null, 0)
        os.dup2(2, 1)
    finally:
        os.close(null)
    try:
        yield wire_in, wire_out
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os.dup2(wire_in, 0)
        os.dup2(wire_out, 1)
        os.close(wire_out)


async def serve_stdio(
    server: Server[Any],
    *,
    max_frame_bytes: int = MAX_FRAME_BYTES,
    drain_timeout: float = DEFAULT_DRAIN_TIMEOUT,
    calls: CallHandler | None = None,
) -> None:
    """Serve ``server`` over this process's stdin and stdout until EOF of stdin (see the module).

    The objects that exist by now (the imported modules, the server, the connector) are moved out of the
    cyclic garbage collector's reach (``gc.freeze``): they live as long as the process anyway, and the
    interpreter's final collections over them took 0.2-0.35 s of every exit after stdin closed, which a
    client (or a checker starting several instances) waits out. Later garbage is collected as before.
    """
    gc.freeze()
    with _claimed_stdio() as (wire_in, wire_out):
        await serve_stdio_fds(
            server,
            wire_in,
            wire_out,
            max_frame_bytes=max_frame_bytes,
            drain_timeout=drain_timeout,
            calls=calls,
        )
