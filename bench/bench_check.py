"""How long a full read-only ``wireproof check`` of the helpdesk connector takes over stdio, and per tool.

    .venv/bin/python bench/bench_check.py [--repeats 3] [--tickets 5000]

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
            started = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "wireproof.cli",
                    "check",
                    "--no-progress",
                    "--output",
                    str(report_path),
                    "--",
                    sys.executable,
                    "-m",
                    "helpdesk.cli",
                    "--db",
                    str(db),
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
            assert not report["findings"], report["findings"]
            for tool in report["tools"]:
                tools.setdefault(tool["name"], []).append(tool)
    print(f"wireproof check of helpdesk ({args.tickets:,} tickets, stdio, read-only), {args.repeats} runs:")
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
