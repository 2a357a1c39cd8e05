"""helpdesk over Streamable HTTP as an OAuth 2.1 resource server: real uvicorn on 127.0.0.1, real signed
JWTs from keys generated here, the official client and raw HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from helpdesk import app
from helpdesk.db import Database
from tests.check.http_server import free_port, serve_asgi
from wireproof.auth import JwtVerifier
from wireproof.idempotency import IdempotencyStore
from wireproof.serve import http_app

ISSUER = "https://auth.example"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks_file(tmp_path: Path) -> Path:
    rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY.public_key()))
    ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(EC_KEY.public_key()))
    path = tmp_path / "jwks.json"
    path.write_text(
        json.dumps(
            {
                "keys": [
                    {**rsa_jwk, "kid": "rsa1", "use": "sig", "alg": "RS256"},
                    {**ec_jwk, "kid": "ec1", "use": "sig", "alg": "ES256"},
                ]
            }
        )
    )
    return path


@pytest.fixture
def server(tmp_path: Path, database: Database, store: IdempotencyStore) -> Iterator[dict[str, Any]]:
    port = free_port()
    resource = f"http://127.0.0.1:{port}/mcp"
    verifier = JwtVerifier(str(jwks_file(tmp_path)), issuer=ISSUER, audience=resource)
    asgi = http_app(
        app,
        database,
        resource_url=resource,
        authenticate=verifier.principal,
        remembered=verifier.remembered,
        authorization_servers=[ISSUER],
        store=store,
    )
    with serve_asgi(asgi, port):
        yield {"url": resource, "audience": resource}


def token(audience: str, *, key: Any = RSA_KEY, alg: str = "RS256", kid: str = "rsa1", **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": audience,
        "sub": "agent-1",
        "exp": now + 600,
        "iat": now,
        "scope": "tickets:read",
        **claims,
    }
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


def post(url: str, authorization: str | None, body: dict[str, Any]) -> httpx2.Response:
    headers = {
        "content-type": "application/json",
        "accept": "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
    }
    if authorization is not None:
        headers["authorization"] = authorization
    return httpx2.post(url, headers=headers, json=body, timeout=20)


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


def test_every_bad_token_is_401_with_a_challenge_and_no_data(server: dict[str, Any]) -> None:
    aud = server["audience"]
    now = int(time.time())
    header, payload, _ = token(aud).split(".")
    unsigned = jwt.encode(
        {"iss": ISSUER, "aud": aud, "sub": "x", "exp": now + 600}, key=None, algorithm="none"
    )
    cases = {
        "no token": None,
        "malformed": "Bearer not-a-jwt",
        "wrong signature": "Bearer " + token(aud, key=OTHER_KEY),
        "alg none": "Bearer " + unsigned,
        "tampered signature": "Bearer " + f"{header}.{payload}.AAAA",
        "expired": "Bearer " + token(aud, exp=now - 3600),
        "not yet valid": "Bearer " + token(aud, nbf=now + 3600),
        "wrong issuer": "Bearer " + token(aud, iss="https://evil.example"),
        "wrong audience": "Bearer " + token("https://other.example/mcp"),
        "RS256 naming the EC key": "Bearer " + token(aud, kid="ec1"),
        "ES256 naming the RSA key": "Bearer " + token(aud, key=EC_KEY, alg="ES256", kid="rsa1"),
    }
    for label, authorization in cases.items():
        response = post(server["url"], authorization, INITIALIZE)
        assert response.status_code == 401, (label, response.status_code, response.text)
        challenge = response.headers["www-authenticate"]
        if authorization is None:  # RFC 6750 3.1: no error code when no credential was sent
            assert challenge.startswith('Bearer resource_metadata="'), challenge
        else:
            assert challenge.startswith('Bearer error="invalid_token"'), label
        assert "resource_metadata=" in challenge, label
        assert "items" not in response.text, label


def test_hmac_signed_with_the_public_key_is_refused(server: dict[str, Any]) -> None:
    """The classic confusion: HS256 keyed with the server's own public key, which anyone can read."""
    pem = RSA_KEY.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    claims = {
        "iss": ISSUER,
        "aud": server["audience"],
        "sub": "x",
        "exp": int(time.time()) + 600,
        "scope": "tickets:read tickets:write",
    }

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa1"}).encode())
    signing_input = f"{header}.{b64(json.dumps(claims).encode())}"
    forged = f"{signing_input}.{b64(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())}"
    response = post(server["url"], "Bearer " + forged, INITIALIZE)
    assert response.status_code == 401
    assert "not accepted" in response.headers["www-authenticate"]


