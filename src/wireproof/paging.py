"""Signed keyset cursors and the ``Page`` a list tool returns.

A cursor is opaque to the model and tamper-evident: ``base64url(payload).base64url(mac)``,
the MAC an HMAC-SHA256 under a server secret (several keys may be live, for rotation; the
key id travels in the payload). The payload binds the cursor to the tool, to a fingerprint
of the filter arguments and to the principal, and carries an expiry and the keyset position
(the sort values of the last item returned). A cursor that fails any check is an
``InvalidInput`` on the ``cursor`` field that says to restart the listing without it.

Filters and positions may hold what a tool's arguments convert to (``date``, ``datetime``,
``Enum``) besides JSON values; both are carried in their JSON form, so a position comes back
with dates as ISO strings, Enums as their values and tuples as lists.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Final, Generic, TypeVar

from pydantic import BaseModel, Field, PrivateAttr

from wireproof._fingerprint import fingerprint
from wireproof.errors import InvalidInput

__all__ = ["DEFAULT_CURSOR_TTL", "CursorCodec", "Page", "Paging"]

DEFAULT_CURSOR_TTL: Final = 3600.0
"""Seconds a cursor stays valid; an older one is refused (restart the listing)."""
_VERSION: Final = 1
_RESTART: Final = "restart the listing without cursor (the first page), then follow next_cursor"

ItemT = TypeVar("ItemT")


def _json_form(value: Any) -> Any:
    """A filter or position value as JSON: an ``Enum`` as its value, a ``date`` or ``datetime`` in ISO
    form, tuples as lists, mappings and lists member by member; other JSON values as they are.

    Tools pass their converted arguments (``date``, ``datetime``, ``Enum``) as filters; the cursor
    binds their JSON form, the same form the model passed them in.

    Raises:
        TypeError: a value with no JSON form (say what it means as a str, int, date or Enum instead).
    """
    if isinstance(value, enum.Enum):
        return _json_form(value.value)
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_form(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_form(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(
        f"a paging filter or position holds a {type(value).__name__}, which has no JSON form; pass str, int, "
        "float, bool, None, date, datetime, an Enum, or lists and dicts of these"
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Signs and checks cursors.

    keys (Mapping[str, bytes]): every live key by id; cursors verify under any of them.
    active (str): the id of the key new cursors are signed with.
    ttl (float): seconds a cursor stays valid.
    """

    def __init__(
        self,
        keys: Mapping[str, bytes] | None = None,
        *,
        active: str | None = None,
        ttl: float = DEFAULT_CURSOR_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keys = dict(keys) if keys else {"k0": secrets.token_bytes(32)}
        self.active = active or next(iter(self.keys))
        if self.active not in self.keys:
            raise ValueError(f"the active cursor key {self.active!r} is not among the keys")
        if any(len(k) < 16 for k in self.keys.values()):
            raise ValueError("cursor keys must be at least 16 bytes")
        self.ttl = ttl
        self._clock = clock

    @classmethod
    def from_secret(cls, secret: str, **options: Any) -> CursorCodec:
        """A codec from one text secret (for example an environment variable), at least 32 characters."""
        if len(secret) < 32:
            raise ValueError(
                "a cursor secret needs at least 32 characters (a short one can be guessed offline)"
            )
        return cls({"k0": hashlib.sha256(secret.encode()).digest()}, **options)

    def encode(self, *, tool: str, filters: Mapping[str, Any], principal: str, position: Any) -> str:
        """A signed cursor for ``position``, bound to the tool, the filters' fingerprint and the principal."""
        payload = {
            "v": _VERSION,
            "k": self.active,
            "t": tool,
            "f": fingerprint(_json_form(filters)),
            "p": principal,
            "x": round(self._clock() + self.ttl),
            "s": _json_form(position),
        }
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        mac = hmac.new(self.keys[self.active], body, hashlib.sha256).digest()
        return f"{_b64(body)}.{_b64(mac)}"

    def decode(self, cursor: str, *, tool: str, filters: Mapping[str, Any], principal: str) -> Any:
        """The position a valid cursor carries.

        Raises:
            InvalidInput: the cursor is malformed, tampered with, expired, or was issued for other
                filters, another tool or another principal.
        """
        try:
            body_text, mac_text = cursor.split(".")
            body, mac = _unb64(body_text), _unb64(mac_text)
            payload = json.loads(body)
            key = self.keys[payload["k"]]
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise _invalid(cursor, "is not a cursor this server issued") from None
        if not hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest(), mac):
            raise _invalid(cursor, "has been altered")
        if payload.get("v") != _VERSION or payload.get("t") != tool:
            raise _invalid(cursor, "belongs to another tool")
        if payload.get("p") != principal:
            raise _invalid(cursor, "was issued to another caller")
        if payload.get("f") != fingerprint(_json_form(filters)):
            raise _invalid(
                cursor, "was issued for other filter arguments; keep the filters of the first page"
            )
        if not isinstance(payload.get("x"), int) or payload["x"] < self._clock():
            raise _invalid(cursor, f"has expired (cursors last {self.ttl:g} s)")
        return payload.get("s")


