"""OAuth 2.1 bearer tokens (JWT) for a connector that is an MCP resource server.

A token verifies only if it is signed with RS256 or ES256 by a key of the configured JWKS (so
``alg: none`` and HMAC-with-the-public-key confusion are refused), was issued by the configured
issuer, names this server in its audience (RFC 8707), and is within ``exp`` / ``nbf`` give or take
``leeway`` seconds. A key set that cannot be loaded denies: fail closed.

A token that verified is remembered (``_VerifiedTokens``), so the next request with it costs a hash
and a look-up instead of parsing the key set and an RSA or ECDSA verification: the cache is keyed
by the token's SHA-256 (never the token), bounded in size (least recently used entries go first),
an entry is used only before the token's ``exp`` (after it, the token is verified in full again,
and refused once past ``exp`` and the leeway), and the whole cache is dropped whenever the key set
changes: a JWKS file is read on every request and compared with the one the entries were verified
against, so a key withdrawn from the file stops verifying with the very next request; a JWKS URL
is fetched again every five minutes (and when a token names a key it does not know), and a
refreshed set starts an empty cache.

``remembered`` is the same look-up without blocking, for an event loop to try before it hands a
request to a worker thread: it answers only when the key set is known unchanged without reading
it. For a JWKS file that means its ``stat`` (device, inode, size, mtime, ctime) equals the one
taken when the file was last read, and that file had then been left alone for ``SETTLED_AFTER``
seconds, so that a rewrite within one tick of the file system's clock (same size, same mtime)
cannot pass for the old file; a file written more recently is read on every request as before.
A file is also read again at least every ``REREAD_AFTER`` seconds (a network file system may cache
attributes). Any doubt returns None, and ``principal`` decides (and denies) as before.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import jwt

from wireproof.auth._principal import Principal
from wireproof.errors import TokenExpired, Unauthenticated

__all__ = ["DEFAULT_LEEWAY", "DEFAULT_TOKEN_CACHE_SIZE", "JwtVerifier"]

DEFAULT_LEEWAY: Final = 30.0
"""Seconds of clock skew allowed on exp and nbf."""
ALGORITHMS: Final = ("RS256", "ES256")
DEFAULT_TOKEN_CACHE_SIZE: Final = 1024
"""Verified tokens remembered at most (about 1 KiB each); 0 verifies every request in full."""
SETTLED_AFTER: Final = 2.0
"""Seconds a JWKS file's mtime and ctime must lie before its read for its ``stat`` to stand for its
contents: file system timestamps come from a clock that ticks every few milliseconds (FAT: 2 s)."""
REREAD_AFTER: Final = 1.0
"""Seconds after a JWKS file's last read that ``remembered`` trusts its ``stat``; then it is read again."""
_KEY_TYPES: Final = {"RS256": "RSA", "ES256": "EC"}
"""The JWK ``kty`` each accepted algorithm needs: a token naming a key of another type (or a key
whose own ``alg`` differs) is refused before verification, never a ``TypeError`` in it."""