def test_a_body_nested_a_thousand_deep_is_400_for_an_authenticated_caller(server: dict[str, Any]) -> None:
    """The scope pre-check parses the body before the SDK does; a parser recursion limit is the
    client's malformed request (400), never an HTTP 500."""
    nested = b"[" * 1000 + b"]" * 1000
    body = (
        b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_ticket", "x": '
        + nested
        + b"}}"
    )
    headers = {
        "content-type": "application/json",
        "accept": "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
        "authorization": "Bearer " + token(server["audience"]),
    }
    response = httpx2.post(server["url"], headers=headers, content=body, timeout=20)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == -32700


def _comment_call(body: str) -> bytes:
    arguments = {"ticket_id": 1, "body": body}
    call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "add_ticket_comment", "arguments": arguments},
    }
    return json.dumps(call).encode()


def test_a_call_whose_client_leaves_before_the_body_ends_never_runs(
    server: dict[str, Any], database: Database
) -> None:
    """The scope pre-check buffers the body; a client gone before the last byte is no request, even
    when the bytes it did send are a complete call."""
    writer = token(server["audience"], scope="tickets:read tickets:write")
    half = _comment_call("half-sent")
    port = int(server["url"].rsplit(":", 1)[1].split("/", maxsplit=1)[0])
    head = (
        f"POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
        "accept: application/json, text/event-stream\r\nmcp-protocol-version: 2025-11-25\r\n"
        f"authorization: Bearer {writer}\r\ncontent-length: {len(half) + 100}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(head.encode() + half)
        time.sleep(0.5)  # the server reads what was sent and waits for the rest; then the client leaves
    complete = httpx2.post(
        server["url"],
        headers={
            "content-type": "application/json",
            "accept": "application/json, text/event-stream",
            "mcp-protocol-version": "2025-11-25",
            "authorization": f"Bearer {writer}",
        },
        content=_comment_call("complete"),
        timeout=20,
    )
    assert complete.status_code == 200, complete.text
    assert complete.json()["result"]["isError"] is False, complete.text
    with sqlite3.connect(database.url.removeprefix("sqlite:///")) as conn:
        bodies = [row[0] for row in conn.execute("SELECT body FROM ticket_comments WHERE ticket_id = 1")]
    assert "complete" in bodies
    assert "half-sent" not in bodies


def test_the_protected_resource_metadata_is_served(server: dict[str, Any]) -> None:
    url = server["url"].replace("/mcp", "/.well-known/oauth-protected-resource/mcp")
    document = httpx2.get(url, timeout=20).json()
    assert document["resource"] == server["url"]
    assert document["authorization_servers"] == [ISSUER]
    assert "tickets:read" in document["scopes_supported"]
    challenge = post(server["url"], None, INITIALIZE).headers["www-authenticate"]
    assert f'resource_metadata="{url}"' in challenge


def test_a_withdrawn_key_is_refused_at_once_though_its_tokens_were_remembered_on_the_event_loop(
    tmp_path: Path, database: Database, store: IdempotencyStore
) -> None:
    port = free_port()
    resource = f"http://127.0.0.1:{port}/mcp"
    jwks = jwks_file(tmp_path)
    # A clock ahead: the file written just now counts as settled, so its stat stands for it and the
    # remembered token is answered on the event loop (no worker thread, no read of the file).
    verifier = JwtVerifier(str(jwks), issuer=ISSUER, audience=resource, clock=lambda: time.time() + 10)
    asgi = http_app(
        app,
        database,
        resource_url=resource,
        authenticate=verifier.principal,
        remembered=verifier.remembered,
        authorization_servers=[ISSUER],
        store=store,
    )
    bearer = "Bearer " + token(resource)
    with serve_asgi(asgi, port):
        assert post(resource, bearer, INITIALIZE).status_code == 200
        assert verifier.remembered(bearer.removeprefix("Bearer ")) is not None
        assert post(resource, bearer, INITIALIZE).status_code == 200
        keys = json.loads(jwks.read_text())["keys"]
        jwks.write_text(json.dumps({"keys": [k for k in keys if k["kid"] != "rsa1"]}))
        refused = post(resource, bearer, INITIALIZE)  # the very next request
        assert refused.status_code == 401
        assert "key this server does not know" in refused.json()["error"]["message"]


def test_a_token_lacking_a_scope_gets_403_naming_every_scope_needed(server: dict[str, Any]) -> None:
    body = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "add_ticket_comment", "arguments": {"ticket_id": 1, "body": "x"}},
    }
    response = post(server["url"], "Bearer " + token(server["audience"]), body)
    assert response.status_code == 403
    challenge = response.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="tickets:write"' in challenge


