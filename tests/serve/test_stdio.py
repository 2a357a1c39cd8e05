"""The stdio transport (``wireproof.serve._stdio``) against a real stdio subprocess.

Every malformed frame with a readable id gets a JSON-RPC error with that id (-32700 for what is
not JSON the server can read, -32600 for JSON that is not a request MCP takes); the rest is logged
and dropped; a frame over 4 MiB is refused naming the limit; and after every one of them the
process still answers. On EOF of stdin, calls in flight finish and their answers are written.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.abc import Process

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
BOM = b"\xef\xbb\xbf"


def request(id_text: str, params: bytes = b"{}", method: bytes = b'"ping"') -> bytes:
    return (
        b'{"jsonrpc":"2.0","id":' + id_text.encode() + b',"method":' + method + b',"params":' + params + b"}"
    )


def nested(depth: int) -> bytes:
    return b'{"a":' + b"[" * depth + b"]" * depth + b"}"


Expected = tuple[str, int | None, list[str]]
"""("error", code, ids as JSON text) · ("answered", None, [id]) · ("dropped", None, [])."""


def parse_error(id_text: str) -> Expected:
    return ("error", -32700, [id_text])


def invalid(*id_texts: str) -> Expected:
    return ("error", -32600, list(id_texts))


DROPPED: Expected = ("dropped", None, [])


def answered(id_text: str) -> Expected:
    return ("answered", None, [id_text])


FRAMES: dict[str, tuple[bytes, Expected]] = {
    # Not JSON the server can read: -32700 with the id.
    "truncated object": (b'{"jsonrpc":"2.0","id":101,"method":"ping"', parse_error("101")),
    "garbage after the object": (request("102") + b" x", parse_error("102")),
    "a byte-order mark": (BOM + request("103"), parse_error("103")),
    "invalid UTF-8 in a string": (request("104", b'{"a":"\xff"}'), parse_error("104")),
    "a lone high surrogate escape": (request("105", b'{"a":"\\ud800"}'), parse_error("105")),
    "a lone low surrogate escape": (request("106", b'{"a":"\\udc00"}'), parse_error("106")),
    "a surrogate encoded as UTF-8 bytes": (request("107", b'{"a":"\xed\xa0\x80"}'), parse_error("107")),
    "nesting 1,000 deep": (request("108", nested(1000)), parse_error("108")),
    "nesting 100,000 deep": (request("109", nested(100_000)), parse_error("109")),
    "an integer of 5,000 digits in params": (
        request("110", b'{"a":' + b"7" * 5000 + b"}"),
        parse_error("110"),
    ),
    "a single-quoted string": (request("111", b"{'a':1}"), parse_error("111")),
    "a trailing comma": (request("112", b'{"a":1,}'), parse_error("112")),
    "a comment": (request("113", b'{"a":1 /* no */}'), parse_error("113")),
    "a raw tab inside a string": (request("114", b'{"a":"x\ty"}'), parse_error("114")),
    "an invalid escape": (request("115", b'{"a":"\\x41"}'), parse_error("115")),
    "a NUL byte inside a string": (request("116", b'{"a":"x\x00y"}'), parse_error("116")),
    "a hexadecimal number": (request("117", b'{"a":0x10}'), parse_error("117")),
    "a leading plus sign": (request("118", b'{"a":+1}'), parse_error("118")),
    "a Python literal": (request("119", b'{"a":True}'), parse_error("119")),
    "a string id, broken later": (request('"abc-120"', b'{"a":'), parse_error('"abc-120"')),
    "an id of 5,000 digits": (request("9" * 5000), parse_error("9" * 5000)),
    # JSON, but not a request MCP takes: -32600 with the id.
    "jsonrpc 1.0": (b'{"jsonrpc":"1.0","id":201,"method":"ping"}', invalid("201")),
    "no jsonrpc member": (b'{"id":202,"method":"ping"}', invalid("202")),
    "jsonrpc as a number": (b'{"jsonrpc":2.0,"id":203,"method":"ping"}', invalid("203")),
    "no method": (b'{"jsonrpc":"2.0","id":204}', invalid("204")),
    "method a number": (request("205", method=b"7"), invalid("205")),
    "method null": (request("206", method=b"null"), invalid("206")),
    "params a string": (request("207", b'"x"'), invalid("207")),
    "params an array": (request("208", b"[1,2]"), invalid("208")),
    "params a number": (request("209", b"3"), invalid("209")),
    "a fractional id": (request("1.5"), invalid("1.5")),
    "an id of 1.0": (request("1.0"), invalid("1.0")),
    "an id in exponent form": (request("1e3"), invalid("1e3")),
    "a batch of two requests": (b"[" + request("301") + b"," + request("302") + b"]", invalid("301", "302")),
    "a batch of a request and a notification": (
        b'[{"jsonrpc":"2.0","method":"notifications/initialized"},' + request('"b-303"') + b"]",
        invalid('"b-303"'),
    ),
    # No id a response can carry: logged and dropped (and never run).
    "id true": (request("true"), DROPPED),
    "id false": (request("false"), DROPPED),
    "id null": (request("null"), DROPPED),
    "an object id": (request('{"n":1}'), DROPPED),
    "an array id": (request("[1]"), DROPPED),
    "an empty batch": (b"[]", DROPPED),
    "a bare string": (b'"hello"', DROPPED),
    "a bare number": (b"42", DROPPED),
    "a bare null": (b"null", DROPPED),
    "an empty object": (b"{}", DROPPED),
    "text that is not JSON": (b"hello world", DROPPED),
    "a notification of jsonrpc 1.0": (b'{"jsonrpc":"1.0","method":"notifications/initialized"}', DROPPED),
    "a truncated notification": (b'{"jsonrpc":"2.0","method":"notifications/initialized"', DROPPED),
    "a response whose result is not an object": (b'{"jsonrpc":"2.0","id":401,"result":5}', DROPPED),
    "an id after the part that breaks": (
        b'{"jsonrpc":"2.0","params":{"a":[1,,2]},"id":501,"method":"ping"}',
        DROPPED,
    ),
    "a frame over 4 MiB without an id": (
        b'{"jsonrpc":"2.0","method":"x","params":{"a":"' + b"x" * (5 << 20) + b'"}}',
        DROPPED,
    ),
    # Size: refused with the id found in its first bytes.
    "a frame over 4 MiB": (request("701", b'{"a":"' + b"x" * (5 << 20) + b'"}'), invalid("701")),
    # Valid JSON-RPC: the SDK's session answers it as usual.
    "an unknown method": (request("601", method=b'"no/such"'), answered("601")),
    "NaN in params": (request("602", b'{"a":NaN}'), answered("602")),
    "a CRLF line ending": (request("603") + b"\r", answered("603")),
    "an integer id of 25 digits": (
        request("1234567890123456789012345"),
        answered("1234567890123456789012345"),
    ),
    "a string id of 100,000 characters": (
        request('"' + "i" * 100_000 + '"'),
        answered('"' + "i" * 100_000 + '"'),
    ),
}


def _decode(line: bytes) -> dict[str, Any]:
    """A response, with numbers kept as their JSON text, to compare ids exactly as sent."""
    decoded: dict[str, Any] = json.loads(
        line, parse_int=lambda s: ("number", s), parse_float=lambda s: ("number", s)
    )
    return decoded


def _id_of(response: dict[str, Any]) -> str:
    value = response.get("id")
    return value[1] if isinstance(value, tuple) else json.dumps(value)


class Stdio:
    """A real stdio subprocess and its newline-delimited frames."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self.buffer = b""

    async def send(self, frame: bytes) -> None:
        assert self.process.stdin is not None
        await self.process.stdin.send(frame + b"\n")

    async def line(self) -> bytes | None:
        assert self.process.stdout is not None
        while b"\n" not in self.buffer:
            try:
                self.buffer += await self.process.stdout.receive(1 << 20)
            except anyio.EndOfStream:
                return None
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    async def until(self, probe_id: str) -> list[dict[str, Any]]:
        """Every frame up to and including the answer to ``probe_id``."""
        seen = []
        while True:
            line = await self.line()
            assert line is not None, f"the server closed stdout before answering {probe_id}"
            seen.append(_decode(line))
            if _id_of(seen[-1]) == probe_id:
                return seen

    async def initialize(self) -> None:
        params = {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "0"},
        }
        await self.send(
            json.dumps({"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": params}).encode()
        )
        assert "result" in (await self.until('"init"'))[-1]
        await self.send(b'{"jsonrpc":"2.0","method":"notifications/initialized"}')


