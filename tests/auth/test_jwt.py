"""JwtVerifier: the claims a bearer JWT must carry, and what a token cannot claim for itself."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from helpdesk import app
from wireproof import Unauthenticated
from wireproof.auth import JwtVerifier

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
