"""The runner starts a stdio server once per worker, all at once, at most one per CPU, plus once with its
stdin at end of file (the stray-stdout probe, which sends it nothing), and every instance has exited when it
returns."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio
import pytest

from wireproof.check import CheckOptions, run_check
from wireproof.check.client import Target

ROOT = Path(__file__).resolve().parents[2]


def _check_and_count_starts(tmp_path: Path, concurrency: int) -> list[int]:
    log = tmp_path / "starts"
    target = Target(
        command=(sys.executable, "-m", "tests.check.counting_stdio"),
        env={"CHECK_START_LOG": str(log)},
        cwd=str(ROOT),
    )
    report = anyio.run(run_check, target, CheckOptions(timeout=20, concurrency=concurrency))
    assert report.tools, report.findings
    assert sum(t.calls for t in report.tools) > len(report.tools)  # the probes ran
    return [int(line) for line in log.read_text().split()]


def test_a_check_starts_one_instance_per_worker_and_leaves_none_running(tmp_path: Path) -> None:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if cpus < 2:
        pytest.skip("two stdio workers need two CPUs")
    pids = _check_and_count_starts(tmp_path, concurrency=2)
    # No separate instance for the listing: the first worker's connection lists the tools. The third is the
    # stray-stdout probe's, started with stdin at end of file.
    assert len(pids) == 3
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"server instance {pid} is still running after the check")


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs CPU affinity (Linux)")
def test_a_stdio_check_starts_no_more_instances_than_it_has_cpus(tmp_path: Path) -> None:
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(allowed)})  # this process (and the servers it starts) on one CPU
    try:
        pids = _check_and_count_starts(tmp_path, concurrency=2)
    finally:
        os.sched_setaffinity(0, allowed)
    assert len(pids) == 2  # one worker, and the stray-stdout probe's instance
