"""Benchmark of the connector core: wireproof against MCPServer and the bare low-level Server.

One trivial read tool, ``echo(text) -> {"text": text}``, is served three ways
(``bench/servers/echo.py``) and called with ``mcp.Client`` in its default
``mode="auto"``:

* in memory: ``Client(server)``, sequential ``call_tool`` calls;
* over stdio: ``Client(StdioServerParameters(...))`` against ``bench/servers/echo_*.py``;
* cold start over stdio: wall time from spawning the process to the first answered call.

Runs are interleaved so that machine noise hits all three servers alike: in
each repeat the three clients of a transport are connected and warmed up side
by side, then take turns 50 calls at a time (round-robin, in an order that
rotates), and the three cold starts follow each other. Every client wait is
bounded with ``anyio.fail_after``.

Usage::

    python bench/bench_core.py                   # 5 repeats (several minutes)
    python bench/bench_core.py --repeats 9
    python bench/bench_core.py --quick           # smoke run: few calls, one repeat
    python bench/bench_core.py --markdown out.md # also write the results as a markdown section
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp_types import CallToolResult, TextContent

import wireproof
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

CHUNK = 50
"""Calls a server makes before handing over to the next one, within a repeat."""

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
    """Everything one run measured."""

    plan: Plan
    series: dict[tuple[str, str], Series] = field(default_factory=dict)
    cold_starts: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in SERVERS})
    protocol_versions: dict[str, set[str]] = field(default_factory=lambda: {t: set() for t in TRANSPORTS})

    def __post_init__(self) -> None:
        for transport in TRANSPORTS:
            for name in SERVERS:
                self.series[transport, name] = Series()

    def ratio(self, transport: str, name: str, baseline: str) -> float:
        """``name``'s median calls/s over ``baseline``'s."""
        return self.series[transport, name].median_rate / self.series[transport, baseline].median_rate

    def paired_ratios(self, transport: str, name: str, baseline: str) -> list[float]:
        """``name``'s calls/s over ``baseline``'s within each repeat."""
        ours, theirs = self.series[transport, name].rates, self.series[transport, baseline].rates
        return [a / b for a, b in zip(ours, theirs, strict=True)]


# -- measuring --------------------------------------------------------------------------------


def check(result: CallToolResult, where: str) -> None:
    """Fail loudly unless the result is the echo: structured content, and the same JSON as text."""
    texts = [json.loads(block.text) for block in result.content if isinstance(block, TextContent)]
    if result.is_error or result.structured_content != EXPECTED or texts != [EXPECTED]:
        raise RuntimeError(f"{where}: unexpected result {result!r}")


async def timed_calls(client: Client, count: int, where: str) -> tuple[int, list[int]]:
    """``count`` sequential echo calls: their total time and each call's latency (ns)."""
    latencies: list[int] = []
    clock = time.perf_counter_ns
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
    return elapsed, latencies


@asynccontextmanager
async def session(target: Any) -> AsyncIterator[Client]:
    """A connected client, with the whole session bounded."""
    with anyio.fail_after(SESSION_TIMEOUT):
        async with Client(target) as client:
            yield client


def rotated(names: tuple[str, ...], shift: int) -> tuple[str, ...]:
    """``names`` rotated left by ``shift``: each server leads in turn."""
    shift %= len(names)
    return names[shift:] + names[:shift]


async def measure(
    results: Results, transport: str, order: tuple[str, ...], targets: dict[str, Any], count: int
) -> None:
    """One repeat on one transport: ``count`` timed calls per server, interleaved in chunks.

    The three clients are connected and warmed up side by side, then take turns,
    ``CHUNK`` calls at a time in a rotating order, so a burst of machine noise
    lands on all three rather than on whichever happened to be running.
    """
    plan = results.plan
    elapsed = dict.fromkeys(order, 0)
    latencies: dict[str, list[int]] = {name: [] for name in order}
    async with AsyncExitStack() as stack:
        clients: dict[str, Client] = {}
        for name in order:
            clients[name] = await stack.enter_async_context(session(targets[name]))
            results.protocol_versions[transport].add(clients[name].protocol_version)
            await timed_calls(clients[name], plan.warmup, f"{name} ({transport}) warm-up")
        gc.collect()
        for chunk, first in enumerate(range(0, count, CHUNK)):
            for name in rotated(order, chunk):
                spent, chunk_latencies = await timed_calls(
                    clients[name], min(CHUNK, count - first), f"{name} ({transport})"
                )
                elapsed[name] += spent
                latencies[name].extend(chunk_latencies)
    for name in order:
        series = results.series[transport, name]
        series.rates.append(count / (elapsed[name] / 1e9))
        series.latencies_ns.extend(latencies[name])
        log(f"  {transport:<9} {LABELS[name]:<16} {series.rates[-1]:9,.0f} calls/s")


