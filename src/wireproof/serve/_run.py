"""Running a connector as a production HTTP server: settings that fail closed, then uvicorn.

``HttpSettings.check`` refuses unsafe combinations before anything listens (no auth mode, no
auth off loopback, plain-http key sets off loopback); ``serve_http`` builds the app and runs
uvicorn, which on SIGTERM stops accepting, lets in-flight calls finish within
``shutdown_timeout`` seconds, then exits.

Slow senders cannot hold the server: a connection must finish a request's headers within
``header_timeout`` seconds (else ``408`` and closed) and its body within ``body_timeout`` more
(else closed), and at most ``max_connections`` are open at once (one more is answered ``503``
and closed as it is accepted), never more than the open-file limit leaves room for.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from wireproof.auth import Principal
from wireproof.connector import Connector
from wireproof.errors import ServeConfigError
from wireproof.idempotency import DEFAULT_LOCK_TIMEOUT, IdempotencyStore
from wireproof.paging import CursorCodec
from wireproof.serve._http import LOOPBACK, http_app

__all__ = [
    "DEFAULT_SHUTDOWN_TIMEOUT",
    "LOOPBACK",
    "HttpSettings",
    "ServeConfigError",
    "add_http_arguments",
    "lock_timeout_for",
    "serve_http",
]

DEFAULT_SHUTDOWN_TIMEOUT: Final = 10.0
"""Seconds a replica given SIGTERM waits for in-flight calls before it exits anyway."""
DEFAULT_HEADER_TIMEOUT: Final = 10.0
"""Seconds a connection has to send a request's headers, from connecting or its first byte."""
DEFAULT_BODY_TIMEOUT: Final = 30.0
"""Seconds a request's body may take to arrive once its headers have."""
DEFAULT_MAX_CONNECTIONS: Final = 1000
"""Connections open at once; one more is answered ``503`` and closed."""
_DESCRIPTOR_RESERVE: Final = 64
"""Open files kept free of connections: the database, logs, the key set, worker threads."""


def add_http_arguments(parser: Any, *, auth_required: bool) -> None:
    """The serving options every HTTP front end takes (``wireproof serve``, ``helpdesk-mcp``):
    ``--host --port --auth --jwks --issuer --audience --resource-url --shutdown-timeout
    --header-timeout --body-timeout --max-connections``.
    ``parser`` is an ``argparse`` parser or argument group; read them back with
    ``HttpSettings.from_arguments``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument(
        "--auth",
        choices=["jwt", "keys", "none"],
        required=auth_required,
        help="jwt: OAuth 2.1 bearer JWTs; keys: API keys of --keys-file as bearer tokens; none: no "
        "authentication (loopback only)" + ("" if auth_required else ". Required with --transport http"),
    )
    parser.add_argument(
        "--jwks", metavar="PATH_OR_URL", help="the JWKS that signs accepted tokens (--auth jwt)"
    )
    parser.add_argument("--issuer", help="the authorization server whose tokens are accepted (--auth jwt)")
    parser.add_argument("--audience", help="the audience tokens must name (default: the resource URL)")
    parser.add_argument(
        "--resource-url",
        metavar="URL",
        help="this server's public URL as clients reach it, ending in /mcp (required off loopback; default "
        "http://HOST:PORT/mcp); also the audience tokens must name unless --audience says otherwise",
    )
    parser.add_argument(
        "--shutdown-timeout",
        type=float,
        default=DEFAULT_SHUTDOWN_TIMEOUT,
        metavar="SECONDS",
        help=f"on SIGTERM, wait this long for in-flight calls before exiting (default: {DEFAULT_SHUTDOWN_TIMEOUT:g})",
    )
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=DEFAULT_HEADER_TIMEOUT,
        metavar="SECONDS",
        help="a connection that has not sent a request's headers this long after connecting (or after "
        f"its previous response) gets 408 and is closed (default: {DEFAULT_HEADER_TIMEOUT:g})",
    )
    parser.add_argument(
        "--body-timeout",
        type=float,
        default=DEFAULT_BODY_TIMEOUT,
        metavar="SECONDS",
        help=f"a request body still arriving this long after its headers is cut off (default: {DEFAULT_BODY_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help=f"connections open at once; one more gets 503 and is closed (default: {DEFAULT_MAX_CONNECTIONS}, "
        f"lowered to the open-file limit minus {_DESCRIPTOR_RESERVE} when that is smaller)",
    )


def lock_timeout_for(connector: Connector[Any]) -> float:
    """Seconds before a running idempotency claim may be taken over by another attempt: well past
    the longest tool timeout, so only a claim whose process died is ever taken over. Without a
    bound on some tool, the stores' default (60 s)."""
    timeouts = [tool.timeout or connector.timeout for tool in connector.tools.values()] or [connector.timeout]
    if any(t is None or not math.isfinite(t) for t in timeouts):
        return DEFAULT_LOCK_TIMEOUT
    longest = max(t for t in timeouts if t is not None)
    return max(2 * longest, longest + 5)


