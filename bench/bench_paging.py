"""Keyset paging at a million tickets: the latency of page 1 and of a page 10,000 pages deep, side by side,
on SQLite and on PostgreSQL; and the size of each helpdesk tool's answer against the response budget.

    .venv/bin/python bench/bench_paging.py [--tickets 1000000] [--calls 200] [--quick]

Calls go through the official client to helpdesk served in memory. The deep page's cursor is
signed with the server's own codec at the row 10,000 pages in (found once with OFFSET during
set-up); the keyset query it drives never uses OFFSET. Target of the outputs issue: the deep page
within 1.5x of page 1.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.pg import fresh_database, postgres_server  # noqa: E402

from helpdesk import app  # noqa: E402
from helpdesk.db import Database, open_database  # noqa: E402
from wireproof import LOCAL_OPERATOR, CursorCodec  # noqa: E402
from wireproof.budget import BYTES_PER_TOKEN, DEFAULT_BUDGET_TOKENS  # noqa: E402

LIMIT = 25
DEPTH_PAGES = 10_000
RANGE = {"start_date": "2000-01-01", "end_date": "2100-01-01"}


async def measure(database: Database, calls: int) -> dict[str, Any]:
    codec = CursorCodec({"bench": b"b" * 32})
    store = database.store()
    server = app.server(database, store=store, cursors=codec, principal=LOCAL_OPERATOR)
    offset = LIMIT * DEPTH_PAGES - 1
    row = database.reader().one(
        "SELECT opened_at, id FROM tickets ORDER BY opened_at DESC, id DESC LIMIT 1 OFFSET ?", [offset]
    )
    assert row is not None, "not enough tickets for the deep page"
    filters = {"start_date": RANGE["start_date"], "end_date": RANGE["end_date"], "status": None}
    deep_cursor = codec.encode(
        tool="list_tickets_by_date",
        filters=filters,
        principal="anonymous",
        position=[row["opened_at"], row["id"]],
    )
    first_args = {**RANGE, "limit": LIMIT}
    deep_args = {**first_args, "cursor": deep_cursor}
    times: dict[str, list[float]] = {"page 1": [], f"page {DEPTH_PAGES + 1:,}": []}
    sizes: dict[str, int] = {}
    async with Client(server) as client:
        for _name, arguments in (("page 1", first_args), (f"page {DEPTH_PAGES + 1:,}", deep_args)):
            warm = await client.call_tool("list_tickets_by_date", arguments)
            assert not warm.is_error, warm.content
        for _ in range(calls):  # interleaved, so noise hits both alike
            for name, arguments in (("page 1", first_args), (f"page {DEPTH_PAGES + 1:,}", deep_args)):
                started = time.perf_counter()
                await client.call_tool("list_tickets_by_date", arguments)
                times[name].append((time.perf_counter() - started) * 1000)
        probes = {
            "list_tickets_by_date (limit 25)": ("list_tickets_by_date", first_args),
            "list_tickets_by_date (limit 100)": ("list_tickets_by_date", {**RANGE, "limit": 100}),
            "search_tickets (limit 100)": ("search_tickets", {"text": "login", "limit": 100}),
            "get_ticket": ("get_ticket", {"ticket_id": 42}),
            "list_ticket_comments (limit 100)": ("list_ticket_comments", {"ticket_id": 42, "limit": 100}),
        }
        for label, (tool, arguments) in probes.items():
            result = await client.call_tool(tool, arguments)
            sizes[label] = len(result.model_dump_json(by_alias=True, exclude_none=True).encode())
    store.close()
    return {"times": times, "sizes": sizes}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="smoke run: 300,000 tickets, 20 calls")
    args = parser.parse_args()
    tickets, calls = (LIMIT * DEPTH_PAGES + 50_000, 20) if args.quick else (args.tickets, args.calls)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, postgres_server() as pg_url:
        for name, url in (
            ("SQLite", f"sqlite:///{Path(tmp) / 'million.db'}"),
            ("PostgreSQL", fresh_database(pg_url)),
        ):
            started = time.perf_counter()
            with open_database(url) as database:
                database.seed(tickets)
                seeded = time.perf_counter() - started
                print(f"{name}: seeded {tickets:,} tickets in {seeded:.1f} s", file=sys.stderr)
                results[name] = anyio.run(measure, database, calls)
                results[name]["seed_s"] = seeded
    print(f"keyset paging, {tickets:,} tickets, limit {LIMIT}, {calls} calls per page (medians):")
    print("| database | seed s | page | p50 ms | p99 ms | vs page 1 |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    for name, result in results.items():
        first = statistics.median(next(iter(result["times"].values())))
        for page, values in result["times"].items():
            ordered = sorted(values)
            p50 = statistics.median(values)
            p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
            print(
                f"| {name} | {result['seed_s']:.0f} | {page} | {p50:.2f} | {p99:.2f} | {p50 / first:.2f}x |"
            )
    budget = DEFAULT_BUDGET_TOKENS * BYTES_PER_TOKEN
    print(
        f"\nanswer sizes (whole tools/call result as JSON) against the {DEFAULT_BUDGET_TOKENS:,}-token budget:"
    )
    print("| database | tool call | bytes | ~tokens | share of budget |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name, result in results.items():
        for label, size in result["sizes"].items():
            print(f"| {name} | {label} | {size:,} | {size // BYTES_PER_TOKEN:,} | {size / budget:.0%} |")


if __name__ == "__main__":
    main()
