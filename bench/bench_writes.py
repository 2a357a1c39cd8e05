"""Write throughput and latency: a plain write, a natural-key upsert, and an idempotency-keyed write,
on SQLite and on PostgreSQL, sequential and with 8 concurrent clients, side by side in one run.

    .venv/bin/python bench/bench_writes.py [--calls 400] [--repeats 3] [--quick] [--markdown PATH]

The three writes are helpdesk's own tools, served in memory through the official client:
``add_ticket_comment`` without a key (plain), ``create_status_note`` (natural key, upsert)
and ``add_ticket_comment`` with a fresh ``idempotency_key`` per call. The target of the
idempotency issue: the keyed write within 1.25x of the plain one on SQLite.
PostgreSQL is a real server started for the run (harness/pg.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.pg import fresh_database, postgres_server  # noqa: E402

from helpdesk import app  # noqa: E402
from helpdesk.db import Database, open_database  # noqa: E402
from wireproof import LOCAL_OPERATOR  # noqa: E402

Kind = str
KINDS: list[Kind] = ["plain", "natural-key", "idempotency-key"]


def arguments_for(kind: Kind, i: int, run: str) -> tuple[str, dict[str, Any]]:
    if kind == "plain":
        return "add_ticket_comment", {"ticket_id": 1 + i % 50, "body": f"plain {run} {i}"}
    if kind == "natural-key":
        week = f"{2000 + i // 52}-W{1 + i % 52:02d}"
        return "create_status_note", {"week": week, "body": f"note {run} {i}"}
    return "add_ticket_comment", {
        "ticket_id": 1 + i % 50,
        "body": f"keyed {run} {i}",
        "idempotency_key": f"{run}-{i}",
    }


async def measure(database: Database, kind: Kind, calls: int, clients: int) -> tuple[float, list[float]]:
    """(calls per second, per-call latencies in ms) for ``calls`` writes spread over ``clients`` clients."""
    store = database.store()
    server = app.server(database, store=store, principal=LOCAL_OPERATOR)
    run = uuid.uuid4().hex[:8]
    latencies: list[float] = []
    per_client = calls // clients

    async def client_loop(index: int) -> None:
        async with Client(server) as client:
            for j in range(per_client):
                tool, arguments = arguments_for(kind, index * per_client + j, run)
                started = time.perf_counter()
                result = await client.call_tool(tool, arguments)
                latencies.append((time.perf_counter() - started) * 1000)
                if result.is_error:
                    raise RuntimeError(f"{tool} failed: {result.content}")

    try:
        # warm up: one call each, outside the timing
        async with Client(server) as warm:
            tool, arguments = arguments_for(kind, 10**6, run + "w")
            await warm.call_tool(tool, arguments)
        started = time.perf_counter()
        with anyio.fail_after(600):
            async with anyio.create_task_group() as group:
                for index in range(clients):
                    group.start_soon(client_loop, index)
        elapsed = time.perf_counter() - started
    finally:
        store.close()
    return len(latencies) / elapsed, latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(databases: dict[str, Callable[[], Database]], calls: int, repeats: int) -> list[dict[str, Any]]:
    rows = []
    for db_name, make in databases.items():
        for clients in (1, 8):
            samples: dict[Kind, list[float]] = {k: [] for k in KINDS}
            lat: dict[Kind, list[float]] = {k: [] for k in KINDS}
            for _ in range(repeats):
                for kind in KINDS:  # interleaved, so machine noise hits all three alike
                    with make() as database:
                        rate, latencies = anyio.run(measure, database, kind, calls, clients)
                    samples[kind].append(rate)
                    lat[kind].extend(latencies)
            for kind in KINDS:
                rows.append(
                    {
                        "db": db_name,
                        "clients": clients,
                        "kind": kind,
                        "calls_per_s": statistics.median(samples[kind]),
                        "p50_ms": percentile(lat[kind], 0.50),
                        "p99_ms": percentile(lat[kind], 0.99),
                    }
                )
            print(f"{db_name} x{clients} done", file=sys.stderr)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| database | clients | write | calls/s (median) | p50 ms | p99 ms | vs plain |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        plain = next(
            r
            for r in rows
            if r["db"] == row["db"] and r["clients"] == row["clients"] and r["kind"] == "plain"
        )
        overhead = plain["calls_per_s"] / row["calls_per_s"]
        lines.append(
            f"| {row['db']} | {row['clients']} | {row['kind']} | {row['calls_per_s']:.0f} | {row['p50_ms']:.2f} | "
            f"{row['p99_ms']:.2f} | {overhead:.2f}x time |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a smoke run: few calls, one repeat")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    calls, repeats = (48, 1) if args.quick else (args.calls, args.repeats)
    with tempfile.TemporaryDirectory() as tmp, postgres_server() as pg_url:
        counter = iter(range(10**6))

        def sqlite() -> Database:
            database = open_database(f"sqlite:///{Path(tmp) / f'w{next(counter)}.db'}")
            database.seed(50)
            return database

        def postgres() -> Database:
            database = open_database(fresh_database(pg_url))
            database.seed(50)
            return database

        rows = run({"SQLite": sqlite, "PostgreSQL": postgres}, calls, repeats)
    text = table(rows)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
