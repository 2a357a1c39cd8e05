"""Benchmark of the connector core: wireproof against MCPServer (and the bare low-level Server).

Two kinds of work, each called with ``mcp.Client`` in its default ``mode="auto"``, in memory
(``Client(server)``) and over stdio (``Client(StdioServerParameters(...))``), sequentially:

* **echo**: one trivial read tool, ``echo(text) -> {"text": text}``, served by wireproof, by
  ``MCPServer`` and by the bare low-level ``Server`` (``bench/servers/echo.py``), plus one cold
  start of each over stdio (wall time from spawning the process to the first answered call);
* **same work**: helpdesk's ``get_ticket``, ``list_tickets_by_date`` (a page of 25) and
  ``add_ticket_comment`` with a fresh ``idempotency_key`` per call, served by the real helpdesk
  connector and by an ``MCPServer`` running the same SQL on the same SQLite file
  (``bench/servers/helpdesk_same.py``).

Runs are interleaved so that machine noise hits every server alike: in each repeat the clients
of one tool and transport are connected and warmed up side by side, then take turns 50 calls at
a time, in an order that rotates. The per-repeat ratios (wireproof over the other server within
one repeat) are the least noisy comparison; the report gives their median and range. Every
client wait is bounded with ``anyio.fail_after``.

Usage::

    python bench/bench_core.py                   # 5 repeats of everything (several minutes)
    python bench/bench_core.py --repeats 9
    python bench/bench_core.py --only get_ticket,echo
    python bench/bench_core.py --quick           # smoke run: few calls, one repeat
    python bench/bench_core.py --markdown out.md # also write the results as a markdown section
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
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
from servers import helpdesk_same
from servers.echo import SERVERS, build_lowlevel, build_mcpserver, build_wireproof

HERE = Path(__file__).resolve().parent
SCRIPTS = {name: HERE / "servers" / f"echo_{name}.py" for name in SERVERS}
SAME_WORK_SCRIPT = HERE / "servers" / "helpdesk_same.py"
LABELS = {"wireproof": "wireproof", "mcpserver": "MCPServer", "lowlevel": "low-level Server"}
TRANSPORTS = ("in-memory", "stdio")
TICKETS = 300
"""Tickets seeded into the same-work SQLite file (as the issue measured)."""

CHUNK = 50
"""Calls a server makes before handing over to the next one, within a repeat."""

CALL_TIMEOUT = 10.0
"""Bound on one ``call_tool`` (seconds)."""
SESSION_TIMEOUT = 600.0
"""Bound on one whole client session: spawn or connect, negotiate, warm up, measure, close."""
COLD_START_TIMEOUT = 60.0
"""Bound on one cold start, from spawn to first answer and through shutdown."""

TARGET_VS_MCPSERVER = 1.0
"""wireproof's throughput must be at least MCPServer's (echo and same work)."""
TARGET_VS_LOWLEVEL = 0.9
"""On echo, wireproof's throughput must be at least 0.9x the bare low-level Server's."""


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    repeats: int
    memory_calls: int
    stdio_calls: int
    same_memory_calls: int
    same_stdio_calls: int
    warmup: int


@dataclass(frozen=True)
class Workload:
    """One tool called the same way on every server of ``servers``."""

    key: str
    label: str
    tool: str
    servers: tuple[str, ...]
    arguments: Callable[[int], dict[str, Any]]
    """The arguments of the ``i``-th call (the same sequence on every server)."""


_keys = itertools.count()

WORKLOADS: dict[str, Workload] = {
    w.key: w
    for w in (
        Workload("echo", "echo", "echo", SERVERS, lambda i: {"text": "hello"}),
        Workload(
            "get_ticket",
            "get_ticket",
            "get_ticket",
            ("wireproof", "mcpserver"),
            lambda i: {"ticket_id": i % TICKETS + 1},
        ),
        Workload(
            "list_tickets_by_date",
            "list_tickets_by_date (25 items)",
            "list_tickets_by_date",
            ("wireproof", "mcpserver"),
            lambda i: {"start_date": "2026-01-01", "end_date": "2026-10-31", "limit": 25},
        ),
        Workload(
            "add_ticket_comment",
            "add_ticket_comment (keyed)",
            "add_ticket_comment",
            ("wireproof", "mcpserver"),
            lambda i: {
                "ticket_id": i % TICKETS + 1,
                "body": "Benchmark comment.",
                "idempotency_key": f"bench-{os.getpid()}-{next(_keys)}",
            },
        ),
    )
}


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
    workloads: tuple[str, ...]
    series: dict[tuple[str, str, str], Series] = field(default_factory=dict)
    cold_starts: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in SERVERS})
    protocol_versions: dict[str, set[str]] = field(default_factory=lambda: {t: set() for t in TRANSPORTS})

    def __post_init__(self) -> None:
        for key in self.workloads:
            for transport in TRANSPORTS:
                for name in WORKLOADS[key].servers:
                    self.series[key, transport, name] = Series()

    def ratio(self, key: str, transport: str, name: str, baseline: str) -> float:
        """``name``'s median calls/s over ``baseline``'s."""
        return (
            self.series[key, transport, name].median_rate / self.series[key, transport, baseline].median_rate
        )

    def paired_ratios(self, key: str, transport: str, name: str, baseline: str) -> list[float]:
        """``name``'s calls/s over ``baseline``'s within each repeat."""
        ours, theirs = self.series[key, transport, name].rates, self.series[key, transport, baseline].rates
        return [a / b for a, b in zip(ours, theirs, strict=True)]


# -- measuring --------------------------------------------------------------------------------


def answer(result: CallToolResult, where: str) -> Any:
    """The structured content of a successful result whose text block is the same JSON."""
    texts = [json.loads(block.text) for block in result.content if isinstance(block, TextContent)]
    if result.is_error or texts != [result.structured_content]:
        raise RuntimeError(f"{where}: unexpected result {result!r}")
    return result.structured_content


def comparable(key: str, content: Any) -> Any:
    """What must agree between the servers: everything but ids and times a write makes, and the
    cursor (wireproof signs it; the baseline's is the last row's position)."""
    if key == "add_ticket_comment":
        return {k: v for k, v in content.items() if k not in ("id", "created_at")}
    if key == "list_tickets_by_date":
        return {
            "items": content["items"],
            "has_more": content["has_more"],
            "cursor": bool(content["next_cursor"]),
        }
    return content


async def timed_calls(client: Client, work: Workload, count: int, where: str) -> tuple[int, list[int]]:
    """``count`` sequential calls: their total time and each call's latency (ns)."""
    latencies: list[int] = []
    clock = time.perf_counter_ns
    arguments = [work.arguments(i) for i in range(count)]
    began = clock()
    for args in arguments:
        start = clock()
        with anyio.fail_after(CALL_TIMEOUT):
            result = await client.call_tool(work.tool, args)
        latencies.append(clock() - start)
        if result.is_error:
            raise RuntimeError(f"{where}: the call failed: {result!r}")
    elapsed = clock() - began
    answer(result, where)
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
    results: Results,
    work: Workload,
    transport: str,
    order: tuple[str, ...],
    targets: dict[str, Any],
    count: int,
) -> None:
    """One repeat of one workload on one transport: ``count`` timed calls per server, interleaved in chunks.

    The clients are connected and warmed up side by side, then take turns, ``CHUNK`` calls at a
    time in a rotating order, so a burst of machine noise lands on all of them rather than on
    whichever happened to be running.
    """
    plan = results.plan
    elapsed = dict.fromkeys(order, 0)
    latencies: dict[str, list[int]] = {name: [] for name in order}
    async with AsyncExitStack() as stack:
        clients: dict[str, Client] = {}
        for name in order:
            clients[name] = await stack.enter_async_context(session(targets[name]))
            results.protocol_versions[transport].add(clients[name].protocol_version)
            await timed_calls(clients[name], work, plan.warmup, f"{name} {work.key} ({transport}) warm-up")
        gc.collect()
        for chunk, first in enumerate(range(0, count, CHUNK)):
            for name in rotated(order, chunk):
                spent, chunk_latencies = await timed_calls(
                    clients[name], work, min(CHUNK, count - first), f"{name} {work.key} ({transport})"
                )
                elapsed[name] += spent
                latencies[name].extend(chunk_latencies)
    for name in order:
        series = results.series[work.key, transport, name]
        series.rates.append(count / (elapsed[name] / 1e9))
        series.latencies_ns.extend(latencies[name])
        log(f"  {transport:<9} {work.key:<21} {LABELS[name]:<16} {series.rates[-1]:9,.0f} calls/s")