@dataclass(slots=True)
class HttpSettings:
    """Where and how to serve: address, authentication, the graceful-shutdown bound, and the
    bounds on slow senders (header and body read time, connections at once)."""

    host: str = "127.0.0.1"
    port: int = 8000
    auth: Literal["jwt", "keys", "none"] | None = None
    jwks: str | None = None
    issuer: str | None = None
    audience: str | None = None
    resource_url: str | None = None
    keys_file: Path | None = None
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> HttpSettings:
        """The settings from a namespace parsed with ``add_http_arguments`` (and a ``keys_file``)."""
        return cls(
            host=args.host,
            port=args.port,
            auth=args.auth,
            jwks=args.jwks,
            issuer=args.issuer,
            audience=args.audience,
            resource_url=args.resource_url,
            keys_file=getattr(args, "keys_file", None),
            shutdown_timeout=args.shutdown_timeout,
            header_timeout=args.header_timeout,
            body_timeout=args.body_timeout,
            max_connections=args.max_connections,
        )

    @property
    def loopback(self) -> bool:
        """Whether ``host`` is a loopback address (then no auth and plain http are allowed)."""
        return self.host in LOOPBACK

    def check(self) -> None:
        """Fail closed: an explicit auth mode, ``none`` only on loopback, https key sets off it."""
        if self.auth is None:
            raise ServeConfigError(
                "--transport http needs --auth jwt, --auth keys, or (on loopback only) --auth none"
            )
        if self.auth == "none" and not self.loopback:
            raise ServeConfigError(
                f"--auth none serves anyone who can reach {self.host}; it is allowed on loopback only"
            )
        if self.auth == "jwt" and not (self.jwks and self.issuer):
            raise ServeConfigError("--auth jwt needs --jwks PATH_OR_URL and --issuer ISSUER")
        if self.auth == "keys" and not self.keys_file:
            raise ServeConfigError("--auth keys needs --keys-file")
        if self.auth == "none" and self.keys_file:
            raise ServeConfigError("--auth none would ignore --keys-file; use --auth keys")
        if not self.loopback and not self.resource_url:
            raise ServeConfigError(
                "off loopback, give --resource-url: the https URL clients use to reach this server"
            )
        self._check_bounds()
        if self.auth == "jwt" and not self.loopback:
            named = (("--jwks", self.jwks), ("--issuer", self.issuer))
            insecure = [name for name, value in named if value and value.startswith("http://")]
            if insecure:
                raise ServeConfigError(
                    f"{' and '.join(insecure)} must be https off loopback (keys must not be tampered with)"
                )

    def _check_bounds(self) -> None:
        """Numbers that must be in range: the port, the timeouts, the connection limit."""
        if not 0 < self.port < 65536:
            raise ServeConfigError(f"--port {self.port} is not a TCP port (1-65535)")
        if not (math.isfinite(self.shutdown_timeout) and self.shutdown_timeout >= 0):
            raise ServeConfigError("--shutdown-timeout takes a number of seconds >= 0")
        for flag, seconds in (
            ("--header-timeout", self.header_timeout),
            ("--body-timeout", self.body_timeout),
        ):
            if not (math.isfinite(seconds) and seconds > 0):
                raise ServeConfigError(f"{flag} takes a number of seconds > 0")
        if self.max_connections < 1:
            raise ServeConfigError("--max-connections takes a count of 1 or more")

    @property
    def resource(self) -> str:
        """This server's URL as clients reach it (the audience JWTs must name unless ``audience``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return self.resource_url or f"http://{host}:{self.port}/mcp"

    def authenticator(
        self,
    ) -> tuple[
        Callable[[str | None], Principal] | None, Callable[[str | None], Principal | None] | None, list[str]
    ]:
        """The bearer-token check, its non-blocking look-up of credentials that verified before (JWTs:
        ``JwtVerifier.remembered``; None for API keys), and the authorization servers to advertise (RFC 9728)."""
        if self.auth == "jwt":
            from wireproof.auth import JwtVerifier

            assert self.jwks is not None
            assert self.issuer is not None
            verifier = JwtVerifier(self.jwks, issuer=self.issuer, audience=self.audience or self.resource)
            return verifier.principal, verifier.remembered, [self.issuer]
        if self.auth == "keys":
            from wireproof.auth import KeysFile

            assert self.keys_file is not None
            return KeysFile(self.keys_file).principal, None, []  # a malformed file refuses to start
        return None, None, []


def serve_http(
    connector: Connector[Any],
    state: Any,
    settings: HttpSettings,
    *,
    store: IdempotencyStore | None = None,
    cursors: CursorCodec | None = None,
    ready: Callable[[], bool] | None = None,
) -> None:
    """Serve ``connector`` over stateless Streamable HTTP at ``/mcp`` until SIGTERM or SIGINT.

    Raises:
        ServeConfigError: the settings are unsafe or incomplete (nothing was started).
    """
    import uvicorn

    settings.check()
    authenticate, remembered, servers = settings.authenticator()
    app = http_app(
        connector,
        state,
        resource_url=settings.resource,
        authenticate=authenticate,
        remembered=remembered,
        authorization_servers=servers,
        store=store,
        cursors=cursors,
        host=settings.host,
        ready=ready,
    )
    # uvicorn drains on SIGTERM, then raises the signal again to exit "as killed". Our handler turns
    # that second delivery into a normal return, so the caller's cleanup runs and the exit code is 0.
    limit = connection_limit(settings.max_connections)
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            timeout_graceful_shutdown=math.ceil(settings.shutdown_timeout),
            server_header=False,
            http=_bounded_protocol(settings.header_timeout, settings.body_timeout, limit),
            limit_concurrency=limit,
        )
    except _Terminated:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def connection_limit(wanted: int) -> int:
    """``wanted``, or fewer when the open-file limit leaves less room (a server out of descriptors
    can open neither a connection nor its database)."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):  # no such limit on this platform
        return wanted
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - _DESCRIPTOR_RESERVE))


