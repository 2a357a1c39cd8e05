"""Latency of a trivial upstream tool through ``wireproof guard`` against the same server direct, over stdio.

    .venv/bin/python bench/bench_guard.py [--repeats 5] [--calls 300] [--markdown FILE]

The upstream is ``tests/guard/flawed_upstream.py`` (the SDK's ``MCPServer``), its ``echo`` tool. Two
clients run side by side in one process: one to the server direct, one to ``wireproof guard --store
memory: -- python -m tests.guard.flawed_upstream``. They take turns, ``--chunk`` calls at a time in
an order that alternates, so machine noise hits both alike. Every wait is bounded. Prints p50 and
p99 per client and the ratio of the p50s (the issue's goal: at most 1.2x).

A third client, ``relay``, reaches the same server through a process that only copies bytes (this
file run as ``--relay -- CMD``: no parsing, no pipeline): the floor of any guard that is a second
stdio process, the hop itself.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM = [sys.executable, "-m", "tests.guard.flawed_upstream"]
GUARD = [
    sys.executable,
    "-m",
    "wireproof.cli",
    "guard",
    "--store",
    "memory:",
    "--allow",
    "echo",
    "--",
    *UPSTREAM,
]

RELAY = [sys.executable, str(Path(__file__).resolve()), "--relay", "--", *UPSTREAM]


def _relay(command: list[str]) -> None:
    """Copy stdin to the child's stdin and its stdout to ours, byte for byte, until either ends."""
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    assert child.stdin is not None
    assert child.stdout is not None

    def pump(source: int, sink: int) -> None:
        while chunk := os.read(source, 65536):
            os.write(sink, chunk)

    inbound = threading.Thread(target=pump, args=(0, child.stdin.fileno()), daemon=True)
    inbound.start()
    pump(child.stdout.fileno(), 1)
    child.wait(timeout=10)


def _params(command: list[str], src: Path = ROOT / "src") -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
    env["PYTHONPATH"] = f"{ROOT}:{src}"
    return StdioServerParameters(command=command[0], args=command[1:], env=env, cwd=str(ROOT))


async def _call(client: Client) -> float:
    started = time.perf_counter()
    with anyio.fail_after(10):
        result = await client.call_tool("echo", {"text": "hello"})
    elapsed = time.perf_counter() - started
    if result.is_error or "hello" not in "".join(
        b.text for b in result.content if isinstance(b, types.TextContent)
    ):
        raise SystemExit(f"unexpected answer: {result}")
    return elapsed * 1000


def _paths(args: argparse.Namespace) -> dict[str, StdioServerParameters]:
    guard = GUARD
    if args.profile is not None:
        guard = [
            "py-spy",
            "record",
            "--format",
            "raw",
            "--rate",
            "500",
            "-o",
            str(args.profile),
            "--",
            *GUARD,
        ]
    paths = {"direct": _params(UPSTREAM), "relay": _params(RELAY), "guard": _params(guard)}
    for src in args.before:
        paths[f"guard from {src}"] = _params(GUARD, src.resolve())
    return paths


async def _run(args: argparse.Namespace) -> dict[str, list[float]]:
    paths = _paths(args)
    samples: dict[str, list[float]] = {name: [] for name in paths}
    async with AsyncExitStack() as stack:
        clients: dict[str, Any] = {}
        for name, params in paths.items():
            errlog = stack.enter_context(open(os.devnull, "w"))  # noqa: SIM115, ASYNC230 - once, at start; closed by the stack
            transport = stdio_client(params, errlog=errlog)  # the audit lines are not measured
            clients[name] = await stack.enter_async_context(
                Client(transport, cache=None, read_timeout_seconds=30)
            )
            for _ in range(args.warmup):
                await _call(clients[name])
        names = tuple(paths)
        for repeat in range(args.repeats):
            done = 0
            while done < args.calls:
                order = names if (done // args.chunk + repeat) % 2 == 0 else names[::-1]
                for name in order:
                    for _ in range(args.chunk):
                        samples[name].append(await _call(clients[name]))
                done += args.chunk
    return samples


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--calls", type=int, default=300, help="calls per client per repeat")
    parser.add_argument("--chunk", type=int, default=25, help="calls per turn")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    parser.add_argument(
        "--before",
        type=Path,
        action="append",
        default=[],
        metavar="SRC",
        help="also time a guard run from this source tree (e.g. `git archive OLD src | tar -x -C DIR`, "
        "then DIR/src), side by side with the current one (repeatable)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="run the current guard under `py-spy record --format raw -o FILE` (py-spy from PyPI)",
    )
    args = parser.parse_args()
    samples = anyio.run(_run, args)
    direct = statistics.median(samples["direct"])
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    labels = {
        "direct": "direct (MCPServer over stdio)",
        "relay": "through a byte relay (the hop alone)",
        "guard": "through wireproof guard",
        **{f"guard from {src}": f"through wireproof guard from {src}" for src in args.before},
    }
    lines = [
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; git {commit}; "
        f"Python {platform.python_version()}; {platform.platform()}",
        f"- Plan: {args.repeats} repeats x {args.calls} calls per client, turns of {args.chunk}, "
        f"{args.warmup} warm-up calls each",
        "",
        "| path | calls | p50 ms | p99 ms | p50 vs direct |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, values in samples.items():
        p50 = statistics.median(values)
        lines.append(
            f"| {labels[name]} | {len(values)} | {p50:.3f} | {_p(values, 0.99):.3f} | {p50 / direct:.2f}x |"
        )
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--relay"]:
        _relay(sys.argv[3:])
    else:
        main()
