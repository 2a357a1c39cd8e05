"""The upstream's credentials are the guard's own: the caller's key never reaches it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp.shared.exceptions import MCPError

from tests.guard.support import flawed_spec
from wireproof.errors import Unavailable
from wireproof.guard import Upstream, UpstreamSpec


def test_the_caller_s_key_variable_is_withheld_from_a_stdio_upstream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIREPROOF_API_KEY", "the-caller-s-key")
    monkeypatch.setenv("UPSTREAM_TOKEN", "the-guard-s-own")
    spec = UpstreamSpec.stdio(["server"], withhold=["WIREPROOF_API_KEY"])
    assert "WIREPROOF_API_KEY" not in spec.env
    assert spec.env["UPSTREAM_TOKEN"] == "the-guard-s-own"
    assert spec.command == ("server",)


@pytest.mark.anyio
async def test_a_stdio_upstream_s_calls_go_through_the_lean_relay_with_the_sdk_s_answers() -> None:
    upstream = Upstream(flawed_spec(), call_timeout=20)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(upstream.supervise)
        with anyio.fail_after(30):
            await upstream.wait_started()
            assert upstream._relay is not None  # a stdio session: relayed
            answers = await _many(upstream, 20)
            unknown = await upstream.call("no_such_tool", {})  # MCPServer answers it as a failed call
            with pytest.raises(Unavailable):  # the upstream exits mid-call: retryable, and restarted
                await upstream.call("crash", {})
            while upstream.restarts < 1 or not upstream.is_up:  # noqa: ASYNC110 - the supervisor exposes no event for it
                await anyio.sleep(0.1)
            after = await upstream.call("echo", {"text": "back"})
        tasks.cancel_scope.cancel()
    assert [a.content[0].text for a in answers if isinstance(a.content[0], types.TextContent)] == [
        f"t{n}" for n in range(20)
    ]
    assert unknown.is_error
    assert upstream.restarts == 1
    assert not after.is_error


async def _many(upstream: Upstream, count: int) -> list[types.CallToolResult]:
    """``count`` concurrent calls, answered each to its own caller (ids never cross)."""
    answers: dict[int, types.CallToolResult] = {}

    async def one(n: int) -> None:
        answers[n] = await upstream.call("echo", {"text": f"t{n}"})

    async with anyio.create_task_group() as tasks:
        for n in range(count):
            tasks.start_soon(one, n)
    return [answers[n] for n in range(count)]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("modern_only", "era"), [(False, "2025-11-25"), (True, "2026-07-28")], ids=["dual-era", "2026-07-28 only"]
)
async def test_a_stdio_upstream_is_spoken_to_in_the_handshake_era_unless_it_refuses_it(
    modern_only: bool, era: str
) -> None:
    spec = flawed_spec()
    if modern_only:
        spec = UpstreamSpec(command=spec.command, env={**spec.env, "FLAWED_MODERN_ONLY": "1"})
    upstream = Upstream(spec, call_timeout=20)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(upstream.supervise)
        with anyio.fail_after(30):
            await upstream.wait_started()
            assert upstream._client is not None
            spoken = upstream._client.protocol_version
            relayed = upstream._relay is not None
            answer = await upstream.call("echo", {"text": "era"})
        tasks.cancel_scope.cancel()
    assert spoken == era
    assert relayed
    assert [c.text for c in answer.content if isinstance(c, types.TextContent)] == ["era"]


@pytest.mark.anyio
async def test_relayed_frames_larger_than_the_pipe_never_interleave() -> None:
    upstream = Upstream(flawed_spec(), call_timeout=20)
    texts = [f"{n}:" + chr(ord("a") + n) * 200_000 for n in range(6)]  # each frame over a pipe's 64 KiB
    answers: dict[int, types.CallToolResult] = {}

    async def one(n: int) -> None:
        answers[n] = await upstream.call("echo", {"text": texts[n]})

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(upstream.supervise)
        with anyio.fail_after(30):
            await upstream.wait_started()
            async with anyio.create_task_group() as calls:
                for n in range(len(texts)):
                    calls.start_soon(one, n)
            small = await upstream.call("echo", {"text": "after"})  # the pipe is whole again
        tasks.cancel_scope.cancel()
    assert [answers[n].content[0].text for n in range(len(texts))] == texts  # type: ignore[union-attr]
    assert small.content[0].text == "after"  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_a_relayed_call_keeps_its_backstop_unless_the_caller_s_deadline_comes_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upstream = Upstream(flawed_spec(), call_timeout=0.5)
    backstops: list[float] = []
    fail_after = anyio.fail_after

    @contextmanager
    def counted(delay: float | None, shield: bool = False) -> Iterator[Any]:
        backstops.append(delay or 0.0)
        with fail_after(delay, shield) as scope:
            yield scope

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(upstream.supervise)
        with anyio.fail_after(30):
            await upstream.wait_started()
            monkeypatch.setattr(anyio, "fail_after", counted)
            with pytest.raises(MCPError) as timed_out:  # no deadline known: the backstop bounds it
                await upstream.call("hang", {"seconds": 20})
            with pytest.raises(MCPError):  # a deadline after the backstop's: the backstop first
                await upstream.call("hang", {"seconds": 20}, deadline=anyio.current_time() + 60)
            assert backstops.count(0.5) == 2  # (the tools/list probes after a timeout have 3 s)
            with anyio.move_on_after(0.3) as caller:  # the caller's own deadline, told: no second scope
                await upstream.call("hang", {"seconds": 20}, deadline=anyio.current_time() + 0.3)
            assert caller.cancelled_caught
            assert backstops.count(0.5) == 2
            monkeypatch.undo()
        tasks.cancel_scope.cancel()
    assert timed_out.value.error.code == types.REQUEST_TIMEOUT


class _PipeTransport:
    """What ``_UpstreamLines`` asks of the loop's read transport: pausing."""

    def __init__(self) -> None:
        self.pauses = 0

    def pause_reading(self) -> None:
        self.pauses += 1


@pytest.mark.anyio
async def test_the_upstream_s_stdout_pauses_while_256_lines_wait_for_the_session_and_answers_never_count() -> (
    None
):
    from mcp import StdioServerParameters

    from wireproof.guard._relay import _SESSION_BACKLOG, StdioRelay, _Slot, _UpstreamLines

    relay = StdioRelay(StdioServerParameters(command="unused"))
    send, receive = anyio.create_memory_object_stream[bytes](float("inf"))
    lines, transport = _UpstreamLines(relay, send), _PipeTransport()
    lines.transport = transport  # type: ignore[assignment]  # only pause_reading is used
    note = b'{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}}\n'
    lines.data_received(note * (_SESSION_BACKLOG - 1))
    assert transport.pauses == 0
    slot = relay._pending["wireproof-relay-1"] = _Slot(None)
    lines.data_received(b'{"jsonrpc":"2.0","id":"wireproof-relay-1","result":{"content":[]}}\n')
    assert slot.message is not None  # handed to its call, not queued
    assert transport.pauses == 0
    lines.data_received(note)  # the 256th line waiting
    assert transport.pauses == 1
    assert receive.statistics().current_buffer_used == _SESSION_BACKLOG
    send.close()
    receive.close()
