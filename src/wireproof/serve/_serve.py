"""``serve()``: a connector served as a program, in one call, over stdio or Streamable HTTP.

Every front end ends in it (``wireproof serve``, ``helpdesk-mcp``, ``wireproof guard``), so the
steps below exist once::

    settings        fail closed: nothing listens on unsafe or incomplete settings
    cursor secret   the variable that signs paging cursors (the same on every replica)
    store           idempotency records and write transactions on the connector's own database
    serve           stdio until the client closes stdin · HTTP until SIGTERM, then drained
    exit code       0 served and stopped · 2 cannot start (one line on stderr says why) · 130 Ctrl-C

A call still running when serving has stopped (past the drain bound) is abandoned rather than
waited for: the process ends at once with the exit code, and whatever transaction the call holds
rolls back with it.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import anyio

from wireproof import _worker_threads as worker_threads
from wireproof.auth import LOCAL_OPERATOR, KeysFile
from wireproof.connector import Connector, PrincipalSource
from wireproof.errors import AuthError, OperatorError, ServeConfigError
from wireproof.idempotency import IdempotencyStore, open_store
from wireproof.paging import CursorCodec
from wireproof.serve._run import HttpSettings, add_http_arguments, lock_timeout_for, serve_http

__all__ = [
    "CURSOR_SECRET_ENV",
    "EXIT_CANNOT_START",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "Transport",
    "add_serve_arguments",
    "serve",
    "stdio_principal",
]

StateT = TypeVar("StateT")
Transport = Literal["stdio", "http"]
"""How a connector is served: stdin/stdout for one local client, or stateless Streamable HTTP."""

EXIT_OK: Final = 0
"""Served, then stopped: the client closed stdin, or SIGTERM drained the HTTP server."""
EXIT_CANNOT_START: Final = 2
"""Nothing was served: the settings, a file or a credential must change (stderr says which)."""
EXIT_INTERRUPTED: Final = 130
"""Stopped by Ctrl-C (SIGINT) while serving stdio."""
CURSOR_SECRET_ENV: Final = "WIREPROOF_CURSOR_SECRET"  # noqa: S105 - the variable's name, not a secret
"""The variable whose value (32+ characters) signs paging cursors unless ``serve`` is told another."""

logger = logging.getLogger("wireproof")


def serve(
    connector: Connector[StateT],
    state: StateT,
    *,
    transport: Transport,
    principal: PrincipalSource | None = None,
    settings: HttpSettings | None = None,
    database: str | None = None,
    cursor_env: str = CURSOR_SECRET_ENV,
    ready: Callable[[], bool] | None = None,
    program: str | None = None,
) -> int:
    """Serve ``connector`` with ``state`` until the client leaves or SIGTERM, and return the exit code.

    Use it as a console script's whole ``main``: ``sys.exit(serve(app, state, transport="stdio",
    principal=KeysFile(path).from_env("MY_API_KEY"), database="sqlite:///app.db"))``.

    Args:
        connector: The tools to serve; the registry is frozen once serving starts.
        state: Handed to every tool as ``ctx.state``.
        transport: ``"stdio"`` or ``"http"`` (stateless Streamable HTTP at ``/mcp``, uvicorn).
        principal: Over stdio, who calls: required, no default (fail closed). ``LOCAL_OPERATOR``
            serves every scope and says so on stderr; ``KeysFile(path).from_env(VAR)`` is the
            holder of the key in ``VAR``, checked at start and again on every request
            (``stdio_principal`` builds either from command-line settings). Over HTTP every
            request authenticates itself (``settings.auth``), so it must be None.
        settings: Over HTTP, where and how to listen and authenticate (required; checked before
            anything listens). Over stdio, None.
        database: The URL of the connector's own database (``sqlite:///PATH``,
            ``postgresql://…``, or ``memory:`` for records kept in memory, for one process and
            external writes only): its idempotency records and the transactions of database writes
            live there. Opened here, closed when serving ends. None: no store (then no keyed tool
            nor database write can be served; the connector refuses to start).
        cursor_env: The environment variable whose value signs paging cursors, so that they
            survive restarts and work on every replica; unset, a random key per process.
        ready: Over HTTP, what ``/readyz`` asks (for example: the database answers); default, the
            store's own ping.
        program: The name that starts each error line on stderr (default: the connector's name).

    Returns:
        ``EXIT_OK`` (0) after serving, ``EXIT_CANNOT_START`` (2) when nothing was served (one line
        on stderr says what to change, never a traceback), ``EXIT_INTERRUPTED`` (130) on Ctrl-C.
    """
    name = program or connector.name
    store: IdempotencyStore | None = None
    started = False  # only a server that ran can leave a call running
    try:
        cursors = _cursors(cursor_env)
        _check_transport(transport, principal, settings)
        store = _open_store(connector, database)
        started = True
        if transport == "http":
            assert settings is not None
            serve_http(
                connector, state, settings, store=store, cursors=cursors, ready=ready or _pinger(store)
            )
        else:
            assert principal is not None
            anyio.run(
                functools.partial(
                    connector.serve_stdio, state, store=store, cursors=cursors, principal=principal
                )
            )
        code = EXIT_OK
    except OperatorError as error:
        print(f"{name}: error: {error}", file=sys.stderr)
        code = EXIT_CANNOT_START
    except AuthError as error:  # a stdio server's credential is fixed at start: a bad one is known now
        print(f"{name}: error: {_sentence(error.message)} {error.advice()}", file=sys.stderr)
        code = EXIT_CANNOT_START
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    finally:
        if store is not None:
            store.close()
    if started and code != EXIT_CANNOT_START:
        _end_if_calls_remain(code)
    return code


def _check_transport(
    transport: Transport, principal: PrincipalSource | None, settings: HttpSettings | None
) -> None:
    """Each transport with what it needs, and nothing it would ignore."""
    if transport == "http":
        if settings is None:
            raise ServeConfigError("serving over HTTP needs settings=HttpSettings(...)")
        if principal is not None:
            raise ServeConfigError(
                "over HTTP each request authenticates itself (settings.auth): pass no principal"
            )
        settings.check()
    elif transport == "stdio":
        if settings is not None:
            raise ServeConfigError("stdio has no HTTP settings: pass principal=, not settings=")
        if principal is None:
            raise ServeConfigError(
                "serving over stdio needs principal=: KeysFile(path).from_env(VAR) for the holder of an "
                "API key, or LOCAL_OPERATOR for every scope"
            )
    else:
        raise ServeConfigError(f"transport {transport!r} is not one of stdio, http")


def _cursors(variable: str) -> CursorCodec | None:
    secret = os.environ.get(variable)
    try:
        return CursorCodec.from_secret(secret) if secret else None
    except ValueError as exc:
        raise ServeConfigError(f"{variable}: {exc}") from None


def _open_store(connector: Connector[Any], database: str | None) -> IdempotencyStore | None:
    """The idempotency store on ``database``, its claims outliving the longest tool timeout."""
    if database is None:
        return None
    try:
        return open_store(database, lock_timeout=lock_timeout_for(connector))
    except ValueError as exc:  # a URL of no known kind
        raise ServeConfigError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - sqlite3, OS and psycopg's lazily imported errors alike
        raise ServeConfigError(f"cannot open the idempotency store on the database: {_reason(exc)}") from None


def _pinger(store: IdempotencyStore | None) -> Callable[[], bool] | None:
    if store is None:
        return None

    def ready() -> bool:
        store.ping()  # /readyz: 503 while the store's database cannot be reached
        return True

    return ready


def _end_if_calls_remain(code: int, *, grace: float = 0.5) -> None:
    """End the process now when a tool call still runs in a worker thread after serving stopped.

    Python's exit waits for every such thread (wireproof's own workers through ``atexit``), so a
    call past the drain bound would hold the exit until it finished; it is abandoned instead (its
    transaction rolls back as the process ends). Idle worker threads stop by themselves within
    ``grace`` seconds (anyio's) or never hold the exit (wireproof's) and do not count.
    """
    settled = worker_threads.settled(grace / 2)
    running = [
        t
        for t in threading.enumerate()
        if t is not threading.current_thread() and not t.daemon and t.is_alive()
    ]
    for thread in running:
        thread.join(grace / 2 / max(1, len(running)))
    if not settled or any(thread.is_alive() for thread in running):
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed or broken stream: nothing to flush
                stream.flush()
        os._exit(code)


def _sentence(message: str) -> str:
    return message if message.endswith((".", "!", "?")) else f"{message}."


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# -- the command line every front end shares ---------------------------------------------------


def add_serve_arguments(parser: argparse.ArgumentParser, *, default_transport: Transport) -> None:
    """``--transport``, ``--keys-file`` and ``--key-env``, then the HTTP options
    (``add_http_arguments``) in a group of their own. Read them back with ``stdio_principal`` and
    ``HttpSettings.from_arguments``."""
    parser.add_argument(
        "--transport",
        choices=["stdio", "http"],
        default=default_transport,
        help=f"stdio: one local client on stdin/stdout; http: stateless Streamable HTTP at /mcp "
        f"(default: {default_transport})",
    )
    parser.add_argument(
        "--keys-file",
        type=Path,
        metavar="PATH",
        help="API keys (TOML of SHA-256 hashes, principals, scopes): over stdio the caller is the holder "
        "of the key in --key-env; over HTTP (--auth keys) each request's bearer token",
    )
    parser.add_argument(
        "--key-env",
        metavar="VAR",
        help="over stdio, the environment variable holding the caller's API key (with --keys-file); a "
        "key that is unset, unknown or expired refuses to start, and one that expires while serving "
        "stops working",
    )
    http = parser.add_argument_group("Streamable HTTP (with --transport http, served at /mcp)")
    add_http_arguments(http, auth_required=False)


def stdio_principal(*, auth: str | None, keys_file: Path | None, key_env: str | None) -> PrincipalSource:
    """Who calls a stdio server, from command-line settings; fails closed.

    ``keys_file`` with ``key_env`` (``auth`` ``"keys"`` or unset): the holder of the key in that
    variable. ``auth="none"``: the local operator with every scope, a named choice. Anything else
    raises ``ServeConfigError`` saying what to give (or ``KeysFileError`` for a bad keys file).
    """
    if auth == "none":
        if keys_file or key_env:
            raise ServeConfigError("--auth none would ignore --keys-file and --key-env; leave it out")
        return LOCAL_OPERATOR
    if auth not in (None, "keys"):
        raise ServeConfigError(
            f"--auth {auth} is for HTTP; over stdio the caller's API key comes from --key-env VAR, "
            "checked against --keys-file PATH"
        )
    if keys_file is None or key_env is None:
        raise ServeConfigError(
            "over stdio, give --keys-file PATH and --key-env VAR (the caller's API key), or --auth none "
            "to serve every caller as the local operator with every scope"
        )
    return KeysFile(keys_file).from_env(key_env)  # a malformed file refuses to start
