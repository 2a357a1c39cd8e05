"""A stdio upstream's pipes, shared by the SDK's client session and a lean relay for ``tools/call``.

The SDK's ``Client`` does the handshake, ``tools/list`` and the probe of a suspected hang on memory
streams this transport feeds; once the session is initialised, a forwarded ``tools/call`` (with the
``_meta`` the session stamps on every request in the 2026-07-28 era) is written to the upstream's stdin as one JSON-RPC
frame with a string id of its own, and its response is taken off stdout by id, without the client
session's per-request machinery (its dispatcher tasks, the result's encode-and-revalidate)::

    guard ──SessionMessage──▶ writer ─┐                          ┌─▶ response with a relay id ─▶ the waiting call
    relay ──JSON frame (lock)────────┴──▶ upstream stdin/stdout ─┤
                                                                 └─▶ anything else ─▶ SDK session

Every other message (notifications, the session's own responses, server requests) reaches the SDK
session as over its own stdio transport. When stdout ends, every waiting relay call learns the
connection closed. Shutdown closes stdin, then terminates and kills the process (bounded waits).

On asyncio the upstream's stdout is a pipe the relay owns, read by the loop's own pipe transport
(``_UpstreamLines``): a relayed answer reaches its waiting call in the turn of the loop that read
it, with no reader task to wake; other lines queue for the session (stdout is not read while 256
wait). On trio, anyio's stream of the process's stdout, read by a task.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import os
import subprocess
from collections.abc import AsyncIterator
from typing import Any, Final, TextIO

import anyio
import anyio.abc
import mcp_types as types
import pydantic_core
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp import StdioServerParameters
from mcp.client.stdio import get_default_environment
from mcp.shared.message import SessionMessage

__all__ = ["RelayClosed", "StdioRelay"]

logger = logging.getLogger("wireproof.guard")

_STOP_GRACE: Final = 2.0
_ID_PREFIX: Final = "wireproof-relay-"
_SESSION_BACKLOG: Final = 256
"""Lines for the SDK session waiting at most; past it stdout is not read until the session catches up."""


class RelayClosed(Exception):
    """The upstream's stdout ended (or its stdin broke) before the relayed call was answered."""


