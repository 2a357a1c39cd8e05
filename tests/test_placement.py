"""Where a plain read runs: on the event loop once its runs prove quick, back in a worker thread after
a slow one, and never on the loop while it is slow, so a slow read still meets its deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import anyio
import pytest
from mcp import Client
from pydantic import BaseModel

import wireproof._placement
from wireproof import LOCAL_OPERATOR, Connector, ToolContext
from wireproof._placement import MAX_STREAK, QUICK, STREAK, Placement

pytestmark = pytest.mark.anyio


class Out(BaseModel):
    n: int


class State:
    def __init__(self) -> None:
        self.pause = 0.0
        self.threads: list[threading.Thread] = []


def build(*, never_blocks: bool = True) -> Connector[State]:
    app: Connector[State] = Connector("placed", timeout=5)

    @app.read(public=True, timeout=0.3, never_blocks=never_blocks)
    def read(ctx: ToolContext[State], n: int) -> Out:
        """Note the thread, pause, answer.

        Args:
            n: Echoed back.
        """
        ctx.state.threads.append(threading.current_thread())
        time.sleep(ctx.state.pause)
        return Out(n=n)

    return app


async def calls(client: Client, count: int) -> None:
    for n in range(count):
        with anyio.fail_after(5):
            result = await client.call_tool("read", {"n": n})
        assert not result.is_error, result


def test_a_read_moves_to_the_loop_after_a_streak_of_quick_runs_and_back_after_one_slow_one() -> None:
    where = Placement()
    for _ in range(STREAK - 1):
        where.ran(QUICK / 10)
    assert not where.on_loop
    where.ran(QUICK / 10)
    assert where.on_loop
    where.ran(QUICK * 2)  # one slow run on the loop is forgiven (a preempted thread, say)
    assert where.on_loop
    where.ran(QUICK / 10)
    where.ran(QUICK * 2)  # a second one within STREAK runs is not
    assert not where.on_loop


def test_a_slow_run_on_the_loop_is_forgiven_again_after_a_streak_of_quick_ones() -> None:
    where = Placement()
    for _ in range(STREAK):
        where.ran(0.0)
    for _ in range(5):
        where.ran(QUICK * 2)
        for _ in range(STREAK):
            where.ran(0.0)
        assert where.on_loop


def test_each_return_to_a_thread_doubles_the_streak_needed_and_quick_runs_on_the_loop_halve_it() -> None:
    where = Placement()
    needed = STREAK
    for _ in range(20):
        for _ in range(needed):
            assert not where.on_loop
            where.ran(0.0)
        assert where.on_loop
        where.ran(1.0)
        where.ran(1.0)
        needed = min(needed * 2, MAX_STREAK)
    assert needed == MAX_STREAK
    for _ in range(MAX_STREAK):
        where.ran(0.0)
    assert where.on_loop
    for _ in range(MAX_STREAK * 2):  # MAX_STREAK/2, then MAX_STREAK/4, ... down to STREAK
        where.ran(0.0)
    where.ran(1.0)
    where.ran(1.0)
    for _ in range(STREAK * 2):  # the doubled STREAK, not the MAX_STREAK it had reached
        where.ran(0.0)
    assert where.on_loop


def test_a_slow_run_in_a_thread_starts_the_streak_again() -> None:
    where = Placement()
    for _ in range(STREAK - 1):
        where.ran(0.0)
    where.ran(QUICK * 2)
    for _ in range(STREAK - 1):
        where.ran(0.0)
    assert not where.on_loop


@pytest.fixture
def quick() -> Iterator[float]:
    """A QUICK far above the noise of a busy test machine (a run preempted for a few ms is not slow)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wireproof._placement, "QUICK", 0.05)
        yield 0.05


async def test_a_quick_plain_read_runs_on_the_event_loop_after_its_first_runs_in_worker_threads(
    quick: float,
) -> None:
    state = State()
    async with Client(build().server(state, principal=LOCAL_OPERATOR)) as client:
        await calls(client, STREAK + 5)
    loop_thread = threading.current_thread()
    assert loop_thread not in state.threads[:STREAK]
    assert state.threads[STREAK:] == [loop_thread] * 5


async def test_a_read_that_turns_slow_goes_back_to_a_thread_and_a_slow_read_still_times_out_on_time(
    quick: float,
) -> None:
    state = State()
    async with Client(build().server(state, principal=LOCAL_OPERATOR)) as client:
        await calls(client, STREAK)
        state.pause = quick * 2  # slow: two runs on the loop (the first is forgiven), then threads
        await calls(client, 4)
        loop_thread = threading.current_thread()
        assert state.threads[STREAK : STREAK + 2] == [loop_thread, loop_thread]
        assert loop_thread not in state.threads[STREAK + 2 :]
        state.pause = 1.0  # past its 0.3 s timeout: answered at the deadline, not after the sleep
        started = time.monotonic()
        with anyio.fail_after(5):
            result = await client.call_tool("read", {"n": 1})
        assert result.is_error
        assert (result.meta or {})["io.wireproof/error"]["code"] == "timeout"
        assert time.monotonic() - started < 0.9


async def test_a_read_not_declared_never_blocking_always_runs_in_a_worker_thread(quick: float) -> None:
    """The default: a read that may wait (a lock, a network) never holds the event loop, however quick it was."""
    state = State()
    async with Client(build(never_blocks=False).server(state, principal=LOCAL_OPERATOR)) as client:
        await calls(client, STREAK + 5)
    assert threading.current_thread() not in state.threads


def test_never_blocks_is_refused_for_a_write() -> None:
    from wireproof.errors import ToolDefinitionError
    from wireproof.tools import Tool

    def add(n: int) -> Out:
        """Add.

        Args:
            n: A number.
        """
        return Out(n=n)

    with pytest.raises(ToolDefinitionError, match="never_blocks is for read tools"):
        Tool.from_function(add, kind="write", public=True, never_blocks=True)
