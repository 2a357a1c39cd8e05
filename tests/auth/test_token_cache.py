"""The verified-token cache of ``JwtVerifier``: keyed by hash, bounded, never past ``exp``, and dropped
as soon as the key set changes (a withdrawn key stops verifying with the very next request)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from wireproof import TokenExpired, Unauthenticated
from wireproof.auth import JwtVerifier
from wireproof.auth._jwt import REREAD_AFTER

ISSUER, AUDIENCE = "https://as.example", "https://rs.example/mcp"
KEY_1 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KEY_2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write_jwks(path: Path, **keys: rsa.RSAPrivateKey) -> None:
    entries = [
        {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key())), "kid": kid}
        for kid, k in keys.items()
    ]
    path.write_text(json.dumps({"keys": entries}))


def bearer(key: rsa.RSAPrivateKey = KEY_1, kid: str = "k1", **claims: Any) -> str:
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u", "exp": int(time.time()) + 600, **claims}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def jwks(tmp_path: Path) -> Path:
    path = tmp_path / "jwks.json"
    write_jwks(path, k1=KEY_1)
    return path


def verifier(jwks: Path, **options: Any) -> JwtVerifier:
    return JwtVerifier(str(jwks), issuer=ISSUER, audience=AUDIENCE, **options)


def test_a_verified_token_is_remembered_by_its_hash_and_gives_the_same_principal(jwks: Path) -> None:
    check = verifier(jwks)
    token = bearer(scope="tickets:read", org="acme")
    first = check.principal(token)
    assert check.principal(token) is first  # the remembered principal, not a second verification
    assert (first.id, first.scopes, first.org) == ("u", frozenset({"tickets:read"}), "acme")
    entries = check._tokens._entries
    assert len(entries) == 1
    assert all(isinstance(k, bytes) and len(k) == 32 for k in entries)  # SHA-256 digests
    assert token.encode() not in entries
    assert token not in repr(entries)


def test_a_withdrawn_key_stops_verifying_at_once(jwks: Path) -> None:
    check = verifier(jwks)
    old, new = bearer(KEY_1, "k1"), bearer(KEY_2, "k2")
    assert check.principal(old).id == "u"
    # The authorization server rotates: k2 is added, then k1 withdrawn.
    write_jwks(jwks, k1=KEY_1, k2=KEY_2)
    assert check.principal(old).id == "u"
    assert check.principal(new).id == "u"
    write_jwks(jwks, k2=KEY_2)
    with pytest.raises(Unauthenticated, match="key this server does not know"):
        check.principal(old)  # the very next request after the withdrawal
    assert check.principal(new).id == "u"


def test_a_key_set_that_cannot_be_read_denies_even_a_remembered_token(jwks: Path) -> None:
    check = verifier(jwks)
    token = bearer()
    check.principal(token)
    jwks.unlink()
    with pytest.raises(Unauthenticated, match="cannot be verified now"):
        check.principal(token)


def test_an_entry_lives_no_longer_than_the_tokens_exp(jwks: Path) -> None:
    now = [time.time()]
    check = verifier(jwks, leeway=0, clock=lambda: now[0])
    token = bearer(exp=int(time.time()) + 2)
    check.principal(token)
    assert len(check._tokens) == 1
    # Past exp by the cache's clock: the entry is not used, so the token is verified in full again
    # (still valid by PyJWT's own clock here, so it is accepted and not remembered any more).
    now[0] = time.time() + 5
    assert check.principal(token).id == "u"
    assert len(check._tokens) == 0
    # By the real clock too: refused as expired, though it verified a moment ago.
    time.sleep(
        max(0.0, int(jwt.decode(token, options={"verify_signature": False})["exp"]) - time.time() + 0.2)
    )
    now[0] = time.time()
    with pytest.raises(TokenExpired):
        check.principal(token)


def test_a_token_within_the_leeway_after_exp_is_verified_every_time_and_not_remembered(jwks: Path) -> None:
    check = verifier(jwks, leeway=30)
    token = bearer(exp=int(time.time()) - 5)
    assert check.principal(token).id == "u"
    assert len(check._tokens) == 0


def test_the_cache_is_bounded_and_drops_the_least_recently_used(jwks: Path) -> None:
    check = verifier(jwks, cache_size=2)
    a, b, c = (bearer(sub=name) for name in "abc")
    check.principal(a)
    check.principal(b)
    first_a = check.principal(a)  # a is now the most recently used
    check.principal(c)  # b goes
    assert len(check._tokens) == 2
    assert check.principal(a) is first_a
    assert check.principal(b) is not check.principal(a)


def test_an_altered_token_is_refused_though_the_original_is_remembered(jwks: Path) -> None:
    check = verifier(jwks)
    token = bearer(scope="tickets:read")
    check.principal(token)
    head, _payload, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(
        json.dumps(
            {**jwt.decode(token, options={"verify_signature": False}), "scope": "tickets:write"}
        ).encode()
    ).decode()
    with pytest.raises(Unauthenticated, match="does not verify"):
        check.principal(f"{head}.{forged_payload}.{signature}")


def test_a_cache_size_of_zero_verifies_every_request(jwks: Path) -> None:
    check = verifier(jwks, cache_size=0)
    token = bearer()
    assert check.principal(token) is not check.principal(token)
    assert len(check._tokens) == 0


# -- remembered: the same look-up on the event loop, without reading the key set ---------------


def settled_clock() -> float:
    """A clock SETTLED_AFTER seconds and more ahead: a file written now looks left alone since."""
    return time.time() + 10


def test_a_remembered_token_is_looked_up_without_reading_the_key_set(
    jwks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = verifier(jwks, clock=settled_clock)
    token = bearer()
    first = check.principal(token)

    def no_read(path: str) -> None:
        raise AssertionError(f"remembered read {path}")

    monkeypatch.setattr("wireproof.auth._jwt._read_with_stat", no_read)
    assert check.remembered(token) is first
    assert check.remembered(bearer(sub="someone-else")) is None  # not remembered: verify in full
    assert check.remembered(None) is None


def test_a_withdrawn_key_is_not_remembered_on_the_event_loop_either(jwks: Path) -> None:
    check = verifier(jwks, clock=settled_clock)
    old, new = bearer(KEY_1, "k1"), bearer(KEY_2, "k2")
    write_jwks(jwks, k1=KEY_1, k2=KEY_2)
    check.principal(old)
    check.principal(new)
    assert check.remembered(old) is not None
    write_jwks(jwks, k2=KEY_2)
    assert check.remembered(old) is None  # the very next request: the file's stat changed
    with pytest.raises(Unauthenticated, match="key this server does not know"):
        check.principal(old)
    assert check.remembered(new) is None  # the new set starts an empty cache


def test_a_same_size_rewrite_of_the_key_set_is_noticed_though_the_stat_may_not_show_it(jwks: Path) -> None:
    # A file written within SETTLED_AFTER of its read may be rewritten in the same tick of the file
    # system's clock (same size, same mtime): its stat proves nothing, so it is read on every request.
    check = verifier(jwks)
    token = bearer()
    check.principal(token)
    assert check.remembered(token) is None
    assert check.principal(token).id == "u"


def test_a_key_set_that_cannot_be_read_is_not_remembered(jwks: Path) -> None:
    check = verifier(jwks, clock=settled_clock)
    token = bearer()
    check.principal(token)
    jwks.unlink()
    assert check.remembered(token) is None
    with pytest.raises(Unauthenticated, match="cannot be verified now"):
        check.principal(token)


def test_the_key_set_is_read_again_at_least_every_reread_after_seconds(jwks: Path) -> None:
    now = [settled_clock()]
    check = verifier(jwks, clock=lambda: now[0])
    token = bearer()
    check.principal(token)
    assert check.remembered(token) is not None
    now[0] += REREAD_AFTER
    assert check.remembered(token) is None  # a network file system may cache attributes: read it
    assert check.principal(token).id == "u"
    assert check.remembered(token) is not None
