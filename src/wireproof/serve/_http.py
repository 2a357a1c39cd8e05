"""Streamable HTTP for a connector, as an OAuth 2.1 resource server (stateless, so any replica answers).

In front of the SDK's Streamable HTTP app sits one ASGI layer that:

- serves RFC 9728 Protected Resource Metadata at ``/.well-known/oauth-protected-resource/mcp``;
- answers a request without a valid bearer credential ``401`` with
  ``WWW-Authenticate: Bearer error="invalid_token", error_description=…, resource_metadata=…``;
- answers a ``tools/call`` outside the caller's scopes ``403`` with
  ``error="insufficient_scope", scope="…"`` naming every scope the tool needs;
- hands the verified principal to the connector for ``tools/list`` filtering and ``ctx.principal``.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Awaitable, Callable, MutableMapping
from enum import Enum
from typing import Any, Final
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
from mcp.server.transport_security import TransportSecuritySettings

from wireproof.auth import LOCAL_OPERATOR, Principal
from wireproof.connector import Connector, PrincipalSource
from wireproof.errors import AuthError, Unauthenticated
from wireproof.idempotency import IdempotencyStore
from wireproof.paging import CursorCodec

__all__ = ["MAX_BODY_BYTES", "http_app"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Authenticate = Callable[[str | None], Principal]

LOOPBACK: Final = ("127.0.0.1", "localhost", "::1")
"""Hosts that count as loopback: auth may be off, and the SDK's own DNS-rebinding guard applies."""
MAX_BODY_BYTES: Final = 4 * 1024 * 1024
"""Requests larger than this are refused with 413 before any parsing."""
_CALLER: contextvars.ContextVar[Principal | AuthError | None] = contextvars.ContextVar(
    "wireproof_caller", default=None
)


