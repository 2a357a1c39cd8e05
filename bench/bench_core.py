"""Benchmark of the connector core: wireproof against MCPServer and the bare low-level Server.

One trivial read tool, ``echo(text) -> {"text": text}``, is served three ways
(``bench/servers/echo.py``) and called with ``mcp.Client`` in its default
``mode="auto"``:

* in memory: ``Client(server)``, sequential ``call_tool`` calls;
* over stdio: ``Client(StdioServerParameters(...))`` against ``bench/servers/echo_*.py``;
* cold start over stdio: wall time from spawning the process to the first answered call.

Runs are interleaved: each repeat runs every server once per measurement, in an
order that rotates from repeat to repeat, so machine noise falls on all three
alike. Every client wait is bounded with ``anyio.fail_after``.

Usage::

    python bench/bench_core.py                   # 5 repeats (several minutes)
    python bench/bench_core.py --repeats 9
    python bench/bench_core.py --quick           # smoke run: few calls, one repeat
    python bench/bench_core.py --markdown out.md # also write the results as a markdown section
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from servers.echo import SERVERS, build_lowlevel, build_mcpserver, build_wireproof

HERE = Path(__file__).resolve().parent
SCRIPTS = {name: HERE / "servers" / f"echo_{name}.py" for name in SERVERS}
BUILDERS: dict[str, Callable[[], Any]] = {
    "wireproof": build_wireproof,
    "mcpserver": build_mcpserver,
    "lowlevel": build_lowlevel,
}
LABELS = {"wireproof": "wireproof", "mcpserver": "MCPServer", "lowlevel": "low-level Server"}
TRANSPORTS = ("in-memory", "stdio")

ARGUMENTS = {"text": "hello"}
EXPECTED = {"text": "hello"}

CALL_TIMEOUT = 10.0
"""Bound on one ``call_tool`` (seconds)."""
SESSION_TIMEOUT = 600.0
"""Bound on one whole client session: spawn or connect, negotiate, warm up, measure, close."""
COLD_START_TIMEOUT = 60.0
"""Bound on one cold start, from spawn to first answer and through shutdown."""

TARGET_VS_MCPSERVER = 1.0
"""wireproof's throughput must be at least MCPServer's."""
TARGET_VS_LOWLEVEL = 1 / 1.5
"""wireproof's throughput must be within 1.5x of the bare low-level Server's."""


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    repeats: int
    memory_calls: int
    stdio_calls: int
    warmup: int


@dataclass
class Series:
    """One server on one transport: calls/s of each repeat, and every call's latency."""

    rates: list[float] = field(default_factory=list)
    latencies_ns: list[int] = field(default_factory=list)

    @property
    def median_rate(self) -> float:
        return statistics.median(self.rates)

    def percentile_ms(self, pct: int) -> float:
        """The ``pct``-th percentile of the pooled latencies, in milliseconds."""
        cuts = statistics.quantiles(self.latencies_ns, n=100, method="inclusive")
        return cuts[pct - 1] / 1e6


@dataclass
class Results:
    plan: Plan
    series: dict[tuple[str, str], Series] = field(default_factory=dict)
    cold_starts: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in SERVERS})
    protocol_versions: dict[str, set[str]] = field(default_factory=lambda: {t: set() for t in TRANSPORTS})

    def __post_init__(self) -> None:
        for transport in TRANSPORTS:
            for name in SERVERS:
                self.series[transport, name] = Series()

    def ratio(self, transport: str, name: str, baseline: str) -> float:
        return self.series[transport, name].median_rate / self.series[transport, baseline].median_rate


# -- measuring --------------------------------------------------------------------------------


def check(result: Any, where: str) -> None:
    """Fail loudly if a server answered anything but the expected echo."""
    if result.is_error or result.structured_content != EXPECTED:
        raise RuntimeError(f"{where}: unexpected result {result!r}")


async def call_many(client: Client, count: int, where: str) -> tuple[float, list[int]]:
    """``count`` sequential echo calls; returns calls/s and each call's latency (ns)."""
    latencies: list[int] = []
    clock = time.perf_counter_ns
    gc.collect()
    began = clock()
    for _ in range(count):
        start = clock()
        with anyio.fail_after(CALL_TIMEOUT):
            result = await client.call_tool("echo", ARGUMENTS)
        latencies.append(clock() - start)
        if result.is_error:
            raise RuntimeError(f"{where}: the call failed: {result!r}")
    elapsed = clock() - began
    check(result, where)
    return count / (elapsed / 1e9), latencies


