"""The helpdesk tools, written against wireproof's public API only.

Read tools run as plain functions (wireproof runs them in a worker thread) on
the database's read-only connections, and return compact records: a list shows
ticket summaries, ``get_ticket`` the detail.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel, Field

from helpdesk.db import Database
from wireproof import Arguments, Connector, InvalidInput, NotFound, ToolContext

__all__ = ["Ticket", "TicketPage", "TicketSummary", "app"]

app: Connector[Database] = Connector(
    "helpdesk",
    version="0.1.0",
    instructions=(
        "Support tickets. Find tickets with list_tickets_by_date or search_tickets, "
        "then read one with get_ticket."
    ),
)

Status = Literal["open", "pending", "solved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]
Limit = Annotated[int, Ge(1), Le(100)]
TicketId = Annotated[int, Ge(1), Le(2**53 - 1)]  # the largest integer every JSON parser keeps exact

_SUMMARY_COLUMNS = "id, subject, status, priority, customer_email, opened_at"


class TicketSummary(BaseModel):
    """A ticket as lists show it: enough to choose which one to open with get_ticket."""

    id: int
    subject: str
    status: Status
    priority: Priority
    customer_email: str
    opened_at: datetime


class TicketPage(BaseModel):
    """One page of tickets, newest first."""

    tickets: list[TicketSummary]
    has_more: bool = Field(
        description="True when more tickets match than this page holds: narrow the filters."
    )


class Ticket(BaseModel):
    """A whole ticket."""

    id: int
    subject: str
    body: str
    status: Status
    priority: Priority
    customer_email: str
    organization: str
    opened_at: datetime
    updated_at: datetime


def _page(rows: list[object], limit: int) -> TicketPage:
    tickets = [TicketSummary.model_validate(dict(row)) for row in rows[:limit]]  # type: ignore[call-overload]
    return TicketPage(tickets=tickets, has_more=len(rows) > limit)


@app.read(title="List tickets by date")
def list_tickets_by_date(
    ctx: ToolContext[Database],
    start_date: date,
    end_date: date,
    status: Status | None = None,
    limit: Limit = 25,
) -> TicketPage:
    """List support tickets opened between two dates (inclusive), newest first.

    Args:
        start_date: First day to include, as YYYY-MM-DD.
        end_date: Last day to include, as YYYY-MM-DD; on or after start_date.
        status: Only tickets in this status; omit for every status.
        limit: The most tickets to return, 1 to 100.
    """
    sql = f"SELECT {_SUMMARY_COLUMNS} FROM tickets WHERE opened_at >= ? AND opened_at < ?"
    params: list[object] = [start_date.isoformat(), (end_date + timedelta(days=1)).isoformat()]
    if status is not None:
        sql += " AND status = ?"
        params.append(status)
    sql += " ORDER BY opened_at DESC, id DESC LIMIT ?"
    params.append(limit + 1)
    return _page(ctx.state.reader().execute(sql, params).fetchall(), limit)


@list_tickets_by_date.rule
def _start_before_end(args: Arguments) -> None:
    if args.start_date > args.end_date:
        raise InvalidInput.field(
            "end_date",
            f"must be on or after start_date ({args.start_date.isoformat()})",
            expected=f"a date on or after {args.start_date.isoformat()}, or swap the two dates",
            received=args.end_date.isoformat(),
        )


@app.read(title="Get a ticket")
def get_ticket(ctx: ToolContext[Database], ticket_id: TicketId) -> Ticket:
    """Get one support ticket with its full text.

    Args:
        ticket_id: The ticket's number, as lists and searches show it in their id field.
    """
    row = (
        ctx.state.reader()
        .execute(
            "SELECT id, subject, body, status, priority, customer_email, org AS organization, opened_at, "
            "updated_at FROM tickets WHERE id = ?",
            (ticket_id,),
        )
        .fetchone()
    )
    if row is None:
        raise NotFound(
            f"No ticket has ticket_id {ticket_id}. Find ticket ids with list_tickets_by_date or search_tickets"
        )
    return Ticket.model_validate(dict(row))


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@app.read(title="Search tickets")
def search_tickets(
    ctx: ToolContext[Database],
    text: Annotated[str, MinLen(2), MaxLen(200)],
    status: Status | None = None,
    limit: Limit = 25,
) -> TicketPage:
    """Search support tickets whose subject or body contains a text (case-insensitive), newest first.

    Args:
        text: The text to look for, 2 to 200 characters, matched literally (no wildcards).
        status: Only tickets in this status; omit for every status.
        limit: The most tickets to return, 1 to 100.
    """
    pattern = _like_pattern(text)
    sql = (
        f"SELECT {_SUMMARY_COLUMNS} FROM tickets "
        "WHERE (subject LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\')"
    )
    params: list[object] = [pattern, pattern]
    if status is not None:
        sql += " AND status = ?"
        params.append(status)
    sql += " ORDER BY opened_at DESC, id DESC LIMIT ?"
    params.append(limit + 1)
    return _page(ctx.state.reader().execute(sql, params).fetchall(), limit)