async def _client(url: str, bearer: str) -> Client:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {bearer}"})
    return Client(streamable_http_client(url, http_client=http))


@pytest.mark.anyio
async def test_valid_tokens_get_data_and_tools_list_follows_the_scopes(server: dict[str, Any]) -> None:
    reader = token(server["audience"])
    for mode in ("auto", "legacy"):
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {reader}"})
        async with http, Client(streamable_http_client(server["url"], http_client=http), mode=mode) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert "add_ticket_comment" not in names
            assert "list_tickets_by_date" in names
            result = await client.call_tool("get_ticket", {"ticket_id": 1})
            assert result.is_error is False
    writer = token(server["audience"], key=EC_KEY, alg="ES256", kid="ec1", scope="tickets:write", org="acme")
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {writer}"})
    async with http, Client(streamable_http_client(server["url"], http_client=http)) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "add_ticket_comment" in names
        page = await client.call_tool(
            "list_tickets_by_date", {"start_date": "2000-01-01", "end_date": "2100-01-01", "limit": 100}
        )
        orgs = {t["customer_email"].split("@")[1] for t in page.structured_content["items"]}
        assert orgs == {"acme.example"}


def test_helpdesk_mcp_over_http_with_jwt_is_clean_under_wireproof_check(tmp_path: Path) -> None:
    """The real console script on a loopback port, checked from the outside by the real CLI."""
    import subprocess
    import sys

    db = tmp_path / "h.db"
    subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", "--db", str(db), "--seed", "200", "--seed-only"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helpdesk.cli",
            "--db",
            str(db),
            "--transport",
            "http",
            "--port",
            str(port),
            "--auth",
            "jwt",
            "--jwks",
            str(jwks_file(tmp_path)),
            "--issuer",
            ISSUER,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx2.get(
                    url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp"), timeout=2
                ).status_code:
                    break
            except httpx2.HTTPError:
                assert time.monotonic() < deadline, "helpdesk-mcp did not start"
                time.sleep(0.2)
        bearer = token(url, scope="tickets:read notes:read")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "wireproof.cli",
                "check",
                url,
                "--header",
                f"Authorization: Bearer {bearer}",
                "--format",
                "json",
                "--fail-on",
                "warning",
                "--no-progress",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        report = json.loads(done.stdout)
        assert done.returncode == 0, report["findings"]
        assert report["findings"] == []
        assert report["server"]["transport"] == "http"
        assert {t["name"] for t in report["tools"]} >= {"list_tickets_by_date", "get_ticket"}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_api_keys_work_as_bearer_tokens_over_http(
    tmp_path: Path, database: Database, store: IdempotencyStore
) -> None:
    from wireproof.auth import KeysFile, hash_key

    keys = tmp_path / "keys.toml"
    keys.write_text(
        f'[[keys]]\nsha256 = "{hash_key("k-123")}"\nprincipal = "bot"\nscopes = ["tickets:read"]\n'
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    asgi = http_app(app, database, resource_url=url, authenticate=KeysFile(keys).principal, store=store)
    with serve_asgi(asgi, port):
        assert post(url, "Bearer k-123", INITIALIZE).status_code == 200
        refused = post(url, "Bearer k-999", INITIALIZE)
        assert refused.status_code == 401
        assert "not a key this server knows" in refused.headers["www-authenticate"]