def child_env() -> dict[str, str] | None:
    # The SDK starts servers with a minimal environment; PYTHONPATH is passed on so that a run
    # with PYTHONPATH=/elsewhere/src measures that wireproof on both transports.
    return {"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else None


def stdio_params(name: str) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=[str(SCRIPTS[name])], env=child_env())


def same_work_params(name: str, db: Path) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable, args=[str(SAME_WORK_SCRIPT), name, str(db)], env=child_env()
    )


async def cold_start(results: Results, name: str) -> None:
    """Spawn the server and time until its first ``tools/call`` is answered."""
    with anyio.fail_after(COLD_START_TIMEOUT):
        start = time.perf_counter()
        async with Client(stdio_params(name)) as client:
            result = await client.call_tool("echo", {"text": "hello"})
            elapsed = time.perf_counter() - start
    if answer(result, f"{name} (cold start)") != {"text": "hello"}:
        raise RuntimeError(f"{name} (cold start): not the echo")
    results.cold_starts[name].append(elapsed)
    log(f"  cold      {LABELS[name]:<16} {elapsed * 1000:9,.0f} ms")


async def agree(work: Workload, targets: dict[str, dict[str, Any]]) -> None:
    """Show that every server answers this workload alike, on both transports, before timing anything."""
    seen: dict[str, Any] = {}
    for transport in TRANSPORTS:
        for name in work.servers:
            async with session(targets[transport][name]) as client:
                with anyio.fail_after(CALL_TIMEOUT):
                    result = await client.call_tool(work.tool, work.arguments(4))
            content = comparable(work.key, answer(result, f"{name} {work.key} ({transport})"))
            first = seen.setdefault("answer", content)
            if content != first:
                raise RuntimeError(f"{name} {work.key} ({transport}) answers {content!r}, not {first!r}")


