"""``helpdesk-mcp``: serve the helpdesk connector (stdio), optionally seeding demo tickets first."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from helpdesk.app import app
from helpdesk.db import Database, default_database_path, open_database
from wireproof import CursorCodec, KeysFile, Principal
from wireproof.auth import KeysFileError
from wireproof.idempotency import IdempotencyStore


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
        help="API keys (TOML of SHA-256 hashes, principals, scopes); the key comes from HELPDESK_API_KEY. "
        "Without it every caller is the local operator with every scope",
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
    http.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    http.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    http.add_argument(
        "--auth",
        choices=["jwt", "keys", "none"],
        help="jwt: OAuth 2.1 bearer JWTs; keys: API keys of --keys-file as bearer tokens; none: no "
        "authentication (loopback only). Required with --transport http",
    )
    http.add_argument(
        "--jwks", metavar="PATH_OR_URL", help="the JWKS that signs accepted tokens (--auth jwt)"
    )
    http.add_argument("--issuer", help="the authorization server whose tokens are accepted (--auth jwt)")
    http.add_argument("--audience", help="the audience tokens must name (default: the resource URL)")
    http.add_argument(
        "--resource-url",
        metavar="URL",
        help="this server's public URL as clients reach it, ending in /mcp (required off loopback; default "
        "http://HOST:PORT/mcp); also the audience tokens must name unless --audience says otherwise",
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level for stderr (default: WARNING)",
    )
    return parser


class _CannotStart(Exception):
    """A start-up problem, reported as one line and exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=args.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        database, store, principal = _start(args)
    except _CannotStart as exc:
        print(f"helpdesk-mcp: error: {exc}", file=sys.stderr)
        return 2
    with database:
        try:
            if args.seed:
                added = database.seed(args.seed)
                logging.getLogger("helpdesk").info(
                    "seeded %d tickets into %s", added, _safe_url(database.url)
                )
            if args.seed_only:
                print(f"{database.ticket_count()} tickets in {_safe_url(database.url)}", file=sys.stderr)
                return 0
            if args.transport == "http":
                _serve_http(args, database, store)
            else:
                app.run_stdio(database, store=store, cursors=_cursor_codec(), principal=principal)
        except KeyboardInterrupt:
            return 130
        finally:
            store.close()
    return 0


def _start(args: argparse.Namespace) -> tuple[Database, IdempotencyStore, Callable[[], Principal] | None]:
    if args.seed is not None and args.seed < 0:
        raise _CannotStart("--seed takes a count of 0 or more")
    if args.transport == "http":
        _check_http_options(args)
    try:
        _cursor_codec()
    except ValueError as exc:
        raise _CannotStart(f"HELPDESK_CURSOR_SECRET: {exc}") from None
    try:
        principal = _principal(args.keys_file, args.transport)
        if args.transport == "http" and args.keys_file:
            KeysFile(args.keys_file)  # fail closed at start, not at the first request
    except KeysFileError as exc:
        raise _CannotStart(str(exc)) from None
    if args.audit_log:
        try:
            _audit_to(args.audit_log)
        except OSError as exc:
            raise _CannotStart(f"cannot open the audit log {args.audit_log}: {exc.strerror or exc}") from None
    try:
        database = open_database(args.db)
        return database, database.store(), principal
    except Exception as exc:  # noqa: BLE001 - sqlite3, OS and psycopg's lazily imported errors alike
        raise _CannotStart(f"cannot open the database: {_reason(exc)}") from None


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _check_http_options(args: argparse.Namespace) -> None:
    """Fail closed: HTTP needs an explicit auth mode, and --auth none only on loopback."""
    if args.auth is None:
        raise _CannotStart(
            "--transport http needs --auth jwt, --auth keys, or (on loopback only) --auth none"
        )
    if args.auth == "none" and args.host not in LOOPBACK:
        raise _CannotStart(
            f"--auth none serves anyone who can reach {args.host}; it is allowed on loopback only"
        )
    if args.auth == "jwt" and not (args.jwks and args.issuer):
        raise _CannotStart("--auth jwt needs --jwks PATH_OR_URL and --issuer ISSUER")
    if args.auth == "keys" and not args.keys_file:
        raise _CannotStart("--auth keys needs --keys-file")
    if args.auth == "none" and args.keys_file:
        raise _CannotStart("--auth none would ignore --keys-file; use --auth keys")
    loopback = args.host in LOOPBACK
    if not loopback and not args.resource_url:
        raise _CannotStart(
            "off loopback, give --resource-url: the https URL clients use to reach this server"
        )
    if args.auth == "jwt" and not loopback:
        insecure = [
            n for n, v in (("--jwks", args.jwks), ("--issuer", args.issuer)) if v.startswith("http://")
        ]
        if insecure:
            raise _CannotStart(
                f"{' and '.join(insecure)} must be https off loopback (keys must not be tampered with)"
            )


def _serve_http(args: argparse.Namespace, database: Database, store: IdempotencyStore) -> None:
    import uvicorn

    from wireproof.auth import JwtVerifier
    from wireproof.serve import http_app

    host = f"[{args.host}]" if ":" in args.host else args.host
    resource = args.resource_url or f"http://{host}:{args.port}/mcp"
    authenticate: Callable[[str | None], Principal] | None = None
    servers: list[str] = []
    if args.auth == "jwt":
        authenticate = JwtVerifier(
            args.jwks, issuer=args.issuer, audience=args.audience or resource
        ).principal
        servers = [args.issuer]
    elif args.auth == "keys":
        authenticate = KeysFile(args.keys_file).principal
    asgi = http_app(
        app,
        database,
        resource_url=resource,
        authenticate=authenticate,
        authorization_servers=servers,
        store=store,
        cursors=_cursor_codec(),
        host=args.host,
        ready=lambda: database.reader().one("SELECT 1 AS ok") is not None,
    )
    uvicorn.run(asgi, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=10)


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


def _principal(keys_file: Path | None, transport: str = "stdio") -> Callable[[], Principal] | None:
    """Who calls over stdio: the holder of HELPDESK_API_KEY, checked against the keys file on every
    request (so an expired key stops working); None without a keys file (the local operator)."""
    if transport == "http":
        return None  # over HTTP each request authenticates itself
    if keys_file is None:
        logging.getLogger("helpdesk").warning(
            "no --keys-file: every caller is the local operator, with every scope"
        )
        return None
    keys = KeysFile(keys_file)  # a malformed file refuses to start: fail closed
    api_key = os.environ.get("HELPDESK_API_KEY")
    return lambda: keys.principal(api_key)


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
