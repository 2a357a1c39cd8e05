"""A connector for ``wireproof serve --db``: a keyed write into its own SQLite database.

``make(database_url)`` is the factory form that takes the one database; ``app`` alone has no
database to hand its writes, so ``wireproof serve`` refuses it.
"""

from __future__ import annotations

import sqlite3

from pydantic import BaseModel

from wireproof import Connector, ToolContext

app: Connector[None] = Connector("rows")


class Row(BaseModel):
    n: int


@app.write(public=True, destructive=False, idempotency_key=True)
def add_row(ctx: ToolContext[None], n: int) -> Row:
    """Add a row to the connector's own table, in the store's transaction.

    Args:
        n: The row's value.
    """
    ctx.transaction.connection.execute("INSERT INTO rows (n) VALUES (?)", (n,))
    return Row(n=n)


def make(database_url: str) -> tuple[Connector[None], None]:
    """The connector on ``sqlite:///PATH``, its table created on first use."""
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as setup:
        setup.execute("CREATE TABLE IF NOT EXISTS rows (n INTEGER)")
    setup.close()
    return app, None
