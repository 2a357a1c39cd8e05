"""OpenTelemetry for served connectors: a span and a few metrics per ``tools/call``, off until ``instrument()``.

Nothing is recorded, and nothing costs, until a program calls ``instrument()``: the pipeline's one
hook (``Connector.call``, where the outcome of a call is known) reads the module's ``active``
recorder and skips it when it is None. Exporters stay the program's choice: ``instrument()`` takes
an OpenTelemetry ``TracerProvider`` and ``MeterProvider`` (the SDK's, from ``wireproof[otel]``,
wired to OTLP, Prometheus or anything else), or uses the global ones.

Per call, from the result the caller got (never from the arguments, whose values are not recorded)::

    span       execute_tool {tool}, INTERNAL, child of the current span (the SDK's server span
               ``tools/call {tool}`` when it traces to the same provider): gen_ai.tool.name,
               wireproof.outcome (ok or the error type), wireproof.error.code,
               wireproof.correlation_id, wireproof.replayed; status ERROR and error.type on isError
    metrics    wireproof.tool.calls           by tool, outcome and error code
               wireproof.tool.duration        seconds, by tool and outcome
               wireproof.idempotency.replays  a repeat answered from the stored result
               wireproof.idempotency.conflicts  a key reused with other arguments
               wireproof.budget.cuts          a page cut to fit (action=cut) or an answer refused
                                              as too large (action=refused)
               wireproof.rate_limit.refusals  calls refused by a rate limit

A call the pipeline never reaches (an unknown tool, answered with JSON-RPC -32602) is left to the
SDK's own server span. The span is recorded when the call ends, with the call's start time, so spans
the tool opens itself are its siblings under the server span, not its children.
"""

from __future__ import annotations

import time
from typing import Any, Final

import mcp_types as types
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, StatusCode

from wireproof._execution import ERROR_META, REPLAY_META
from wireproof._version import __version__

__all__ = ["SCOPE", "CallRecorder", "active", "instrument", "uninstrument"]

SCOPE: Final = "wireproof"
"""The instrumentation scope of the tracer and the meter."""

DURATION_BUCKETS: Final = (0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
"""Histogram boundaries in seconds: a millisecond in-memory read up to a call at its timeout."""

BUDGET_CUT_MARK: Final = "were left out to keep this answer within about"
"""What the response budget writes in a page's ``note`` when it cuts the page (``wireproof.budget``)."""


class CallRecorder:
    """Turns each finished ``tools/call`` into one span and its metric points."""

    def __init__(self, tracer_provider: trace.TracerProvider, meter_provider: metrics.MeterProvider) -> None:
        self._tracer = tracer_provider.get_tracer(SCOPE, __version__)
        meter = meter_provider.get_meter(SCOPE, __version__)
        self._calls = meter.create_counter(
            "wireproof.tool.calls", unit="{call}", description="tools/call answered, by tool and outcome"
        )
        self._duration = meter.create_histogram(
            "wireproof.tool.duration",
            unit="s",
            description="Time from receiving a tools/call to its answer, by tool and outcome",
            explicit_bucket_boundaries_advisory=list(DURATION_BUCKETS),
        )
        self._replays = meter.create_counter(
            "wireproof.idempotency.replays",
            unit="{call}",
            description="Repeated calls answered from the stored result of the first",
        )
        self._conflicts = meter.create_counter(
            "wireproof.idempotency.conflicts",
            unit="{call}",
            description="Calls refused because their idempotency_key was used with other arguments",
        )
        self._budget_cuts = meter.create_counter(
            "wireproof.budget.cuts",
            unit="{call}",
            description="Answers over the response budget: pages cut to fit (cut) or refused (refused)",
        )
        self._rate_limited = meter.create_counter(
            "wireproof.rate_limit.refusals", unit="{call}", description="Calls refused by a rate limit"
        )

    def record(
        self, connector: str, tool: str, result: types.CallToolResult, started: float, correlation_id: str
    ) -> None:
        """Record one finished call: ``started`` is its ``time.perf_counter()`` at the start."""
        elapsed = time.perf_counter() - started
        end_ns = time.time_ns()
        meta = result.meta or {}
        replayed = meta.get(REPLAY_META) is True
        error = meta.get(ERROR_META) if result.is_error else None
        outcome, code = "ok", None
        if result.is_error:
            outcome, code = "error", None
            if isinstance(error, dict):
                outcome, code = str(error.get("type", "error")), str(error.get("code", "error"))

        span_attributes: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": tool,
            "wireproof.connector": connector,
            "wireproof.outcome": outcome,
            "wireproof.correlation_id": correlation_id,
            "wireproof.replayed": replayed,
        }
        if code is not None:
            span_attributes["wireproof.error.code"] = code
        if result.is_error:
            span_attributes["error.type"] = outcome
        span = self._tracer.start_span(
            f"execute_tool {tool}",
            kind=SpanKind.INTERNAL,
            attributes=span_attributes,
            start_time=end_ns - int(elapsed * 1e9),
        )
        if result.is_error:
            span.set_status(StatusCode.ERROR, code)
        span.end(end_time=end_ns)

        by_tool = {"wireproof.connector": connector, "gen_ai.tool.name": tool}
        by_outcome = {**by_tool, "wireproof.outcome": outcome}
        self._calls.add(1, by_outcome if code is None else {**by_outcome, "wireproof.error.code": code})
        self._duration.record(elapsed, by_outcome)
        if replayed:
            self._replays.add(1, by_tool)
        if code == "idempotency_conflict":
            self._conflicts.add(1, by_tool)
        elif code == "response_too_large":
            self._budget_cuts.add(1, {**by_tool, "wireproof.budget.action": "refused"})
        elif outcome == "rate_limited":
            self._rate_limited.add(1, by_tool)
        elif not result.is_error and _cut_by_budget(result.structured_content):
            self._budget_cuts.add(1, {**by_tool, "wireproof.budget.action": "cut"})


def _cut_by_budget(structured: Any) -> bool:
    note = structured.get("note") if isinstance(structured, dict) else None
    return isinstance(note, str) and BUDGET_CUT_MARK in note


active: CallRecorder | None = None
"""The recorder the pipeline feeds, or None (the default): nothing is recorded."""


def instrument(
    *,
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
) -> CallRecorder:
    """Record a span and metrics for every ``tools/call`` this process serves, from now on.

    Args:
        tracer_provider: Where spans go; defaults to the global one (``trace.set_tracer_provider``),
            which without the OpenTelemetry SDK records nothing.
        meter_provider: Where metrics go; defaults to the global one (``metrics.set_meter_provider``).

    Returns:
        The recorder now active (calling ``instrument`` again replaces it).
    """
    global active  # noqa: PLW0603 - one switch per process, read by the pipeline's hook
    active = CallRecorder(
        tracer_provider or trace.get_tracer_provider(), meter_provider or metrics.get_meter_provider()
    )
    return active


def uninstrument() -> None:
    """Stop recording: later calls cost nothing again."""
    global active  # noqa: PLW0603 - one switch per process, read by the pipeline's hook
    active = None