async def _respond(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    raw = json.dumps(body).encode()
    all_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    all_headers += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": raw})


def _quoted(text: str) -> str:
    """Text safe inside an RFC 6750 quoted string: printable ASCII, quotes made single, no backslash."""
    cleaned = []
    for char in text:
        if char == '"':
            cleaned.append("'")
        elif 0x20 <= ord(char) <= 0x7E and char != "\\":
            cleaned.append(char)
    return "".join(cleaned)


def http_app(
    connector: Connector[Any],
    state: Any,
    *,
    resource_url: str,
    authenticate: Authenticate | None,
    authorization_servers: list[str] | None = None,
    store: IdempotencyStore | None = None,
    cursors: CursorCodec | None = None,
    host: str = "127.0.0.1",
    ready: Callable[[], bool] | None = None,
) -> ASGIApp:
    """The ASGI app serving ``connector`` at ``/mcp``; ``authenticate=None`` serves without auth.

    Host and Origin headers are checked against loopback, or off loopback against ``resource_url``
    (a proxy in front must pass the client's Host: ``proxy_set_header Host $http_host``).

    ``/healthz`` answers 200 while the process serves; ``/readyz`` answers 200 when ``ready()``
    (for example: the database answers), else 503, so a load balancer takes the replica out.
    """
    caller: PrincipalSource = _current_caller if authenticate is not None else LOCAL_OPERATOR  # --auth none
    server = connector.server(state, store=store, cursors=cursors, principal=caller)
    inner: ASGIApp = server.streamable_http_app(
        stateless_http=True,
        json_response=True,
        host=host,
        transport_security=_rebinding_guard(host, resource_url),
    )
    return _ResourceServer(connector, inner, resource_url, authenticate, authorization_servers or [], ready)


def _rebinding_guard(host: str, resource_url: str) -> TransportSecuritySettings | None:
    """DNS-rebinding protection everywhere: the SDK guards loopback by itself (None); off loopback
    only the resource URL's host (any port, as a proxy may add one) and origin are accepted."""
    if host in LOOPBACK:
        return None
    parts = urlsplit(resource_url)
    name = parts.hostname or ""
    name = f"[{name}]" if ":" in name else name
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[parts.netloc, name, f"{name}:*"],
        allowed_origins=[f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://{name}:*"],
    )


class _ResourceServer:
    """The ASGI layer in front of the SDK's app (see the module docstring)."""

    def __init__(
        self,
        connector: Connector[Any],
        inner: ASGIApp,
        resource_url: str,
        authenticate: Authenticate | None,
        authorization_servers: list[str],
        ready: Callable[[], bool] | None,
    ) -> None:
        self.connector, self.inner, self.authenticate, self.ready = connector, inner, authenticate, ready
        parts = urlsplit(resource_url)
        path = parts.path.rstrip("/")
        self.metadata_path = "/.well-known/oauth-protected-resource" + path
        self.metadata_url = f"{parts.scheme}://{parts.netloc}{self.metadata_path}"
        self.oauth = bool(authorization_servers)  # API keys are not OAuth: no metadata to point at
        self.metadata = {
            "resource": resource_url,
            "authorization_servers": authorization_servers,
            "bearer_methods_supported": ["header"],
            "scopes_supported": sorted({s for t in connector.tools.values() for s in t.scopes}),
        }

    def challenge(self, error: str | None, description: str, scope: str | None = None) -> dict[str, str]:
        """A ``WWW-Authenticate`` value per RFC 6750: no error code when no credential was sent."""
        parts = [] if error is None else [f'error="{error}"', f'error_description="{_quoted(description)}"']
        if scope:
            parts.append(f'scope="{_quoted(scope)}"')
        if self.oauth:
            parts.append(f'resource_metadata="{self.metadata_url}"')
        return {"www-authenticate": ("Bearer " + ", ".join(parts)) if parts else "Bearer"}

    async def answer_plain(self, path: str, send: Send) -> bool:
        """Metadata, liveness and readiness: answered without credentials. False for anything else."""
        if path == self.metadata_path and self.oauth:
            await _respond(send, 200, self.metadata, {"cache-control": "max-age=300"})
        elif path == "/healthz":
            await _respond(send, 200, {"status": "ok"})
        elif path == "/readyz":
            is_ready = await _probe(self.ready)
            await _respond(send, 200 if is_ready else 503, {"status": "ready" if is_ready else "unavailable"})
        else:
            return False
        return True

    async def admit(self, scope: Scope, receive: Receive, send: Send) -> tuple[Principal, Receive] | None:
        """The verified caller and a replaying ``receive``, or None after answering 401, 403 or 413
        (or when the client left before its body ended)."""
        assert self.authenticate is not None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        authorization = headers.get("authorization", "")
        token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else None
        try:  # in a worker thread: fetching a key set must not stall every other request
            principal = await anyio.to_thread.run_sync(self.authenticate, token)
        except AuthError as error:
            body = {"error": "invalid_token", "error_description": error.message, "code": error.code}
            await _respond(send, 401, body, self.challenge("invalid_token" if token else None, error.message))
            return None
        body_bytes, replay = await _buffer(receive)
        if body_bytes is _Unread.CLIENT_LEFT:
            return None  # no one to answer, and no complete request to run
        if body_bytes is _Unread.TOO_LARGE:
            await _respond(send, 413, {"error": "request_too_large", "limit_bytes": MAX_BODY_BYTES})
            return None
        needed = " ".join(_scopes_needed(self.connector, body_bytes, principal))
        if needed:
            description = f"This call needs scope {needed}"
            body = {"error": "insufficient_scope", "error_description": description, "scope": needed}
            await _respond(send, 403, body, self.challenge("insufficient_scope", description, needed))
            return None
        return principal, replay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and await self.answer_plain(scope["path"], send):
            return
        if scope["type"] != "http" or self.authenticate is None:
            await self.inner(scope, receive, send)
            return
        admitted = await self.admit(scope, receive, send)
        if admitted is None:
            return
        principal, replay = admitted
        token_ctx = _CALLER.set(principal)
        try:
            await self.inner(scope, replay, send)
        finally:
            _CALLER.reset(token_ctx)


async def _probe(ready: Callable[[], bool] | None) -> bool:
    if ready is None:
        return True
    try:
        with anyio.fail_after(5):
            return bool(await anyio.to_thread.run_sync(ready, abandon_on_cancel=True))
    except Exception:  # noqa: BLE001 - any failure of the readiness check means not ready
        return False


def _current_caller() -> Principal:
    """The principal the ASGI layer verified for this request; never a default (fail closed)."""
    caller = _CALLER.get()
    if caller is None:
        raise Unauthenticated("This request reached the connector without a verified caller")
    if isinstance(caller, AuthError):
        raise caller
    return caller


class _Unread(Enum):
    """Why a request body was not read whole: too large (413), or the client left before its end."""

    TOO_LARGE = "too_large"
    CLIENT_LEFT = "client_left"


async def _buffer(receive: Receive) -> tuple[bytes | _Unread, Receive]:
    """Read the whole body (bounded), and a ``receive`` that replays it to the app behind. A
    client that disconnects before the last byte sent no request: what came is never replayed."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return _Unread.CLIENT_LEFT, receive
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return _Unread.TOO_LARGE, receive
        chunks.append(chunk)
        more = bool(message.get("more_body"))
    body = b"".join(chunks)
    sent = False

    async def replay() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def _scopes_needed(connector: Connector[Any], body: bytes, principal: Principal) -> list[str]:
    """For a ``tools/call`` of a known tool outside the caller's scopes: every scope it needs."""
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return []  # malformed JSON-RPC is the SDK's to answer (400)
    if not isinstance(message, dict) or message.get("method") != "tools/call":
        return []
    params = message.get("params")
    name = params.get("name") if isinstance(params, dict) else None
    tool = connector.tools.get(name) if isinstance(name, str) else None
    if tool is None or not connector.scope_policy.missing(principal, tool.scopes):
        return []
    return sorted(tool.scopes)
