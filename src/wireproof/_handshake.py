"""How a failed handshake with a server wireproof starts or reaches is told to an operator.

``wireproof check`` and ``wireproof guard`` both open a session to a server someone else wrote. When
that fails, the SDK's own words ("Connection closed", "Request 'initialize' timed out") do not say
what happened or what to do; these say both, on one line. And a server that prints anything but
JSON-RPC on its stdout makes the SDK log a full traceback per line: ``quiet_stdout_parse_errors``
turns each into one line that quotes what the server wrote.
"""

from __future__ import annotations

import logging
from typing import Final

import mcp_types as types
import pydantic
from mcp.shared.exceptions import MCPError

__all__ = [
    "PARSE_FAILURE",
    "STDIO_LOGGER",
    "describe_handshake_failure",
    "quiet_stdout_parse_errors",
    "unparsed_line",
]

STDIO_LOGGER: Final = "mcp.client.stdio"
"""The SDK's stdio client logger: it logs each stdout line it cannot parse, as ``PARSE_FAILURE``."""
PARSE_FAILURE: Final = "Failed to parse JSONRPC message from server"
_QUOTED: Final = 200


def unparsed_line(error: BaseException | None) -> str | None:
    """The stdout line a parse failure was about (pydantic's error keeps it as its input), or None."""
    if isinstance(error, pydantic.ValidationError) and error.errors():
        line = error.errors()[0].get("input")
        if isinstance(line, bytes):
            return line.decode("utf-8", "replace")
        return line if isinstance(line, str) else None
    return None


def describe_handshake_failure(exc: BaseException, *, stdio: bool) -> str:
    """One line that says why the session could not be opened, and what to look at."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, TimeoutError) or (isinstance(exc, MCPError) and exc.code == types.REQUEST_TIMEOUT):
        where = " on its stdout" if stdio else ""
        return f"no answer to the handshake (initialize) in time{where}"
    if isinstance(exc, MCPError) and exc.code == types.CONNECTION_CLOSED:
        if stdio:
            return (
                "the server exited (or closed its stdout) before it answered the handshake; "
                "its stderr, if it wrote any, is above"
            )
        return "the server closed the connection before it answered the handshake"
    if stdio and isinstance(exc, FileNotFoundError) and exc.filename:
        name = str(exc.filename)
        where = "there is no such file" if "/" in name else "it is not on PATH; give its full path"
        return f"cannot run {name!r}: {where}"
    text = str(exc) or type(exc).__name__
    return text if type(exc).__name__ in text else f"{type(exc).__name__}: {text}"


class _OneLineParseError(logging.Filter):
    """Replace the SDK's traceback for a non-JSON-RPC stdout line with one line quoting it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() != PARSE_FAILURE or not record.exc_info:
            return True
        error = record.exc_info[1]
        line = unparsed_line(error)
        too_deep = (
            isinstance(error, pydantic.ValidationError)
            and bool(error.errors())
            and "recursion limit" in error.errors()[0].get("msg", "")
        )
        quoted = repr(line[:_QUOTED]) if line is not None else "(not shown)"
        record.msg = (
            # pydantic's JSON parser (the SDK's) refuses nesting deeper than about 200 levels: the message is
            # lost, and the request it answers waits until it times out
            "the server wrote a JSON message on stdout nested too deeply for the client to parse "
            "(a deeply nested schema?); the request it answers is lost: %s"
            if too_deep
            else "the server wrote a line on stdout that is not JSON-RPC (stdout is for MCP messages only; log to stderr): %s"
        )
        record.args = (quoted,)
        record.exc_info, record.exc_text = None, None
        return True


_FILTER: Final = _OneLineParseError()


def quiet_stdout_parse_errors() -> None:
    """Install the one-line filter on the SDK's stdio client logger (idempotent)."""
    stdio_logger = logging.getLogger(STDIO_LOGGER)
    if _FILTER not in stdio_logger.filters:
        stdio_logger.addFilter(_FILTER)
