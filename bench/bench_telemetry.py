"""What telemetry costs a call: the pipeline without the hook, with it but not configured, and recording.

One trivial read tool, ``echo(text) -> {"text": text}``, called in memory through the official
client, in three modes, each in its own process:

* ``base``: wireproof as it was before telemetry (``--base``, default ``main``; its ``src`` is taken
  with ``git archive`` into a temporary folder, so no checkout is touched);
* ``off``: this tree, ``wireproof.telemetry`` never instrumented (the hook reads None and skips);
* ``on``: this tree, ``instrument()`` with the OpenTelemetry SDK's providers (a synchronous span
  processor into the in-memory exporter, and an in-memory metric reader).

Runs alternate (base, off, on, in an order that rotates every repeat) so that machine noise hits the
modes alike; the table gives the median of the repeats and each mode's ratio to ``base``. Last, the
hook itself when off (one module attribute and a comparison) is timed with ``timeit``, in ns.

    .venv/bin/python bench/bench_telemetry.py [--repeats 9] [--calls 3000] [--base main] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
MODES = ("base", "off", "on")
WARMUP = 200
WORKER_TIMEOUT = 300.0


class Echo(BaseModel):
    """What ``echo`` returns."""

    text: str


async def echo(text: str) -> Echo:
    """Return the text it is given.

    Args:
        text: The text to send back.
    """
    return Echo(text=text)


async def _measure(mode: str, calls: int) -> dict[str, Any]:
    """In a worker process: ``calls`` timed echo calls after a warm-up, in ``mode``."""
    # Imported here, in the worker: wireproof comes from the tree its mode names (PYTHONPATH).
    import anyio
    from mcp import Client

    import wireproof
    from wireproof import LOCAL_OPERATOR, Connector

    spans: Any = None
    if mode == "base":
        try:
            import wireproof.telemetry
        except ImportError:
            pass
        else:
            raise SystemExit("the base tree already has wireproof.telemetry: pass an older --base")
    else:
        from wireproof import telemetry

        if mode == "on":
            from opentelemetry.sdk.metrics import MeterProvider
            from opentelemetry.sdk.metrics.export import InMemoryMetricReader
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import SimpleSpanProcessor
            from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
                InMemorySpanExporter,
            )

            spans = InMemorySpanExporter()
            tracer_provider = TracerProvider()
            tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
            telemetry.instrument(
                tracer_provider=tracer_provider,
                meter_provider=MeterProvider(metric_readers=[InMemoryMetricReader()]),
            )
        assert (telemetry.active is None) == (mode == "off")

    app: Connector[None] = Connector("echo-telemetry")
    app.read(public=True)(echo)
    latencies: list[float] = []
    async with Client(app.server(None, principal=LOCAL_OPERATOR)) as client:
        for _ in range(WARMUP):
            await client.call_tool("echo", {"text": "hello"})
        started = time.perf_counter()
        with anyio.fail_after(WORKER_TIMEOUT):
            for _ in range(calls):
                before = time.perf_counter()
                result = await client.call_tool("echo", {"text": "hello"})
                latencies.append(time.perf_counter() - before)
                if result.structured_content != {"text": "hello"}:
                    raise SystemExit(f"unexpected answer: {result}")
        elapsed = time.perf_counter() - started
    if spans is not None and len(spans.get_finished_spans()) != WARMUP + calls:
        raise SystemExit("telemetry on, but not every call was recorded")
    return {
        "mode": mode,
        "wireproof": str(Path(wireproof.__file__).parent),
        "calls_per_s": calls / elapsed,
        "p50_us": statistics.median(latencies) * 1e6,
    }


def _worker(mode: str, calls: int) -> None:
    import anyio

    print(json.dumps(anyio.run(_measure, mode, calls)))


def _base_tree(rev: str, into: Path) -> Path:
    """``rev``'s ``src`` folder, extracted from the repository's objects (no checkout changes)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True, timeout=60
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True, timeout=60)
    return into / "src"


def _run(mode: str, calls: int, src: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, __file__, "--worker", mode, "--calls", str(calls)],
        env=env,
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT + 60,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"worker {mode} failed:\n{done.stderr}")
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(measured["wireproof"]) != src / "wireproof":
        raise SystemExit(f"worker {mode} imported wireproof from {measured['wireproof']}, not {src}")
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--base", default="main", help="the revision without telemetry (default: main)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 repeats of 300 calls")
    parser.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        _worker(options.worker, options.calls)
        return
    repeats, calls = (2, 300) if options.quick else (options.repeats, options.calls)
    with tempfile.TemporaryDirectory(prefix="wireproof-bench-base-") as tmp:
        sources = {"base": _base_tree(options.base, Path(tmp)), "off": ROOT / "src", "on": ROOT / "src"}
        results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
        for repeat in range(repeats):
            order = MODES[repeat % 3 :] + MODES[: repeat % 3]
            for mode in order:
                results[mode].append(_run(mode, calls, sources[mode]))
            print(f"repeat {repeat + 1}/{repeats} done", file=sys.stderr)
    base = statistics.median(r["calls_per_s"] for r in results["base"])
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(f"wireproof {head} against --base {options.base}: {repeats} repeats of {calls:,} in-memory calls")
    print("| mode | calls/s (median) | calls/s (min-max) | p50 µs (median) | vs base |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for mode in MODES:
        rates = [r["calls_per_s"] for r in results[mode]]
        median = statistics.median(rates)
        p50 = statistics.median(r["p50_us"] for r in results[mode])
        print(
            f"| {mode} | {median:,.0f} | {min(rates):,.0f}-{max(rates):,.0f} | {p50:,.0f} | {median / base:.3f}x |"
        )
    from wireproof import telemetry  # this tree's, never instrumented here

    assert telemetry.active is None
    hook = timeit.repeat(
        "telemetry.active is not None", globals={"telemetry": telemetry}, number=10**6, repeat=7
    )
    base_p50 = statistics.median(r["p50_us"] for r in results["base"])
    nanoseconds = min(hook) * 1e3  # seconds per million checks = nanoseconds per check / 1e3
    print(
        f"The hook when off (`telemetry.active is not None`, timeit, best of 7): {nanoseconds:.1f} ns a call, "
        f"{nanoseconds / (base_p50 * 1e3):.4%} of base's median p50"
    )


if __name__ == "__main__":
    main()
