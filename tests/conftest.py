"""Shared fixtures: a seeded helpdesk database in a temporary folder, and the anyio backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness.pg import fresh_database, postgres_server

from helpdesk.db import Database, open_database
from wireproof.idempotency import IdempotencyStore

SEEDED_TICKETS = 400


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A helpdesk SQLite file with SEEDED_TICKETS deterministic tickets."""
    with open_database(f"sqlite:///{tmp_path / 'helpdesk.db'}") as db:
        db.seed(SEEDED_TICKETS)
        yield db


@pytest.fixture
def store(database: Database) -> Iterator[IdempotencyStore]:
    """The idempotency store on the helpdesk database (write tools write through its transactions)."""
    idempotency = database.store()
    yield idempotency
    idempotency.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server started for this test session (never skipped)."""
    with postgres_server() as url:
        yield url


@pytest.fixture
def postgres_db(postgres_url: str) -> str:
    """A fresh, empty database on the session's PostgreSQL server."""
    return fresh_database(postgres_url)
