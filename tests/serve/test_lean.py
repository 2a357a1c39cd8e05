"""The lean ``tools/call`` path over stdio (``wireproof.serve._lean``), against real subprocesses.

The same frames go to the connector served with the lean path and served through the SDK's request
path alone; every answer must be the same (correlation ids aside). A tool that reads its own call
chain tells which path served it. Cancelling a lean call by its id's other form ("41" for 41)
leaves it unanswered and does not hold up the exit; a lean call still running at EOF past the drain
is answered ``Connection closed``.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mcp_types import methods as _methods

from tests.serve.test_stdio import Stdio
from wireproof.serve import _lean

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
MODERN = "2026-07-28"
ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"},
}
CORRELATION = re.compile(r"c-[0-9a-f]+-\d+")


def frame(request_id: Any, method: str = "tools/call", **params: Any) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}).encode()


def initialize(request_id: str) -> bytes:
    return frame(
        request_id,
        "initialize",
        protocolVersion="2025-11-25",
        capabilities={},
        clientInfo={"name": "t", "version": "0"},
    )


def calls(meta: dict[str, Any] | None) -> list[tuple[str, bytes]]:
    """The call frames both eras get: good, bad, odd and refused, each with a distinct id."""
    m = {} if meta is None else {"_meta": meta}
    return [
        ("ok", frame(1, name="echo", arguments={"text": "hi"}, **m)),
        ("no arguments", frame(2, name="echo", **m)),
        ("null arguments", frame(3, name="echo", arguments=None, **m)),
        ("wrong type", frame(4, name="echo", arguments={"text": 5}, **m)),
        ("unknown argument", frame(5, name="echo", arguments={"txt": "a"}, **m)),
        ("too long", frame(6, name="echo", arguments={"text": "x" * 101}, **m)),
        ("unknown tool", frame(7, name="ech", arguments={}, **m)),
        ("arguments a list", frame(8, name="echo", arguments=[1], **m)),
        ("no name", frame(9, arguments={}, **m)),
        ("name a number", frame(10, name=5, **m)),
        ("extra param", frame(11, name="echo", task={"ttl": 5}, **m)),
        ("string id", frame("twelve", name="echo", arguments={"text": "12"}, **m)),
        ("numeric string id", frame("13", name="echo", arguments={"text": "13"}, **m)),
        (
            "lone surrogate",
            b'{"jsonrpc":"2.0","id":14,"method":"tools/call","params":{"name":"echo",'
            b'"arguments":{"text":"\\ud800"}'
            + (b',"_meta":' + json.dumps(meta).encode() if meta else b"")
            + b"}}",
        ),
        ("non-ascii", frame(15, name="echo", arguments={"text": "h\u00e9 \u2603 \U0001f600"}, **m)),
        (
            "progress token",
            frame(16, name="echo", arguments={}, _meta={**(meta or {}), "progressToken": "p"}),
        ),
        (
            "int progress token",
            frame(20, name="echo", arguments={}, _meta={**(meta or {}), "progressToken": 7}),
        ),
        (
            "null progress token",
            frame(21, name="echo", arguments={}, _meta={**(meta or {}), "progressToken": None}),
        ),
        (
            "bad progress token",
            frame(17, name="echo", arguments={}, _meta={**(meta or {}), "progressToken": [1]}),
        ),
        ("float id", frame(18.5, name="echo", arguments={})),
        ("route", frame(19, name="path", arguments={}, **m)),
    ]


HANDSHAKE: list[tuple[str, bytes]] = [
    ("call before initialize", frame("early", name="echo", arguments={"text": "a"})),
    (
        "initialize",
        initialize("init"),
    ),
    ("initialized", b'{"jsonrpc":"2.0","method":"notifications/initialized"}'),
    *calls(None),
    ("envelope on a handshake connection", frame(30, name="echo", arguments={}, _meta=ENVELOPE)),
    (
        "second initialize",
        initialize("init2"),
    ),
    ("after second initialize", frame(31, name="echo", arguments={"text": "b"})),
]

MODERN_ERA: list[tuple[str, bytes]] = [
    ("opening call", frame("open", name="echo", arguments={"text": "first"}, _meta=ENVELOPE)),
    *calls(ENVELOPE),
    ("no envelope", frame(40, name="echo", arguments={})),
    (
        "unsupported version",
        frame(
            41,
            name="echo",
            arguments={},
            _meta={**ENVELOPE, "io.modelcontextprotocol/protocolVersion": "2099-01-01"},
        ),
    ),
    (
        "no capabilities",
        frame(42, name="echo", arguments={}, _meta={"io.modelcontextprotocol/protocolVersion": MODERN}),
    ),
    (
        "initialize on a modern connection",
        initialize("init"),
    ),
]


async def _open(tmp_path: Path, route: str, **env: str) -> tuple[anyio.abc.Process, Path]:
    log = tmp_path / f"{route}.log"
    with log.open("wb") as stderr:
        process = await anyio.open_process(
            [sys.executable, "-m", "tests.serve.lean_app"],
            cwd=ROOT,
            env={**os.environ, "LEAN_APP_PATH": route, **env},
            stderr=stderr,
        )
    return process, log


def _normal(answer: dict[str, Any]) -> str:
    return CORRELATION.sub("c-ID", json.dumps(answer, sort_keys=True))


LEAN = {
    "ok",
    "no arguments",
    "null arguments",
    "wrong type",
    "unknown argument",
    "too long",
    "unknown tool",
    "string id",
    "numeric string id",
    "non-ascii",
    "progress token",
    "int progress token",
    "route",
}
"""The frames of ``calls`` the lean path takes; every other one the SDK answers."""


def _lean_ids(log: Path) -> set[str]:
    """The ids (as JSON) of the calls the server answered on the lean path, from its DEBUG lines."""
    found = re.findall(r"tools/call (.+) answered on the lean path", log.read_text())
    return set(found)


async def _answers(
    tmp_path: Path, route: str, frames: list[tuple[str, bytes]]
) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Each frame's answer, by its label: the frame's id answered (a frame without an id: a ping
    after it answered, and nothing else); and the labels of the frames answered on the lean path."""
    process, log = await _open(tmp_path, route)
    found: dict[str, dict[str, Any]] = {}
    async with process:
        stdio = Stdio(process)
        with anyio.fail_after(60):
            for number, (label, sent) in enumerate(frames):
                await stdio.send(sent)
                message = json.loads(sent)
                if "id" in message:
                    (answer,) = await stdio.until(json.dumps(message["id"]))
                    found[label] = json.loads(json.dumps(answer))
                else:
                    await stdio.send(frame(f"probe-{number}", "ping"))
                    assert len(await stdio.until(f'"probe-{number}"')) == 1, label
            assert process.stdin is not None
            await process.stdin.aclose()
            assert await process.wait() == 0
    assert "Traceback" not in log.read_text()
    lean_ids = _lean_ids(log)
    ids = {label: json.dumps(json.loads(sent)["id"]) for label, sent in frames if b'"id"' in sent}
    return found, {label for label, id_text in ids.items() if id_text in lean_ids}


