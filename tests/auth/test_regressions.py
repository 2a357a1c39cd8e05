"""Regressions from a security review of auth, HTTP serving and paging: each hole, shown closed."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp import Client

from helpdesk import app
from helpdesk.db import Database
from wireproof import CursorCodec, KeysFile, Page, Principal, Unauthenticated
from wireproof.auth import JwtVerifier, KeysFileError, hash_key
from wireproof.auth._challenge import _quoted, metadata_url
from wireproof.idempotency import IdempotencyStore
from wireproof.paging import Paging
from wireproof.serve._middleware import current_caller as _current_caller

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def verifier(tmp_path: Path) -> JwtVerifier:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [{**jwk, "kid": "k1"}]}))
    return JwtVerifier(str(path), issuer="https://as.example", audience="https://rs.example/mcp")


def bearer(**claims: Any) -> str:
    payload = {
        "iss": "https://as.example",
        "aud": "https://rs.example/mcp",
        "sub": "u",
        "exp": int(time.time()) + 60,
        **claims,
    }
    return jwt.encode(payload, KEY, algorithm="RS256", headers={"kid": "k1"})


@pytest.mark.parametrize("org", [123, ["acme"], "", "  "])
def test_a_malformed_org_claim_is_refused_not_read_as_no_org(tmp_path: Path, org: Any) -> None:
    with pytest.raises(Unauthenticated, match="org claim"):
        verifier(tmp_path).principal(bearer(org=org))


def test_a_wildcard_scope_in_a_token_grants_nothing_special(tmp_path: Path) -> None:
    principal = verifier(tmp_path).principal(bearer(scope="*"))
    assert app.scope_policy.missing(principal, {"tickets:write"}) == {"tickets:write"}
    assert not {t.name for t in app.visible_tools(principal)}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ('org = ""', "org must be a non-empty string"),
        ("expires = 2027-01-01T00:00:00", "needs a time-zone offset"),
    ],
)
def test_keys_file_entries_that_would_weaken_scoping_are_refused(
    tmp_path: Path, entries: str, message: str
) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(
        f'[[keys]]\nsha256 = "{hash_key("k")}"\nprincipal = "p"\nscopes = ["tickets:read"]\n{entries}\n'
    )
    with pytest.raises(KeysFileError, match=message):
        KeysFile(path)


def test_one_principal_name_in_two_organisations_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(
        "".join(
            f'[[keys]]\nsha256 = "{hash_key(k)}"\nprincipal = "bot"\norg = "{o}"\n'
            for k, o in (("a", "acme"), ("b", "globex"))
        )
    )
    with pytest.raises(KeysFileError, match="two organisations"):
        KeysFile(path)


@pytest.mark.anyio
async def test_status_notes_are_refused_to_an_organisation_bound_caller(
    database: Database, store: IdempotencyStore
) -> None:
    bound = Principal("acme-bot", frozenset({"notes:write"}), org="acme")
    async with Client(app.server(database, store=store, principal=bound)) as client:
        write = await client.call_tool("create_status_note", {"week": "2026-W10", "body": "x"})
        read = await client.call_tool("get_status_note", {"week": "2026-W10"})
    assert write.meta["io.wireproof/error"]["code"] == "forbidden"
    assert read.meta["io.wireproof/error"]["code"] == "forbidden"


@pytest.mark.anyio
async def test_the_same_principal_id_in_two_organisations_shares_no_idempotency_record(
    database: Database, store: IdempotencyStore
) -> None:
    arguments = {"ticket_id": 0, "body": "hello", "idempotency_key": "k"}
    results = []
    for org in ("acme", "globex"):
        ticket = database.reader().one("SELECT id FROM tickets WHERE org = ? LIMIT 1", [org])
        assert ticket is not None
        caller = Principal("same-sub", frozenset({"tickets:write"}), org=org)
        async with Client(app.server(database, store=store, principal=caller)) as client:
            results.append(
                await client.call_tool("add_ticket_comment", {**arguments, "ticket_id": ticket["id"]})
            )
    assert all(r.is_error is False for r in results)
    assert not (results[1].meta or {}).get("io.wireproof/replayed")


def test_a_request_without_a_verified_caller_fails_closed() -> None:
    with pytest.raises(Unauthenticated):
        _current_caller()


@pytest.mark.parametrize(
    ("resource", "metadata"),
    [
        ("https://mcp.example.com/mcp", "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"),
        ("https://example.com", "https://example.com/.well-known/oauth-protected-resource"),
        ("https://example.com/a/mcp?x=1", "https://example.com/.well-known/oauth-protected-resource/a/mcp"),
    ],
)
def test_the_metadata_url_follows_rfc_9728(resource: str, metadata: str) -> None:
    assert metadata_url(resource) == metadata


def test_challenge_text_cannot_break_out_of_its_quotes() -> None:
    assert _quoted('bad "quote" \\ and\r\nnew: line ü') == "bad 'quote'  andnew: line "


def test_pages_refuse_to_be_cut_to_nothing_or_built_empty() -> None:
    paging = Paging(CursorCodec(), "t", "p")
    with pytest.raises(ValueError, match="at least one item"):
        Page[int].from_rows([1, 2], limit=0, item=int, position=int, paging=paging, filters={})
    page = Page[int].from_rows([1, 2, 3], limit=2, item=int, position=int, paging=paging, filters={})
    with pytest.raises(ValueError, match="at least one item"):
        page.cut(0, "none")


def test_a_short_cursor_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 characters"):
        CursorCodec.from_secret("short")
