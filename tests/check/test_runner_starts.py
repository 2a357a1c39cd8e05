"""The runner starts a stdio server once per worker, all at once, and every instance has exited when it returns."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio

from wireproof.check import CheckOptions, run_check
from wireproof.check.client import Target

ROOT = Path(__file__).resolve().parents[2]


def test_a_check_starts_one_instance_per_worker_and_leaves_none_running(tmp_path: Path) -> None:
    log = tmp_path / "starts"
    target = Target(
        command=(sys.executable, "-m", "tests.check.counting_stdio"),
        env={"CHECK_START_LOG": str(log)},
        cwd=str(ROOT),
    )
    report = anyio.run(run_check, target, CheckOptions(timeout=20, concurrency=2))
    assert report.tools, report.findings
    assert sum(t.calls for t in report.tools) > len(report.tools)  # the probes ran
    pids = [int(line) for line in log.read_text().split()]
    # No separate instance for the listing: the first worker's connection lists the tools.
    assert len(pids) == 2
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"server instance {pid} is still running after the check")
