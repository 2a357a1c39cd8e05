"""Telemetry for served connectors: one span and the metrics of every tools/call, recorded with the
OpenTelemetry SDK's in-memory exporter and metric reader while the official client makes real calls."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader, NumberDataPoint
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from pydantic import BaseModel

from wireproof import LOCAL_OPERATOR, Connector, NotFound, Page, ToolContext, telemetry
from wireproof.idempotency import SqliteIdempotencyStore
from wireproof.ratelimit import RateLimit

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-argument-value-7731"
"""An argument value that must appear in no span and no metric."""


class Note(BaseModel):
    id: int
    body: str


class Tagged(BaseModel):
    tag: str
    serial: int


class Row(BaseModel):
    id: int
    text: str


def build() -> Connector[None]:
    app: Connector[None] = Connector("notes")
    serials = iter(range(1, 1_000))

    @app.read(public=True)
    async def get_note(note_id: int, body: str = "") -> Note:
        """Return one note.

        Args:
            note_id: The note's id; 0 does not exist.
            body: Text to echo back.
        """
        if note_id == 0:
            raise NotFound(f"No note {note_id}")
        return Note(id=note_id, body=body)

    @app.write(public=True, effect="external", idempotency_key=True, destructive=False)
    async def add_tag(tag: str) -> Tagged:
        """Add a tag.

        Args:
            tag: The tag to add.
        """
        return Tagged(tag=tag, serial=next(serials))

    @app.read(public=True, rate_limit=RateLimit(per_second=0.001, burst=1))
    async def ping() -> Note:
        """Answer once, then refuse: one call in a thousand seconds."""
        return Note(id=1, body="pong")

    @app.read(public=True, budget_tokens=300)
    async def list_rows(ctx: ToolContext[None], cursor: str | None = None) -> Page[Row]:
        """List 50 rows of 40 characters: more than a 300-token budget holds.

        Args:
            cursor: Where to continue.
        """
        start = ctx.paging.position(cursor, {}) or 0
        found = [{"id": i, "text": "x" * 40} for i in range(start + 1, start + 52)]
        return Page[Row].from_rows(
            found,
            limit=50,
            item=Row.model_validate,
            position=lambda r: r["id"],
            paging=ctx.paging,
            filters={},
        )

    @app.read(public=True, budget_tokens=300)
    async def one_big_row() -> Row:
        """One row of 5,000 characters: over a 300-token budget, and not a page that can be cut."""
        return Row(id=1, text="y" * 5_000)

    return app


def served(tmp_path: Path) -> Any:
    """The connector's SDK server, its idempotency records in a SQLite file."""
    return build().server(None, principal=LOCAL_OPERATOR, store=SqliteIdempotencyStore(tmp_path / "keys.db"))


@pytest.fixture
def recorded() -> Iterator[tuple[InMemorySpanExporter, InMemoryMetricReader]]:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    telemetry.instrument(
        tracer_provider=tracer_provider, meter_provider=MeterProvider(metric_readers=[reader])
    )
    try:
        yield spans, reader
    finally:
        telemetry.uninstrument()


def points(reader: InMemoryMetricReader, name: str) -> list[tuple[dict[str, Any], Any]]:
    """``(attributes, data point)`` of every point of metric ``name``."""
    data = reader.get_metrics_data()
    found = []
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    found += [(dict(p.attributes or {}), p) for p in metric.data.data_points]
    return found


def count(reader: InMemoryMetricReader, name: str, **attributes: str) -> int:
    """The sum of counter ``name`` over its points whose attributes include ``attributes``."""
    total = 0
    for attrs, point in points(reader, name):
        assert isinstance(point, NumberDataPoint)
        if all(attrs.get(k.replace("__", ".")) == v for k, v in attributes.items()):
            total += int(point.value)
    return total


def by_tool(spans: InMemorySpanExporter, tool: str) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if (s.attributes or {}).get("gen_ai.tool.name") == tool]


@pytest.mark.anyio
async def test_a_span_per_call_names_the_tool_outcome_code_and_correlation_id(
    recorded: tuple[InMemorySpanExporter, InMemoryMetricReader], tmp_path: Path
) -> None:
    spans, _ = recorded
    async with Client(served(tmp_path)) as client:
        ok = await client.call_tool("get_note", {"note_id": 7, "body": SECRET})
        missing = await client.call_tool("get_note", {"note_id": 0, "body": SECRET})
    assert ok.is_error is False
    assert missing.is_error is True
    first, second = by_tool(spans, "get_note")
    assert first.name == "execute_tool get_note"
    assert first.kind is SpanKind.INTERNAL
    assert first.status.status_code is StatusCode.UNSET
    assert first.attributes is not None
    assert first.attributes["wireproof.outcome"] == "ok"
    assert first.attributes["wireproof.replayed"] is False
    assert first.attributes["wireproof.connector"] == "notes"
    assert "wireproof.error.code" not in first.attributes
    assert str(first.attributes["wireproof.correlation_id"]).startswith("c-")
    assert first.start_time is not None
    assert first.end_time is not None
    assert 0 < first.end_time - first.start_time < 5e9
    assert second.attributes is not None
    assert second.attributes["wireproof.outcome"] == "not_found"
    assert second.attributes["wireproof.error.code"] == "not_found"
    assert second.attributes["error.type"] == "not_found"
    assert second.status.status_code is StatusCode.ERROR
    error = missing.meta["io.wireproof/error"]  # type: ignore[index]
    assert second.attributes["wireproof.correlation_id"] == error["correlation_id"]


