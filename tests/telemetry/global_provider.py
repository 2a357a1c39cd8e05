"""Run as ``python -m tests.telemetry.global_provider``: with the OpenTelemetry SDK as the global tracer
provider, ``instrument()`` without arguments, one call; prints each span's name, id and parent as JSON.

A process of its own: the global provider can be set once per process, and the test suite's must stay unset.
"""

from __future__ import annotations

import json

import anyio
from mcp import Client
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.telemetry.test_telemetry import build
from wireproof import LOCAL_OPERATOR, telemetry
from wireproof.idempotency import MemoryIdempotencyStore


async def main() -> None:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    trace.set_tracer_provider(provider)
    telemetry.instrument()
    server = build().server(None, principal=LOCAL_OPERATOR, store=MemoryIdempotencyStore())
    with anyio.fail_after(30):
        async with Client(server) as client:
            await client.call_tool("get_note", {"note_id": 1})
    print(
        json.dumps(
            [
                {"name": s.name, "id": s.context.span_id, "parent": s.parent.span_id if s.parent else None}
                for s in spans.get_finished_spans()
                if s.context is not None
            ]
        )
    )


if __name__ == "__main__":
    anyio.run(main)
