"""The dedupe window against the library's stores: within the window, past it, across buckets, failures."""

from __future__ import annotations

from pathlib import Path

import anyio
import mcp_types as types
import pytest

from wireproof.guard._dedupe import DedupeWindow
from wireproof.idempotency import SqliteIdempotencyStore
from wireproof.tools import ToolAnswer

pytestmark = pytest.mark.anyio


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class _Upstream:
    """Counts its runs; each answers its run number."""

    def __init__(self) -> None:
        self.runs = 0

    async def __call__(self) -> ToolAnswer:
        self.runs += 1
        await anyio.sleep(0.05)
        return ToolAnswer(content=[types.TextContent(text=f"run {self.runs}")], structured={"run": self.runs})


def _text(answer: ToolAnswer) -> str:
    block = answer.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


async def test_within_the_window_across_a_bucket_edge_and_past_it(tmp_path: Path) -> None:
    store = SqliteIdempotencyStore(str(tmp_path / "s.sqlite"))
    clock, upstream = _Clock(1000.0 * 60 + 50), _Upstream()  # 10 s before a bucket edge
    window = DedupeWindow(store, "add_note", 60, clock=clock)
    try:
        first = await window.answer("p", {"a": 1}, upstream)
        clock.now += 20  # in the next bucket, still within 60 s of the first call
        again = await window.answer("p", {"a": 1}, upstream)
        other_caller = await window.answer("q", {"a": 1}, upstream)
        clock.now += 45  # 65 s after the first call
        later = await window.answer("p", {"a": 1}, upstream)
    finally:
        store.close()
    assert _text(first) == _text(again) == "run 1"
    assert again.structured == {"run": 1}
    assert _text(other_caller) == "run 2"
    assert _text(later) == "run 3"


async def test_concurrent_identical_calls_run_once_and_a_failure_is_not_recorded(tmp_path: Path) -> None:
    store = SqliteIdempotencyStore(str(tmp_path / "s.sqlite"))
    upstream = _Upstream()
    window = DedupeWindow(store, "add_note", 60)
    answers: list[ToolAnswer] = []

    async def one() -> None:
        answers.append(await window.answer("p", {"a": 1}, upstream))

    async def failing() -> ToolAnswer:
        raise RuntimeError("upstream down")

    try:
        async with anyio.create_task_group() as tasks:
            for _ in range(5):
                tasks.start_soon(one)
        with pytest.raises(RuntimeError):
            await window.answer("p", {"b": 1}, failing)
        retried = await window.answer("p", {"b": 1}, upstream)
    finally:
        store.close()
    assert [_text(a) for a in answers] == ["run 1"] * 5
    assert _text(retried) == "run 2"  # the failed call left no record: its retry ran
