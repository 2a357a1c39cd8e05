"""How long a full ``wireproof check`` takes over stdio, and per tool.

    .venv/bin/python bench/bench_check.py [--repeats 3] [--tickets 5000]     # helpdesk, read-only
    .venv/bin/python bench/bench_check.py --allow-writes                     # helpdesk, every probe
    .venv/bin/python bench/bench_check.py --server many --allow-writes       # 46 tools (30 reads, 16 writes)

``--server many`` checks ``bench/servers/many_tools.py``, a fresh SQLite file per run.

Runs the real CLI (a subprocess, as a user would) against ``helpdesk-mcp`` on a seeded
SQLite file, ``--repeats`` times; prints the median wall time, the check's own duration,
and each tool's calls and median call latency. Target of the checker issue: under 15 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--server", choices=["helpdesk", "many"], default="helpdesk")
    parser.add_argument("--allow-writes", action="store_true", help="call the write tools too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "helpdesk.db"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "helpdesk.cli",
                "--db",
                str(db),
                "--seed",
                str(args.tickets),
                "--seed-only",
            ],
            check=True,
            capture_output=True,
        )
        walls, durations, tools = [], [], {}
        for i in range(args.repeats):
            report_path = Path(tmp) / f"r{i}.json"
            if args.server == "many":
                server = [
                    sys.executable,
                    str(Path(__file__).parent / "servers" / "many_tools.py"),
                    f"{tmp}/many{i}.db",
                ]
            else:
                server = [sys.executable, "-m", "helpdesk.cli", "--db", str(db)]
            writes = ["--allow-writes"] if args.allow_writes else []
            started = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "wireproof.cli",
                    "check",
                    *writes,
                    "--no-progress",
                    "--output",
                    str(report_path),
                    "--",
                    *server,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            walls.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise SystemExit(f"check failed ({done.returncode}): {done.stderr[-500:]}")
            report = json.loads(report_path.read_text())
            durations.append(report["duration_s"])
            # The 46-tool listing is over the 10,000-token warning level: that one finding is expected.
            expected = {"output.listing-over-budget"} if args.server == "many" else set()
            assert {f["rule"] for f in report["findings"]} <= expected, report["findings"]
            for tool in report["tools"]:
                tools.setdefault(tool["name"], []).append(tool)
    what = f"helpdesk ({args.tickets:,} tickets" if args.server == "helpdesk" else "many_tools (46 tools"
    mode = "--allow-writes" if args.allow_writes else "read-only"
    print(f"wireproof check of {what}, stdio, {mode}), {args.repeats} runs:")
    print(
        f"  wall time incl. start-up: median {statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f})"
    )
    print(f"  check duration (report):  median {statistics.median(durations):.2f} s")
    print("  | tool | read-only | calls | p50 ms per call (median of runs) |")
    print("  | --- | --- | --- | --- |")
    for name, runs in tools.items():
        p50s = [r["p50_ms"] for r in runs if r["p50_ms"] is not None]
        p50 = f"{statistics.median(p50s):.1f}" if p50s else "(not called)"
        print(f"  | {name} | {'yes' if runs[0]['read_only'] else 'no'} | {runs[0]['calls']} | {p50} |")


if __name__ == "__main__":
    main()