@pytest.mark.anyio
async def test_calls_are_counted_by_tool_and_outcome_with_their_latency(
    recorded: tuple[InMemorySpanExporter, InMemoryMetricReader], tmp_path: Path
) -> None:
    _, reader = recorded
    async with Client(served(tmp_path)) as client:
        for note_id in (1, 2, 0):
            await client.call_tool("get_note", {"note_id": note_id})
        await client.call_tool("get_note", {"note_id": "not a number"})
    tool = {"gen_ai__tool__name": "get_note"}
    assert count(reader, "wireproof.tool.calls", **tool, wireproof__outcome="ok") == 2
    assert count(reader, "wireproof.tool.calls", **tool, wireproof__outcome="not_found") == 1
    assert (
        count(
            reader,
            "wireproof.tool.calls",
            **tool,
            wireproof__outcome="invalid_input",
            wireproof__error__code="invalid_arguments",
        )
        == 1
    )
    latencies = {attrs["wireproof.outcome"]: p for attrs, p in points(reader, "wireproof.tool.duration")}
    assert set(latencies) == {"ok", "not_found", "invalid_input"}
    ok = latencies["ok"]
    assert isinstance(ok, HistogramDataPoint)
    assert ok.count == 2
    assert 0 < ok.sum < 5
    assert list(ok.explicit_bounds) == list(telemetry.DURATION_BUCKETS)


@pytest.mark.anyio
async def test_replays_and_conflicts_of_idempotency_keys_are_counted_and_marked(
    recorded: tuple[InMemorySpanExporter, InMemoryMetricReader], tmp_path: Path
) -> None:
    spans, reader = recorded
    async with Client(served(tmp_path)) as client:
        first = await client.call_tool("add_tag", {"tag": "urgent", "idempotency_key": "k-1"})
        again = await client.call_tool("add_tag", {"tag": "urgent", "idempotency_key": "k-1"})
        other = await client.call_tool("add_tag", {"tag": "later", "idempotency_key": "k-1"})
    assert again.structured_content == {**first.structured_content, "_meta": {"replayed": True}}  # type: ignore[dict-item]
    assert other.is_error is True
    replayed = [(s.attributes or {})["wireproof.replayed"] for s in by_tool(spans, "add_tag")]
    assert replayed == [False, True, False]
    assert count(reader, "wireproof.idempotency.replays", gen_ai__tool__name="add_tag") == 1
    assert count(reader, "wireproof.idempotency.conflicts", gen_ai__tool__name="add_tag") == 1
    assert count(reader, "wireproof.tool.calls", wireproof__error__code="idempotency_conflict") == 1


@pytest.mark.anyio
async def test_budget_cuts_and_refusals_are_counted_apart(
    recorded: tuple[InMemorySpanExporter, InMemoryMetricReader], tmp_path: Path
) -> None:
    _, reader = recorded
    async with Client(served(tmp_path)) as client:
        cut = await client.call_tool("list_rows", {})
        refused = await client.call_tool("one_big_row", {})
        small = await client.call_tool("get_note", {"note_id": 1})
    assert cut.is_error is False
    assert telemetry.BUDGET_CUT_MARK in cut.structured_content["note"]  # type: ignore[index]
    assert refused.is_error is True
    assert small.is_error is False
    assert count(reader, "wireproof.budget.cuts", wireproof__budget__action="cut") == 1
    assert count(reader, "wireproof.budget.cuts", wireproof__budget__action="refused") == 1
    assert count(reader, "wireproof.budget.cuts", gen_ai__tool__name="get_note") == 0


@pytest.mark.anyio
async def test_rate_limit_refusals_are_counted(
    recorded: tuple[InMemorySpanExporter, InMemoryMetricReader], tmp_path: Path
) -> None:
    _, reader = recorded
    async with Client(served(tmp_path)) as client:
        answers = [await client.call_tool("ping", {}) for _ in range(3)]
    assert [a.is_error for a in answers] == [False, True, True]
    assert count(reader, "wireproof.rate_limit.refusals", gen_ai__tool__name="ping") == 2
    assert count(reader, "wireproof.tool.calls", wireproof__outcome="rate_limited") == 2


@pytest.mark.anyio
async def test_no_argument_value_reaches_a_span_or_a_metric(
    recorded: tuple[InMemorySpanExporter, InMemoryMetricReader], tmp_path: Path
) -> None:
    spans, reader = recorded
    async with Client(served(tmp_path)) as client:
        await client.call_tool("get_note", {"note_id": 3, "body": SECRET})
        await client.call_tool("get_note", {"note_id": SECRET})
        await client.call_tool("add_tag", {"tag": SECRET, "idempotency_key": SECRET})
        await client.call_tool("add_tag", {"tag": "other", "idempotency_key": SECRET})
    finished = spans.get_finished_spans()
    assert len(finished) == 4
    exported = [s.to_json() for s in finished]
    data = reader.get_metrics_data()
    assert data is not None
    exported.append(data.to_json())
    assert all(SECRET not in text for text in exported)
    assert all(SECRET[:12] not in text for text in exported)


@pytest.mark.anyio
async def test_nothing_is_recorded_once_uninstrumented(
    recorded: tuple[InMemorySpanExporter, InMemoryMetricReader], tmp_path: Path
) -> None:
    spans, reader = recorded
    async with Client(served(tmp_path)) as client:
        await client.call_tool("get_note", {"note_id": 1})
        telemetry.uninstrument()
        await client.call_tool("get_note", {"note_id": 2})
        await client.call_tool("get_note", {"note_id": 0})
    assert len(spans.get_finished_spans()) == 1
    assert count(reader, "wireproof.tool.calls") == 1


def test_with_the_global_provider_the_sdks_server_span_is_the_parent_of_the_tool_span() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.telemetry.global_provider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    spans = {span["name"]: span for span in json.loads(done.stdout)}
    assert spans["execute_tool get_note"]["parent"] == spans["tools/call get_note"]["id"]
    assert spans["tools/call get_note"]["parent"] is None