def stdio_params(name: str) -> StdioServerParameters:
    # The SDK starts servers with a minimal environment; PYTHONPATH is passed on so that a run
    # with PYTHONPATH=/elsewhere/src measures that wireproof on both transports.
    env = {"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else None
    return StdioServerParameters(command=sys.executable, args=[str(SCRIPTS[name])], env=env)


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


async def run(plan: Plan) -> Results:
    results = Results(plan)
    in_memory = {name: build() for name, build in BUILDERS.items()}
    over_stdio = {name: stdio_params(name) for name in SERVERS}
    # Show once that the three servers answer alike on both transports before timing anything.
    for name in SERVERS:
        for target in (in_memory[name], over_stdio[name]):
            async with session(target) as client:
                with anyio.fail_after(CALL_TIMEOUT):
                    check(await client.call_tool("echo", ARGUMENTS), name)
    for repeat in range(plan.repeats):
        log(f"repeat {repeat + 1}/{plan.repeats}")
        order = rotated(SERVERS, repeat)
        await measure(results, "in-memory", order, in_memory, plan.memory_calls)
        await measure(results, "stdio", order, over_stdio, plan.stdio_calls)
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
        "source": wireproof_source(),
    }


def wireproof_source() -> str:
    """Where the measured wireproof comes from, with its git commit when it is a checkout."""
    package = Path(wireproof.__file__).resolve().parent

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(package), *args], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", ".")
    except (OSError, subprocess.SubprocessError):
        return f"{package} (not a git checkout)"
    return f"{package} (git {head}{', with uncommitted changes' if dirty else ', clean'})"


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


@dataclass(frozen=True)
class Target:
    """One target of the issue, judged on wireproof's median calls/s over the baseline's."""

    text: str
    ratio: float
    paired: list[float]
    """wireproof's calls/s over the baseline's within each repeat: the spread shows the noise."""
    met: bool

    def describe(self) -> str:
        paired = f"median {statistics.median(self.paired):.2f}, {min(self.paired):.2f}-{max(self.paired):.2f}"
        return f"{self.text}: {self.ratio:.3f} (per-repeat ratios: {paired})"


def targets(results: Results) -> list[Target]:
    """Each target of the issue in each transport, and whether wireproof meets it."""
    checks: list[Target] = []
    for transport in TRANSPORTS:
        for baseline, words, threshold in (
            ("mcpserver", "at least as fast as MCPServer (ratio >= 1.00)", TARGET_VS_MCPSERVER),
            ("lowlevel", "within 1.5x of the low-level Server (ratio >= 0.67)", TARGET_VS_LOWLEVEL),
        ):
            ratio = results.ratio(transport, "wireproof", baseline)
            paired = results.paired_ratios(transport, "wireproof", baseline)
            checks.append(Target(f"{transport}: {words}", ratio, paired, ratio >= threshold))
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
        f"{plan.stdio_calls:,} stdio calls (after {plan.warmup} warm-up calls on the same "
        f"connection; the servers take turns {CHUNK} calls at a time), 1 cold start"
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
    print(f"source:   {info['source']}")
    print(f"plan:     {describe_plan(results.plan)}")
    print(f"protocol: Client mode 'auto' negotiated {versions_line(results)}")
    print()
    print(text_table(TABLE_HEADER, table_rows(results), numeric_from=2))
    print()
    print(text_table(COLD_HEADER, cold_rows(results), numeric_from=1))
    print()
    print("targets (wireproof's median calls/s divided by the other server's):")
    for target in targets(results):
        print(f"  {'MET    ' if target.met else 'NOT MET'}  {target.describe()}")


def markdown(results: Results, info: dict[str, str], command: str, when: str) -> str:
    target_lines = [
        f"- {'**met**' if target.met else '**not met**'}: {target.describe()}" for target in targets(results)
    ]
    return "\n".join(
        [
            "## Connector core: echo benchmark",
            "",
            f"- Command: `{command}`",
            f"- Date: {when}",
            f"- Machine: {info['cpus']} CPUs ({info['cpu']}), {info['os']}",
            f"- Python {info['python']}, mcp {info['mcp']}, wireproof {info['wireproof']}",
            f"- wireproof measured: `{info['source']}`",
            f"- Plan: {describe_plan(results.plan)}.",
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
