"""API keys for stdio (and HTTP with ``--auth keys``): a TOML keys file of SHA-256 hashes, never keys.

```toml
[[keys]]
sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"   # of the key, hex
principal = "support-bot"
scopes = ["tickets:read", "tickets:write"]
org = "acme"                        # optional
expires = 2027-01-01T00:00:00Z      # optional, a TOML date-time with its offset
```

A keys file that cannot be read or parsed, lists one hash twice, or can be written by anyone but
its owner refuses to load (the server does not start): fail closed. ``KeysFile(path).from_env(VAR)``
is the caller of a stdio server: the holder of the key in ``VAR``, named in every auth error.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from wireproof.auth._principal import Principal
from wireproof.errors import KeysFileError, TokenExpired, Unauthenticated

__all__ = ["ApiKey", "EnvironmentKey", "KeysFile", "KeysFileError", "hash_key"]


def hash_key(key: str) -> str:
    """The hex SHA-256 of an API key, as the keys file stores it."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One entry of a keys file: the key's hash, who holds it, and when it expires (epoch seconds)."""

    sha256: str
    principal: Principal
    expires: float | None

    def expiry(self) -> str:
        """The expiry as people read it: ``2026-05-01 00:00 UTC`` (seconds shown when not zero)."""
        if self.expires is None:
            return "never"
        moment = datetime.fromtimestamp(self.expires, UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC" if moment.second else "%Y-%m-%d %H:%M UTC")


class KeysFile:
    """The keys of a keys file, looked up by hash in constant time per entry."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._clock = clock
        try:
            _refuse_if_others_can_write(self.path)
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise KeysFileError(f"cannot read keys file {self.path}: {exc.strerror or exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise KeysFileError(f"keys file {self.path} is not valid TOML: {exc}") from exc
        entries = data.get("keys")
        if not isinstance(entries, list) or not entries:
            raise KeysFileError(f"keys file {self.path} has no [[keys]] entries")
        self.keys = [self._entry(i, e) for i, e in enumerate(entries, 1)]
        first: dict[str, int] = {}
        for number, entry in enumerate(self.keys, 1):
            earlier = first.setdefault(entry.sha256, number)
            if earlier != number:  # which one would win is a silent choice: refuse both
                raise KeysFileError(
                    f"keys file {self.path}: keys #{earlier} and #{number} have the same sha256; a key "
                    "must appear once: delete one entry (or re-hash the key that was hashed wrongly)"
                )
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
        """The principal of ``key`` (as sent over HTTP: ``Authorization: Bearer KEY``).

        Raises:
            Unauthenticated: no key, or a key not in the file.
            TokenExpired: the key is in the file but past its expiry.
        """
        if not key:
            raise Unauthenticated("No API key was sent; send it as Authorization: Bearer KEY")
        return self._check(key, "The API key")

    def from_env(self, variable: str, environ: Mapping[str, str] | None = None) -> EnvironmentKey:
        """The caller of a stdio server: whoever holds the key in the environment variable ``variable``
        (read now, from ``environ`` or ``os.environ``), checked on every request."""
        return EnvironmentKey(self, variable, (os.environ if environ is None else environ).get(variable))

    def _check(self, key: str, named: str) -> Principal:
        digest = hash_key(key)
        for entry in self.keys:
            if hmac.compare_digest(entry.sha256, digest):
                if entry.expires is not None and entry.expires <= self._clock():
                    raise TokenExpired(f"{named} expired on {entry.expiry()}; ask the operator for a new key")
                return entry.principal
        raise Unauthenticated(
            f"{named} is not a key this server knows; check its value, or ask the operator for a key"
        )


class EnvironmentKey:
    """The principal source of a stdio server: the key in one environment variable, against a keys file.

    Calling it returns the principal, or raises the auth error, asked on every request (so a key that
    expires while the server runs stops working); every message names the variable, so the operator
    knows which setting to fix.
    """

    def __init__(self, keys: KeysFile, variable: str, key: str | None) -> None:
        self.keys, self.variable, self._key = keys, variable, key

    def __call__(self) -> Principal:
        """The holder's principal.

        Raises:
            Unauthenticated: the variable is unset or empty, or holds a key not in the file.
            TokenExpired: the key is past its expiry.
        """
        if not self._key:
            raise Unauthenticated(
                f"{self.variable} is not set; start this server with {self.variable} set to your API key "
                "(ask the operator for one)"
            )
        return self.keys._check(self._key, self.variable)

    def __repr__(self) -> str:
        return f"EnvironmentKey({str(self.keys.path)!r}, {self.variable!r})"  # never the key


def _refuse_if_others_can_write(path: Path) -> None:
    """Anyone who can write the keys file can grant themselves every scope: only its owner may."""
    if os.name != "posix":  # mode bits mean nothing there; rely on the file's ACL
        return
    mode = path.stat().st_mode  # OSError (missing, unreadable) is reported by the caller
    loose = mode & (stat.S_IWGRP | stat.S_IWOTH)
    if loose:
        who = " and ".join(
            w for w, bit in (("its group", stat.S_IWGRP), ("everyone", stat.S_IWOTH)) if loose & bit
        )
        raise KeysFileError(
            f"keys file {path} can be written by {who} (mode {stat.S_IMODE(mode):o}), who could then grant "
            f"themselves any scope; make it writable by its owner only: chmod go-w {path}"
        )