@pytest.mark.parametrize("era", [HANDSHAKE, MODERN_ERA], ids=["handshake era", "2026-07-28 era"])
async def test_every_answer_is_the_one_the_sdk_path_writes(
    tmp_path: Path, era: list[tuple[str, bytes]]
) -> None:
    lean, taken = await _answers(tmp_path, "lean", era)
    sdk, not_taken = await _answers(tmp_path, "sdk", era)
    assert not_taken == set()
    assert taken == LEAN | ({"after second initialize"} if era is HANDSHAKE else set())
    route_lean, route_sdk = lean.pop("route"), sdk.pop("route")
    different = {
        label: (lean[label], sdk[label]) for label in sdk if _normal(lean[label]) != _normal(sdk[label])
    }
    assert not different, different
    assert route_lean["result"]["structuredContent"] == {"lean": True, "sdk": False}, route_lean
    assert route_sdk["result"]["structuredContent"] == {"lean": False, "sdk": True}, route_sdk
    # the comparison compared something: answers of each kind are there
    assert lean["ok"]["result"]["structuredContent"] == {"text": "hi"}
    assert lean["wrong type"]["result"]["isError"] is True
    assert lean["unknown tool"]["error"]["code"] == ["number", "-32602"]  # numbers kept as their text
    assert "error" in lean["arguments a list"]
    assert lean["numeric string id"]["id"] == "13"
    assert lean["non-ascii"]["result"]["structuredContent"] == {"text": "h\u00e9 \u2603 \U0001f600"}


