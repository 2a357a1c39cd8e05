"""Real third-party MCP servers for the guard's tests, installed by the suite itself on a fresh machine.

PyPI servers go into virtualenvs cached under ``~/.cache/wireproof-tests`` (``WIREPROOF_TEST_CACHE``
moves it), made with pip on first use; npm servers are pinned in ``interop/package.json`` and
installed by ``interop/setup.sh``. Each server gets throw-away state in the test's folder and never
touches the network.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Final

import pytest

from tests.interop.support import NODE, NODE_MODULES, SETUP_HINT, installation_problem

CACHE: Final = Path(os.environ.get("WIREPROOF_TEST_CACHE") or Path.home() / ".cache" / "wireproof-tests")
PYPI_GROUPS: Final = {
    # Two virtualenvs: mcp-server-calculator pins an mcp that the time and git servers' cannot share.
    "reference": ("mcp-server-time==2026.10.19", "mcp-server-git==2026.10.19"),
    "corpus": ("mcp-server-sqlite==2025.4.25", "mcp-server-calculator==0.2.1"),
}


def pypi_venv(group: str) -> Path:
    """The virtualenv holding ``PYPI_GROUPS[group]``, made with pip when missing or out of date."""
    pins = PYPI_GROUPS[group]
    venv = CACHE / f"guard-{group}"
    stamp = venv / ".wireproof-pins"
    if stamp.is_file() and stamp.read_text() == "\n".join(pins):
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
    installed = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *pins,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if installed.returncode != 0:
        pytest.fail(f"cannot install {', '.join(pins)} with pip: {installed.stderr[-2000:]}")
    stamp.write_text("\n".join(pins))
    return venv


def npm_server(package: str) -> list[str]:
    """The command running an npm server pinned in interop/package.json, with the pinned Node."""
    problem = installation_problem()
    if problem is not None:
        pytest.fail(f"interop packages are not installed or out of date ({problem}): {SETUP_HINT}")
    return [str(NODE), str(NODE_MODULES / "@modelcontextprotocol" / package / "dist" / "index.js")]