@asynccontextmanager
async def session(target: Any) -> AsyncIterator[Client]:
    """A connected client, with the whole session bounded."""
    with anyio.fail_after(SESSION_TIMEOUT):
        async with Client(target) as client:
            yield client


async def measure(results: Results, transport: str, name: str, target: Any, count: int) -> None:
    where = f"{name} ({transport})"
    async with session(target) as client:
        results.protocol_versions[transport].add(client.protocol_version)
        await call_many(client, results.plan.warmup, where)
        rate, latencies = await call_many(client, count, where)
    series = results.series[transport, name]
    series.rates.append(rate)
    series.latencies_ns.extend(latencies)
    log(f"  {transport:<9} {LABELS[name]:<16} {rate:9,.0f} calls/s")


def stdio_params(name: str) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=[str(SCRIPTS[name])])


async def cold_start(results: Results, name: str) -> None:
    """Spawn the server and time until its first ``tools/call`` is answered."""
    with anyio.fail_after(COLD_START_TIMEOUT):
        start = time.perf_counter()
        async with Client(stdio_params(name)) as client:
            result = await client.call_tool("echo", ARGUMENTS)
            elapsed = time.perf_counter() - start
    check(result, f"{name} (cold start)")
    results.cold_starts[name].append(elapsed)
    log(f"  cold      {LABELS[name]:<16} {elapsed * 1000:9,.0f} ms")


def rotated(repeat: int) -> tuple[str, ...]:
    """The servers in the order of this repeat: each one leads in turn."""
    shift = repeat % len(SERVERS)
    return SERVERS[shift:] + SERVERS[:shift]


async def run(plan: Plan) -> Results:
    results = Results(plan)
    servers = {name: build() for name, build in BUILDERS.items()}
    # Show once that the three servers answer alike on both transports before timing anything.
    for name in SERVERS:
        for target in (servers[name], stdio_params(name)):
            async with session(target) as client:
                with anyio.fail_after(CALL_TIMEOUT):
                    check(await client.call_tool("echo", ARGUMENTS), name)
    for repeat in range(plan.repeats):
        log(f"repeat {repeat + 1}/{plan.repeats}")
        order = rotated(repeat)
        for name in order:
            await measure(results, "in-memory", name, servers[name], plan.memory_calls)
        for name in order:
            await measure(results, "stdio", name, stdio_params(name), plan.stdio_calls)
        for name in order:
            await cold_start(results, name)
    return results


# -- reporting --------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "mcp": version("mcp"),
        "wireproof": version("wireproof"),
    }


def table_rows(results: Results) -> list[list[str]]:
    rows: list[list[str]] = []
    for transport in TRANSPORTS:
        for name in SERVERS:
            series = results.series[transport, name]
            rows.append(
                [
                    transport,
                    LABELS[name],
                    f"{series.median_rate:,.0f}",
                    f"{min(series.rates):,.0f}-{max(series.rates):,.0f}",
                    f"{series.percentile_ms(50):.3f}",
                    f"{series.percentile_ms(99):.3f}",
                    f"{results.ratio(transport, name, 'mcpserver'):.2f}x",
                    f"{results.ratio(transport, name, 'lowlevel'):.2f}x",
                ]
            )
    return rows


TABLE_HEADER = [
    "transport",
    "server",
    "calls/s (median)",
    "calls/s (min-max)",
    "p50 ms",
    "p99 ms",
    "vs MCPServer",
    "vs low-level",
]


def cold_rows(results: Results) -> list[list[str]]:
    medians = {name: statistics.median(results.cold_starts[name]) for name in SERVERS}
    return [
        [
            LABELS[name],
            f"{medians[name] * 1000:,.0f}",
            f"{min(results.cold_starts[name]) * 1000:,.0f}-{max(results.cold_starts[name]) * 1000:,.0f}",
            f"{medians[name] / medians['mcpserver']:.2f}x",
            f"{medians[name] / medians['lowlevel']:.2f}x",
        ]
        for name in SERVERS
    ]


COLD_HEADER = ["server", "cold start ms (median)", "ms (min-max)", "vs MCPServer", "vs low-level"]


