"""Who is calling, and what they may do: principals, scopes and scope hierarchies."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from wireproof.errors import InsufficientScope

__all__ = ["LOCAL_OPERATOR", "Principal", "ScopePolicy"]


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller.

    id (str): A stable identifier (a user, a service account); idempotency keys and cursors are
        bound to it.
    scopes (frozenset[str]): What it was granted, before any implications.
    org (str | None): The organisation whose data it may see, where the connector scopes data so.
    """

    id: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    org: str | None = None
    all_scopes: bool = False
    """Only for ``LOCAL_OPERATOR``, the operator of an unauthenticated server: no credential grants it."""

    @property
    def key(self) -> str:
        """An opaque, unambiguous identity for binding idempotency keys and cursors: id and org."""
        return _binding_key(self.id, self.org)


@functools.lru_cache(maxsize=4096)
def _binding_key(principal_id: str, org: str | None) -> str:
    """``Principal.key``, computed once per caller: every call that takes a context asks for it."""
    return hashlib.sha256(json.dumps([principal_id, org]).encode()).hexdigest()[:32]


LOCAL_OPERATOR = Principal("local-operator", all_scopes=True)
"""The operator who started an unauthenticated server, with every scope. Never a default: pass it
as ``principal=LOCAL_OPERATOR`` to serve every caller so, and the connector says so on stderr."""


@dataclass(frozen=True, slots=True)
class ScopePolicy:
    """Which scopes imply which: ``{"tickets:write": {"tickets:read"}}`` only if the connector says so."""

    implies: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, implies: Mapping[str, Iterable[str]]) -> ScopePolicy:
        """A policy from a plain mapping: ``ScopePolicy.of({"tickets:write": {"tickets:read"}})``."""
        return cls({k: frozenset(v) for k, v in implies.items()})

    def expand(self, scopes: Iterable[str]) -> frozenset[str]:
        """``scopes`` with everything they imply, transitively."""
        result: set[str] = set()
        pending = list(scopes)
        while pending:
            scope = pending.pop()
            if scope not in result:
                result.add(scope)
                pending.extend(self.implies.get(scope, ()))
        return frozenset(result)

    def missing(self, principal: Principal, required: Iterable[str]) -> frozenset[str]:
        """The required scopes the principal lacks (none for the local operator of an unauthenticated server)."""
        if principal.all_scopes:
            return frozenset()
        return frozenset(required) - self.expand(principal.scopes)

    def refusal(self, principal: Principal, required: frozenset[str]) -> InsufficientScope | None:
        """The error for a call outside the principal's scopes, naming every scope it needs, or None.

        The one wording of the refusal, whether the connector answers it (an ``isError`` result)
        or the HTTP layer does (``403 insufficient_scope``)."""
        if not self.missing(principal, required):
            return None
        held = ", ".join(sorted(principal.scopes)) or "no scopes"
        return InsufficientScope(
            f"This call needs scope {', '.join(sorted(required))}; the caller has {held}", required=required
        )
