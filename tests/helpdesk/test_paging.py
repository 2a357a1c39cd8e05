"""helpdesk listings page by signed keyset cursors: every ticket exactly once, even while tickets arrive."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from helpdesk import app
from helpdesk.db import Database, open_database
from wireproof import LOCAL_OPERATOR, CursorCodec
from wireproof.idempotency import IdempotencyStore

RANGE = {"start_date": "2025-01-01", "end_date": "2026-12-31"}


class Clock:
    now = 2_000_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[BlockingPortal, Client, Database, Clock]]:
    clock = Clock()
    with open_database(f"sqlite:///{tmp_path / 'h.db'}") as database, start_blocking_portal() as portal:
        database.seed(300)
        store: IdempotencyStore = database.store()
        server = app.server(
            database,
            store=store,
            cursors=CursorCodec({"k": b"s" * 32}, ttl=600, clock=clock),
            principal=LOCAL_OPERATOR,
        )
        with portal.wrap_async_context_manager(Client(server)) as client:
            yield portal, client, database, clock
        store.close()


def call(served: Any, tool: str, arguments: dict[str, Any]) -> Any:
    portal, client, _, _ = served
    return portal.call(client.call_tool, tool, arguments)


def insert_ticket(database: Database, opened_at: str) -> None:
    with sqlite3.connect(database.path) as connection:  # type: ignore[attr-defined]
        (next_id,) = connection.execute("SELECT max(id) + 1 FROM tickets").fetchone()
        connection.execute(
            "INSERT INTO tickets VALUES (?, 'New', 'Body', 'open', 'low', 'n@x.example', 'acme', ?, ?)",
            (next_id, opened_at, opened_at),
        )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    limit=st.integers(1, 60),
    inserts=st.lists(
        st.tuples(
            st.integers(0, 20), st.sampled_from(["2024-06-01", "2025-06-01", "2026-06-01", "2026-11-30"])
        ),
        max_size=6,
    ),
)
def test_walking_the_pages_returns_every_ticket_once_while_tickets_are_inserted(
    served: Any, limit: int, inserts: list[tuple[int, str]]
) -> None:
    _, _, database, _ = served
    before = {
        r["id"]
        for r in database.reader().all(
            "SELECT id FROM tickets WHERE opened_at >= ? AND opened_at < ?",
            [RANGE["start_date"], RANGE["end_date"] + "U"],
        )
    }
    seen: list[int] = []
    cursor = None
    for page_number in range(10_000):
        for at, day in inserts:
            if at == page_number:
                insert_ticket(database, f"{day}T12:00:00Z")
        arguments = {**RANGE, "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = call(served, "list_tickets_by_date", arguments).structured_content
        seen += [t["id"] for t in page["items"]]
        if not page["has_more"]:
            assert "next_cursor" not in page
            break
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)), "a ticket was returned twice"
    assert before <= set(seen), "a ticket that existed from the start was skipped"


def test_cursor_misuse_is_invalid_input_that_says_to_restart(served: Any) -> None:
    _, _, _, clock = served
    first = call(served, "list_tickets_by_date", {**RANGE, "limit": 5}).structured_content
    cursor = first["next_cursor"]
    cases = [
        ("list_tickets_by_date", {**RANGE, "status": "open", "cursor": cursor}, "other filter arguments"),
        ("search_tickets", {"text": "login", "cursor": cursor}, "belongs to another tool"),
        (
            "list_tickets_by_date",
            {**RANGE, "cursor": cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")},
            "has been altered",
        ),
        ("list_tickets_by_date", {**RANGE, "cursor": "not-a-cursor"}, "is not a cursor this server issued"),
    ]
    for tool, arguments, problem in cases:
        result = call(served, tool, arguments)
        error = result.meta["io.wireproof/error"]
        assert error["type"] == "invalid_input", (tool, arguments)
        assert error["fields"][0]["field"] == "cursor"
        assert problem in error["fields"][0]["problem"]
        assert "restart the listing without cursor" in result.content[0].text
    clock.now += 601
    expired = call(served, "list_tickets_by_date", {**RANGE, "cursor": cursor}).meta["io.wireproof/error"]
    assert "has expired" in expired["fields"][0]["problem"]


def test_changing_limit_or_fields_between_pages_is_allowed(served: Any) -> None:
    first = call(served, "list_tickets_by_date", {**RANGE, "limit": 5}).structured_content
    second = call(
        served,
        "list_tickets_by_date",
        {**RANGE, "limit": 7, "fields": ["subject"], "cursor": first["next_cursor"]},
    ).structured_content
    assert len(second["items"]) == 7
    assert all(set(item) == {"id", "subject"} for item in second["items"])
    assert second["items"][0]["id"] not in {t["id"] for t in first["items"]}


def test_long_bodies_are_cut_and_marked(served: Any) -> None:
    _, _, database, _ = served
    with sqlite3.connect(database.path) as connection:  # type: ignore[attr-defined]
        connection.execute("UPDATE tickets SET body = ? WHERE id = 9", ("z" * 5000,))
    ticket = call(served, "get_ticket", {"ticket_id": 9}).structured_content
    assert len(ticket["body"]) == 2000
    assert ticket["body_truncated"] is True
    short = call(served, "get_ticket", {"ticket_id": 10}).structured_content
    assert short["body_truncated"] is False


def test_comments_page_oldest_first_and_cut_long_ones(served: Any) -> None:
    for i in range(7):
        call(served, "add_ticket_comment", {"ticket_id": 2, "body": f"c{i}" + ("w" * 600 if i == 3 else "")})
    first = call(served, "list_ticket_comments", {"ticket_id": 2, "limit": 4}).structured_content
    rest = call(
        served, "list_ticket_comments", {"ticket_id": 2, "limit": 4, "cursor": first["next_cursor"]}
    ).structured_content
    bodies = [c["body"][:2] for c in first["items"] + rest["items"]]
    assert bodies == [f"c{i}" for i in range(7)]
    assert first["items"][3]["body_truncated"] is True
    assert len(first["items"][3]["body"]) == 500
    assert rest["has_more"] is False
