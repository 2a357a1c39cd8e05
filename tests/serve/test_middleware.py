"""The ASGI layers in front of the SDK (``wireproof.serve._middleware``): real uvicorn on 127.0.0.1,
API keys from a real keys file, the official client and raw HTTP.

What the official client shows for a refusal is part of the contract: a bad credential (HTTP 401)
and a call outside the caller's scopes (HTTP 403) reach it as ``MCPError`` with wireproof's code and
the text a model reads, not as ``MCPError(-32603, 'Server returned an error response')``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from helpdesk import app
from helpdesk.db import Database
from tests.check.http_server import free_port, serve_asgi
from wireproof.auth import KeysFile, hash_key
from wireproof.connector import AUTH_REQUIRED_CODE
from wireproof.errors import Unauthenticated
from wireproof.idempotency import IdempotencyStore
from wireproof.serve import INSUFFICIENT_SCOPE_CODE, MAX_BODY_BYTES, http_app
from wireproof.serve._middleware import current_caller

STOP = "Stop: authorization is required; do not retry until the credentials change."
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"},
    },
}
HEADERS = {
    "content-type": "application/json",
    "accept": "application/json, text/event-stream",
    "mcp-protocol-version": "2025-11-25",
}


@pytest.fixture
def keys_url(tmp_path: Path, database: Database, store: IdempotencyStore) -> Iterator[str]:
    """helpdesk with API keys as bearer tokens: k-reader (tickets:read) and k-old (expired)."""
    keys = tmp_path / "keys.toml"
    keys.write_text(
        f'[[keys]]\nsha256 = "{hash_key("k-reader")}"\nprincipal = "reader"\nscopes = ["tickets:read"]\n'
        f'[[keys]]\nsha256 = "{hash_key("k-old")}"\nprincipal = "old"\nscopes = ["tickets:read"]\n'
        "expires = 2020-01-01T00:00:00Z\n"
    )
    keys.chmod(0o600)
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    with serve_asgi(
        http_app(app, database, resource_url=url, authenticate=KeysFile(keys).principal, store=store), port
    ):
        yield url


def _client(url: str, key: str | None) -> tuple[httpx2.AsyncClient, Client]:
    http = httpx2.AsyncClient(headers={} if key is None else {"Authorization": f"Bearer {key}"}, timeout=20)
    return http, Client(streamable_http_client(url, http_client=http))


def _leaf(error: BaseException) -> BaseException:
    """The one exception inside the client's task groups (it raises a refused handshake nested twice)."""
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return error


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "No API key was sent; send it as Authorization: Bearer KEY."),
        (
            "k-unknown",
            "The API key is not a key this server knows; check its value, or ask the operator for a key.",
        ),
        ("k-old", "The API key expired on 2020-01-01 00:00 UTC; ask the operator for a new key."),
    ],
)
async def test_a_bad_key_reaches_the_official_client_as_an_auth_error_with_its_text(
    keys_url: str, key: str | None, message: str
) -> None:
    http, client = _client(keys_url, key)
    with pytest.raises(BaseExceptionGroup) as caught:  # the handshake itself is refused
        async with http, client:
            pass
    error = _leaf(caught.value)
    assert isinstance(error, MCPError), repr(caught.value)
    assert error.code == AUTH_REQUIRED_CODE
    assert error.message == f"{message} {STOP}"


@pytest.mark.anyio
async def test_a_call_outside_the_scopes_reaches_the_client_as_an_error_naming_the_scope(
    keys_url: str, database: Database
) -> None:
    http, client = _client(keys_url, "k-reader")
    async with http, client:
        assert (await client.call_tool("get_ticket", {"ticket_id": 1})).is_error is False
        with pytest.raises(MCPError) as caught:
            await client.call_tool("add_ticket_comment", {"ticket_id": 1, "body": "not allowed"})
    assert caught.value.code == INSUFFICIENT_SCOPE_CODE
    assert caught.value.message == f"This call needs scope tickets:write; the caller has tickets:read. {STOP}"
    with sqlite3.connect(database.url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT count(*) FROM ticket_comments WHERE body = 'not allowed'").fetchone() == (
            0,
        )
    conn.close()


def test_401_and_403_bodies_are_json_rpc_errors_carrying_the_typed_error(keys_url: str) -> None:
    expired = httpx2.post(
        keys_url, headers={**HEADERS, "authorization": "Bearer k-old"}, json=INITIALIZE, timeout=20
    )
    assert expired.status_code == 401
    assert (
        'error_description="The API key expired on 2020-01-01 00:00 UTC'
        in expired.headers["www-authenticate"]
    )
    body = expired.json()
    assert (body["jsonrpc"], body["id"], body["error"]["code"]) == ("2.0", None, AUTH_REQUIRED_CODE)
    typed = body["error"]["data"]["io.wireproof/error"]
    assert (typed["type"], typed["code"], typed["retryable"]) == ("auth", "token_expired", False)

    call = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {"name": "add_ticket_comment", "arguments": {"ticket_id": 1, "body": "x"}},
    }
    refused = httpx2.post(
        keys_url, headers={**HEADERS, "authorization": "Bearer k-reader"}, json=call, timeout=20
    )
    assert refused.status_code == 403
    assert 'scope="tickets:write"' in refused.headers["www-authenticate"]
    body = refused.json()
    assert (body["id"], body["error"]["code"]) == (7, INSUFFICIENT_SCOPE_CODE)
    typed = body["error"]["data"]["io.wireproof/error"]
    assert (typed["code"], typed["required_scopes"]) == ("insufficient_scope", ["tickets:write"])


def test_api_keys_over_http_serve_no_metadata_and_their_challenge_points_to_none(keys_url: str) -> None:
    """MCP requires protected resource metadata to name an authorization server; API keys have none."""
    challenge = httpx2.post(keys_url, headers=HEADERS, json=INITIALIZE, timeout=20).headers[
        "www-authenticate"
    ]
    assert challenge == "Bearer"
    metadata = keys_url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")
    assert httpx2.get(metadata, timeout=20).status_code == 401  # an ordinary path of the server


@pytest.mark.parametrize("authenticated", [True, False])
def test_one_body_limit_holds_with_and_without_authentication(
    tmp_path: Path, database: Database, store: IdempotencyStore, authenticated: bool
) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text(f'[[keys]]\nsha256 = "{hash_key("k")}"\nprincipal = "p"\nscopes = ["tickets:read"]\n')
    keys.chmod(0o600)
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    authenticate = KeysFile(keys).principal if authenticated else None
    with serve_asgi(http_app(app, database, resource_url=url, authenticate=authenticate, store=store), port):
        headers = {**HEADERS, "authorization": "Bearer k"}

        def post(size: int) -> int:
            padded = {**INITIALIZE, "pad": ""}
            padded["pad"] = "x" * (size - len(json.dumps(padded).encode()))
            content = json.dumps(padded).encode()
            assert len(content) == size
            return httpx2.post(url, headers=headers, content=content, timeout=30).status_code

        assert post(MAX_BODY_BYTES) == 200
        assert post(MAX_BODY_BYTES + 1) == 413


def test_a_request_without_a_verified_caller_fails_closed() -> None:
    with pytest.raises(Unauthenticated):
        current_caller()