def targets(results: Results) -> list[tuple[str, float, bool]]:
    """Each target of the issue: what it says, wireproof's throughput ratio, and whether it is met."""
    checks: list[tuple[str, float, bool]] = []
    for transport in TRANSPORTS:
        vs_mcpserver = results.ratio(transport, "wireproof", "mcpserver")
        vs_lowlevel = results.ratio(transport, "wireproof", "lowlevel")
        checks.append(
            (
                f"{transport}: at least as fast as MCPServer (ratio >= 1.00)",
                vs_mcpserver,
                vs_mcpserver >= TARGET_VS_MCPSERVER,
            )
        )
        checks.append(
            (
                f"{transport}: within 1.5x of the low-level Server (ratio >= 0.67)",
                vs_lowlevel,
                vs_lowlevel >= TARGET_VS_LOWLEVEL,
            )
        )
    return checks


def text_table(header: list[str], rows: list[list[str]], numeric_from: int) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = [i >= numeric_from for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if right else cell.ljust(w)
            for cell, w, right in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def markdown_table(header: list[str], rows: list[list[str]], numeric_from: int) -> str:
    align = ["---:" if i >= numeric_from else "---" for i in range(len(header))]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in [header, align, *rows])


def describe_plan(plan: Plan) -> str:
    repeats = f"{plan.repeats} repeat" + ("s" if plan.repeats != 1 else "")
    return (
        f"{repeats}; per repeat and server: {plan.memory_calls:,} in-memory calls, "
        f"{plan.stdio_calls:,} stdio calls (each after {plan.warmup} warm-up calls on the same "
        f"connection), 1 cold start"
    )


def versions_line(results: Results) -> str:
    return ", ".join(
        f"{transport} {'/'.join(sorted(results.protocol_versions[transport]))}" for transport in TRANSPORTS
    )


def print_report(results: Results, info: dict[str, str], command: str) -> None:
    print()
    print(f"command:  {command}")
    print(
        f"machine:  {info['cpus']} CPUs ({info['cpu']}), {info['os']}, Python {info['python']}, "
        f"mcp {info['mcp']}, wireproof {info['wireproof']}"
    )
    print(f"plan:     {describe_plan(results.plan)}")
    print(f"protocol: Client mode 'auto' negotiated {versions_line(results)}")
    print()
    print(text_table(TABLE_HEADER, table_rows(results), numeric_from=2))
    print()
    print(text_table(COLD_HEADER, cold_rows(results), numeric_from=1))
    print()
    print("targets (wireproof's median calls/s divided by the other server's):")
    for text, ratio, met in targets(results):
        print(f"  {'MET    ' if met else 'NOT MET'}  {text}: {ratio:.2f}")


def markdown(results: Results, info: dict[str, str], command: str, when: str) -> str:
    target_lines = [
        f"- {'**met**' if met else '**not met**'}: {text}: {ratio:.2f}"
        for text, ratio, met in targets(results)
    ]
    return "\n".join(
        [
            "## Connector core: echo benchmark",
            "",
            f"- Command: `{command}`",
            f"- Date: {when}",
            f"- Machine: {info['cpus']} CPUs ({info['cpu']}), {info['os']}",
            f"- Python {info['python']}, mcp {info['mcp']}, wireproof {info['wireproof']}",
            f"- Plan: {describe_plan(results.plan)}; servers interleaved round-robin, rotating the order.",
            f"- Protocol: `Client` mode `auto` negotiated {versions_line(results)}",
            "",
            "Throughput is the median across repeats; latencies are pooled over every timed call. "
            "The vs columns divide a row's median calls/s by MCPServer's and the low-level Server's.",
            "",
            markdown_table(TABLE_HEADER, table_rows(results), numeric_from=2),
            "",
            "Cold start: spawning the stdio server process until its first `tools/call` is answered.",
            "",
            markdown_table(COLD_HEADER, cold_rows(results), numeric_from=1),
            "",
            "Targets (wireproof's median calls/s divided by the other server's):",
            "",
            *target_lines,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, help="rounds over the three servers (default 5; --quick: 1)")
    parser.add_argument("--quick", action="store_true", help="smoke run: few calls per measurement")
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="also write a markdown section here")
    args = parser.parse_args()
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.quick:
        plan = Plan(repeats=args.repeats or 1, memory_calls=200, stdio_calls=50, warmup=10)
    else:
        plan = Plan(repeats=args.repeats or 5, memory_calls=2000, stdio_calls=500, warmup=50)
    command = " ".join(["python", "bench/bench_core.py", *sys.argv[1:]])
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    log(describe_plan(plan))
    results = anyio.run(run, plan)
    print_report(results, info, command)
    if args.markdown:
        args.markdown.write_text(markdown(results, info, command, when) + "\n", encoding="utf-8")
        log(f"wrote {args.markdown}")


if __name__ == "__main__":
    main()
