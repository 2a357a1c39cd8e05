"""DNS-rebinding protection off loopback: only the resource URL's host and origin are served."""

from __future__ import annotations

import httpx2

from helpdesk import app
from helpdesk.db import Database
from tests.auth.test_http import INITIALIZE
from tests.check.http_server import free_port, serve_asgi
from wireproof.idempotency import IdempotencyStore
from wireproof.serve import http_app

HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}


def test_off_loopback_only_the_public_host_and_origin_are_served(
    database: Database, store: IdempotencyStore
) -> None:
    # Bound to 0.0.0.0 in production; here the same app is served on loopback and reached with the
    # Host and Origin headers a browser or proxy would send.
    asgi = http_app(
        app,
        database,
        resource_url="https://mcp.example.com/mcp",
        authenticate=None,
        host="0.0.0.0",
        store=store,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    with serve_asgi(asgi, port):
        public = httpx2.post(url, json=INITIALIZE, headers={**HEADERS, "host": "mcp.example.com"}, timeout=10)
        via_proxy_port = httpx2.post(
            url, json=INITIALIZE, headers={**HEADERS, "host": "mcp.example.com:8443"}, timeout=10
        )
        rebound = httpx2.post(
            url, json=INITIALIZE, headers={**HEADERS, "host": "attacker.example"}, timeout=10
        )
        foreign_origin = httpx2.post(
            url,
            json=INITIALIZE,
            headers={**HEADERS, "host": "mcp.example.com", "origin": "https://attacker.example"},
            timeout=10,
        )
        own_origin = httpx2.post(
            url,
            json=INITIALIZE,
            headers={**HEADERS, "host": "mcp.example.com", "origin": "https://mcp.example.com"},
            timeout=10,
        )
    assert public.status_code == 200
    assert via_proxy_port.status_code == 200
    assert rebound.status_code == 421
    assert foreign_origin.status_code == 403
    assert own_origin.status_code == 200
