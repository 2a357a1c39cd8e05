"""Operating pieces: per-principal rate limits, a busy database as a retryable error, health endpoints."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx2
import pytest
from mcp import Client
from pydantic import BaseModel

from helpdesk import app
from helpdesk.db import Database
from tests.check.http_server import free_port, serve_asgi
from wireproof import Connector, Principal
from wireproof.idempotency import IdempotencyStore
from wireproof.ratelimit import RateLimit, RateLimiter
from wireproof.serve import http_app

pytestmark = pytest.mark.anyio


class Out(BaseModel):
    n: int


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_token_bucket_admits_bursts_then_says_when_to_retry() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    limit = RateLimit(per_second=2, burst=3)
    for _ in range(3):
        limiter.check("alice", "t", limit)
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the typed error's fields are checked below
        limiter.check("alice", "t", limit)
    assert caught.value.type == "rate_limited"  # type: ignore[attr-defined]
    assert caught.value.retry_after == 0.5  # type: ignore[attr-defined]
    limiter.check("bob", "t", limit)  # buckets are per principal
    clock.now += 0.5
    limiter.check("alice", "t", limit)


async def test_over_the_limit_is_a_retryable_rate_limited_result() -> None:
    limited: Connector[None] = Connector("limited", rate_limit=RateLimit(per_second=1, burst=2))

    @limited.read(public=True)
    async def ping() -> Out:
        """Answer."""
        return Out(n=1)

    async with Client(limited.server(None, principal=Principal("alice"))) as client:
        results = [await client.call_tool("ping", {}) for _ in range(3)]
    assert [r.is_error for r in results] == [False, False, True]
    error = results[2].meta["io.wireproof/error"]
    assert (error["type"], error["retryable"]) == ("rate_limited", True)
    assert error["retry_after_ms"] > 0
    assert results[2].content[0].text.endswith(" s.")  # type: ignore[union-attr]


def test_a_locked_database_is_a_retryable_unavailable_error(tmp_path: Any) -> None:
    """Real SQLite, rollback journal: while another connection holds an exclusive lock, helpdesk's
    queries answer with the typed, retryable error instead of crashing the call."""
    from helpdesk.db import Queries
    from wireproof import Unavailable

    path = tmp_path / "locked.db"
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE t (x INTEGER)")
    setup.commit()
    setup.close()
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    reader = sqlite3.connect(path, timeout=0.05)
    try:
        with pytest.raises(Unavailable) as caught:
            Queries(reader, postgres=False).all("SELECT x FROM t")
        assert caught.value.retryable is True
        assert caught.value.retry_after == 2
        locker.execute("ROLLBACK")
        with pytest.raises(sqlite3.OperationalError, match="no such table"):  # not transient: stays internal
            Queries(reader, postgres=False).all("SELECT x FROM missing")
    finally:
        reader.close()
        locker.close()


def test_healthz_and_readyz_answer_without_credentials(database: Database, store: IdempotencyStore) -> None:
    state = {"ready": True}
    port = free_port()
    asgi = http_app(
        app,
        database,
        resource_url=f"http://127.0.0.1:{port}/mcp",
        authenticate=lambda _t: Principal("x"),
        store=store,
        ready=lambda: state["ready"],
    )
    with serve_asgi(asgi, port):
        base = f"http://127.0.0.1:{port}"
        assert httpx2.get(base + "/healthz", timeout=10).status_code == 200
        assert httpx2.get(base + "/readyz", timeout=10).status_code == 200
        state["ready"] = False
        answer: Any = httpx2.get(base + "/readyz", timeout=10)
        assert answer.status_code == 503
        assert answer.json() == {"status": "unavailable"}
