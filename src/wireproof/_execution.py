"""Running one validated call: the effect (in a transaction where the store offers one) and its record.

Idempotency-key calls walk ``claim → effect → complete``:

    Replay       the same key and arguments finished before: the stored result, marked replayed
    InProgress   the same key is running now: a retryable ``in_progress`` error
    Mismatch     the key was used with other arguments: ``idempotency_conflict`` naming them
    Claimed      run; a success or a terminal error is stored for replay; a retryable error
                 or an unexpected exception releases the key, so a retry runs anew
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Awaitable, Callable
from datetime import date
from enum import Enum
from typing import Any, Final, Generic, TypeVar

import anyio
import anyio.to_thread
import mcp_types as types
import pydantic_core

from wireproof.auth import Principal
from wireproof.budget import DEFAULT_BUDGET_TOKENS, fit_to_budget, text_for
from wireproof.errors import (
    ABSENT,
    TOOL_FAILURE_META,
    Conflict,
    FieldError,
    InternalError,
    Unavailable,
    WireproofError,
    masking_hint,
    render_tool_error,
    tool_failure,
)
from wireproof.idempotency import (
    Claimed,
    IdempotencyStore,
    InProgress,
    LostClaimError,
    Mismatch,
    Replay,
    StoredResult,
    fingerprint,
)
from wireproof.paging import CursorCodec, Paging
from wireproof.tools import Tool, ToolContext

__all__ = ["ERROR_META", "REPLAY_META", "Execution", "error_result", "success_result"]

logger = logging.getLogger("wireproof")
StateT = TypeVar("StateT")
T = TypeVar("T")
REPLAY_META: Final = "io.wireproof/replayed"
ERROR_META: Final = "io.wireproof/error"
"""The typed error object of an ``isError`` result, in the result's ``_meta``. Not in
``structuredContent``: that must conform to the tool's outputSchema, and clients that validate it
(the TypeScript SDK 1.x, MCP Inspector) would reject the result and hide the error's message.
Beside it, ``TOOL_FAILURE_META`` carries the same error in the ToolFailure proposal's names."""


def _compact(structured: Any) -> str:
    """Compact JSON text (pydantic-core's encoder: ten times cheaper than json.dumps with options)."""
    return pydantic_core.to_json(structured).decode()


def success_result(
    structured: Any, text: str | None = None, budget_tokens: int = DEFAULT_BUDGET_TOKENS
) -> types.CallToolResult:
    """A tool result: ``structuredContent``, and the same JSON as text when both copies fit the
    budget on the wire (else a pointer to ``structuredContent``; see ``wireproof.budget``)."""
    text = _compact(structured) if text is None else text
    return types.CallToolResult(
        content=[types.TextContent(text=text_for(structured, text, budget_tokens))],
        structured_content=structured,
    )


def error_result(error: WireproofError, correlation_id: str) -> types.CallToolResult:
    """An ``isError`` tool result rendered from a typed error."""
    rendered = render_tool_error(error, correlation_id=correlation_id)
    return types.CallToolResult(
        content=[types.TextContent(text=rendered.text)],
        is_error=True,
        _meta={ERROR_META: rendered.structured["error"], TOOL_FAILURE_META: rendered.tool_failure},
    )