async def _open(tmp_path: Path, env: dict[str, str] | None = None) -> tuple[Process, Path]:
    """The subprocess, its stderr going to a file (closed here: the child holds its own copy)."""
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        process = await anyio.open_process(
            [sys.executable, "-m", "tests.serve.stdio_app"],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stderr=stderr,
        )
    return process, log


async def test_every_malformed_frame_is_answered_with_its_id_or_dropped_and_the_server_survives(
    tmp_path: Path,
) -> None:
    process, log = await _open(tmp_path)
    async with process:
        stdio = Stdio(process)
        with anyio.fail_after(120):
            await stdio.initialize()
            failures = []
            for number, (kind, (frame, (outcome, code, ids))) in enumerate(FRAMES.items()):
                await stdio.send(frame)
                probe = f'"probe-{number}"'
                await stdio.send(request(probe))
                *before, probe_answer = await stdio.until(probe)
                assert "result" in probe_answer, (kind, probe_answer)
                got = [(_id_of(r), (r.get("error") or {}).get("code")) for r in before]
                if outcome == "error":
                    want = [(i, ("number", str(code))) for i in ids]
                elif outcome == "answered":
                    want = [(ids[0], got[0][1] if got else "none")]
                else:
                    want = []
                if got != want:
                    failures.append((kind, got[:3], want[:3]))
                for response in before:
                    if "error" in response:
                        assert "send one JSON-RPC 2.0 message per line" in response["error"]["message"] or (
                            outcome == "answered"
                        ), (kind, response)
            assert not failures, failures
            assert process.stdin is not None
            await process.stdin.aclose()
            assert await stdio.line() is None
            assert await process.wait() == 0
    logged = log.read_text()
    assert logged.count("dropped a stdio frame") == sum(
        1 for _, (_, e) in FRAMES.items() if e[0] == "dropped"
    )
    assert "Traceback" not in logged


