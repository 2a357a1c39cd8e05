"""The ASGI layers in front of the SDK's Streamable HTTP app, one concern each, in starlette's shape.

``http_app`` stacks them, outermost first::

    ProtectedResourceMetadata   GET the RFC 9728 document (with OAuth: it names the authorization servers)
    HealthChecks                /healthz and /readyz, answered without credentials
    BearerAuthentication        401 for a missing or bad credential; the caller for the connector
    RequestBodyLimit            413 past the one body limit (the SDK is given the same); buffered
    ToolScopes                  403 for a tools/call outside the caller's scopes
    (the SDK's app)

A refusal reaches the official client as a JSON-RPC error in the body (code, the text the model
reads, the typed error under ``io.wireproof/error`` in ``data``) beside the RFC 6750 challenge, not
as a bare status the client can only call "Server returned an error response".
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from enum import Enum
from typing import Any, Final

import anyio
import anyio.to_thread

from wireproof.auth import Principal
from wireproof.auth._challenge import BearerChallenge
from wireproof.connector import AUTH_REQUIRED_CODE, Connector, new_correlation_id
from wireproof.errors import ERROR_META, AuthError, InsufficientScope, Unauthenticated, render_tool_error

__all__ = [
    "INSUFFICIENT_SCOPE_CODE",
    "BearerAuthentication",
    "HealthChecks",
    "ProtectedResourceMetadata",
    "RequestBodyLimit",
    "ToolScopes",
    "current_caller",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Authenticate = Callable[[str | None], Principal]
Remembered = Callable[[str | None], Principal | None]
"""A non-blocking look-up of a credential that verified before (``JwtVerifier.remembered``): the
principal, or None for "verify it in full" (never a refusal)."""

INSUFFICIENT_SCOPE_CODE: Final = -31403
"""The JSON-RPC error code of an HTTP ``403 insufficient_scope`` answer (beside ``AUTH_REQUIRED_CODE``,
-31401, of a ``401``): outside the JSON-RPC reserved range, echoing the status for a raw log."""

logger = logging.getLogger("wireproof")
_CALLER: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("wireproof_caller", default=None)


async def respond(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    """A complete JSON response."""
    raw = json.dumps(body).encode()
    all_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    all_headers += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": raw})


def _refusal(code: int, error: AuthError, request_id: Any) -> dict[str, Any]:
    """A JSON-RPC error for ``error``: the official client surfaces its message, which a host shows
    the model, where a bare 401 or 403 would be "Server returned an error response"."""
    rendered = render_tool_error(error, correlation_id=new_correlation_id())
    message = rendered.text.replace("\n", " ")
    logger.info("HTTP refusal [%s]: %s", rendered.structured["error"]["correlation_id"], message)
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {"code": code, "message": message, "data": {ERROR_META: rendered.structured["error"]}},
    }


def current_caller() -> Principal:
    """The principal ``BearerAuthentication`` verified for this request; never a default (fail closed)."""
    caller = _CALLER.get()
    if caller is None:
        raise Unauthenticated("This request reached the connector without a verified caller")
    return caller


class ProtectedResourceMetadata:
    """Serves the RFC 9728 document at its well-known path, without credentials."""

    def __init__(self, app: ASGIApp, *, path: str, document: dict[str, Any]) -> None:
        self.app, self.path, self.document = app, path, document

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path:
            await respond(send, 200, self.document, {"cache-control": "max-age=300"})
            return
        await self.app(scope, receive, send)


class HealthChecks:
    """``/healthz``: 200 while the process serves. ``/readyz``: 200 when ``ready()`` (for example, the
    database answers within 5 s), else 503, so a load balancer takes the replica out."""

    def __init__(self, app: ASGIApp, *, ready: Callable[[], bool] | None) -> None:
        self.app, self.ready = app, ready

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else None
        if path == "/healthz":
            await respond(send, 200, {"status": "ok"})
        elif path == "/readyz":
            is_ready = await self._probe()
            await respond(send, 200 if is_ready else 503, {"status": "ready" if is_ready else "unavailable"})
        else:
            await self.app(scope, receive, send)

    async def _probe(self) -> bool:
        if self.ready is None:
            return True
        try:
            with anyio.fail_after(5):
                return bool(await anyio.to_thread.run_sync(self.ready, abandon_on_cancel=True))
        except Exception:  # noqa: BLE001 - any failure of the readiness check means not ready
            return False


class BearerAuthentication:
    """Verifies the bearer credential of every request: ``401`` with the challenge when it fails,
    else the request goes on with its principal as ``current_caller()``.

    ``remembered`` (optional) is tried first, on the event loop: a credential it knows needs no
    worker thread (about 50 µs a request, and the GIL handed back and forth). Whatever it does not
    know goes to ``authenticate`` in a worker thread, which alone may refuse."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticate: Authenticate,
        challenge: BearerChallenge,
        remembered: Remembered | None = None,
    ) -> None:
        self.app, self.authenticate, self.challenge, self.remembered = (
            app,
            authenticate,
            challenge,
            remembered,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _bearer_token(scope)
        try:
            principal = self.remembered(token) if self.remembered is not None else None
            if principal is None:  # in a worker thread: fetching a key set must not stall every other request
                principal = await anyio.to_thread.run_sync(self.authenticate, token)
        except AuthError as error:
            header = self.challenge.header("invalid_token" if token else None, error.message)
            # id null: the body is not read; JSON-RPC allows it, and the client puts its request's id back
            await respond(send, 401, _refusal(AUTH_REQUIRED_CODE, error, None), header)
            return
        reset = _CALLER.set(principal)
        try:
            await self.app(scope, receive, send)
        finally:
            _CALLER.reset(reset)


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name.lower() == b"authorization":
            authorization = value.decode("latin-1")
            return authorization[7:].strip() if authorization.lower().startswith("bearer ") else None
    return None


class _Unread(Enum):
    """Why a request body was not read whole: too large (413), or the client left before its end."""

    TOO_LARGE = "too_large"
    CLIENT_LEFT = "client_left"


class RequestBodyLimit:
    """Reads the whole body, at most ``max_bytes`` (else ``413``), and hands it on in one message.

    A client that disconnects before the last byte sent no request: what came is never handed on.
    The SDK's app behind is given the same limit (``http_app``), so there is one limit, not two.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await self._read(receive)
        if body is _Unread.CLIENT_LEFT:
            return  # no one to answer, and no complete request to run
        if body is _Unread.TOO_LARGE:
            await respond(send, 413, {"error": "request_too_large", "limit_bytes": self.max_bytes})
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | _Unread:
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return _Unread.CLIENT_LEFT
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return _Unread.TOO_LARGE
            chunks.append(chunk)
            more = bool(message.get("more_body"))
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` whole once, then whatever the connection sends next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class ToolScopes:
    """``403 insufficient_scope`` naming every scope the tool needs, for a ``tools/call`` of a known
    tool outside the caller's scopes (the connector's own refusal, ``ScopePolicy.refusal``, answered
    at the HTTP layer so that a client can step up its token). Sits inside ``RequestBodyLimit``,
    which hands the body on whole, and ``BearerAuthentication``, which names the caller."""

    def __init__(self, app: ASGIApp, *, connector: Connector[Any], challenge: BearerChallenge) -> None:
        self.app, self.connector, self.challenge = app, connector, challenge

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = (await receive()).get("body", b"")  # whole: RequestBodyLimit handed it on in one message
        refused = self._refusal(body)
        if refused is None:
            await self.app(scope, _replay(body, receive), send)
            return
        request_id, error = refused
        needed = " ".join(sorted(error.required))
        header = self.challenge.header("insufficient_scope", f"This call needs scope {needed}", needed)
        await respond(send, 403, _refusal(INSUFFICIENT_SCOPE_CODE, error, request_id), header)

    def _refusal(self, body: bytes) -> tuple[str | int | None, InsufficientScope] | None:
        """The request's id and the scope error, for a ``tools/call`` the caller may not make."""
        try:
            message = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
            return None  # malformed JSON-RPC is the SDK's to answer (400)
        if not isinstance(message, dict) or message.get("method") != "tools/call":
            return None
        params = message.get("params")
        name = params.get("name") if isinstance(params, dict) else None
        tool = self.connector.tools.get(name) if isinstance(name, str) else None
        if tool is None:
            return None
        error = self.connector.scope_policy.refusal(current_caller(), tool.scopes)
        request_id = message.get("id")
        return None if error is None else (request_id if isinstance(request_id, str | int) else None, error)
