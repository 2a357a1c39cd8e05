"""The three IdempotencyStore implementations behave alike: memory, SQLite file, real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from wireproof.idempotency import (
    Claimed,
    IdempotencyStore,
    InProgress,
    LostClaimError,
    MemoryIdempotencyStore,
    Mismatch,
    PostgresIdempotencyStore,
    Replay,
    SqliteIdempotencyStore,
    StoredResult,
    open_store,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., IdempotencyStore]]:
    stores: list[IdempotencyStore] = []
    db = request.getfixturevalue("postgres_db") if request.param == "postgres" else None

    def make(**options: object) -> IdempotencyStore:
        store: IdempotencyStore
        if request.param == "memory":
            store = MemoryIdempotencyStore(**options)  # type: ignore[arg-type]
        elif request.param == "sqlite":
            store = SqliteIdempotencyStore(tmp_path / "keys.db", **options)  # type: ignore[arg-type]
        else:
            assert db is not None
            store = PostgresIdempotencyStore(db, **options)  # type: ignore[arg-type]
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()


DONE = StoredResult({"id": 7}, '{"id":7}', is_error=False)


def test_first_claim_goes_then_finished_key_replays(make_store: Callable[..., IdempotencyStore]) -> None:
    store = make_store()
    claim = store.claim("p:tool", "k1", "fp", {"a": 1})
    assert isinstance(claim, Claimed)
    store.complete(claim, DONE)
    again = store.claim("p:tool", "k1", "fp", {"a": 1})
    assert isinstance(again, Replay)
    assert again.result == DONE


def test_same_key_other_arguments_is_a_mismatch_naming_the_arguments_that_differ(
    make_store: Callable[..., IdempotencyStore],
) -> None:
    store = make_store()
    first = {"ticket_id": 3, "body": "first", "status": "open"}
    store.complete(store.claim("p:t", "k", "fp1", first), DONE)  # type: ignore[arg-type]
    other = store.claim("p:t", "k", "fp2", {"ticket_id": 3.0, "body": "second", "extra": None})
    assert isinstance(other, Mismatch)
    assert other.fields == ("body", "extra", "status")  # 3.0 is 3: not a difference


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_record_keeps_the_fingerprint_and_the_result_but_never_the_argument_values(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    secret = "ana.perez@example.com"
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'keys.db'}"
    else:
        url = request.getfixturevalue("postgres_db")
    store = open_store(url)
    try:
        claim = store.claim("p:t", "k-privacy", "fp", {"customer_email": secret, "name": "Ana Pérez"})
        assert isinstance(claim, Claimed)
        store.complete(claim, DONE)
        assert isinstance(store.claim("p:t", "k-privacy", "fp", {"customer_email": secret}), Replay)
    finally:
        store.close()
    rows = _raw_records(url)
    assert rows
    assert all(secret not in row and "Ana" not in row for row in rows)
    assert any('"id": 7' in row or '"id":7' in row for row in rows)  # the result, for replay


def _raw_records(url: str) -> list[str]:
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            rows = connection.execute("SELECT * FROM wireproof_idempotency").fetchall()
    else:
        import psycopg

        with psycopg.connect(url) as connection:
            rows = connection.execute("SELECT * FROM wireproof_idempotency").fetchall()
    return [repr(row) for row in rows]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_records_written_with_argument_values_are_rewritten_to_digests_when_a_store_opens(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'keys.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_db")
    )
    open_store(url).close()  # the table, as this version makes it
    legacy = ("p:t", "k-legacy", "fp", '{"customer_email": "ana.perez@example.com"}', "tok", 1e12, 1e12 + 60)
    insert = (
        "INSERT INTO wireproof_idempotency (scope, key, fingerprint, arguments, token, locked_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    if backend == "sqlite":
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.execute(insert, legacy)
    else:
        import psycopg

        with psycopg.connect(url) as connection:
            connection.execute(insert.replace("?", "%s"), legacy)
    store = open_store(url)
    try:
        assert all("ana.perez" not in row for row in _raw_records(url))
        other = store.claim("p:t", "k-legacy", "fp2", {"customer_email": "someone.else@example.com"})
        assert isinstance(other, Mismatch)
        assert other.fields == ("customer_email",)
    finally:
        store.close()


def test_running_key_is_in_progress_until_the_lock_times_out_then_taken_over(
    make_store: Callable[..., IdempotencyStore],
) -> None:
    clock = Clock()
    store = make_store(clock=clock, lock_timeout=30)
    first = store.claim("p:t", "k", "fp", {})
    assert isinstance(first, Claimed)
    busy = store.claim("p:t", "k", "fp", {})
    assert isinstance(busy, InProgress)
    assert 0.5 <= busy.retry_after <= 5
    clock.now += 31
    taken = store.claim("p:t", "k", "fp", {})
    assert isinstance(taken, Claimed)
    assert taken.token != first.token
    with pytest.raises(LostClaimError):
        store.complete(first, DONE)  # the dead owner's late completion is refused
    assert isinstance(store.claim("p:t", "k", "fp", {}), InProgress)


def test_release_lets_the_next_call_run_anew(make_store: Callable[..., IdempotencyStore]) -> None:
    store = make_store()
    claim = store.claim("p:t", "k", "fp", {})
    assert isinstance(claim, Claimed)
    store.release(claim)
    assert isinstance(store.claim("p:t", "k", "fp", {}), Claimed)


def test_keys_are_scoped_by_principal_and_tool(make_store: Callable[..., IdempotencyStore]) -> None:
    store = make_store()
    store.complete(store.claim("alice:t", "k", "fp", {}), DONE)  # type: ignore[arg-type]
    assert isinstance(store.claim("bob:t", "k", "fp", {}), Claimed)
    assert isinstance(store.claim("alice:other", "k", "fp", {}), Claimed)


def test_expired_records_are_reaped_and_a_reused_expired_key_runs_anew(
    make_store: Callable[..., IdempotencyStore],
) -> None:
    clock = Clock()
    store = make_store(clock=clock, retention=300)
    store.complete(store.claim("p:t", "old", "fp", {}), DONE)  # type: ignore[arg-type]
    store.complete(store.claim("p:t", "reaped", "fp", {}), DONE)  # type: ignore[arg-type]
    clock.now += 301  # past retention, not yet at the periodic reap
    assert isinstance(store.claim("p:t", "old", "other-fp", {}), Claimed)
    assert store.reap() == 1
    assert isinstance(store.claim("p:t", "reaped", "fp", {}), Claimed)


def test_concurrent_claims_of_one_key_let_exactly_one_through(
    make_store: Callable[..., IdempotencyStore],
) -> None:
    store = make_store()
    results: list[object] = []
    barrier = threading.Barrier(16)

    def claim() -> None:
        barrier.wait()
        results.append(store.claim("p:t", "race", "fp", {}))

    threads = [threading.Thread(target=claim) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(isinstance(r, Claimed) for r in results) == 1
    assert sum(isinstance(r, InProgress) for r in results) == 15


def test_open_store_picks_the_backend_by_url(tmp_path: Path) -> None:
    assert isinstance(open_store("memory:"), MemoryIdempotencyStore)
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    assert isinstance(store, SqliteIdempotencyStore)
    store.close()
    with pytest.raises(ValueError, match="no idempotency store for 'mysql' URLs"):
        open_store("mysql://x")


def test_expired_records_are_reaped_periodically_while_serving(
    make_store: Callable[..., IdempotencyStore],
) -> None:
    from wireproof.idempotency._store import REAP_INTERVAL

    clock = Clock()
    store = make_store(clock=clock, retention=60)
    store.complete(store.claim("p:t", "a", "fp", {}), DONE)  # type: ignore[arg-type]
    clock.now += REAP_INTERVAL + 1
    assert isinstance(store.claim("p:t", "other", "fp", {}), Claimed)  # this claim triggers the periodic reap
    assert store.reap() == 0  # nothing left: "a" was already reaped


def test_an_owner_whose_claim_was_taken_over_cannot_commit_its_effect(
    make_store: Callable[..., IdempotencyStore],
) -> None:
    from wireproof.idempotency import LostClaimError

    clock = Clock()
    store = make_store(clock=clock, lock_timeout=30)
    slow = store.claim("p:t", "k", "fp", {})
    assert isinstance(slow, Claimed)
    clock.now += 31
    taker = store.claim("p:t", "k", "fp", {})
    assert isinstance(taker, Claimed)
    with pytest.raises(LostClaimError), store.transaction() as transaction:  # noqa: PT012 - effect, then complete
        if transaction is not None:  # write an effect through the transaction: it must roll back
            transaction.connection.execute("CREATE TABLE IF NOT EXISTS effects (n INTEGER)")
            transaction.connection.execute("INSERT INTO effects VALUES (1)")
        store.complete(slow, DONE, transaction)
    if transaction is not None:
        count = transaction.connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'effects'"
            if isinstance(store, PostgresIdempotencyStore)
            else "SELECT count(*) FROM sqlite_master WHERE name = 'effects'"
        ).fetchone()[0]
        assert count == 0  # the table and the row rolled back with the lost claim
    store.complete(taker, StoredResult({"id": 8}, '{"id":8}', is_error=False))
    replay = store.claim("p:t", "k", "fp", {})
    assert isinstance(replay, Replay)
    assert replay.result.structured == {"id": 8}


def test_a_result_holding_a_nul_character_is_stored_and_replayed_unchanged(
    make_store: Callable[..., IdempotencyStore],
) -> None:
    store = make_store()
    result = StoredResult({"text": "a\x00b", "path": "C:\\u0000"}, '{"text":"a\\u0000b"}', is_error=False)
    claim = store.claim("p:t", "k-nul", "fp", {"text": "a\x00b"})
    assert isinstance(claim, Claimed)
    store.complete(claim, result)  # PostgreSQL's JSONB refuses \u0000: this raised a DataError
    again = store.claim("p:t", "k-nul", "fp", {"text": "a\x00b"})
    assert isinstance(again, Replay)
    assert again.result == result
