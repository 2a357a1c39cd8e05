"""Streamable HTTP for a connector, as an OAuth 2.1 resource server (stateless, so any replica answers).

``http_app`` puts the SDK's Streamable HTTP app behind wireproof's ASGI layers
(``wireproof.serve._middleware``, one concern each):

- RFC 9728 Protected Resource Metadata at ``/.well-known/oauth-protected-resource/mcp`` when there
  are authorization servers to name (JWTs); MCP requires the document to name one, so a server of
  API keys (which no client can fetch by itself) serves none and its challenge points to none;
- ``/healthz`` and ``/readyz``;
- ``401`` for a request without a valid bearer credential, with
  ``WWW-Authenticate: Bearer error="invalid_token", error_description=…`` (and ``resource_metadata=…``
  with the metadata);
- one request body limit (``MAX_BODY_BYTES``, ``413``), the SDK given the same;
- ``403`` for a ``tools/call`` outside the caller's scopes, with ``error="insufficient_scope",
  scope="…"`` naming every scope the tool needs;
- and the verified principal handed to the connector for ``tools/list`` filtering and ``ctx.principal``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urlsplit

from mcp.server.transport_security import TransportSecuritySettings

from wireproof.auth import LOCAL_OPERATOR
from wireproof.auth._challenge import BearerChallenge, metadata_path, protected_resource_metadata
from wireproof.connector import Connector, PrincipalSource
from wireproof.idempotency import IdempotencyStore
from wireproof.paging import CursorCodec
from wireproof.serve._middleware import (
    ASGIApp,
    Authenticate,
    BearerAuthentication,
    HealthChecks,
    ProtectedResourceMetadata,
    Remembered,
    RequestBodyLimit,
    ToolScopes,
    current_caller,
)

__all__ = ["LOOPBACK", "MAX_BODY_BYTES", "http_app"]

LOOPBACK: Final = ("127.0.0.1", "localhost", "::1")
"""Hosts that count as loopback: auth may be off, and the SDK's own DNS-rebinding guard applies."""
MAX_BODY_BYTES: Final = 4 * 1024 * 1024
"""Requests larger than this are refused with 413 before any parsing (the one limit: the SDK's is set to it)."""


def http_app(
    connector: Connector[Any],
    state: Any,
    *,
    resource_url: str,
    authenticate: Authenticate | None,
    remembered: Remembered | None = None,
    authorization_servers: list[str] | None = None,
    store: IdempotencyStore | None = None,
    cursors: CursorCodec | None = None,
    host: str = "127.0.0.1",
    ready: Callable[[], bool] | None = None,
) -> ASGIApp:
    """The ASGI app serving ``connector`` at ``/mcp``; ``authenticate=None`` serves without auth.

    ``remembered`` (for example ``JwtVerifier.remembered``) answers for a credential that verified
    before without a worker thread; anything it does not know goes to ``authenticate``.

    Host and Origin headers are checked against loopback, or off loopback against ``resource_url``
    (a proxy in front must pass the client's Host: ``proxy_set_header Host $http_host``).

    ``/healthz`` answers 200 while the process serves; ``/readyz`` answers 200 when ``ready()``
    (for example: the database answers), else 503, so a load balancer takes the replica out.
    """
    caller: PrincipalSource = current_caller if authenticate is not None else LOCAL_OPERATOR  # --auth none
    server = connector.server(state, store=store, cursors=cursors, principal=caller)
    app: ASGIApp = server.streamable_http_app(
        stateless_http=True,
        json_response=True,
        host=host,
        transport_security=_rebinding_guard(host, resource_url),
        max_request_body_size=MAX_BODY_BYTES,
    )
    if authenticate is None:
        return HealthChecks(app, ready=ready)
    servers = authorization_servers or []
    challenge = BearerChallenge.for_resource(resource_url) if servers else BearerChallenge(None)
    app = ToolScopes(app, connector=connector, challenge=challenge)
    app = RequestBodyLimit(app, max_bytes=MAX_BODY_BYTES)
    app = BearerAuthentication(app, authenticate=authenticate, challenge=challenge, remembered=remembered)
    app = HealthChecks(app, ready=ready)
    if not servers:
        return app
    document = protected_resource_metadata(
        resource_url,
        authorization_servers=servers,
        scopes=(scope for tool in connector.tools.values() for scope in tool.scopes),
    )
    return ProtectedResourceMetadata(app, path=metadata_path(resource_url), document=document)


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
