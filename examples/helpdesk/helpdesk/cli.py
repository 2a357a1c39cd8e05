"""``helpdesk-mcp``: serve the helpdesk connector (stdio), optionally seeding demo tickets first."""

from __future__ import annotations

import argparse
import logging
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from helpdesk.app import app
from helpdesk.db import default_database_path, open_database
from wireproof import LOCAL_OPERATOR, KeysFile
from wireproof.connector import DEFAULT_TIMEOUT, PrincipalSource
from wireproof.errors import OperatorError
from wireproof.ratelimit import RateLimit
from wireproof.serve import HttpSettings, add_http_arguments, serve

PROGRAM = "helpdesk-mcp"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="helpdesk-mcp",
        description="The wireproof reference connector: support tickets over MCP.",
        epilog="environment: HELPDESK_API_KEY is the caller's API key (with --keys-file); "
        "HELPDESK_CURSOR_SECRET signs paging cursors (default: a random key per process)",
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
        "--keys-file",
        type=Path,
        metavar="PATH",
        help="API keys (TOML of SHA-256 hashes, principals, scopes); the key comes from HELPDESK_API_KEY, "
        "and a key that is unset, unknown or expired refuses to start. Without it every caller is the "
        "local operator with every scope (said on stderr)",
    )
    parser.add_argument(
        "--audit-log",
        type=Path,
        metavar="PATH",
        help="append one JSON line per call here (default: not kept)",
    )
    parser.add_argument(
        "--seed-only", action="store_true", help="seed (with --seed) and exit without serving"
    )
    parser.add_argument(
        "--transport", choices=["stdio", "http"], default="stdio", help="how to serve (default: stdio)"
    )
    http = parser.add_argument_group("Streamable HTTP (with --transport http, served at /mcp)")
    add_http_arguments(http, auth_required=False)
    parser.add_argument(
        "--tool-timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"a call running longer gets a retryable timeout error; a write is rolled back "
        f"(default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--rate-limit",
        type=_rate_limit,
        metavar="PER_SECOND[:BURST]",
        help="calls per second each caller may make to each tool, in this process (default: no limit)",
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level for stderr (default: WARNING)",
    )
    return parser


class _CannotStart(Exception):
    """A start-up problem of helpdesk's own (seeding, the audit log, the database), one line and exit 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    app.timeout = args.tool_timeout
    app.rate_limit = args.rate_limit
    logging.basicConfig(
        stream=sys.stderr, level=args.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        principal = _start(args)
        database = open_database(args.db)
    except (OperatorError, _CannotStart) as exc:  # OperatorError: a keys file, settings that fail closed
        print(f"{PROGRAM}: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - sqlite3, OS and psycopg's lazily imported errors alike
        print(f"{PROGRAM}: error: cannot open the database: {_reason(exc)}", file=sys.stderr)
        return 2
    with database:
        if args.seed:
            added = database.seed(args.seed)
            logging.getLogger("helpdesk").info("seeded %d tickets into %s", added, _safe_url(database.url))
        if args.seed_only:
            print(f"{database.ticket_count()} tickets in {_safe_url(database.url)}", file=sys.stderr)
            return 0
        # The idempotency store on this same database: effects and records commit together.
        if args.transport == "http":
            return serve(
                app,
                database,
                transport="http",
                settings=HttpSettings.from_arguments(args),
                database=database.url,
                cursor_env="HELPDESK_CURSOR_SECRET",
                ready=database.ready,
                program=PROGRAM,
            )
        return serve(
            app,
            database,
            transport="stdio",
            principal=principal,
            database=database.url,
            cursor_env="HELPDESK_CURSOR_SECRET",
            program=PROGRAM,
        )


def _start(args: argparse.Namespace) -> PrincipalSource:
    """Settings checked before the database is opened; the caller of a stdio server."""
    if args.seed is not None and args.seed < 0:
        raise _CannotStart("--seed takes a count of 0 or more")
    if args.transport == "http":
        HttpSettings.from_arguments(args).check()
        if args.keys_file:
            KeysFile(args.keys_file)  # fail closed at start, not at the first request
    principal = _principal(args.keys_file)
    if args.audit_log:
        try:
            _audit_to(args.audit_log)
        except OSError as exc:
            raise _CannotStart(f"cannot open the audit log {args.audit_log}: {exc.strerror or exc}") from None
    return principal


def _rate_limit(text: str) -> RateLimit:
    """``PER_SECOND`` or ``PER_SECOND:BURST`` (burst defaults to twice the rate, at least 1)."""
    rate, _, burst = text.partition(":")
    try:
        per_second = float(rate)
        default_burst = max(1, round(per_second * 2)) if math.isfinite(per_second) else 0
        return RateLimit(per_second, int(burst) if burst else default_burst)  # refuses NaN and inf
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a rate limit: give calls per second, optionally :BURST (for example 20:40)"
        ) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds > 0")
    return value


def _audit_to(path: Path) -> None:
    """Append wireproof's audit lines (one JSON object per call) to ``path``."""
    handler: logging.Handler = (
        logging.StreamHandler(sys.stderr) if str(path) == "-" else logging.FileHandler(path, encoding="utf-8")
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    audit = logging.getLogger("wireproof.audit")
    audit.addHandler(handler)
    audit.setLevel(logging.INFO)
    audit.propagate = False


def _principal(keys_file: Path | None) -> PrincipalSource:
    """Who calls over stdio: the holder of HELPDESK_API_KEY, checked against the keys file on every
    request (so a key that expires while serving stops working); without a keys file, the local
    operator with every scope (wireproof says so on stderr). Over HTTP each request authenticates
    itself and this is not used."""
    if keys_file is None:
        return LOCAL_OPERATOR
    return KeysFile(keys_file).from_env("HELPDESK_API_KEY")  # a malformed file refuses to start


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