async def run(plan: Plan, keys: tuple[str, ...], db: Path) -> Results:
    results = Results(plan, keys)
    echo_builders: dict[str, Callable[[], Any]] = {
        "wireproof": build_wireproof,
        "mcpserver": build_mcpserver,
        "lowlevel": build_lowlevel,
    }
    targets: dict[str, dict[str, dict[str, Any]]] = {}
    if "echo" in keys:
        targets["echo"] = {
            "in-memory": {name: build() for name, build in echo_builders.items()},
            "stdio": {name: stdio_params(name) for name in SERVERS},
        }
    same = [k for k in keys if k != "echo"]
    if same:
        helpdesk_same.prepare(db, TICKETS)
        memory = {
            "wireproof": helpdesk_same.build_wireproof(db),
            "mcpserver": helpdesk_same.build_mcpserver(db),
        }
        stdio = {name: same_work_params(name, db) for name in ("wireproof", "mcpserver")}
        for key in same:
            targets[key] = {"in-memory": memory, "stdio": stdio}
    for key in keys:
        await agree(WORKLOADS[key], targets[key])
    for repeat in range(plan.repeats):
        log(f"repeat {repeat + 1}/{plan.repeats}")
        for key in keys:
            work = WORKLOADS[key]
            order = rotated(work.servers, repeat)
            for transport in TRANSPORTS:
                echo = key == "echo"
                count = {
                    "in-memory": plan.memory_calls if echo else plan.same_memory_calls,
                    "stdio": plan.stdio_calls if echo else plan.same_stdio_calls,
                }[transport]
                await measure(results, work, transport, order, targets[key][transport], count)
            if key == "echo":
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
    for key in results.workloads:
        work = WORKLOADS[key]
        for transport in TRANSPORTS:
            for name in work.servers:
                series = results.series[key, transport, name]
                vs_lowlevel = (
                    f"{results.ratio(key, transport, name, 'lowlevel'):.2f}x"
                    if "lowlevel" in work.servers
                    else "-"
                )
                rows.append(
                    [
                        work.label,
                        transport,
                        LABELS[name],
                        f"{series.median_rate:,.0f}",
                        f"{min(series.rates):,.0f}-{max(series.rates):,.0f}",
                        f"{series.percentile_ms(50):.3f}",
                        f"{series.percentile_ms(99):.3f}",
                        f"{results.ratio(key, transport, name, 'mcpserver'):.2f}x",
                        vs_lowlevel,
                    ]
                )
    return rows


