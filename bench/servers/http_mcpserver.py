"""The HTTP benchmark's baseline: the SDK's ``MCPServer`` serving helpdesk's ``get_ticket`` over HTTP.

    python bench/servers/http_mcpserver.py --db postgresql://... --port 8123

``bench/bench_http.py`` compares a wireproof replica (``helpdesk-mcp --transport http``) with this
server, so it does the same work as helpdesk's ``get_ticket``:

- the same SQL on the same PostgreSQL database, on a read-only, autocommit psycopg connection
  kept per worker thread (``MCPServer`` runs a sync tool in anyio's thread pool, as wireproof
  does);
- the same input bounds and the same ``Ticket`` fields, with a body cut at 2,000 characters;
- stateless Streamable HTTP with JSON responses at ``/mcp`` on loopback, served by uvicorn at
  log level warning (like the replicas), with ``/readyz`` for the benchmark to wait on.

It has no authentication, audit log, rate limit or tool timeout: a replica compared with it
like for like runs with ``--auth none``, and the rest is wireproof's own cost.
"""

from __future__ import annotations

import argparse
import threading
from datetime import datetime
from typing import Annotated, Any, Literal

import psycopg
import uvicorn
from mcp.server.mcpserver import MCPServer
from psycopg.rows import dict_row
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse

BODY_LIMIT = 2000
"""As helpdesk: a longer body is cut and marked."""

SQL = (
    "SELECT id, subject, body, status, priority, customer_email, org AS organization, opened_at, "
    "updated_at FROM tickets WHERE id = %s"
)
"""helpdesk's get_ticket query for a caller bound to no organisation (its SQL adds nothing then)."""


class Ticket(BaseModel):
    """The fields helpdesk's ``get_ticket`` returns."""

    id: int
    subject: str
    body: str
    body_truncated: bool = Field(description=f"True when body was cut at {BODY_LIMIT} characters.")
    status: Literal["open", "pending", "solved", "closed"]
    priority: Literal["low", "normal", "high", "urgent"]
    customer_email: str
    organization: str
    opened_at: datetime
    updated_at: datetime


def build(db_url: str) -> MCPServer:
    """The server: one tool, ``get_ticket``, reading through a connection per worker thread."""
    local = threading.local()

    def reader() -> psycopg.Connection[dict[str, Any]]:
        # One connection per worker thread, as helpdesk keeps them. When anyio retires an idle
        # worker thread, the thread-local goes with it and psycopg closes the connection.
        connection: psycopg.Connection[dict[str, Any]] | None = getattr(local, "connection", None)
        if connection is None or connection.closed:
            connection = psycopg.connect(
                db_url,
                autocommit=True,
                connect_timeout=10,
                options="-c default_transaction_read_only=on",
                row_factory=dict_row,
            )
            local.connection = connection
        return connection

    mcp = MCPServer("helpdesk-mcpserver", version="0.1.0", log_level="WARNING")

    @mcp.tool()
    def get_ticket(ticket_id: Annotated[int, Field(ge=1, le=2**53 - 1)]) -> Ticket:
        """Get one support ticket with its text (a body over 2,000 characters is cut and marked).

        Args:
            ticket_id: The ticket's number, as lists and searches show it in their id field.
        """
        row = reader().execute(SQL, (ticket_id,)).fetchone()
        if row is None:
            raise ValueError(f"No ticket has ticket_id {ticket_id}")
        body = row["body"]
        return Ticket.model_validate(
            {**row, "body": body[:BODY_LIMIT], "body_truncated": len(body) > BODY_LIMIT}
        )

    @mcp.custom_route("/readyz", methods=["GET"])
    async def ready(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ready"})

    return mcp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", required=True, metavar="URL", help="postgresql://... with helpdesk's tables")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = build(args.db).streamable_http_app(stateless_http=True, json_response=True, host="127.0.0.1")
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", server_header=False)


if __name__ == "__main__":
    main()
