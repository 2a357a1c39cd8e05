"""Scale-out for real: two helpdesk-mcp replicas on one PostgreSQL behind nginx (deploy/nginx.conf).

Exactly-once and least privilege must hold across replicas, and faults (a replica SIGKILLed, the
database restarted) must turn into retryable typed errors, never into lost or duplicated writes.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import anyio
import psycopg
import pytest
from harness.cluster import Cluster, call_once, call_until_done, cluster
from harness.pg import PostgresServer, fresh_database
from mcp.shared.exceptions import MCPError

from helpdesk.db import open_database

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    """A PostgreSQL of this module's own, since one test restarts it."""
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def deployment(pg: PostgresServer) -> Iterator[Cluster]:
    url = fresh_database(pg.url)
    with open_database(url) as database:
        database.seed(200)
    with cluster(url, replicas=2) as running:
        running.extra["db_url"] = url
        yield running


def _comments(db_url: str, prefix: str) -> list[tuple[int, str]]:
    with psycopg.connect(db_url) as connection:
        rows = connection.execute(
            "SELECT id, body FROM ticket_comments WHERE body LIKE %s ORDER BY id", (prefix + "%",)
        ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


async def _waiting_writes(connection: psycopg.AsyncConnection[Any], replica: str | None) -> int:
    """Sessions of ``replica`` (of any replica with None) waiting on a lock."""
    # Inside a transaction PostgreSQL keeps showing the activity it first read: clear that snapshot.
    await connection.execute("SELECT pg_stat_clear_snapshot()")
    cursor = await connection.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE %s AND wait_event_type = 'Lock'",
        (replica or "replica%",),
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


def _served_by(deployment: Cluster, tool: str) -> list[int]:
    return [sum(1 for line in r.audited_calls() if line["tool"] == tool) for r in deployment.replicas]


async def test_reads_and_tools_list_work_through_the_balancer_with_a_token(deployment: Cluster) -> None:
    result = await call_once(deployment.url, deployment.token(), "get_ticket", {"ticket_id": 7})
    assert not result.is_error, result
    assert result.structured_content["id"] == 7
    reader = deployment.token(scope="tickets:read")
    with pytest.raises(MCPError):  # HTTP 403 insufficient_scope: least privilege holds behind the balancer
        await call_once(deployment.url, reader, "add_ticket_comment", {"ticket_id": 7, "body": "x"})
    assert _comments(deployment.extra["db_url"], "x") == []


async def test_the_same_keyed_write_sent_at_once_to_both_replicas_has_exactly_one_effect(
    deployment: Cluster,
) -> None:
    """The first claim's write is held inside its transaction (a table lock) while the other callers
    arrive, so they really meet it running (in_progress) on both replicas, then replay its result."""
    before = _served_by(deployment, "add_ticket_comment")
    arguments = {"ticket_id": 3, "body": "same-write once", "idempotency_key": "same-write-1"}
    outcomes: list[Any] = []

    async def one() -> None:
        outcomes.append(
            await call_until_done(deployment.url, deployment.token(), "add_ticket_comment", arguments)
        )

    with anyio.fail_after(120):
        async with anyio.create_task_group() as group:
            lock = await psycopg.AsyncConnection.connect(deployment.extra["db_url"])
            async with lock, lock.transaction():
                await lock.execute("LOCK TABLE ticket_comments IN EXCLUSIVE MODE")
                for _ in range(16):
                    group.start_soon(one)
                while not await _waiting_writes(lock, None):  # noqa: ASYNC110 - polling PostgreSQL
                    await anyio.sleep(0.02)
                await anyio.sleep(1.5)  # the others arrive meanwhile, through both replicas
    after = _served_by(deployment, "add_ticket_comment")
    assert all(a > b for a, b in zip(after, before, strict=True)), "both replicas should have served"
    seen = Counter(f for o in outcomes for f in o.failures)
    assert seen["tool:unavailable/in_progress"] > 0, seen  # they met the first call running
    ids = {o.result.structured_content["id"] for o in outcomes}
    assert all(not o.result.is_error for o in outcomes)
    assert len(ids) == 1  # every caller got the one comment
    assert _comments(deployment.extra["db_url"], "same-write") == [(ids.pop(), "same-write once")]


async def test_a_replica_killed_during_keyed_writes_loses_and_duplicates_nothing(deployment: Cluster) -> None:
    """Four clients stream keyed writes; one replica is SIGKILLed mid-stream. Clients retry as the
    spec asks (same key); every acknowledged write must then be present exactly once."""
    acknowledged: dict[str, int] = {}
    failures: list[str] = []
    victim = deployment.replicas[0]

    async def writer(worker: int) -> None:
        for i in range(25):
            body = f"kill-{worker}-{i}"
            arguments = {"ticket_id": 10 + worker, "body": body, "idempotency_key": body}
            outcome = await call_until_done(
                deployment.url, deployment.token(), "add_ticket_comment", arguments
            )
            assert not outcome.result.is_error, outcome.result
            acknowledged[body] = outcome.result.structured_content["id"]
            failures.extend(outcome.failures)

    async def killer() -> None:
        while len(acknowledged) < 20:  # noqa: ASYNC110 - polling the writers' progress is the point
            await anyio.sleep(0.02)
        # Hold the comments table so writes stall inside their transactions, wait until the victim
        # has one there, and kill it mid-write: its effect and record must roll back together.
        lock = await psycopg.AsyncConnection.connect(deployment.extra["db_url"])
        async with lock, lock.transaction():
            await lock.execute("LOCK TABLE ticket_comments IN EXCLUSIVE MODE")
            while not await _waiting_writes(lock, "replica0"):  # noqa: ASYNC110 - polling PostgreSQL
                await anyio.sleep(0.02)
            victim.kill()

    try:
        with anyio.fail_after(180):
            async with anyio.create_task_group() as group:
                group.start_soon(killer)
                for worker in range(4):
                    group.start_soon(writer, worker)
        assert not victim.alive()
        rows = _comments(deployment.extra["db_url"], "kill-")
        counts = Counter(body for _, body in rows)
        assert len(acknowledged) == 100
        assert [body for body, n in counts.items() if n != 1] == []  # nothing duplicated
        assert {body: id_ for id_, body in rows} == acknowledged  # nothing lost, ids as acknowledged
        # The client whose write was in flight on the victim lost its connection (nginx: 502).
        assert any(f.startswith("transport:") for f in failures), Counter(failures)
        assert all(f.startswith(("transport:", "tool:unavailable/")) for f in failures), failures
    finally:
        if not victim.alive():
            victim.start()  # back to two replicas for the tests after this one


async def test_a_database_restart_under_load_gives_retryable_errors_and_recovers_by_itself(
    deployment: Cluster, pg: PostgresServer
) -> None:
    pids = [r.pid for r in deployment.replicas]
    failures: list[str] = []
    acknowledged: dict[str, int] = {}
    stop_at = time.monotonic() + 8
    restarted = anyio.Event()

    async def reader() -> None:
        while time.monotonic() < stop_at:
            outcome = await call_until_done(
                deployment.url, deployment.token(), "get_ticket", {"ticket_id": 5}
            )
            assert not outcome.result.is_error, outcome.result
            failures.extend(outcome.failures)

    async def writer(worker: int) -> None:
        i = 0
        while time.monotonic() < stop_at or not restarted.is_set():
            body = f"restart-{worker}-{i}"
            arguments = {"ticket_id": 20, "body": body, "idempotency_key": body}
            outcome = await call_until_done(
                deployment.url, deployment.token(), "add_ticket_comment", arguments
            )
            assert not outcome.result.is_error, outcome.result
            acknowledged[body] = outcome.result.structured_content["id"]
            failures.extend(outcome.failures)
            i += 1

    async def restart() -> None:
        await anyio.sleep(1.5)
        await anyio.to_thread.run_sync(pg.stop, "fast")
        await anyio.sleep(2)
        await anyio.to_thread.run_sync(pg.start)
        restarted.set()

    with anyio.fail_after(180):
        async with anyio.create_task_group() as group:
            group.start_soon(restart)
            for worker in range(2):
                group.start_soon(reader)
                group.start_soon(writer, worker)
        # Typed and retryable: the replicas answered `unavailable`, they did not crash or leak.
        assert failures, "the restart should have been felt"
        assert all(
            f == "tool:unavailable/unavailable" or f == "tool:unavailable/in_progress" for f in failures
        ), Counter(failures)
        # Recovered by itself: the same processes serve again, with no restart of any replica.
        assert [r.pid for r in deployment.replicas] == pids
        assert all(r.alive() for r in deployment.replicas)
        for _ in range(4):  # round-robin: both replicas answer, at most after the retry-after they advertise
            # (a replica that served no call since the restart may still find its pooled connections dead)
            after = await call_until_done(
                deployment.url, deployment.token(), "get_ticket", {"ticket_id": 9}, give_up_after=15
            )
            assert not after.result.is_error, after.result
            assert all(f == "tool:unavailable/unavailable" for f in after.failures), after.failures
            assert after.attempts <= 5, after.failures
        rows = _comments(deployment.extra["db_url"], "restart-")
        assert Counter(body for _, body in rows) == Counter(
            acknowledged.keys()
        )  # each acknowledged write once
        assert {body: id_ for id_, body in rows} == acknowledged