async def test_a_lean_call_running_past_the_drain_is_answered_connection_closed(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    process, log = await _open(tmp_path, "lean", STDIO_DRAIN="0.5", LEAN_APP_STARTED=str(marker))
    async with process:
        stdio = Stdio(process)
        with anyio.fail_after(60):
            await stdio.initialize()
            await stdio.send(frame("call", name="nap", arguments={"seconds": 20}))
            while not marker.exists():  # noqa: ASYNC110 - the server writes it when the tool starts
                await anyio.sleep(0.02)
            assert process.stdin is not None
            await process.stdin.aclose()
            answers = []
            while (line := await stdio.line()) is not None:
                answers.append(json.loads(line))
            assert await process.wait() == 0
    (answer,) = [a for a in answers if a.get("id") == "call"]
    assert answer["error"] == {"code": -32000, "message": "Connection closed"}, answer
    assert "1 call(s) still running after 0.5 s are cancelled" in log.read_text()


@pytest.mark.parametrize(
    "cancel",
    [
        b'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"41"}}',
        b'{"jsonrpc":"2.0","method":"notifications\\/cancelled","params":{"requestId":41}}',
        b'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":41},"extra":1}',
    ],
    ids=["the id's other form", "an escaped method name", "an extra member"],
)
async def test_a_cancelled_lean_call_is_never_answered_and_exit_is_prompt(
    tmp_path: Path, cancel: bytes
) -> None:
    process, log = await _open(tmp_path, "lean")
    async with process:
        stdio = Stdio(process)
        with anyio.fail_after(60):
            await stdio.initialize()
            await stdio.send(frame(41, name="nap", arguments={"seconds": 20}))
            await stdio.send(frame("route", name="path", arguments={}))
            (route,) = await stdio.until('"route"')
            assert route["result"]["structuredContent"]["lean"] is True
            await stdio.send(cancel)
            await stdio.send(frame("after", "ping"))
            seen = await stdio.until('"after"')
            assert [a.get("id") for a in seen] == ["after"]
            closed = time.monotonic()
            assert process.stdin is not None
            await process.stdin.aclose()
            rest = []
            while (line := await stdio.line()) is not None:
                rest.append(json.loads(line))
            assert await process.wait() == 0
            # the 10 s drain would wait for a call the count still held
            assert time.monotonic() - closed < 5, time.monotonic() - closed
    assert rest == []
    assert "still running" not in log.read_text()


@pytest.mark.parametrize("route", ["lean", "sdk"])
async def test_a_cancel_naming_no_possible_id_changes_nothing(tmp_path: Path, route: str) -> None:
    process, log = await _open(tmp_path, route)
    async with process:
        stdio = Stdio(process)
        with anyio.fail_after(60):
            await stdio.initialize()
            for number, bad in enumerate([b"[1]", b'{"a":1}', b"true", b"1.5", b"null"]):
                await stdio.send(
                    b'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":'
                    + bad
                    + b"}}"
                )
                await stdio.send(frame(f"p{number}", name="echo", arguments={"text": str(number)}))
                (answer,) = await stdio.until(f'"p{number}"')
                assert answer["result"]["structuredContent"] == {"text": str(number)}, answer
            assert process.stdin is not None
            await process.stdin.aclose()
            assert await process.wait() == 0
    assert "Traceback" not in log.read_text()


async def test_a_failure_outside_the_pipeline_is_masked_alike_on_both_paths(tmp_path: Path) -> None:
    answers = {}
    for route in ("lean", "sdk"):
        broken = tmp_path / f"broken-{route}"
        process, log = await _open(tmp_path, route, LEAN_APP_BROKEN=str(broken))
        async with process:
            stdio = Stdio(process)
            with anyio.fail_after(60):
                await stdio.initialize()
                await stdio.send(frame("fine", name="echo", arguments={"text": "a"}))
                (fine,) = await stdio.until('"fine"')
                assert "result" in fine
                broken.touch()  # the principal source now raises, naming a path
                await stdio.send(frame("call", name="echo", arguments={"text": "b"}))
                (call,) = await stdio.until('"call"')
                await stdio.send(frame("list", "tools/list"))
                (listing,) = await stdio.until('"list"')
                assert process.stdin is not None
                await process.stdin.aclose()
                assert await process.wait() == 0
        answers[route] = (call, listing)
        assert "cannot read the keys file" in log.read_text()  # logged, with its cause
    for call, listing in answers.values():
        for answer in (call, listing):
            assert answer["error"]["code"] == ("number", "-32603"), answer
            assert str(tmp_path) not in json.dumps(answer)
            assert "keys file" not in json.dumps(answer)
            assert re.search(r"\[c-[0-9a-f]+-\d+\]", answer["error"]["message"]), answer
    assert _normal(answers["lean"][0]) == _normal(answers["sdk"][0])


async def test_two_calls_under_one_id_a_cancel_takes_the_newer_on_both_paths(tmp_path: Path) -> None:
    """A client that reuses an id in flight (a protocol error) sees the SDK's behaviour either way:
    the first call is lean, the second the SDK's, and a cancel of the id cancels the newer."""
    answers = {}
    for route in ("lean", "sdk"):
        process, _ = await _open(tmp_path, route)
        async with process:
            stdio = Stdio(process)
            with anyio.fail_after(60):
                await stdio.initialize()
                await stdio.send(frame(5, name="nap", arguments={"seconds": 1}))
                await stdio.send(frame(5, name="nap", arguments={"seconds": 2}))
                await anyio.sleep(0.3)
                await stdio.send(
                    b'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5}}'
                )
                (answer,) = await stdio.until("5")
                await anyio.sleep(2)  # the other call would have answered by now
                assert process.stdin is not None
                await process.stdin.aclose()
                rest = []
                while (line := await stdio.line()) is not None:
                    rest.append(json.loads(line))
                assert await process.wait() == 0
        answers[route] = (answer, rest)
    assert answers["lean"] == answers["sdk"]
    answer, rest = answers["sdk"]
    assert answer["result"]["structuredContent"] == {"text": "slept 1.0"}, answer
    assert rest == []


# -- the sieve of a plain result, skipped: the same answer the SDK's sieve writes -----------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_PLAIN = st.fixed_dictionaries(
    {
        "content": st.lists(st.builds(lambda text: {"type": "text", "text": text}, st.text()), max_size=3),
        "isError": st.booleans(),
        "resultType": st.just("complete"),
    },
    optional={"structuredContent": st.dictionaries(st.text(), _JSON, max_size=4)},
)
_VERSIONS = sorted({version for method, version in _methods.SERVER_RESULTS if method == "tools/call"})


