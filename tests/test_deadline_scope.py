"""The shared deadline timer: each scope is cancelled at its own deadline, whatever order they come in."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest

from wireproof._deadline_scope import deadline_scope

pytestmark = pytest.mark.anyio


async def test_a_scope_is_cancelled_at_its_deadline_even_when_a_later_one_was_noted_first() -> None:
    caught: dict[str, float] = {}
    started = anyio.current_time()

    async def wait(name: str, seconds: float) -> None:
        with deadline_scope(started + seconds) as scope:
            await anyio.sleep(5)
        assert scope.cancelled_caught
        caught[name] = anyio.current_time() - started

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(wait, "late", 0.4)
            await anyio.sleep(0.01)
            group.start_soon(wait, "early", 0.1)
    assert 0.1 <= caught["early"] < 0.3
    assert 0.4 <= caught["late"] < 0.6


async def test_a_scope_that_finishes_in_time_is_not_cancelled_and_leaves_nothing_behind() -> None:
    with deadline_scope(anyio.current_time() + 0.05) as scope:
        await anyio.lowlevel.checkpoint()
    await anyio.sleep(0.1)
    assert not scope.cancelled_caught
    assert not scope.cancel_called


def test_loops_in_two_threads_each_keep_their_own_deadlines() -> None:
    """Each event loop's scopes are struck by a timer on that loop, however the threads interleave."""
    import threading

    results: list[bool] = []

    def serve() -> None:
        async def calls() -> None:
            for _ in range(20):
                with deadline_scope(anyio.current_time() + 0.01) as scope:
                    await anyio.sleep(1)
                results.append(scope.cancelled_caught)

        anyio.run(calls)

    threads = [threading.Thread(target=serve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == [True] * 40
