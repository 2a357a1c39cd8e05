"""``helpdesk-mcp``: serve the helpdesk connector (stdio), optionally seeding demo tickets first."""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence

from helpdesk.app import app
from helpdesk.db import DatabaseURLError, default_database_path, open_database
from wireproof import CursorCodec


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="helpdesk-mcp",
        description="The wireproof reference connector: support tickets over MCP.",
        epilog="environment: HELPDESK_CURSOR_SECRET signs paging cursors (default: a random key per process)",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help=f"database URL: sqlite:///PATH, a file path, or postgresql://USER@HOST/DB (default: {default_database_path()})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="create N deterministic demo tickets if the database has none",
    )
    parser.add_argument(
        "--seed-only", action="store_true", help="seed (with --seed) and exit without serving"
    )
    parser.add_argument(
        "--transport", choices=["stdio"], default="stdio", help="how to serve (default: stdio)"
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level for stderr (default: WARNING)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=args.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    if args.seed is not None and args.seed < 0:
        print("helpdesk-mcp: error: --seed takes a count of 0 or more", file=sys.stderr)
        return 2
    try:
        database = open_database(args.db)
        store = database.store()
    except (DatabaseURLError, sqlite3.Error, OSError, ImportError) as exc:
        print(f"helpdesk-mcp: error: cannot open the database: {_reason(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - psycopg's errors, imported lazily: report, never a traceback
        print(f"helpdesk-mcp: error: cannot open the database: {_reason(exc)}", file=sys.stderr)
        return 2
    with database:
        if args.seed:
            added = database.seed(args.seed)
            logging.getLogger("helpdesk").info("seeded %d tickets into %s", added, database.url)
        if args.seed_only:
            print(f"{database.ticket_count()} tickets in {_safe_url(database.url)}", file=sys.stderr)
            store.close()
            return 0
        try:
            app.run_stdio(database, store=store, cursors=_cursor_codec())
        except KeyboardInterrupt:
            return 130
        finally:
            store.close()
    return 0


def _cursor_codec() -> CursorCodec | None:
    """Cursors signed with HELPDESK_CURSOR_SECRET when set (they then survive restarts and work
    across replicas); otherwise wireproof's per-process random key."""
    secret = os.environ.get("HELPDESK_CURSOR_SECRET")
    return CursorCodec.from_secret(secret) if secret else None


def _safe_url(url: str) -> str:
    """The URL without a password, for messages."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest and ":" in rest.split("@", 1)[0]:
        user = rest.split("@", 1)[0].split(":", 1)[0]
        return f"{scheme}{sep}{user}:***@{rest.split('@', 1)[1]}"
    return url


def _reason(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
