"""Running one validated call: the effect (in a transaction where the store offers one) and its record.

Idempotency-key calls walk ``claim → effect → complete``:

    Replay       the same key and arguments finished before: the stored result, marked replayed
    InProgress   the same key is running now: a retryable ``in_progress`` error
    Mismatch     the key was used with other arguments: ``idempotency_conflict`` naming them
    Claimed      run; a success or a terminal error is stored for replay; a retryable error
                 or an unexpected exception releases the key, so a retry runs anew; a claim
                 taken over meanwhile (past lock_timeout) is a retryable ``in_progress``

One path for both kinds of tool (``Execution.run(values, key)``): a plain read declared
``never_blocks`` runs on the event loop while its runs prove quick, any other in a worker thread
(``wireproof._placement``); a plain write runs claim,
effect and record in one worker-thread hop and, where the store offers it (``claim_and_run``: SQLite,
PostgreSQL), in one transaction: one commit, a failure leaves no claim (a terminal error is then
recorded under a claim of its own), and a duplicate meanwhile is ``in_progress`` at once. Elsewhere
the effect runs inside the store's transaction after a claim of its own. An async function runs its
effect on the event loop between a claim and a record made in worker threads.
The deadline of a plain function is ``wireproof._deadline``, its hop ``wireproof._worker_threads``,
every deadline's cancel scope ``wireproof._deadline_scope``; results are rendered by
``wireproof._rendering``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from enum import Enum
from typing import Any, Final, Generic, TypeVar, cast

import anyio
import anyio.to_thread
import mcp_types as types
import pydantic_core

from wireproof import _worker_threads as worker_threads
from wireproof._deadline import Abandoned, DeadlineWorker, Verdict, stragglers
from wireproof._deadline_scope import deadline_scope
from wireproof._placement import Placement, placement
from wireproof._rendering import (
    ERROR_META,
    REPLAY_META,
    Shaped,
    compact_json,
    error_result,
    replayed,
    success_result,
)
from wireproof._scopes import current_time
from wireproof.auth import Principal
from wireproof.budget import check_content_budget, fit_to_budget
from wireproof.errors import (
    ABSENT,
    Conflict,
    FieldError,
    InternalError,
    Unavailable,
    WireproofError,
    masking_hint,
    render_tool_error,
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
from wireproof.idempotency._store import EffectTransaction, TransactionalClaims
from wireproof.paging import CursorCodec, Paging
from wireproof.tools import Tool, ToolAnswer, ToolContext

__all__ = [
    "ERROR_META",
    "MAX_STRAGGLERS",
    "REPLAY_META",
    "Execution",
    "error_result",
    "internal_error",
    "success_result",
]

logger = logging.getLogger("wireproof")
StateT = TypeVar("StateT")
T = TypeVar("T")


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


@functools.cache
def _claims_in_transaction(store_type: type) -> bool:
    """Whether a store of this type claims, runs and records in one transaction (asked once per type:
    a protocol check costs microseconds a call)."""
    return issubclass(store_type, TransactionalClaims)


MAX_STRAGGLERS: Final = 32
"""Calls past their timeout whose threads still run, at most, per process; beyond it new calls are
refused as retryable ``overloaded`` errors, so hung tools cannot pile up threads and connections."""


def internal_error(tool: str, correlation_id: str) -> InternalError:
    """Log the exception being handled under the call's correlation id; return the masked error."""
    logger.exception(
        "internal error in tool %s [%s]: %s", tool, correlation_id, masking_hint(sys.exc_info()[1])
    )
    return InternalError(correlation_id)


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
        principal: Principal,
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
        self.deadline = None if timeout is None or timeout == float("inf") else current_time() + timeout
        self._worker: DeadlineWorker | None = None
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
        """``fn(*args)`` in a worker thread under the deadline (see ``wireproof._deadline``)."""
        if self.deadline is None:
            return await anyio.to_thread.run_sync(fn, *args)
        if stragglers() >= MAX_STRAGGLERS:
            raise Unavailable(
                f"Too many calls past their timeout are still running here ({stragglers()})",
                code="overloaded",
                retry_after=5,
            )
        worker = self._worker = DeadlineWorker(fn, args)
        with deadline_scope(self.deadline) as scope:
            await worker_threads.run_sync(worker.run, cancel_scope=scope)
        if not worker.finished:
            verdict = worker.at_deadline()
            if verdict is not Verdict.FINISHING:
                raise self.timed_out(undone=verdict is Verdict.ABANDONED)
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
        with deadline_scope(self.deadline):
            return await awaitable
        raise self.timed_out(undone=False)

    @property
    def principal_id(self) -> str:
        """The caller's binding key for records and cursors (computed only when a call needs it)."""
        return self.principal.key

    def internal_error(self) -> InternalError:
        """Log the exception being handled under this call's correlation id; return the masked error."""
        return internal_error(self.tool.name, self.correlation_id)

    def _context(self, transaction: EffectTransaction | None) -> tuple[Any, ...]:
        if not self.tool.takes_context:
            return ()
        paging = Paging(self.cursors, self.tool.name, self.principal_id)
        return (
            ToolContext(
                self.state,
                self.tool.name,
                self.correlation_id,
                transaction,
                paging,
                self.principal,
                self.deadline,
            ),
        )

    def _shape(self, result: Any) -> Shaped:
        """The result rendered within the response budget (see ``wireproof._rendering``)."""
        if isinstance(result, ToolAnswer):
            return self._shape_answer(result)
        dump = self.tool.dump
        structured = dump(result)
        if not isinstance(structured, dict):  # a forwarder's JSON array, string or number: its JSON text
            return self._shape_answer(ToolAnswer([types.TextContent(text=compact_json(structured))]))
        structured, text = fit_to_budget(
            result,
            structured,
            compact_json(structured),
            budget_tokens=self.budget_tokens,
            dump=dump,
            encode=compact_json,
        )
        return Shaped(structured, text)

    def _shape_answer(self, answer: ToolAnswer) -> Shaped:
        """A forwarder's content items as they are, measured on the wire with its structured value."""
        self.tool.check_structured(answer.structured)
        content_json = pydantic_core.to_json(list(answer.content), by_alias=True, exclude_none=True).decode()
        structured_json = None if answer.structured is None else compact_json(answer.structured)
        check_content_budget(content_json, structured_json, budget_tokens=self.budget_tokens)
        return Shaped(answer.structured, "", answer.content)

    def success(self, shaped: Shaped) -> types.CallToolResult:
        if shaped.content is not None:
            return types.CallToolResult(content=list(shaped.content), structured_content=shaped.structured)
        return success_result(shaped.structured, shaped.text, self.budget_tokens)

    def _open_output(self) -> bool:
        """Whether a replayed ``structuredContent`` may carry its own ``_meta`` replay mark."""
        output = self.tool.output
        return output is None or output.schema.get("additionalProperties") is not False

    async def run(self, values: dict[str, Any], key: str | None) -> types.CallToolResult:
        """Run the tool once with its validated ``values``: without an idempotency ``key``, the effect;
        with one, claim the key, then replay, refuse, or run and record (the module's drawing)."""
        if key is None:
            return self.success(await self._unkeyed(values))
        store = self.store
        if store is None:  # Connector.server refuses keyed tools without a store; this is a second lock
            raise self.internal_error()
        self._keyed = True
        arguments = {name: _json_value(value) for name, value in values.items()}
        scope = f"{self.principal_id}:{self.tool.name}"
        if not self.tool.is_async:  # one worker-thread hop for the claim, the effect and its record
            return await self._in_worker(self._keyed_in_thread, store, scope, key, values, arguments)
        claim = await anyio.to_thread.run_sync(store.claim, scope, key, fingerprint(arguments), arguments)
        if not isinstance(claim, Claimed):
            return self._settle(claim, arguments)
        # An async tool's effect cannot join the store's transaction: once it has returned, the effect
        # happened, so any later failure is recorded (never released), or a retry would repeat it.
        try:
            result = await self._awaited(self.tool.fn(*self._context(None), **values))
        except BaseException as error:
            with anyio.CancelScope(shield=True):
                raised = await anyio.to_thread.run_sync(self._after_failure, store, claim, error)
            if raised is error:
                raise
            raise raised from None
        return await anyio.to_thread.run_sync(
            self._attempt, store, claim, functools.partial(self._completed, store, claim, result)
        )

    async def _unkeyed(self, values: dict[str, Any]) -> Shaped:
        tool, store = self.tool, self.store
        if tool.is_async:
            return self._shape(await self._awaited(tool.fn(*self._context(None), **values)))
        if store is None and tool.never_blocks:  # on the loop or in a thread: wireproof._placement
            where = placement(tool)
            if where.on_loop:
                return self._shape(self._timed(where, values))
            return self._shape(await self._in_worker(self._timed, where, values))
        if store is None:
            return self._shape(await self._in_worker(self._plain, values))
        return await self._in_worker(self._in_transaction, store, values, None)

    def _timed(self, where: Placement, values: dict[str, Any]) -> Any:
        """A plain read, on the event loop or in a worker thread, its duration noted where it ran."""
        started = time.perf_counter()
        try:
            return self._plain(values)
        finally:
            where.ran(time.perf_counter() - started)

    def _plain(self, values: dict[str, Any]) -> Any:
        """In a worker thread: the tool with no transaction (a read, or a write served without a store)."""
        self._begin(in_transaction=False)
        return self.tool.fn(*self._context(None), **values)

    def _in_transaction(
        self, store: IdempotencyStore, values: dict[str, Any], claim: Claimed | None
    ) -> Shaped:
        """In a worker thread: the effect and (with a claim) its record, committed together or not at all."""
        with store.transaction() as transaction:
            self._begin(in_transaction=transaction is not None)
            shaped = self._shape(self.tool.fn(*self._context(transaction), **values))
            if claim is not None:
                store.complete(claim, shaped.record(), transaction)
            if self._worker is not None and not self._worker.may_commit():
                raise Abandoned  # the caller was told timeout: roll the effect back
        return shaped

    def _keyed_in_thread(
        self, store: IdempotencyStore, scope: str, key: str, values: dict[str, Any], arguments: dict[str, Any]
    ) -> types.CallToolResult:
        """In a worker thread: a plain tool's whole keyed path. Where the store can, the claim, the
        effect and the record share one transaction (one commit); a failure rolls all three back, and
        only a terminal error is then recorded, under a claim of its own."""
        digest = fingerprint(arguments)
        if _claims_in_transaction(type(store)):
            return self._claimed_in_transaction(store, scope, key, digest, values, arguments)
        claim = store.claim(scope, key, digest, arguments)
        if not isinstance(claim, Claimed):
            return self._settle(claim, arguments)
        return self._attempt(store, claim, functools.partial(self._in_transaction, store, values, claim))

    def _claimed_in_transaction(
        self,
        store: IdempotencyStore,
        scope: str,
        key: str,
        digest: str,
        values: dict[str, Any],
        arguments: dict[str, Any],
    ) -> types.CallToolResult:
        """In a worker thread: ``claim_and_run`` with the tool as its effect (the module's drawing)."""
        ran: list[bool] = []
        try:
            outcome = cast("TransactionalClaims", store).claim_and_run(
                scope, key, digest, arguments, functools.partial(self._effect, values, ran)
            )
        except LostClaimError:
            raise Unavailable("Another attempt took over this idempotency_key", code="in_progress") from None
        except WireproofError as error:
            if ran and not error.retryable:  # the tool's terminal error, rolled back: recorded for replay
                again = store.claim(scope, key, digest, arguments)
                if isinstance(again, Claimed):
                    self._record_failure(store, again, error)
            raise
        if isinstance(outcome, Shaped):
            return self.success(outcome)
        return self._settle(outcome, arguments)

    def _effect(
        self, values: dict[str, Any], ran: list[bool], transaction: EffectTransaction
    ) -> tuple[Shaped, StoredResult]:
        """In a worker thread, inside ``transaction``: the tool and its result shaped for the record."""
        self._begin(in_transaction=True)
        ran.append(True)
        shaped = self._shape(self.tool.fn(*self._context(transaction), **values))
        if self._worker is not None and not self._worker.may_commit():
            raise Abandoned  # the caller was told timeout: roll the effect back
        return shaped, shaped.record()

    def _completed(self, store: IdempotencyStore, claim: Claimed, result: Any) -> Shaped:
        """In a worker thread, after an async effect: the result shaped and recorded."""
        try:
            shaped = self._shape(result)
        except WireproofError:  # over budget, say: recorded by _attempt, the effect already happened
            raise
        except Exception:  # noqa: BLE001 - masked, then recorded: the effect already happened
            raise self.internal_error() from None
        store.complete(claim, shaped.record())
        return shaped

    def _attempt(
        self, store: IdempotencyStore, claim: Claimed, attempt: Callable[[], Shaped]
    ) -> types.CallToolResult:
        """In a worker thread: one claimed attempt, and what its failure leaves in the store."""
        try:
            return self.success(attempt())
        except BaseException as error:
            raised = self._after_failure(store, claim, error)
            if raised is error:
                raise
            raise raised from None

    def _after_failure(self, store: IdempotencyStore, claim: Claimed, error: BaseException) -> BaseException:
        """What a claimed attempt that failed leaves behind, and the exception to raise for it.

        A lost claim (another attempt took the key over past ``lock_timeout``) is a retryable
        ``in_progress``: the retry gets the taker's outcome. A typed error is recorded when terminal and
        releases the key when retryable; anything else releases the key, so a retry runs anew.
        """
        if isinstance(error, LostClaimError):
            logger.warning(
                "idempotency claim for tool %s was taken over during the call [%s]",
                self.tool.name,
                self.correlation_id,
            )
            return Unavailable("Another attempt took over this idempotency_key", code="in_progress")
        if isinstance(error, WireproofError):
            self._record_failure(store, claim, error)
        else:
            store.release(claim)
        return error

    def _record_failure(self, store: IdempotencyStore, claim: Claimed, error: WireproofError) -> None:
        """A terminal error is stored for replay; a retryable one releases the key so a retry runs anew."""
        if error.retryable:
            store.release(claim)
            return
        rendered = render_tool_error(error, correlation_id=self.correlation_id)
        with contextlib.suppress(LostClaimError):  # the taker's own outcome will stand
            store.complete(claim, StoredResult(rendered.structured, rendered.text, True))

    def _settle(
        self, claim: Replay | InProgress | Mismatch, arguments: dict[str, Any]
    ) -> types.CallToolResult:
        """What a claim that did not go becomes: the replayed result, or the error to raise."""
        if isinstance(claim, Replay):
            return replayed(claim.result, open_output=self._open_output(), budget_tokens=self.budget_tokens)
        if isinstance(claim, InProgress):
            raise Unavailable(
                "A call with this idempotency_key is still running",
                code="in_progress",
                retry_after=claim.retry_after,
            )
        raise _conflict(claim.fields, arguments)
