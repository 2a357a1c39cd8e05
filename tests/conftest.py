"""Shared fixtures: a seeded helpdesk database in a temporary folder, and the anyio backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk.db import Database

SEEDED_TICKETS = 400


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A helpdesk SQLite file with SEEDED_TICKETS deterministic tickets."""
    with Database(f"sqlite:///{tmp_path / 'helpdesk.db'}") as db:
        db.seed(SEEDED_TICKETS)
        yield db