async def test_a_frame_over_the_limit_is_refused_naming_the_limit(tmp_path: Path) -> None:
    process, _ = await _open(tmp_path)
    async with process:
        stdio = Stdio(process)
        with anyio.fail_after(60):
            await stdio.send(request('"big"', b'{"a":"' + b"x" * (4 << 20) + b'"}'))
            (answer,) = await stdio.until('"big"')
            assert answer["error"]["code"] == ("number", "-32600")
            assert "4 MiB" in answer["error"]["message"]
            assert "4,194,304 bytes" in answer["error"]["message"]
            await stdio.initialize()  # and the next frame is read from its first byte


async def _call_then_eof(stdio: Stdio, seconds: float, marker: Path) -> dict[str, Any]:
    """Start a call, close stdin once the tool runs, and return the call's answer read to EOF."""
    await stdio.initialize()
    call = {"name": "sleep_for", "arguments": {"seconds": seconds}}
    await stdio.send(
        json.dumps({"jsonrpc": "2.0", "id": "call", "method": "tools/call", "params": call}).encode()
    )
    while not marker.exists():  # noqa: ASYNC110, ASYNC240 - the server process touches it when the tool starts
        await anyio.sleep(0.02)
    assert stdio.process.stdin is not None
    await stdio.process.stdin.aclose()
    answers = []
    while (line := await stdio.line()) is not None:
        answers.append(_decode(line))
    (answer,) = [a for a in answers if a.get("id") == "call"]
    return answer


async def test_on_eof_a_call_in_flight_finishes_and_its_answer_is_written(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    process, _ = await _open(tmp_path, {"SLOW_APP_STARTED": str(marker)})
    async with process:
        with anyio.fail_after(60):
            answer = await _call_then_eof(Stdio(process), 1.5, marker)
            assert answer["result"]["isError"] is False, answer
            assert answer["result"]["structuredContent"] == {"seconds": ("number", "1.5")}
            assert await process.wait() == 0


async def test_a_call_past_the_drain_bound_is_answered_and_the_process_exits(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    process, log = await _open(tmp_path, {"STDIO_DRAIN": "0.5", "SLOW_APP_STARTED": str(marker)})
    async with process:
        with anyio.fail_after(60):
            answer = await _call_then_eof(Stdio(process), 12, marker)
            assert answer["error"]["code"] == ("number", "-32000"), answer  # Connection closed
            assert await process.wait() == 0
    assert "1 call(s) still running after 0.5 s are cancelled" in log.read_text()
