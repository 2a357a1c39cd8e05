"""The dedupe window of a create-like tool, kept in the guard's idempotency store.

An identical call (same caller, same arguments) within ``window`` seconds of a first one answers
the first one's result without reaching the upstream; because the record is in the store (the
SQLite file or PostgreSQL of ``--store``), a restarted guard, and every replica on one database,
still deduplicates. Records use the store's own claim protocol, under the scope
``guard-dedupe:TOOL``, so concurrent identical calls reach the upstream once::

    t = now (wall clock: it must survive a restart)      bucket b = floor(t / window)
    key(b-1): a finished record from within the window?  → its answer
    key(b):   claimed → run, record (with t) · finished → its answer · running → wait for it

The window is cut in buckets of its own length, so a first call is found in its bucket or the one
before. A call that fails is released, not recorded: its retry runs. Records are reaped with the
store's retention (24 hours by default), which bounds a longer window.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

import anyio
import anyio.to_thread
import mcp_types as types
from pydantic import TypeAdapter

from wireproof.idempotency import (
    Claimed,
    IdempotencyStore,
    InProgress,
    LostClaimError,
    Replay,
    StoredResult,
    canonical_json,
)
from wireproof.tools import ToolAnswer

__all__ = ["DedupeWindow"]

logger = logging.getLogger("wireproof.guard")

_CONTENT: Final[TypeAdapter[list[types.ContentBlock]]] = TypeAdapter(list[types.ContentBlock])
_POLL: Final = 0.05


class DedupeWindow:
    """Identical calls of one tool within ``window`` seconds answer the first result (see the module)."""

    def __init__(
        self,
        store: IdempotencyStore,
        tool: str,
        window: float,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.tool, self.window, self.clock = store, tool, window, clock
        self.scope = f"guard-dedupe:{tool}"
        self._locks: dict[str, anyio.Lock] = {}

    async def answer(
        self, principal: str, arguments: dict[str, Any], run: Callable[[], Awaitable[ToolAnswer]]
    ) -> ToolAnswer:
        """The first answer of an identical call within the window, or ``run()``'s, recorded."""
        call = hashlib.sha256(f"{principal}\0{canonical_json(arguments)}".encode()).hexdigest()
        lock = self._locks.setdefault(call, anyio.Lock())
        try:
            async with lock:  # in one process, identical calls wait here rather than poll the store
                return await self._answer(call, run)
        finally:
            if not lock.locked() and not lock.statistics().tasks_waiting:
                self._locks.pop(call, None)

    async def _answer(self, call: str, run: Callable[[], Awaitable[ToolAnswer]]) -> ToolAnswer:
        while True:
            now = self.clock()
            bucket = math.floor(now / self.window)
            earlier = await self._recorded(call, f"{call}:{bucket - 1}", now)
            if earlier is not None:
                return earlier
            key = f"{call}:{bucket}"
            claim = await anyio.to_thread.run_sync(self.store.claim, self.scope, key, call, {})
            if isinstance(claim, Replay):
                return self._replayed(claim.result)
            if isinstance(claim, Claimed):
                return await self._run(claim, now, run)
            if isinstance(claim, InProgress):  # another replica runs it now: its answer will be ours
                await anyio.sleep(min(claim.retry_after, _POLL * 4))
                continue
            raise AssertionError(f"a dedupe key of one fingerprint cannot mismatch: {claim}")

    async def _recorded(self, call: str, key: str, now: float) -> ToolAnswer | None:
        """A finished record under ``key`` from within the window (an absent one is claimed and released)."""
        found = await anyio.to_thread.run_sync(self.store.claim, self.scope, key, call, {})
        if isinstance(found, Claimed):
            await anyio.to_thread.run_sync(self.store.release, found)
            return None
        if isinstance(found, Replay) and now - _recorded_at(found.result) <= self.window:
            return self._replayed(found.result)
        return None  # older than the window, or still running past a bucket's end: the current bucket decides

    async def _run(self, claim: Claimed, now: float, run: Callable[[], Awaitable[ToolAnswer]]) -> ToolAnswer:
        try:
            answer = await run()
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self.store.release, claim)
            raise
        stored = StoredResult(
            structured={"recorded_at": now, "structured": answer.structured},
            text="",
            is_error=False,
            content=[
                block.model_dump(mode="json", by_alias=True, exclude_none=True) for block in answer.content
            ],
        )
        try:
            await anyio.to_thread.run_sync(self.store.complete, claim, stored)
        except LostClaimError:
            logger.warning("%s: the dedupe record was taken over before it was written", self.tool)
        return answer

    def _replayed(self, result: StoredResult) -> ToolAnswer:
        logger.info("%s: identical call within %g s answered from the first", self.tool, self.window)
        structured = result.structured.get("structured") if isinstance(result.structured, dict) else None
        return ToolAnswer(content=_CONTENT.validate_python(result.content or []), structured=structured)


def _recorded_at(result: StoredResult) -> float:
    structured = result.structured
    if isinstance(structured, dict) and isinstance(structured.get("recorded_at"), int | float):
        return float(structured["recorded_at"])
    return -math.inf