def _invalid(cursor: str, problem: str) -> InvalidInput:
    return InvalidInput.field(
        "cursor", problem, expected=f"a next_cursor from this listing, or {_RESTART}", received=cursor
    )


class Paging:
    """A tool's view of the codec, bound to the tool and the caller (``ctx.paging``)."""

    def __init__(self, codec: CursorCodec, tool: str, principal: str) -> None:
        self.codec, self.tool, self.principal = codec, tool, principal

    def position(self, cursor: str | None, filters: Mapping[str, Any]) -> Any:
        """Where to continue: None for the first page, else the checked cursor's position (as JSON)."""
        if cursor is None:
            return None
        return self.codec.decode(cursor, tool=self.tool, filters=filters, principal=self.principal)

    def cursor(self, filters: Mapping[str, Any], position: Any) -> str:
        """A cursor that continues after ``position`` with the same ``filters``."""
        return self.codec.encode(tool=self.tool, filters=filters, principal=self.principal, position=position)


class Page(BaseModel, Generic[ItemT]):
    """One page of a listing: ``items``, ``has_more``, and ``next_cursor`` (absent on the last page)."""

    items: list[ItemT]
    has_more: bool = Field(description="True when more items match: call again with next_cursor.")
    next_cursor: str | None = Field(
        default=None, description="Pass as cursor to get the next page.", exclude_if=lambda v: v is None
    )
    note: str | None = Field(
        default=None,
        description="Why this page holds fewer items than asked, if it does.",
        exclude_if=lambda v: v is None,
    )
    _resume: tuple[Paging, Mapping[str, Any], list[Any]] | None = PrivateAttr(default=None)

    @classmethod
    def from_rows(
        cls,
        rows: list[Any],
        *,
        limit: int,
        item: Callable[[Any], ItemT],
        position: Callable[[Any], Any],
        paging: Paging,
        filters: Mapping[str, Any],
    ) -> Page[ItemT]:
        """A page from ``limit + 1`` rows fetched in keyset order: the extra row only says there is more.

        ``position(row)`` gives the row's sort values, which the next page continues after (they come
        back from ``ctx.paging.position`` as JSON: dates as ISO strings, tuples as lists). The
        positions of every item are kept, so the response budget can cut the page short and still
        hand out a cursor that continues exactly after the last item it kept.
        """
        if limit < 1:
            raise ValueError("a page holds at least one item")
        kept = rows[:limit]
        has_more = len(rows) > limit
        positions = [position(r) for r in kept]
        page = cls(
            items=[item(r) for r in kept],
            has_more=has_more,
            next_cursor=paging.cursor(filters, positions[-1]) if has_more and positions else None,
        )
        page._resume = (paging, dict(filters), positions)
        return page

    @property
    def can_be_cut(self) -> bool:
        """Whether ``cut`` can shorten this page: it was built with ``from_rows`` and holds items."""
        return self._resume is not None and bool(self.items)

    def cut(self, count: int, note: str) -> Page[ItemT]:
        """This page with only its first ``count`` items, a cursor after the last of them, and ``note``.

        Raises:
            ValueError: the page was not built with ``from_rows``, so no cursor can continue it.
        """
        if self._resume is None:
            raise ValueError("only a page built with Page.from_rows can be cut")
        if count < 1:
            raise ValueError("a cut page keeps at least one item")
        paging, filters, positions = self._resume
        page = type(self)(
            items=self.items[:count],
            has_more=True,
            next_cursor=paging.cursor(filters, positions[count - 1]) if count else self.next_cursor,
            note=note,
        )
        page._resume = (paging, filters, positions[:count])
        return page
