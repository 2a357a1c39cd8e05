"""The helpdesk tools, written against wireproof's public API only.

Read tools run as plain functions (wireproof runs them in a worker thread) on
the database's read-only connections, and return compact records: a list shows
ticket summaries, ``get_ticket`` the detail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel, Field

from helpdesk._version import __version__
from helpdesk.db import Database, Queries
from wireproof import (
    Arguments,
    Connector,
    Examples,
    Forbidden,
    InvalidInput,
    NotFound,
    Page,
    Pattern,
    ScopePolicy,
    ToolContext,
)

__all__ = [
    "Comment",
    "StatusNote",
    "Ticket",
    "TicketStatusChange",
    "TicketSummary",
    "app",
]

app: Connector[Database] = Connector(
    "helpdesk",
    scope_policy=ScopePolicy.of({"tickets:write": {"tickets:read"}, "notes:write": {"notes:read"}}),
    version=__version__,
    instructions=(
        "Support tickets. Find tickets with list_tickets_by_date or search_tickets, then read one with "
        "get_ticket. Writes are safe to retry: pass an idempotency_key to add_ticket_comment and "
        "update_ticket_status; create_status_note upserts the one note of an ISO week."
    ),
)

Status = Literal["open", "pending", "solved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]
Limit = Annotated[int, Ge(1), Le(100)]
TicketId = Annotated[int, Ge(1), Le(2**53 - 1)]  # the largest integer every JSON parser keeps exact
IsoWeek = Annotated[str, Pattern("^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$"), Examples("2026-W23")]
Text = Annotated[str, MinLen(1), MaxLen(4000)]

SummaryField = Literal["subject", "status", "priority", "customer_email", "opened_at"]
SUMMARY_FIELDS: tuple[str, ...] = ("subject", "status", "priority", "customer_email", "opened_at")
Fields = Annotated[list[SummaryField], MaxLen(5)]
Cursor = Annotated[str, MaxLen(1024)]
BODY_LIMIT = 2000
"""get_ticket cuts a body longer than this many characters, and says so."""
COMMENT_LIMIT = 500
"""list_ticket_comments cuts a comment longer than this many characters, and says so."""


def _omit_none(value: Any) -> bool:
    return value is None


class TicketSummary(BaseModel):
    """A ticket as lists show it: its id and the fields asked for (all of them by default)."""

    id: int
    subject: str | None = Field(default=None, exclude_if=_omit_none)
    status: Status | None = Field(default=None, exclude_if=_omit_none)
    priority: Priority | None = Field(default=None, exclude_if=_omit_none)
    customer_email: str | None = Field(default=None, exclude_if=_omit_none)
    opened_at: datetime | None = Field(default=None, exclude_if=_omit_none)


class Ticket(BaseModel):
    """A whole ticket; a body longer than BODY_LIMIT characters is cut and marked."""

    id: int
    subject: str
    body: str
    body_truncated: bool = Field(description=f"True when body was cut at {BODY_LIMIT} characters.")
    status: Status
    priority: Priority
    customer_email: str
    organization: str
    opened_at: datetime
    updated_at: datetime


def _summary(fields: list[str] | None) -> Callable[[dict[str, Any]], TicketSummary]:
    # Validated from the row itself: a third of the cost of TicketSummary(**kwargs).
    validate = TicketSummary.model_validate
    if not fields or set(fields) >= set(SUMMARY_FIELDS):
        return validate  # the row holds id and every summary field, nothing else
    wanted = ("id", *(k for k in SUMMARY_FIELDS if k in fields))

    def make(row: dict[str, Any]) -> TicketSummary:
        return validate({k: row[k] for k in wanted})

    return make


def _org(ctx: ToolContext[Database]) -> tuple[str, list[object]]:
    """The SQL that keeps a caller bound to an organisation inside it (nothing for an unbound caller)."""
    org = ctx.principal.org
    return (" AND org = ?", [org]) if org else ("", [])


def _no_org(ctx: ToolContext[Database]) -> None:
    """Status notes are shared across organisations: an organisation-bound caller may not touch them."""
    if ctx.principal.org:
        raise Forbidden(
            "Status notes are shared by every organisation; a caller bound to one organisation may not read or "
            "write them"
        )


def _ticket_visible(ctx: ToolContext[Database], ticket_id: int, queries: Queries | None = None) -> None:
    """NotFound unless the ticket exists for this caller (another organisation's ticket does not)."""
    org_sql, org_params = _org(ctx)
    if (queries or ctx.state.reader()).one(
        f"SELECT id FROM tickets WHERE id = ?{org_sql}", [ticket_id, *org_params]
    ) is None:
        raise _no_ticket(ticket_id)


def _newest_first(
    ctx: ToolContext[Database],
    where: str,
    params: list[object],
    filters: dict[str, Any],
    limit: int,
    cursor: str | None,
    fields: list[str] | None,
    before: str | None = None,
) -> Page[TicketSummary]:
    """One page of tickets matching ``where``, newest first, by keyset (opened_at, id): never OFFSET.

    ``before`` is an exclusive upper bound on opened_at for the first page; later pages start at
    their cursor instead (a cursor of these filters always lies below it).
    """
    position = ctx.paging.position(cursor, filters)
    org_sql, org_params = _org(ctx)
    where += org_sql
    params = [*params, *org_params]
    if position is None and before is not None:
        where += " AND opened_at < ?"
        params = [*params, before]
    if position is not None:
        # The keyset condition as a row value, plus the plain bound opened_at <= position as the only
        # upper bound, so that SQLite (not only PostgreSQL) starts its index range at the cursor: a
        # page's cost does not grow with its depth. (SQLite keeps the looser of two upper bounds.)
        where += " AND opened_at <= ? AND (opened_at, id) < (?, ?)"
        params += [position[0], position[0], position[1]]
    rows = ctx.state.reader().all(
        f"SELECT id, {', '.join(SUMMARY_FIELDS)} FROM tickets WHERE {where} ORDER BY opened_at DESC, id DESC LIMIT ?",
        [*params, limit + 1],
    )
    return Page[TicketSummary].from_rows(
        rows,
        limit=limit,
        item=_summary(fields),
        position=lambda r: [r["opened_at"], r["id"]],
        paging=ctx.paging,
        filters=filters,
    )


@app.read(scopes={"tickets:read"}, title="List tickets by date")
def list_tickets_by_date(
    ctx: ToolContext[Database],
    start_date: date,
    end_date: date,
    status: Status | None = None,
    limit: Limit = 25,
    cursor: Cursor | None = None,
    fields: Fields | None = None,
) -> Page[TicketSummary]:
    """List support tickets opened between two dates (inclusive), newest first, a page at a time.

    Args:
        start_date: First day to include, as YYYY-MM-DD.
        end_date: Last day to include, as YYYY-MM-DD; on or after start_date.
        status: Only tickets in this status; omit for every status.
        limit: The most tickets to return, 1 to 100.
        cursor: The next_cursor of the previous page, to continue; omit for the first page.
        fields: Which fields to return besides id (default: all of subject, status, priority,
            customer_email, opened_at).
    """
    # Stored instants read YYYY-MM-DDTHH:MM:SSZ, and "T" < "U": every instant of end_date sorts
    # below end_date + "U" (no date arithmetic, so 9999-12-31 cannot overflow; the index still serves).
    where = "opened_at >= ?"
    params: list[object] = [start_date.isoformat()]
    if status is not None:
        where += " AND status = ?"
        params.append(status)
    filters = {"start_date": start_date.isoformat(), "end_date": end_date.isoformat(), "status": status}
    return _newest_first(
        ctx, where, params, filters, limit, cursor, fields, before=end_date.isoformat() + "U"
    )


@list_tickets_by_date.rule
def _start_before_end(args: Arguments) -> None:
    if args.start_date > args.end_date:
        raise InvalidInput.field(
            "end_date",
            f"must be on or after start_date ({args.start_date.isoformat()})",
            expected=f"a date on or after {args.start_date.isoformat()}, or swap the two dates",
            received=args.end_date.isoformat(),
        )


@app.read(scopes={"tickets:read"}, title="Get a ticket")
def get_ticket(ctx: ToolContext[Database], ticket_id: TicketId) -> Ticket:
    """Get one support ticket with its text (a body over 2,000 characters is cut and marked).

    Args:
        ticket_id: The ticket's number, as lists and searches show it in their id field.
    """
    org_sql, org_params = _org(ctx)
    row = ctx.state.reader().one(
        "SELECT id, subject, body, status, priority, customer_email, org AS organization, opened_at, "
        f"updated_at FROM tickets WHERE id = ?{org_sql}",
        [ticket_id, *org_params],
    )
    if row is None:
        raise _no_ticket(ticket_id)
    body = row["body"]
    return Ticket.model_validate({**row, "body": body[:BODY_LIMIT], "body_truncated": len(body) > BODY_LIMIT})


def _no_ticket(ticket_id: int) -> NotFound:
    return NotFound(
        f"No ticket has ticket_id {ticket_id}. Find ticket ids with list_tickets_by_date or search_tickets"
    )


def _storable_text(name: str) -> Callable[[Arguments], None]:
    """A rule: the text argument ``name`` can be stored: no NUL character (PostgreSQL text cannot
    hold one) and no lone UTF-16 surrogate (no database stores one; the SDK's 2026 HTTP entry
    parses JSON with ``json.loads``, which lets ``"\\ud800"`` through as one)."""

    def rule(args: Arguments) -> None:
        value = getattr(args, name)
        if not isinstance(value, str):
            return
        if "\x00" in value:
            raise InvalidInput.field(
                name,
                "contains a NUL character (\\u0000)",
                expected="text without NUL characters",
                received=value,
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidInput.field(
                name,
                f"contains a lone surrogate (\\u{ord(value[exc.start]):04x}), which is not a character",
                expected="Unicode text; a character beyond U+FFFF is sent as both halves of its surrogate pair",
                received=value,
            ) from None

    return rule


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@app.read(scopes={"tickets:read"}, title="Search tickets")
def search_tickets(
    ctx: ToolContext[Database],
    text: Annotated[str, MinLen(2), MaxLen(200)],
    status: Status | None = None,
    limit: Limit = 25,
    cursor: Cursor | None = None,
    fields: Fields | None = None,
) -> Page[TicketSummary]:
    """Search support tickets whose subject or body contains a text (case-insensitive), newest first.

    Args:
        text: The text to look for, 2 to 200 characters, matched literally (no wildcards).
        status: Only tickets in this status; omit for every status.
        limit: The most tickets to return, 1 to 100.
        cursor: The next_cursor of the previous page, to continue; omit for the first page.
        fields: Which fields to return besides id (default: all of subject, status, priority,
            customer_email, opened_at).
    """
    # Case-insensitive as Unicode lowercase, the same on SQLite and PostgreSQL ("école" finds "ÉCOLE").
    pattern = _like_pattern(text.lower())
    subject, body = ctx.state.lowercase_sql("subject"), ctx.state.lowercase_sql("body")
    where = f"({subject} LIKE ? ESCAPE '\\' OR {body} LIKE ? ESCAPE '\\')"
    params: list[object] = [pattern, pattern]
    if status is not None:
        where += " AND status = ?"
        params.append(status)
    return _newest_first(ctx, where, params, {"text": text, "status": status}, limit, cursor, fields)


# -- writes ----------------------------------------------------------------------------------------


class StatusNote(BaseModel):
    """The status note of one ISO week."""

    week: str
    body: str
    created_at: datetime
    updated_at: datetime


class Comment(BaseModel):
    """A comment on a ticket."""

    id: int
    ticket_id: int
    body: str
    body_truncated: bool = Field(default=False, description="True when a listing cut body short.")
    created_at: datetime


class TicketStatusChange(BaseModel):
    """A ticket's status after the change, and before it."""

    id: int
    status: Status
    previous_status: Status
    updated_at: datetime


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_week(args: Arguments) -> None:
    year, week = int(args.week[:4]), int(args.week[6:])
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InvalidInput.field(
            "week",
            f"does not exist: {year} has no ISO week {week}",
            expected=f"an ISO week of that year, such as {year}-W52",
            received=args.week,
        ) from None


_NOTE_COLUMNS = "week, body, created_at, updated_at"


@app.write(scopes={"notes:write"}, title="Create or update the status note of a week", key=("week",))
def create_status_note(ctx: ToolContext[Database], week: IsoWeek, body: Text) -> StatusNote:
    """Create the status note of an ISO week, or replace its text if the week has one (one note per week).

    Calling it again with the same week and body changes nothing and returns the same note.

    Args:
        week: The ISO week, as YYYY-Www (for example 2026-W23).
        body: The note's text, 1 to 4,000 characters.
    """
    _no_org(ctx)
    db = ctx.state.writer(ctx.transaction)
    now = _now()
    db.run(
        "INSERT INTO status_notes (week, body, created_at, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (week) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at "
        "WHERE status_notes.body <> excluded.body",
        (week, body, now, now),
    )
    row = db.one(f"SELECT {_NOTE_COLUMNS} FROM status_notes WHERE week = ?", (week,))
    assert row is not None  # written in this very transaction
    return StatusNote.model_validate(row)


create_status_note.rule(_check_week)
create_status_note.rule(_storable_text("body"))


@app.read(scopes={"notes:read"}, title="Get the status note of a week")
def get_status_note(ctx: ToolContext[Database], week: IsoWeek) -> StatusNote:
    """Get the status note of an ISO week.

    Args:
        week: The ISO week, as YYYY-Www (for example 2026-W23).
    """
    _no_org(ctx)
    row = ctx.state.reader().one(f"SELECT {_NOTE_COLUMNS} FROM status_notes WHERE week = ?", (week,))
    if row is None:
        raise NotFound(f"Week {week} has no status note yet. Create one with create_status_note")
    return StatusNote.model_validate(row)


get_status_note.rule(_check_week)


@app.write(
    scopes={"tickets:write"}, title="Add a comment to a ticket", idempotency_key=True, destructive=False
)
def add_ticket_comment(ctx: ToolContext[Database], ticket_id: TicketId, body: Text) -> Comment:
    """Add a comment to a support ticket.

    Args:
        ticket_id: The ticket's number, as lists and searches show it in their id field.
        body: The comment's text, 1 to 4,000 characters.
    """
    db = ctx.state.writer(ctx.transaction)
    _ticket_visible(ctx, ticket_id, db)
    row = db.one(
        "INSERT INTO ticket_comments (ticket_id, body, created_at) VALUES (?, ?, ?) "
        "RETURNING id, ticket_id, body, created_at",
        (ticket_id, body, _now()),
    )
    return Comment.model_validate(row)


@app.write(scopes={"tickets:write"}, title="Change a ticket's status", idempotency_key=True)
def update_ticket_status(
    ctx: ToolContext[Database], ticket_id: TicketId, status: Status
) -> TicketStatusChange:
    """Change the status of a support ticket.

    Args:
        ticket_id: The ticket's number, as lists and searches show it in their id field.
        status: The new status.
    """
    db = ctx.state.writer(ctx.transaction)
    _ticket_visible(ctx, ticket_id, db)
    before = db.one("SELECT status FROM tickets WHERE id = ?", (ticket_id,))
    assert before is not None  # visible a moment ago, in this same transaction
    now = _now()
    db.run("UPDATE tickets SET status = ?, updated_at = ? WHERE id = ?", (status, now, ticket_id))
    return TicketStatusChange(id=ticket_id, status=status, previous_status=before["status"], updated_at=now)


@app.read(scopes={"tickets:read"}, title="List a ticket's comments")
def list_ticket_comments(
    ctx: ToolContext[Database], ticket_id: TicketId, limit: Limit = 25, cursor: Cursor | None = None
) -> Page[Comment]:
    """List the comments on a support ticket, oldest first (a comment over 500 characters is cut and marked).

    Args:
        ticket_id: The ticket's number, as lists and searches show it in their id field.
        limit: The most comments to return, 1 to 100.
        cursor: The next_cursor of the previous page, to continue; omit for the first page.
    """
    reader = ctx.state.reader()
    _ticket_visible(ctx, ticket_id, reader)
    after = ctx.paging.position(cursor, {"ticket_id": ticket_id}) or 0
    rows = reader.all(
        "SELECT id, ticket_id, body, created_at FROM ticket_comments WHERE ticket_id = ? AND id > ? "
        "ORDER BY id LIMIT ?",
        (ticket_id, after, limit + 1),
    )

    def item(row: dict[str, Any]) -> Comment:
        body = row["body"]
        return Comment.model_validate(
            {**row, "body": body[:COMMENT_LIMIT], "body_truncated": len(body) > COMMENT_LIMIT}
        )

    return Page[Comment].from_rows(
        rows,
        limit=limit,
        item=item,
        position=lambda r: r["id"],
        paging=ctx.paging,
        filters={"ticket_id": ticket_id},
    )


search_tickets.rule(_storable_text("text"))
add_ticket_comment.rule(_storable_text("body"))
