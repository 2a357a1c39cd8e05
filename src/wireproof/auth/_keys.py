"""API keys for stdio (and HTTP with ``--auth keys``): a TOML keys file of SHA-256 hashes, never keys.

```toml
[[keys]]
sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"   # of the key, hex
principal = "support-bot"
scopes = ["tickets:read", "tickets:write"]
org = "acme"                        # optional
expires = 2027-01-01T00:00:00Z      # optional, a TOML date-time with its offset
```

A keys file that cannot be read or parsed refuses to load (the server does not start): fail closed.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from wireproof.auth._principal import Principal
from wireproof.errors import TokenExpired, Unauthenticated

__all__ = ["ApiKey", "KeysFile", "KeysFileError", "hash_key"]


class KeysFileError(ValueError):
    """The keys file is missing, unreadable or malformed; the message says where."""


def hash_key(key: str) -> str:
    """The hex SHA-256 of an API key, as the keys file stores it."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiKey:
    sha256: str
    principal: Principal
    expires: float | None


class KeysFile:
    """The keys of a keys file, looked up by hash in constant time per entry."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._clock = clock
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise KeysFileError(f"cannot read keys file {self.path}: {exc.strerror or exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise KeysFileError(f"keys file {self.path} is not valid TOML: {exc}") from exc
        entries = data.get("keys")
        if not isinstance(entries, list) or not entries:
            raise KeysFileError(f"keys file {self.path} has no [[keys]] entries")
        self.keys = [self._entry(i, e) for i, e in enumerate(entries, 1)]
        orgs: dict[str, str | None] = {}
        for entry in self.keys:
            seen = orgs.setdefault(entry.principal.id, entry.principal.org)
            if seen != entry.principal.org:
                raise KeysFileError(
                    f"keys file {self.path}: principal {entry.principal.id!r} appears with two organisations"
                )

    def _entry(self, number: int, entry: object) -> ApiKey:
        where = f"keys file {self.path}, key #{number}"
        if not isinstance(entry, dict):
            raise KeysFileError(f"{where}: must be a table")
        unknown = set(entry) - {"sha256", "principal", "scopes", "org", "expires"}
        if unknown:
            raise KeysFileError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        digest, principal, scopes = entry.get("sha256"), entry.get("principal"), entry.get("scopes", [])
        if (
            not isinstance(digest, str)
            or len(digest) != 64
            or any(c not in "0123456789abcdef" for c in digest)
        ):
            raise KeysFileError(
                f"{where}: sha256 must be 64 lowercase hex digits (the key's SHA-256, never the key)"
            )
        if not isinstance(principal, str) or not principal:
            raise KeysFileError(f"{where}: principal must be a non-empty string")
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise KeysFileError(f"{where}: scopes must be a list of strings")
        org = entry.get("org")
        if org is not None and (not isinstance(org, str) or not org.strip()):
            raise KeysFileError(
                f"{where}: org must be a non-empty string (omit it for a caller bound to no org)"
            )
        expires = entry.get("expires")
        if isinstance(expires, datetime):
            if expires.tzinfo is None:
                raise KeysFileError(
                    f"{where}: expires needs a time-zone offset, such as 2027-01-01T00:00:00Z"
                )
            expires_at: float | None = expires.timestamp()
        elif expires is None:
            expires_at = None
        else:
            raise KeysFileError(
                f"{where}: expires must be an RFC 3339 date-time such as 2027-01-01T00:00:00Z"
            )
        return ApiKey(digest, Principal(principal, frozenset(scopes), org), expires_at)

    def principal(self, key: str | None) -> Principal:
        """The principal of ``key``.

        Raises:
            Unauthenticated: no key, or a key not in the file.
            TokenExpired: the key is in the file but past its expiry.
        """
        if not key:
            raise Unauthenticated(
                "No API key was given (stdio: set it in the server's environment; HTTP: send Authorization: Bearer KEY)"
            )
        digest = hash_key(key)
        for entry in self.keys:
            if hmac.compare_digest(entry.sha256, digest):
                if entry.expires is not None and entry.expires <= self._clock():
                    raise TokenExpired("The API key has expired; ask for a new one")
                return entry.principal
        raise Unauthenticated("The API key is not recognised")
