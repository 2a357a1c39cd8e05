"""A real uvicorn on 127.0.0.1 serving a fixture server over Streamable HTTP, with pluggable auth behaviour."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from mcp.server.lowlevel import Server

ASGIApp = Callable[..., Awaitable[None]]
Gate = Callable[[str | None], tuple[int, dict[str, str]] | None]
"""Given the Authorization header (or None), return (status, headers) to refuse, or None to let the call through."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gated(app: ASGIApp, gate: Gate, metadata: dict[str, Any] | None) -> ASGIApp:
    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/.well-known/oauth-protected-resource"):
            status, body = (200, json.dumps(metadata).encode()) if metadata is not None else (404, b"{}")
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http":
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            refusal = gate(headers.get("authorization"))
            if refusal is not None:
                status, extra = refusal
                await send(
                    {
                        "type": "http.response.start",
                        "status": status,
                        "headers": [(k.encode(), v.encode()) for k, v in extra.items()],
                    }
                )
                await send({"type": "http.response.body", "body": b'{"error": "unauthorized"}'})
                return
        await app(scope, receive, send)

    return wrapped


@contextmanager
def serve_asgi(app: Any, port: int) -> Iterator[None]:
    """Run ``app`` on a real uvicorn at 127.0.0.1:``port`` (in a thread) for the duration of the block."""
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield
    finally:
        uv.should_exit = True
        thread.join(timeout=20)


@contextmanager
def serve_http(
    server: Server[Any],
    gate: Gate = lambda _auth: None,
    metadata: dict[str, Any] | None = None,
    *,
    check_origin: bool = True,
) -> Iterator[str]:
    """Serve ``server`` at http://127.0.0.1:PORT/mcp for the duration of the block; yields the URL.

    ``check_origin=False`` turns the SDK's DNS-rebinding protection off (a flaw to detect)."""
    from mcp.server.transport_security import TransportSecuritySettings

    port = free_port()
    security = None if check_origin else TransportSecuritySettings(enable_dns_rebinding_protection=False)
    app = server.streamable_http_app(
        stateless_http=True, json_response=True, host="127.0.0.1", transport_security=security
    )
    with serve_asgi(gated(app, gate, metadata), port):
        yield f"http://127.0.0.1:{port}/mcp"