def test_every_protocol_version_the_sdk_knows_takes_plain_results_without_the_sieve() -> None:
    assert _VERSIONS
    assert all(_lean._plain_fields(version) is not None for version in _VERSIONS)
    assert _lean._plain_fields("1999-01-01") is None


@settings(max_examples=300, deadline=None)
@given(result=_PLAIN, version=st.sampled_from(_VERSIONS))
def test_a_plain_result_is_written_as_the_sdks_sieve_writes_it(result: dict[str, Any], version: str) -> None:
    assert _lean._is_plain(result)
    sieved = _methods.serialize_server_result("tools/call", version, result)
    taken = _lean._sieved(result, version)
    assert taken == sieved
    assert list(taken) == list(sieved)  # the result's members in the sieve's order
    # the same JSON on the wire (a text block's two members may come in the other order: RFC 8259)
    assert json.loads(_lean._frame(1, {"result": taken})) == json.loads(_lean._frame(1, {"result": sieved}))


@pytest.mark.parametrize(
    "result",
    [
        {
            "content": [{"type": "text", "text": "x", "annotations": {"priority": 1}}],
            "resultType": "complete",
        },
        {"content": [{"type": "image", "data": "AA==", "mimeType": "image/png"}], "resultType": "complete"},
        {"content": [], "isError": False, "resultType": "complete", "_meta": {"k": 1}},
        {"content": [], "structuredContent": [1], "resultType": "complete"},
        {"content": [], "isError": 1, "resultType": "complete"},
        {"content": [], "isError": False},
        {"content": [{"type": "text", "text": 1}], "resultType": "complete"},
    ],
)
def test_any_other_result_goes_through_the_sdks_sieve(result: dict[str, Any]) -> None:
    assert not _lean._is_plain(result)