TABLE_HEADER = [
    "tool",
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
    """Each target of the issue for each workload and transport, and whether wireproof meets it."""
    checks: list[Target] = []
    for key in results.workloads:
        work = WORKLOADS[key]
        baselines = [("mcpserver", "at least as fast as MCPServer (ratio >= 1.00)", TARGET_VS_MCPSERVER)]
        if "lowlevel" in work.servers:
            baselines.append(
                ("lowlevel", "at least 0.9x the low-level Server (ratio >= 0.90)", TARGET_VS_LOWLEVEL)
            )
        for transport in TRANSPORTS:
            for baseline, words, threshold in baselines:
                ratio = results.ratio(key, transport, "wireproof", baseline)
                paired = results.paired_ratios(key, transport, "wireproof", baseline)
                checks.append(
                    Target(f"{work.label}, {transport}: {words}", ratio, paired, ratio >= threshold)
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


def describe_plan(plan: Plan, keys: tuple[str, ...]) -> str:
    repeats = f"{plan.repeats} repeat" + ("s" if plan.repeats != 1 else "")
    parts = []
    if "echo" in keys:
        parts.append(
            f"echo {plan.memory_calls:,} in-memory and {plan.stdio_calls:,} stdio calls per server, 1 cold start"
        )
    if any(k != "echo" for k in keys):
        parts.append(
            f"each same-work tool {plan.same_memory_calls:,} in-memory and {plan.same_stdio_calls:,} stdio "
            f"calls per server on one {TICKETS}-ticket SQLite file"
        )
    return (
        f"{repeats}; per repeat: {'; '.join(parts)} (after {plan.warmup} warm-up calls on the same "
        f"connection; the servers take turns {CHUNK} calls at a time, in a rotating order)"
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
    print(f"plan:     {describe_plan(results.plan, results.workloads)}")
    print(f"protocol: Client mode 'auto' negotiated {versions_line(results)}")
    print()
    print(text_table(TABLE_HEADER, table_rows(results), numeric_from=3))
    print()
    if "echo" in results.workloads:
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
            "## Connector core: echo and same-work benchmark",
            "",
            f"- Command: `{command}`",
            f"- Date: {when}",
            f"- Machine: {info['cpus']} CPUs ({info['cpu']}), {info['os']}",
            f"- Python {info['python']}, mcp {info['mcp']}, wireproof {info['wireproof']}",
            f"- wireproof measured: `{info['source']}`",
            f"- Plan: {describe_plan(results.plan, results.workloads)}.",
            f"- Protocol: `Client` mode `auto` negotiated {versions_line(results)}",
            "",
            "Throughput is the median across repeats; latencies are pooled over every timed call. "
            "The vs columns divide a row's median calls/s by MCPServer's and the low-level Server's.",
            "",
            markdown_table(TABLE_HEADER, table_rows(results), numeric_from=3),
            "",
            *(
                [
                    "Cold start: spawning the stdio server process until its first `tools/call` is answered.",
                    "",
                    markdown_table(COLD_HEADER, cold_rows(results), numeric_from=1),
                    "",
                ]
                if "echo" in results.workloads
                else []
            ),
            "Targets (wireproof's median calls/s divided by the other server's):",
            "",
            *target_lines,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, help="rounds over the servers (default 5; --quick: 1)")
    parser.add_argument("--quick", action="store_true", help="smoke run: few calls per measurement")
    parser.add_argument(
        "--only", metavar="TOOLS", help=f"comma-separated workloads (default: all of {','.join(WORKLOADS)})"
    )
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="also write a markdown section here")
    args = parser.parse_args()
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    keys = tuple(WORKLOADS) if not args.only else tuple(k.strip() for k in args.only.split(",") if k.strip())
    unknown = [k for k in keys if k not in WORKLOADS]
    if unknown or not keys:
        parser.error(f"--only takes some of {', '.join(WORKLOADS)} (not {', '.join(unknown) or 'nothing'})")
    if args.quick:
        plan = Plan(args.repeats or 1, 200, 50, 100, 50, warmup=10)
    else:
        plan = Plan(args.repeats or 5, 2000, 500, 1000, 400, warmup=50)
    command = " ".join(["python", "bench/bench_core.py", *sys.argv[1:]])
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    log(describe_plan(plan, keys))
    with tempfile.TemporaryDirectory(prefix="wireproof-bench-") as scratch:
        results = anyio.run(run, plan, keys, Path(scratch) / "helpdesk.db")
    print_report(results, info, command)
    if args.markdown:
        args.markdown.write_text(markdown(results, info, command, when) + "\n", encoding="utf-8")
        log(f"wrote {args.markdown}")


if __name__ == "__main__":
    main()