def _replayed(stored: StoredResult, *, open_output: bool, budget_tokens: int) -> types.CallToolResult:
    """The stored result again, marked as a replay in the result's ``_meta`` and, where the output
    schema allows extra members, in ``structuredContent._meta`` too."""
    structured = stored.structured
    if stored.is_error:  # a recorded terminal error: its text, and its typed object in _meta
        return types.CallToolResult(
            content=[types.TextContent(text=stored.text)],
            is_error=True,
            _meta={
                REPLAY_META: True,
                ERROR_META: structured["error"],
                TOOL_FAILURE_META: tool_failure(
                    structured["error"], guidance=stored.text.rsplit("\n", 1)[-1]
                ),
            },
        )
    if isinstance(structured, dict) and open_output:
        structured = {**structured, "_meta": {"replayed": True}}
    return types.CallToolResult(
        content=[types.TextContent(text=text_for(structured, _compact(structured), budget_tokens))],
        structured_content=structured,
        _meta={REPLAY_META: True},
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def _conflict(differing: tuple[str, ...], given: dict[str, Any]) -> Conflict:
    """The conflict naming the arguments that differ (stores keep digests, not the first call's values)."""
    fields = [
        FieldError(
            name,
            "differs from the first call made with this idempotency_key",
            expected="the value passed in the first call with this idempotency_key, or a new idempotency_key",
            received=given.get(name, ABSENT),
        )
        for name in differing
    ]
    return Conflict(
        "This idempotency_key was already used with different arguments",
        code="idempotency_conflict",
        fields=fields,
    )


class _Abandoned(Exception):
    """The caller was already told ``timeout``: this late effect must roll back, or never start."""


MAX_STRAGGLERS: Final = 32
"""Calls past their timeout whose threads still run, at most, per process; beyond it new calls are
refused as retryable ``overloaded`` errors, so hung tools cannot pile up threads and connections."""
_stragglers = 0
_stragglers_lock = threading.Lock()


def _count_straggler(delta: int) -> None:
    global _stragglers  # noqa: PLW0603 - one process-wide count
    with _stragglers_lock:
        _stragglers += delta


class _Worker:
    """A sync tool run in a worker thread under a deadline.

    The thread and the deadline race for one lock. Before the tool starts, the deadline wins
    cleanly: the tool never runs. While the tool runs inside a real database transaction, the
    deadline wins too: the transaction rolls back instead of committing (``may_commit``). Once the
    commit has begun, the deadline waits for it. A tool running without a transaction cannot be
    undone: the deadline then detaches it, and its outcome is recorded as usual when it ends.
    """

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fn, self.args = fn, args
        self.finished = False  # set last by the thread; read by the awaiting task
        self._lock = threading.Lock()
        self._state = "before"  # before · effect_tx · effect_raw · committing · abandoned · detached
        self._started = False
        self._counted = False
        self._outcome: tuple[bool, Any] = (False, None)

    def run(self) -> None:
        with self._lock:
            if self._state == "abandoned":  # the deadline came before the thread did
                self.finished = True
                return
            self._started = True
        try:
            self._outcome = (True, self.fn(*self.args))
        except BaseException as exc:  # noqa: BLE001 - handed back to the awaiting task
            self._outcome = (False, exc)
        finally:
            with self._lock:
                counted, self._counted = self._counted, False
            if counted:
                _count_straggler(-1)
            self.finished = True

    def begin(self, *, in_transaction: bool) -> None:
        """In the thread, just before the tool runs: raise if the caller was already answered."""
        with self._lock:
            if self._state == "abandoned":
                raise _Abandoned
            self._state = "effect_tx" if in_transaction else "effect_raw"

    def may_commit(self) -> bool:
        """In the thread, before committing the tool's transaction: False if it must roll back."""
        with self._lock:
            if self._state == "abandoned":
                return False
            if self._state != "detached":
                self._state = "committing"
            return True

    def at_deadline(self) -> str:
        """What the deadline did: ``abandoned`` (nothing happened or it rolls back), ``detached``
        (the tool runs on and its outcome is recorded), or ``finishing`` (wait for the result)."""
        with self._lock:
            if self.finished or self._state == "committing":
                return "finishing"
            self._state = "abandoned" if self._state in ("before", "effect_tx") else "detached"
            if self._started:
                self._counted = True
                _count_straggler(1)
            return self._state

    def result(self) -> Any:
        ok, value = self._outcome
        if not ok:
            raise value
        return value


class Execution(Generic[StateT]):
    """One call's execution after validation."""

    def __init__(
        self,
        tool: Tool[StateT],
        state: StateT,
        correlation_id: str,
        store: IdempotencyStore | None,
        *,
        cursors: CursorCodec,
        budget_tokens: int,
        principal: Principal | None = None,
        timeout: float | None = None,
    ):
        self.tool = tool
        self.state = state
        self.correlation_id = correlation_id
        self.store = store if tool.kind == "write" else None
        self.cursors = cursors
        self.budget_tokens = tool.budget_tokens or budget_tokens
        self.principal = principal
        self.timeout = timeout
        self.deadline = None if timeout is None or timeout == float("inf") else anyio.current_time() + timeout
        self._worker: _Worker | None = None
        self._keyed = False

    def timed_out(self, *, undone: bool) -> WireproofError:
        """The error for a call that ran past its timeout, saying truthfully what became of it.

        ``undone``: the tool never started, or its transaction rolled back: nothing changed.
        """
        name, seconds = self.tool.name, f"{self.timeout:g} s"
        if self.tool.kind == "read" or undone:
            outcome = (
                "Ask for less (a smaller limit or a narrower filter) if it keeps happening."
                if self.tool.kind == "read"
                else "This attempt changed nothing (it was rolled back)."
            )
            return Unavailable(
                f"{name} did not finish within {seconds}. {outcome}", code="timeout", retry_after=5
            )
        if self._keyed and not self.tool.is_async:
            return Unavailable(
                f"{name} did not finish within {seconds} and is still running; its outcome will be kept "
                "under this idempotency_key. Retry with the same idempotency_key to get it.",
                code="timeout",
                retry_after=5,
            )
        return Conflict(  # terminal: a blind retry could do the work twice
            f"{name} did not finish within {seconds} and was stopped; it may or may not have taken "
            "effect. Check (with a read tool) before repeating it.",
            code="outcome_unknown",
        )

    async def _in_worker(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker thread under the deadline (see ``_Worker``)."""
        if self.deadline is None:
            return await anyio.to_thread.run_sync(fn, *args)
        if _stragglers >= MAX_STRAGGLERS:
            raise Unavailable(
                f"Too many calls past their timeout are still running here ({_stragglers})",
                code="overloaded",
                retry_after=5,
            )
        worker = self._worker = _Worker(fn, args)
        with anyio.CancelScope(deadline=self.deadline):
            await anyio.to_thread.run_sync(worker.run, abandon_on_cancel=True)
        if not worker.finished:
            verdict = worker.at_deadline()
            if verdict != "finishing":
                raise self.timed_out(undone=verdict == "abandoned")
            while not worker.finished:  # noqa: ASYNC110 - committing as time ran out: it stands (rare)
                await anyio.sleep(0.005)
        result: T = worker.result()
        return result

    def _begin(self, *, in_transaction: bool) -> None:
        if self._worker is not None:
            self._worker.begin(in_transaction=in_transaction)

    async def _awaited(self, awaitable: Awaitable[Any]) -> Any:
        """An async tool's coroutine, cancelled at the deadline."""
        if self.deadline is None:
            return await awaitable
        with anyio.CancelScope(deadline=self.deadline):
            return await awaitable
        raise self.timed_out(undone=False)

    @property
    def principal_id(self) -> str:
        """The caller's binding key for records and cursors (computed only when a call needs it)."""
        return self.principal.key if self.principal is not None else "anonymous"

    def internal_error(self) -> InternalError:
        """Log the exception being handled under this call's correlation id; return the masked error."""
        logger.exception(
            "internal error in tool %s [%s]: %s",
            self.tool.name,
            self.correlation_id,
            masking_hint(sys.exc_info()[1]),
        )
        return InternalError(self.correlation_id)

    def _context(self, transaction: Any) -> tuple[Any, ...]:
        if not self.tool.takes_context:
            return ()
        paging = Paging(self.cursors, self.tool.name, self.principal_id)
        return (
            ToolContext(self.state, self.tool.name, self.correlation_id, transaction, paging, self.principal),
        )

    def _dump(self, result: Any) -> Any:
        return self.tool.output.adapter.dump_python(result, mode="json", warnings="error")

    def _shape(self, result: Any) -> tuple[Any, str]:
        """The result as ``(structuredContent, JSON text)``, within the response budget."""
        structured = self._dump(result)
        return fit_to_budget(
            result,
            structured,
            _compact(structured),
            budget_tokens=self.budget_tokens,
            dump=self._dump,
            encode=_compact,
        )

    def success(self, shaped: tuple[Any, str]) -> types.CallToolResult:
        return success_result(shaped[0], shaped[1], self.budget_tokens)

    async def run(self, values: dict[str, Any]) -> tuple[Any, str]:
        """Run the tool (no idempotency key) and return its shaped result."""
        tool, store = self.tool, self.store
        if tool.is_async:
            return self._shape(await self._awaited(tool.fn(*self._context(None), **values)))
        if store is None:
            return self._shape(await self._in_worker(self._plain, values))
        return await self._in_worker(self._in_transaction, store, values, None)

    def _plain(self, values: dict[str, Any]) -> Any:
        """In a worker thread: the tool with no transaction (a read, or a write served without a store)."""
        self._begin(in_transaction=False)
        return self.tool.fn(*self._context(None), **values)

    def _in_transaction(
        self, store: IdempotencyStore, values: dict[str, Any], claim: Claimed | None
    ) -> tuple[Any, str]:
        """In a worker thread: the effect and (with a claim) its record, committed together or not at all."""
        with store.transaction(claim) as transaction:
            self._begin(in_transaction=transaction is not None)
            shaped = self._shape(self.tool.fn(*self._context(transaction), **values))
            if claim is not None:
                store.complete(claim, StoredResult(shaped[0], shaped[1], False), transaction)
            if self._worker is not None and not self._worker.may_commit():
                raise _Abandoned  # the caller was told timeout: roll the effect back
        return shaped

    async def run_keyed(self, key: str, values: dict[str, Any]) -> types.CallToolResult:
        """The idempotency-key path: claim the key, then run, replay, or refuse."""
        store = self.store
        if store is None:  # Connector.server refuses keyed tools without a store; this is a second lock
            raise self.internal_error()
        arguments = {name: _json_value(value) for name, value in values.items()}
        scope = f"{self.principal_id}:{self.tool.name}"
        self._keyed = True
        if not self.tool.is_async:
            # One worker-thread hop for the whole claim, effect and record.
            return await self._in_worker(self._keyed_in_thread, store, scope, key, values, arguments)
        claim = await anyio.to_thread.run_sync(store.claim, scope, key, fingerprint(arguments), arguments)
        if not isinstance(claim, Claimed):
            return _settle(
                claim,
                arguments,
                open_output=self.tool.output.schema.get("additionalProperties") is not False,
                budget_tokens=self.budget_tokens,
            )
        # An async tool's effect cannot join the store's transaction: once it has returned, the effect
        # happened, so any later failure is recorded (never released), or a retry would repeat it.
        try:
            result = await self._awaited(self.tool.fn(*self._context(None), **values))
        except WireproofError as error:
            await anyio.to_thread.run_sync(self._record_failure, store, claim, error)
            raise
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(store.release, claim)
            raise
        try:
            shaped = self._shape(result)
        except WireproofError as error:  # over budget: recorded, the effect already happened
            await anyio.to_thread.run_sync(self._record_failure, store, claim, error)
            raise
        except Exception:  # noqa: BLE001 - recorded and masked: the effect already happened
            masked = self.internal_error()
            await anyio.to_thread.run_sync(self._record_failure, store, claim, masked)
            raise masked from None
        try:
            await anyio.to_thread.run_sync(store.complete, claim, StoredResult(shaped[0], shaped[1], False))
        except LostClaimError:
            # Past lock_timeout another attempt took the key over and may run the effect too: at least
            # once, not exactly once, for effects outside the store's transaction (see the README).
            logger.warning(
                "idempotency claim for tool %s was taken over during the call [%s]",
                self.tool.name,
                self.correlation_id,
            )
        return self.success(shaped)

    def _keyed_in_thread(
        self, store: IdempotencyStore, scope: str, key: str, values: dict[str, Any], arguments: dict[str, Any]
    ) -> types.CallToolResult:
        claim = store.claim(scope, key, fingerprint(arguments), arguments)
        if not isinstance(claim, Claimed):
            return _settle(
                claim,
                arguments,
                open_output=self.tool.output.schema.get("additionalProperties") is not False,
                budget_tokens=self.budget_tokens,
            )
        try:
            shaped = self._in_transaction(store, values, claim)
        except LostClaimError:
            raise Unavailable("Another attempt took over this idempotency_key", code="in_progress") from None
        except WireproofError as error:
            self._record_failure(store, claim, error)
            raise
        except BaseException:
            store.release(claim)
            raise
        return self.success(shaped)

    def _record_failure(self, store: IdempotencyStore, claim: Claimed, error: WireproofError) -> None:
        """A terminal error is stored for replay; a retryable one releases the key so a retry runs anew."""
        if error.retryable:
            store.release(claim)
            return
        rendered = render_tool_error(error, correlation_id=self.correlation_id)
        with contextlib.suppress(LostClaimError):  # the taker's own outcome will stand
            store.complete(claim, StoredResult(rendered.structured, rendered.text, True))


def _settle(
    claim: Replay | InProgress | Mismatch, arguments: dict[str, Any], *, open_output: bool, budget_tokens: int
) -> types.CallToolResult:
    """What a claim that did not go becomes: the replayed result, or the error to raise."""
    if isinstance(claim, Replay):
        return _replayed(claim.result, open_output=open_output, budget_tokens=budget_tokens)
    if isinstance(claim, InProgress):
        raise Unavailable(
            "A call with this idempotency_key is still running",
            code="in_progress",
            retry_after=claim.retry_after,
        )
    raise _conflict(claim.fields, arguments)