def _bounded_protocol(
    header_timeout: float, body_timeout: float, max_connections: int
) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol with two read deadlines per request (uvicorn itself has none: a
    connection that never finishes its headers is held forever), and a connection past
    ``max_connections`` answered ``503`` and closed as soon as it is accepted (uvicorn's own limit
    answers requests only, so idle connections would still use up the descriptors).

    The header deadline runs from the connection, or from the first byte of the next request on a
    kept-alive one (uvicorn's own keep-alive timeout closes those that send nothing), until the
    headers are in; the body deadline from there until the body is in.
    """
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class ReadDeadlines(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None
        _phase: Literal["headers", "body", "none"] = "none"

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                self.logger.warning("refused a connection: %d are open already", max_connections)
                transport.write(_BUSY)
                transport.close()
                return
            self._arm("headers", header_timeout)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            state = self.conn.their_state
            if state is h11.IDLE and self._phase == "none":
                self._arm("headers", header_timeout)
            elif state is h11.SEND_BODY and self._phase != "body":
                self._arm("body", body_timeout)
            elif state not in (h11.IDLE, h11.SEND_BODY):
                self._arm("none", 0)

        def connection_lost(self, exc: Exception | None) -> None:
            self._arm("none", 0)
            super().connection_lost(exc)

        def _arm(self, phase: Literal["headers", "body", "none"], seconds: float) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None
            self._phase = phase
            if phase != "none":
                self._deadline = self.loop.call_later(seconds, self._expired)

        def _expired(self) -> None:
            self._deadline = None
            if self.transport.is_closing():
                return
            if self._phase == "headers" and self.conn.our_state is h11.IDLE:  # no response started
                self.transport.write(
                    b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                )
            self.logger.info("closed a connection that was too slow sending its request %s", self._phase)
            self.transport.close()

    return ReadDeadlines


_BUSY: Final = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nretry-after: 1\r\nconnection: close\r\n\r\n"
)


class _Terminated(Exception):
    """SIGTERM arrived after uvicorn's graceful shutdown finished."""


def _terminated(signum: int, frame: object) -> None:
    raise _Terminated
