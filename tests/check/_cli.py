"""Running ``wireproof check`` as a user does, against the drifting fixture server (a real stdio subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SERVER = Path(__file__).resolve().parent / "drifting_server.py"


def check(
    *args: str, drift: str = "", cwd: Path = ROOT, wireproof: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [*(wireproof or [sys.executable, "-m", "wireproof"]), "check", "--no-progress", *args]
    command += ["--env", f"FIXTURE_DRIFT={drift}", "--", sys.executable, str(SERVER)]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=cwd, check=False)


def findings(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """The findings of a run made with ``--format json`` (its stdout)."""
    result: list[dict[str, Any]] = json.loads(done.stdout)["findings"]
    return result
