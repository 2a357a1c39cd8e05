"""The worker-thread hop (``wireproof._worker_threads``): results, abandonment, the thread limit, anyio's
thread helpers, and the process's exit."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import anyio
import anyio.from_thread
import anyio.to_thread
import pytest

from wireproof import _worker_threads as worker_threads

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_call_runs_in_another_thread_and_returns_its_value_or_raises_its_error() -> None:
    def where(x: int) -> tuple[int, str]:
        return x * 2, threading.current_thread().name

    with anyio.fail_after(5):
        assert await worker_threads.run_sync(where, 21) == (42, "wireproof worker")

    def fails() -> None:
        raise LookupError("nope")

    with anyio.fail_after(5), pytest.raises(LookupError, match="nope"):
        await worker_threads.run_sync(fails)


async def test_a_cancelled_call_is_abandoned_at_once_while_its_thread_runs_on() -> None:
    release, finished = threading.Event(), threading.Event()

    def hangs() -> None:
        release.wait(10)
        finished.set()

    started = time.monotonic()
    with anyio.move_on_after(0.2) as scope:
        await worker_threads.run_sync(hangs)
    assert scope.cancelled_caught
    assert time.monotonic() - started < 2  # answered at the deadline, not when the thread ends
    assert not worker_threads.settled(0)  # the abandoned call still runs
    release.set()
    assert worker_threads.settled(5)
    assert finished.is_set()
    with anyio.fail_after(5):  # the thread and its limiter token are free again
        assert await worker_threads.run_sync(lambda: "again") == "again"


async def test_the_default_thread_limiter_bounds_the_calls_running_at_once() -> None:
    limiter = anyio.to_thread.current_default_thread_limiter()
    saved = limiter.total_tokens
    limiter.total_tokens = 2
    running, most = 0, 0
    lock = threading.Lock()

    def counted() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    try:
        with anyio.fail_after(10):
            async with anyio.create_task_group() as group:
                for _ in range(6):
                    group.start_soon(worker_threads.run_sync, counted)
    finally:
        limiter.total_tokens = saved
    assert most == 2
    assert limiter.borrowed_tokens == 0


async def test_a_call_can_use_anyios_thread_helpers() -> None:
    async def on_the_loop() -> str:
        return "from the loop"

    def calls_back() -> str:
        return anyio.from_thread.run(on_the_loop)

    with anyio.fail_after(5):
        assert await worker_threads.run_sync(calls_back) == "from the loop"

    checked = threading.Event()
    outcome: list[str] = []

    def checks_its_scope() -> None:
        checked.wait(5)
        try:
            anyio.from_thread.check_cancelled()
        except BaseException as exc:  # what check_cancelled raised, looked at below
            outcome.append(type(exc).__name__)

    with anyio.CancelScope() as scope:
        scope.cancel()
        await worker_threads.run_sync(checks_its_scope, cancel_scope=scope)
    assert scope.cancelled_caught
    checked.set()
    assert worker_threads.settled(5)
    assert outcome == ["CancelledError"]


EXITS = """
import sys, threading, time
from pathlib import Path
import anyio
from wireproof import _worker_threads as worker_threads

def late() -> None:
    time.sleep(0.5)
    Path(sys.argv[1]).write_text("done")

async def main() -> None:
    await worker_threads.run_sync(lambda: None)  # leaves an idle thread behind
    if len(sys.argv) > 1:
        with anyio.move_on_after(0.05):
            await worker_threads.run_sync(late)  # abandoned, still running at exit

anyio.run(main)
"""


def test_an_idle_thread_never_holds_up_the_exit_and_a_running_call_is_waited_for(tmp_path: Path) -> None:
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", EXITS], check=True, timeout=30)
    assert time.monotonic() - started < worker_threads.IDLE_SECONDS / 2
    marker = tmp_path / "late"
    subprocess.run([sys.executable, "-c", EXITS, str(marker)], check=True, timeout=30)
    assert marker.read_text() == "done"


FORKS = """
import os, sys
import anyio
from wireproof import _worker_threads as worker_threads

async def once() -> int:
    with anyio.fail_after(5):
        return await worker_threads.run_sync(os.getpid)

parent = anyio.run(once)  # leaves an idle thread that a forked child does not have
child = os.fork()
if child == 0:
    try:
        os._exit(0 if anyio.run(once) == os.getpid() else 3)
    except BaseException:
        os._exit(4)
_, status = os.waitpid(child, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")
def test_a_forked_child_runs_its_calls_in_threads_of_its_own() -> None:
    subprocess.run([sys.executable, "-c", FORKS], check=True, timeout=30)
