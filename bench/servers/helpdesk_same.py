"""Same work, two servers: helpdesk's tools on wireproof, and an ``MCPServer`` doing the same SQL.

``bench/bench_core.py`` compares them in memory and over stdio (``python bench/servers/helpdesk_same.py
wireproof|mcpserver DB``). Both serve the same SQLite file:

* ``build_wireproof``: the real helpdesk connector (``helpdesk.app.app``) with its database and
  idempotency store, the local operator as caller, every default on (validation, scopes, deadline,
  budget, paging cursors, idempotency).
* ``build_mcpserver``: ``MCPServer`` tools ``get_ticket``, ``list_tickets_by_date`` and
  ``add_ticket_comment`` that run helpdesk's SQL for a caller bound to no organisation, on a
  read-only connection kept per worker thread (``MCPServer`` runs a plain ``def`` tool in anyio's
  thread pool, as wireproof does), with the same input bounds and return fields. It has no auth,
  no deadline, no budget, no signed cursor (the next cursor is the last row's ``opened_at|id``)
  and no idempotency: ``add_ticket_comment`` takes an ``idempotency_key`` and ignores it, and writes
  the comment in one transaction of its own, committed as wireproof's SQLite store commits (WAL,
  ``synchronous=NORMAL``). Everything wireproof does beyond that is its own cost.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from mcp.server import Server
from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel, Field

__all__ = ["build_mcpserver", "build_wireproof"]

BODY_LIMIT = 2000
Status = Literal["open", "pending", "solved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]
TicketId = Annotated[int, Field(ge=1, le=2**53 - 1)]
Limit = Annotated[int, Field(ge=1, le=100)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
SUMMARY = "subject, status, priority, customer_email, opened_at"


class Ticket(BaseModel):
    """helpdesk's ``Ticket``."""

    id: int
    subject: str
    body: str
    body_truncated: bool
    status: Status
    priority: Priority
    customer_email: str
    organization: str
    opened_at: datetime
    updated_at: datetime


class TicketSummary(BaseModel):
    """helpdesk's ``TicketSummary`` with every field."""

    id: int
    subject: str
    status: Status
    priority: Priority
    customer_email: str
    opened_at: datetime


class TicketPage(BaseModel):
    """A page of summaries and the cursor of the next page."""

    items: list[TicketSummary]
    has_more: bool
    next_cursor: str | None = None


class Comment(BaseModel):
    """helpdesk's ``Comment``."""

    id: int
    ticket_id: int
    body: str
    body_truncated: bool = False
    created_at: datetime


