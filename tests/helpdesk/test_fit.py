"""The helpdesk connector stays clean under its own checker, in process (the pytest plugin's way)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from helpdesk import app
from helpdesk.db import Database
from wireproof import LOCAL_OPERATOR, Connector
from wireproof.check import CheckOptions, Observer
from wireproof.idempotency import IdempotencyStore
from wireproof.testing import ConnectorNotFit, assert_fit


def test_helpdesk_is_fit_read_only(database: Database, store: IdempotencyStore) -> None:
    report = assert_fit(app, database, fail_on="info", store=store, principal=LOCAL_OPERATOR)
    assert report.findings == []
    assert all(t.calls > 0 for t in report.tools if t.read_only)
    assert all(t.calls == 0 and t.skipped for t in report.tools if not t.read_only)


def test_helpdesk_is_fit_with_writes_allowed(database: Database, store: IdempotencyStore) -> None:
    observers = [
        Observer("list_ticket_comments", {"ticket_id": 1}),
        Observer("get_status_note", {"week": "2026-W23"}),
        Observer("get_ticket", {"ticket_id": 1}),
    ]
    report = assert_fit(
        app,
        database,
        fail_on="info",
        store=store,
        principal=LOCAL_OPERATOR,
        options=CheckOptions(allow_writes=True, observers=observers),
    )
    assert report.findings == []


class Answer(BaseModel):
    text: str


def test_the_fixture_fails_a_test_with_the_findings(wireproof_check: object) -> None:
    flawed: Connector[None] = Connector("flawed")

    @flawed.read(public=True)
    async def query(name: str) -> Answer:
        """Look something up.

        Args:
            name: Anything.
        """
        raise RuntimeError("boom")

    with pytest.raises(ConnectorNotFit, match=r"schema\.vague-name"):
        wireproof_check(flawed, None, principal=LOCAL_OPERATOR)  # type: ignore[operator]