class _Slot:
    """Where a relayed call waits for its answer: on asyncio a future of the loop (an ``anyio.Event``
    costs a call 3-4 us more to make, set and wait for), on trio an ``anyio.Event``."""

    __slots__ = ("event", "future", "message")

    def __init__(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self.future: asyncio.Future[None] | None = None
        self.event: anyio.Event | None = None
        if loop is not None:
            self.future = loop.create_future()
        else:
            self.event = anyio.Event()
        self.message: dict[str, Any] | None = None

    def set(self) -> None:
        """The answer is in ``message`` (or, with none, the connection closed)."""
        if self.future is not None:
            if not self.future.done():  # a cancelled wait cancels its future
                self.future.set_result(None)
        elif self.event is not None:
            self.event.set()

    async def wait(self) -> None:
        if self.future is not None:
            await self.future
        elif self.event is not None:
            await self.event.wait()


class StdioRelay:
    """One upstream process (see the module). ``transport()`` is what the SDK ``Client`` is given."""

    def __init__(self, params: StdioServerParameters, errlog: TextIO | None = None) -> None:
        self.params, self.errlog = params, errlog
        self._process: anyio.abc.Process | None = None
        self._pending: dict[str, _Slot] = {}
        self._ids = itertools.count(1)
        self._stdin: int | None = None  # the write end of the upstream's stdin, non-blocking
        self._write_lock = anyio.Lock(fast_acquire=True)  # no checkpoint when free: a call waits next
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None  # asyncio's loop, while the process runs on it

    @contextlib.asynccontextmanager
    async def transport(
        self,
    ) -> AsyncIterator[
        tuple[MemoryObjectReceiveStream[SessionMessage | Exception], MemoryObjectSendStream[SessionMessage]]
    ]:
        params = self.params
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # another event loop (trio): anyio's stream of the process's stdout
            loop = None
        self._loop = loop
        child_stdin, self._stdin = os.pipe()
        stdout, child_stdout = os.pipe() if loop is not None else (None, subprocess.PIPE)
        try:
            process = await anyio.open_process(
                [params.command, *params.args],
                stdin=child_stdin,
                stdout=child_stdout,
                stderr=self.errlog,
                env=get_default_environment() | (params.env or {}),
                cwd=params.cwd,
            )
        except BaseException:
            self._close_stdin()
            if stdout is not None:
                os.close(stdout)
            raise
        finally:
            os.close(child_stdin)
            if stdout is not None:
                os.close(child_stdout)
        os.set_blocking(self._stdin, False)
        self._process = process
        to_session, session_reads = anyio.create_memory_object_stream[SessionMessage | Exception](0)
        session_writes, from_session = anyio.create_memory_object_stream[SessionMessage](0)
        reading: asyncio.ReadTransport | None = None
        try:
            async with anyio.create_task_group() as tasks:
                if loop is not None and stdout is not None:
                    lines, session_lines = anyio.create_memory_object_stream[bytes](math.inf)
                    pipe = os.fdopen(stdout, "rb", buffering=0)  # the transport closes it
                    reading, _ = await loop.connect_read_pipe(lambda: _UpstreamLines(self, lines), pipe)
                    tasks.start_soon(self._feed_session, reading, session_lines, to_session)
                else:
                    tasks.start_soon(self._read, process, to_session)
                tasks.start_soon(self._write_session, process, from_session)
                try:
                    yield session_reads, session_writes
                finally:
                    tasks.cancel_scope.cancel()
        finally:
            if reading is not None:
                reading.close()
            self._close_pending()
            self._close_stdin()
            with anyio.CancelScope(shield=True):
                await _stop(process)

    async def _feed_session(
        self,
        reading: asyncio.ReadTransport,
        lines: MemoryObjectReceiveStream[bytes],
        to_session: MemoryObjectSendStream[SessionMessage | Exception],
    ) -> None:
        """The lines that are not relayed answers, to the SDK session in order; stdout is read again
        once a backlog has gone down."""
        async with lines, to_session:
            async for line in lines:
                await to_session.send(_parsed(line))
                if lines.statistics().current_buffer_used < _SESSION_BACKLOG // 2:
                    reading.resume_reading()  # a no-op unless paused

    def _close_stdin(self) -> None:
        """End the upstream's input (its EOF), once."""
        fd, self._stdin = self._stdin, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    async def _read(
        self, process: anyio.abc.Process, to_session: MemoryObjectSendStream[SessionMessage | Exception]
    ) -> None:
        assert process.stdout is not None
        pending = bytearray()
        async with to_session:
            try:
                async for chunk in process.stdout:
                    pending += chunk
                    while (newline := pending.find(b"\n")) >= 0:
                        line = bytes(pending[:newline]).rstrip(b"\r")
                        del pending[: newline + 1]
                        if line.strip() and not self._answered(line):
                            await to_session.send(_parsed(line))
            except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                pass
            finally:
                self._close_pending()

    def _answered(self, line: bytes) -> bool:
        """Hand a response to a relayed call to its caller; False for anything else."""
        if not self._pending or _ID_PREFIX.encode() not in line:
            return False
        try:
            message = pydantic_core.from_json(line)
        except ValueError:
            return False
        if not isinstance(message, dict) or "method" in message or not isinstance(message.get("id"), str):
            return False
        slot = self._pending.get(message["id"])
        if slot is None:
            return False
        slot.message = message
        slot.set()
        return True

    def _close_pending(self) -> None:
        self._closed = True
        for slot in self._pending.values():
            slot.set()  # with no message: the connection closed

    async def _write_session(
        self, process: anyio.abc.Process, from_session: MemoryObjectReceiveStream[SessionMessage]
    ) -> None:
        async with from_session:
            async for item in from_session:
                frame = item.message.model_dump_json(by_alias=True, exclude_unset=True).encode() + b"\n"
                try:
                    await self._send(frame)
                except OSError:
                    return

    async def _send(self, frame: bytes) -> None:
        """Write one frame to the upstream's stdin: a write to the pipe, and nothing else unless the
        pipe is full (the upstream has not read what it was sent yet), when the rest waits for room.

        Raises:
            OSError: the pipe is closed or broken.
        """
        view = memoryview(frame)
        if not self._write_lock.locked():
            # No frame is being written and no await comes before the write: this one goes at once, and
            # the lock (3-4 us a call) is taken only for the rest of a frame the pipe has no room for.
            if self._stdin is None:
                raise BrokenPipeError("the upstream's stdin is closed")
            with contextlib.suppress(BlockingIOError):  # a full pipe: all of it waits for room below
                view = view[os.write(self._stdin, view) :]
            if not view:
                return
        async with self._write_lock:  # frames never interleave (free unless a frame waits for room)
            while view:
                if self._stdin is None:
                    raise BrokenPipeError("the upstream's stdin is closed")
                try:
                    view = view[os.write(self._stdin, view) :]
                except BlockingIOError:
                    await anyio.wait_writable(self._stdin)

    async def call_tool(self, name: str, arguments: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
        """Relay one ``tools/call`` (with the session's request ``meta``, when it has one) and return
        the JSON-RPC response object (``result`` or ``error``).
        The caller's cancel scope bounds it; a cancelled call is cancelled upstream too.

        Raises:
            RelayClosed: the connection closed before the answer.
        """
        process = self._process
        if process is None or self._closed:
            raise RelayClosed
        request_id = f"{_ID_PREFIX}{next(self._ids)}"
        slot = self._pending[request_id] = _Slot(self._loop)
        params: dict[str, Any] = {"name": name, "arguments": arguments}
        if meta:
            params["_meta"] = meta
        frame = _encoded({"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params})
        try:
            await self._send(frame + b"\n")
            await slot.wait()
        except OSError:
            raise RelayClosed from None
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True), anyio.move_on_after(1), contextlib.suppress(Exception):
                await self._send(_cancelled(request_id))
            raise
        finally:
            self._pending.pop(request_id, None)
        if slot.message is None:
            raise RelayClosed
        return slot.message


class _UpstreamLines(asyncio.Protocol):
    """The upstream's stdout on asyncio, read by the loop's own pipe transport: a relayed call's
    answer is handed to its caller as the bytes arrive (one turn of the loop, no reader task to wake);
    every other line goes to the SDK session through ``lines``."""

    def __init__(self, relay: StdioRelay, lines: MemoryObjectSendStream[bytes]) -> None:
        self.relay, self.lines = relay, lines
        self.pending = bytearray()
        self.transport: asyncio.ReadTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.ReadTransport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        pending = self.pending
        pending += data
        queued = False
        while (newline := pending.find(b"\n")) >= 0:
            line = bytes(pending[:newline]).rstrip(b"\r")
            del pending[: newline + 1]
            if line.strip() and not self.relay._answered(line):
                queued = True
                with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
                    self.lines.send_nowait(line)
        # the backlog grows only by what was queued here (a relayed answer is not: no statistics, ~1 us)
        if (
            queued
            and self.transport is not None
            and self.lines.statistics().current_buffer_used >= _SESSION_BACKLOG
        ):
            self.transport.pause_reading()

    def eof_received(self) -> bool:
        return False  # the transport closes, and connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.relay._close_pending()
        self.lines.close()


def _encoded(message: dict[str, Any]) -> bytes:
    """Compact JSON; with escapes for what UTF-8 cannot carry (a lone surrogate in an argument)."""
    try:
        return pydantic_core.to_json(message)
    except (ValueError, UnicodeEncodeError):
        return json.dumps(message, separators=(",", ":")).encode()


def _cancelled(request_id: str) -> bytes:
    notification = {
        "jsonrpc": "2.0",
        "method": "notifications/cancelled",
        "params": {"requestId": request_id, "reason": "the guard's deadline for the call passed"},
    }
    return json.dumps(notification, separators=(",", ":")).encode() + b"\n"


def _parsed(line: bytes) -> SessionMessage | Exception:
    try:
        return SessionMessage(types.jsonrpc_message_adapter.validate_json(line, by_name=False))
    except ValueError as exc:
        logger.warning("the upstream wrote a line that is not a JSON-RPC message: %s", exc)
        return exc


async def _stop(process: anyio.abc.Process) -> None:
    """Wait (stdin is closed), terminate, wait, kill: every wait bounded."""
    for signal_it in (None, process.terminate, process.kill):
        if signal_it is not None:
            with contextlib.suppress(ProcessLookupError, OSError):
                signal_it()
        with anyio.move_on_after(_STOP_GRACE):
            await process.wait()
            break
    else:
        logger.warning("upstream process %d is still alive after kill; abandoning it", process.pid)
    with anyio.move_on_after(1), contextlib.suppress(Exception):
        await process.aclose()
