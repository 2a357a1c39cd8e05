"""Shut helpdesk-mcp down under keyed writes and check it neither dies by a signal nor loses a write.

    python -m tests.helpdesk.shutdown_harness stdio --runs 20     # 30 keyed writes in flight, then EOF
    python -m tests.helpdesk.shutdown_harness http --runs 20      # SIGTERM under 200 keyed writes

Each run starts a real ``helpdesk-mcp`` process on a fresh SQLite file (with ``PYTHONFAULTHANDLER``
so a crash leaves its stack on stderr), shuts it down in the middle of the writes, and then reads the
file: every write the server acknowledged must be there exactly once, and no comment may be there
twice. ``run_stdio_once`` and ``run_http_once`` are what the regression tests call.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

PROTOCOL = "2025-11-25"


@dataclass
class Outcome:
    """What one shutdown run showed."""

    returncode: int
    acknowledged: list[str]
    stored: Counter[str]
    stderr: str
    answered: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def died_by_signal(self) -> bool:
        return self.returncode < 0

    @property
    def lost(self) -> list[str]:
        return [body for body in self.acknowledged if self.stored[body] != 1]

    @property
    def duplicated(self) -> list[str]:
        return [body for body, n in self.stored.items() if n > 1]

    def summary(self) -> str:
        fault = "Fatal Python error" in self.stderr or "Segmentation fault" in self.stderr
        return (
            f"exit={self.returncode} acked={len(self.acknowledged)} stored={sum(self.stored.values())} "
            f"lost={len(self.lost)} duplicated={len(self.duplicated)} faulthandler={'yes' if fault else 'no'}"
        )


def _environment() -> dict[str, str]:
    env = {**os.environ, "PYTHONFAULTHANDLER": "1", "PYTHONUNBUFFERED": "1"}
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join([str(root / "examples" / "helpdesk"), env.get("PYTHONPATH", "")])
    return env


def _seed(db: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", "--db", f"sqlite:///{db}", "--seed", "20", "--seed-only"],
        check=True,
        capture_output=True,
        timeout=60,
        env=_environment(),
    )


def _stored(db: Path, prefix: str) -> Counter[str]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT body FROM ticket_comments WHERE body LIKE ?", (f"{prefix}%",)
        ).fetchall()
    return Counter(body for (body,) in rows)


def _call(request_id: int, body: str) -> dict[str, object]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {
            "name": "add_ticket_comment",
            "arguments": {"ticket_id": 1 + request_id % 20, "body": body, "idempotency_key": body},
        },
    }


def run_stdio_once(db: Path, *, writes: int = 30, timeout: float = 60.0) -> Outcome:
    """Start helpdesk-mcp over stdio, send ``writes`` keyed comments at once, close stdin at once."""
    _seed(db)
    process = subprocess.Popen(
        [sys.executable, "-m", "helpdesk.cli", "--db", f"sqlite:///{db}"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environment(),
    )
    assert process.stdin is not None
    assert process.stdout is not None
    initialize = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL,
            "capabilities": {},
            "clientInfo": {"name": "h", "version": "1"},
        },
    }
    process.stdin.write((json.dumps(initialize) + "\n").encode())
    process.stdin.flush()
    process.stdout.readline()  # the initialize answer: the server is up
    lines = [json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"})]
    prefix = f"stdio-{os.getpid()}-{time.monotonic_ns()}"
    bodies = {i: f"{prefix}-{i}" for i in range(1, writes + 1)}
    lines += [json.dumps(_call(i, body)) for i, body in bodies.items()]
    process.stdin.write(("\n".join(lines) + "\n").encode())
    process.stdin.flush()
    process.stdin.close()  # EOF with every write in flight
    process.stdin = None  # communicate() must not flush it again
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    acknowledged, answered = [], 0
    for line in out.decode(errors="replace").splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("id") in bodies:
            answered += 1
            if "result" in message and not message["result"].get("isError"):
                acknowledged.append(bodies[message["id"]])
    return Outcome(
        process.returncode, acknowledged, _stored(db, prefix), err.decode(errors="replace"), answered
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _post(port: int, request_id: int, body: str) -> bool:
    """One keyed write over HTTP; True when the server acknowledged it (a result that is not an error)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/mcp",
            json.dumps(_call(request_id, body)),
            {
                "content-type": "application/json",
                "accept": "application/json, text/event-stream",
                "mcp-protocol-version": PROTOCOL,
            },
        )
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
    for line in text.splitlines():  # JSON, or one SSE event
        payload = line.removeprefix("data:").strip()
        if payload.startswith("{"):
            message = json.loads(payload)
            return "result" in message and not message["result"].get("isError")
    return False


def run_http_once(db: Path, *, writes: int = 200, timeout: float = 60.0) -> Outcome:
    """Start helpdesk-mcp over HTTP (--shutdown-timeout 0), fire ``writes`` keyed comments, SIGTERM midway."""
    _seed(db)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helpdesk.cli",
            "--db",
            f"sqlite:///{db}",
            "--transport",
            "http",
            "--auth",
            "none",
            "--port",
            str(port),
            "--shutdown-timeout",
            "0",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_environment(),
    )
    deadline = time.monotonic() + timeout
    while True:  # wait until it listens
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    f"helpdesk-mcp did not start: {process.communicate()[1].decode()}"
                ) from None
            time.sleep(0.05)
    prefix = f"http-{os.getpid()}-{time.monotonic_ns()}"
    bodies = {i: f"{prefix}-{i}" for i in range(1, writes + 1)}
    acknowledged: list[str] = []
    lock = threading.Lock()
    done = 0

    def write(item: tuple[int, str]) -> None:
        nonlocal done
        ok = _post(port, *item)
        with lock:
            done += 1
            if ok:
                acknowledged.append(item[1])

    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = [pool.submit(write, item) for item in bodies.items()]
        while done < writes // 4 and time.monotonic() < deadline:  # a quarter answered: the rest in flight
            time.sleep(0.002)
        process.send_signal(signal.SIGTERM)
        for future in futures:
            future.result()
    try:
        _, err = process.communicate(timeout=max(deadline - time.monotonic(), 5))
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return Outcome(process.returncode, acknowledged, _stored(db, prefix), err.decode(errors="replace"), done)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["stdio", "http"])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/wireproof-shutdown-harness"))
    parser.add_argument("--show-stderr", action="store_true", help="print the stderr of a failed run")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    died = lost = duplicated = 0
    for run in range(args.runs):
        db = args.dir / f"{args.mode}-{run}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        outcome = (run_stdio_once if args.mode == "stdio" else run_http_once)(db)
        died += outcome.died_by_signal
        lost += bool(outcome.lost)
        duplicated += bool(outcome.duplicated)
        print(f"run {run + 1:2}: {outcome.summary()}", flush=True)
        if args.show_stderr and (outcome.died_by_signal or outcome.lost):
            print(outcome.stderr[-4000:])
    print(f"{args.mode}: {died} of {args.runs} runs died by a signal; {lost} lost an acknowledged write; "
          f"{duplicated} stored a write twice")  # fmt: skip
    return 1 if died or lost or duplicated else 0


if __name__ == "__main__":
    sys.exit(main())