class _VerifiedTokens:
    """Tokens that verified, by SHA-256: the principal, until the token's ``exp``, under one key set.

    Bounded: past ``size`` entries the least recently used goes. An entry is returned only while
    the clock is before its ``exp`` and only for the key set it was verified against: any other
    key set (refreshed, a key withdrawn or added) empties the cache first.
    """

    def __init__(self, size: int, clock: Callable[[], float]) -> None:
        self.size, self._clock = size, clock
        self._entries: OrderedDict[bytes, tuple[Principal, float]] = OrderedDict()
        self._keyset: object = None
        self._lock = threading.Lock()

    def get(self, digest: bytes, keyset: object) -> Principal | None:
        with self._lock:
            if keyset is not self._keyset:
                self._entries.clear()
                self._keyset = keyset
                return None
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if self._clock() >= entry[1]:  # past exp: verify in full (leeway, then TokenExpired)
                del self._entries[digest]
                return None
            self._entries.move_to_end(digest)
            return entry[0]

    def put(self, digest: bytes, keyset: object, principal: Principal, expires: float) -> None:
        if self.size <= 0 or self._clock() >= expires:
            return
        with self._lock:
            if keyset is not self._keyset:  # verified against a set that was replaced meanwhile
                return
            self._entries[digest] = (principal, expires)
            self._entries.move_to_end(digest)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class JwtVerifier:
    """Verifies bearer JWTs against a JWKS file or URL and turns them into principals.

    The principal is the ``sub`` claim; scopes come from ``scope`` (space-separated) or ``scp``
    (a list); the organisation from ``org``.
    """

    def __init__(
        self,
        jwks: str,
        *,
        issuer: str,
        audience: str,
        leeway: float = DEFAULT_LEEWAY,
        cache_size: int = DEFAULT_TOKEN_CACHE_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.jwks, self.issuer, self.audience, self.leeway = jwks, issuer, audience, leeway
        self._tokens = _VerifiedTokens(cache_size, clock)
        self._clock = clock
        self._file_text: bytes | None = None
        self._file_keys: jwt.PyJWKSet | None = None
        self._file_stat: tuple[int, ...] | None = None
        """The ``stat`` the file had when ``_file_keys`` was read from it, if it had settled by then."""
        self._file_read_at = 0.0
        self._file_lock = threading.Lock()
        # The key set is cached for five minutes and then fetched again, so a key the authorization
        # server withdraws stops verifying; single keys are not cached on their own (they never expire).
        self._client = (
            jwt.PyJWKClient(jwks, cache_keys=False, cache_jwk_set=True, lifespan=300, timeout=5)
            if jwks.startswith(("http://", "https://"))
            else None
        )

    def _keyset(self) -> jwt.PyJWKSet:
        """The key set now: the JWKS file as it reads at this moment (parsed again only when its
        contents changed), or the URL's cached set. The same object until the set changes.

        Raises:
            Unauthenticated: the key set cannot be loaded (deny: fail closed).
        """
        try:
            if self._client is not None:
                return self._client.get_jwk_set()
            read_at = self._clock()
            text, status = _read_with_stat(self.jwks)
            settled = max(status.st_mtime_ns, status.st_ctime_ns) < (read_at - SETTLED_AFTER) * 1e9
            with self._file_lock:
                if text != self._file_text or self._file_keys is None:
                    self._file_keys = jwt.PyJWKSet.from_json(text.decode("utf-8"))
                    self._file_text = text
                self._file_stat = _signature(status) if settled else None
                self._file_read_at = read_at
                return self._file_keys
        except Exception as exc:  # noqa: BLE001 - whatever stops the key set loading, nothing can be verified: deny
            raise Unauthenticated(
                f"The token cannot be verified now (key set unavailable: {type(exc).__name__})"
            ) from None

    def _unchanged_keyset(self) -> jwt.PyJWKSet | None:
        """The key set, if it is known unchanged without reading the file or fetching the URL."""
        if self._client is not None:
            cache = self._client.jwk_set_cache
            return cache.get() if cache is not None else None  # None once the five minutes are up
        try:
            status = os.stat(self.jwks)
        except OSError:
            return None  # ``principal`` reads it, and denies
        with self._file_lock:
            if (
                self._file_stat is None
                or _signature(status) != self._file_stat
                or self._clock() - self._file_read_at >= REREAD_AFTER
            ):
                return None
            return self._file_keys

    def remembered(self, token: str | None) -> Principal | None:
        """The principal of a token that verified before, if it is remembered and the key set is known
        unchanged, without blocking (no file read, no network: safe on an event loop).

        None means "ask ``principal``" (in a worker thread), never "refused": a token not remembered,
        a key set that changed or may have, or one that cannot be read right now.
        """
        if not token:
            return None
        keys = self._unchanged_keyset()
        if keys is None:
            return None
        return self._tokens.get(hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest(), keys)

    def _key(self, token: str, keys: jwt.PyJWKSet) -> tuple[str, Any]:
        """The token's algorithm and the key it names, checked to be of that algorithm's type."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("The bearer token is not a JWT") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise Unauthenticated(f"The token's algorithm {alg!r} is not accepted (RS256 or ES256 only)")
        jwk = self._jwk(token, header, keys)
        if jwk.key_type != _KEY_TYPES[alg] or jwk.algorithm_name != alg:
            raise Unauthenticated(
                f"The token says {alg} but names a {jwk.key_type} key for {jwk.algorithm_name}; "
                f"get a token signed with the key its kid names"
            )
        return alg, jwk.key

    def _jwk(self, token: str, header: dict[str, Any], keys: jwt.PyJWKSet) -> jwt.PyJWK:
        if self._client is not None:
            try:  # refetches the set when the kid is unknown (a new key): the next request sees it
                return self._client.get_signing_key_from_jwt(token)
            except Exception as exc:  # noqa: BLE001 - unknown key or set unavailable: deny
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
        keys = self._keyset()
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        cached = self._tokens.get(digest, keys)
        if cached is not None:
            return cached
        principal, expires = self._verify(token, keys)
        self._tokens.put(digest, keys, principal, expires)
        return principal

    def _verify(self, token: str, keys: jwt.PyJWKSet) -> tuple[Principal, float]:
        """The principal of a token verified in full, and the token's ``exp``."""
        alg, key = self._key(token, keys)
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
        return Principal(str(claims["sub"]), frozenset(granted), org), float(claims["exp"])


def _read_with_stat(path: str) -> tuple[bytes, os.stat_result]:
    """The file's bytes, and its ``stat`` taken on the open file before the read: the bytes are at
    least as new as the ``stat``, so a later ``stat`` equal to it means nothing was written since."""
    with Path(path).open("rb") as file:
        status = os.fstat(file.fileno())
        return file.read(), status


def _signature(status: os.stat_result) -> tuple[int, ...]:
    """What changes whenever a file is written, truncated, replaced or renamed over."""
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
