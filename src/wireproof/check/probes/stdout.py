"""The stray-stdout probe (stdio servers): what the server writes to stdout when it is given nothing.

Over stdio, stdout is the protocol channel. A server that prints a banner or a status (``print`` in Python,
``console.log`` in Node) often does so into a buffer that is flushed only when the process ends, so a
client never sees it during a session, until the buffer fills or the server exits mid-session and the
client reads a line that is no message. So the server is started once more with its stdin at end of file
(a sound server reads nothing and exits) and PYTHONUNBUFFERED=1 (a Python print() then goes out at once,
as it does when the buffer fills), and every line it writes to stdout before it exits (bounded in
time and size) that is not a JSON-RPC message is counted into ``Observations.stdout_faults``, which
``protocol.stdout-not-json`` judges. Nothing is sent to the server; it is killed if it has not exited.
"""

from __future__ import annotations

import subprocess
from typing import Final

import anyio
import mcp_types as types

from wireproof.check.client import Target, stdio_params
from wireproof.check.config import CheckOptions
from wireproof.check.model import Observations

__all__ = ["probe_stray_stdout"]

MAX_SECONDS: Final = 5.0
MAX_BYTES: Final = 64 * 1024


async def probe_stray_stdout(target: Target, options: CheckOptions, observations: Observations) -> None:
    """Start the server with stdin at EOF; count the stdout lines it writes that are no JSON-RPC message."""
    params = stdio_params(target)
    data = b""
    try:
        process = await anyio.open_process(
            [params.command, *params.args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            # a Python server's print() waits in a buffer that a kill never flushes: unbuffered, it shows
            env={**(params.env or {}), "PYTHONUNBUFFERED": "1"},
            cwd=params.cwd,
        )
    except OSError:
        return  # the check's own sessions say why the command does not start
    try:
        with anyio.move_on_after(min(options.timeout, MAX_SECONDS)):
            assert process.stdout is not None
            async for chunk in process.stdout:
                data += chunk
                if len(data) >= MAX_BYTES:
                    break
    finally:  # also when the check, done, cancels this probe: what was read so far counts
        with anyio.CancelScope(shield=True):
            if process.returncode is None:
                process.kill()
            await process.aclose()
        _count(data, observations)


def _count(data: bytes, observations: Observations) -> None:
    text = data.decode("utf-8", "replace")
    faults = [line for line in text.splitlines() if line.strip() and not _message(line)]
    observations.add_stdout_faults(len(faults), faults)


def _message(line: str) -> bool:
    try:
        types.jsonrpc_message_adapter.validate_json(line, by_name=False)
    except ValueError:
        return False
    return True
