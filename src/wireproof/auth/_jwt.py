"""OAuth 2.1 bearer tokens (JWT) for a connector that is an MCP resource server.

A token verifies only if it is signed with RS256 or ES256 by a key of the configured JWKS (so
``alg: none`` and HMAC-with-the-public-key confusion are refused), was issued by the configured
issuer, names this server in its audience (RFC 8707), and is within ``exp`` / ``nbf`` give or take
``leeway`` seconds. A key set that cannot be loaded denies: fail closed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import jwt

from wireproof.auth._principal import Principal
from wireproof.errors import TokenExpired, Unauthenticated

__all__ = ["DEFAULT_LEEWAY", "JwtVerifier"]

DEFAULT_LEEWAY: Final = 30.0
"""Seconds of clock skew allowed on exp and nbf."""
ALGORITHMS: Final = ("RS256", "ES256")
_KEY_TYPES: Final = {"RS256": "RSA", "ES256": "EC"}
"""The JWK ``kty`` each accepted algorithm needs: a token naming a key of another type (or a key
whose own ``alg`` differs) is refused before verification, never a ``TypeError`` in it."""


class JwtVerifier:
    """Verifies bearer JWTs against a JWKS file or URL and turns them into principals.

    The principal is the ``sub`` claim; scopes come from ``scope`` (space-separated) or ``scp``
    (a list); the organisation from ``org``.
    """

    def __init__(self, jwks: str, *, issuer: str, audience: str, leeway: float = DEFAULT_LEEWAY) -> None:
        self.jwks, self.issuer, self.audience, self.leeway = jwks, issuer, audience, leeway
        # The key set is cached for five minutes and then fetched again, so a key the authorization
        # server withdraws stops verifying; single keys are not cached on their own (they never expire).
        self._client = (
            jwt.PyJWKClient(jwks, cache_keys=False, cache_jwk_set=True, lifespan=300, timeout=5)
            if jwks.startswith(("http://", "https://"))
            else None
        )

    def _key(self, token: str) -> tuple[str, Any]:
        """The token's algorithm and the key it names, checked to be of that algorithm's type."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("The bearer token is not a JWT") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise Unauthenticated(f"The token's algorithm {alg!r} is not accepted (RS256 or ES256 only)")
        jwk = self._jwk(token, header)
        if jwk.key_type != _KEY_TYPES[alg] or jwk.algorithm_name != alg:
            raise Unauthenticated(
                f"The token says {alg} but names a {jwk.key_type} key for {jwk.algorithm_name}; "
                f"get a token signed with the key its kid names"
            )
        return alg, jwk.key

    def _jwk(self, token: str, header: dict[str, Any]) -> jwt.PyJWK:
        try:
            if self._client is not None:
                return self._client.get_signing_key_from_jwt(token)
            keys = jwt.PyJWKSet.from_json(Path(self.jwks).read_text(encoding="utf-8"))
        except Exception as exc:  # noqa: BLE001 - whatever stops the key set loading, nothing can be verified: deny
            raise Unauthenticated(
                f"The token cannot be verified now (key set unavailable: {type(exc).__name__})"
            ) from None
        kid = header.get("kid")
        if kid is None and len(keys.keys) > 1:
            raise Unauthenticated("The token names no key (kid) and the key set has several")
        matching = [k for k in keys.keys if kid is None or k.key_id == kid]
        if not matching:
            raise Unauthenticated("The token was signed by a key this server does not know")
        return matching[0]

    def principal(self, token: str | None) -> Principal:
        """The principal of a valid token.

        Raises:
            Unauthenticated: no token, or one that does not verify (signature, issuer, audience, nbf).
            TokenExpired: a token past its expiry.
        """
        if not token:
            raise Unauthenticated("No bearer token was sent")
        alg, key = self._key(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenExpired("The bearer token has expired; get a new one") from None
        except jwt.ImmatureSignatureError:
            raise Unauthenticated("The bearer token is not valid yet (nbf)") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated("The bearer token was not issued for this server (audience)") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated("The bearer token was issued by another authorization server") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"The bearer token does not verify ({type(exc).__name__})") from None
        scopes = claims.get("scope", "")
        granted = set(scopes.split()) if isinstance(scopes, str) else set()
        if isinstance(claims.get("scp"), list):
            granted |= {str(s) for s in claims["scp"]}
        org = claims.get("org")
        if org is not None and (not isinstance(org, str) or not org.strip()):
            raise Unauthenticated("The token's org claim must be one organisation name")
        return Principal(str(claims["sub"]), frozenset(granted), org)