def _rows(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _must_exist(connection: sqlite3.Connection, ticket_id: int) -> None:
    if not _rows(connection.execute("SELECT id FROM tickets WHERE id = ?", [ticket_id])):
        raise ValueError(f"No ticket has ticket_id {ticket_id}")


def build_mcpserver(db: Path) -> MCPServer:
    """The three tools on ``MCPServer``, reading through a read-only connection per worker thread."""
    local = threading.local()
    uri = f"{db.resolve().as_uri()}?mode=ro"

    def reader() -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(uri, uri=True, timeout=30.0, check_same_thread=False)
            connection.execute("PRAGMA busy_timeout=30000")
            local.connection = connection
        return connection

    writer = sqlite3.connect(db, timeout=30.0, isolation_level=None, check_same_thread=False)
    writer.execute("PRAGMA busy_timeout=30000")
    # As wireproof's SQLite store commits (WAL, synchronous=NORMAL): the same durability, the same work.
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA synchronous=NORMAL")
    write_lock = threading.Lock()
    mcp = MCPServer("helpdesk-mcpserver", version="0.1.0", log_level="WARNING")

    @mcp.tool()
    def get_ticket(ticket_id: TicketId) -> Ticket:
        """Get one support ticket with its text (a body over 2,000 characters is cut and marked).

        Args:
            ticket_id: The ticket's number, as lists and searches show it in their id field.
        """
        rows = _rows(
            reader().execute(
                "SELECT id, subject, body, status, priority, customer_email, org AS organization, "
                "opened_at, updated_at FROM tickets WHERE id = ?",
                [ticket_id],
            )
        )
        if not rows:
            raise ValueError(f"No ticket has ticket_id {ticket_id}")
        row = rows[0]
        body = row["body"]
        return Ticket.model_validate(
            {**row, "body": body[:BODY_LIMIT], "body_truncated": len(body) > BODY_LIMIT}
        )

    @mcp.tool()
    def list_tickets_by_date(
        start_date: date,
        end_date: date,
        status: Status | None = None,
        limit: Limit = 25,
        cursor: Annotated[str, Field(max_length=1024)] | None = None,
    ) -> TicketPage:
        """List support tickets opened between two dates (inclusive), newest first, a page at a time.

        Args:
            start_date: First day to include, as YYYY-MM-DD.
            end_date: Last day to include, as YYYY-MM-DD; on or after start_date.
            status: Only tickets in this status; omit for every status.
            limit: The most tickets to return, 1 to 100.
            cursor: The next_cursor of the previous page, to continue; omit for the first page.
        """
        if start_date > end_date:
            raise ValueError("end_date must be on or after start_date")
        where, params = "opened_at >= ?", [start_date.isoformat()]
        if status is not None:
            where += " AND status = ?"
            params.append(status)
        if cursor is None:
            where += " AND opened_at < ?"
            params.append(end_date.isoformat() + "U")
        else:
            opened, _, last_id = cursor.partition("|")
            where += " AND opened_at <= ? AND (opened_at, id) < (?, ?)"
            params += [opened, opened, last_id]
        rows = _rows(
            reader().execute(
                f"SELECT id, {SUMMARY} FROM tickets WHERE {where} ORDER BY opened_at DESC, id DESC LIMIT ?",
                [*params, limit + 1],
            )
        )
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1] if more else None
        return TicketPage(
            items=[TicketSummary.model_validate(r) for r in rows],
            has_more=more,
            next_cursor=f"{last['opened_at']}|{last['id']}" if last else None,
        )

    @mcp.tool()
    def add_ticket_comment(ticket_id: TicketId, body: Text, idempotency_key: str | None = None) -> Comment:
        """Add a comment to a support ticket.

        Args:
            ticket_id: The ticket's number, as lists and searches show it in their id field.
            body: The comment's text, 1 to 4,000 characters.
            idempotency_key: Accepted and ignored (this server does not deduplicate).
        """
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with write_lock:
            writer.execute("BEGIN IMMEDIATE")
            try:
                _must_exist(writer, ticket_id)
                row = _rows(
                    writer.execute(
                        "INSERT INTO ticket_comments (ticket_id, body, created_at) VALUES (?, ?, ?) "
                        "RETURNING id, ticket_id, body, created_at",
                        (ticket_id, body, now),
                    )
                )[0]
            except BaseException:
                writer.execute("ROLLBACK")
                raise
            writer.execute("COMMIT")
        return Comment.model_validate(row)

    return mcp


def open_wireproof(db: Path) -> tuple[Any, Any, Any]:
    """helpdesk's connector, its database on ``db`` and its idempotency store (the caller closes both)."""
    from helpdesk.app import app
    from helpdesk.db import open_database
    from wireproof.serve import lock_timeout_for

    database = open_database(f"sqlite:///{db}")
    return app, database, database.store(lock_timeout=lock_timeout_for(app))


def build_wireproof(db: Path) -> Server[Any]:
    """The real helpdesk connector on ``db``, as the SDK ``Server`` it builds (in memory)."""
    from wireproof import LOCAL_OPERATOR

    app, database, store = open_wireproof(db)
    return app.server(database, store=store, principal=LOCAL_OPERATOR)


def prepare(db: Path, tickets: int) -> None:
    """A fresh helpdesk SQLite file with ``tickets`` seeded tickets."""
    from helpdesk.db import open_database

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with open_database(f"sqlite:///{db}") as database:
        database.seed(tickets)


def main() -> None:
    which, db = sys.argv[1], Path(sys.argv[2])
    if which == "mcpserver":
        build_mcpserver(db).run("stdio")
    elif which == "wireproof":
        from wireproof import LOCAL_OPERATOR

        app, database, store = open_wireproof(db)
        with database:
            try:
                app.run_stdio(database, store=store, principal=LOCAL_OPERATOR)
            finally:
                store.close()
    else:
        raise SystemExit(f"usage: {sys.argv[0]} wireproof|mcpserver DB")


if __name__ == "__main__":
    main()
