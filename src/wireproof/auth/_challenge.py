"""How an HTTP resource server tells a client what went wrong and how to authorize (RFC 6750, RFC 9728).

A refused request gets ``WWW-Authenticate: Bearer error=…, error_description=…, resource_metadata=…``
(no error code when no credential was sent, RFC 6750 §3.1). With OAuth, ``resource_metadata`` points
at the Protected Resource Metadata document, which names the authorization servers. MCP requires
that document to name at least one, so with API keys (no client can fetch a key by itself) there is
no document and the challenge points to none: the client is configured with its key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["BearerChallenge", "protected_resource_metadata"]


def _quoted(text: str) -> str:
    """Text safe inside an RFC 6750 quoted string: printable ASCII, quotes made single, no backslash."""
    cleaned = []
    for char in text:
        if char == '"':
            cleaned.append("'")
        elif 0x20 <= ord(char) <= 0x7E and char != "\\":
            cleaned.append(char)
    return "".join(cleaned)


@dataclass(frozen=True, slots=True)
class BearerChallenge:
    """The ``WWW-Authenticate`` values of one resource: where its metadata is, if anywhere."""

    metadata_url: str | None

    @classmethod
    def for_resource(cls, resource_url: str) -> BearerChallenge:
        """The challenge of the resource at ``resource_url``, its metadata at the RFC 9728 path."""
        return cls(metadata_url(resource_url))

    def header(self, error: str | None, description: str = "", scope: str | None = None) -> dict[str, str]:
        """``{"www-authenticate": …}``: no error code when no credential was sent (``error`` None)."""
        parts = [] if error is None else [f'error="{error}"', f'error_description="{_quoted(description)}"']
        if scope:
            parts.append(f'scope="{_quoted(scope)}"')
        if self.metadata_url:
            parts.append(f'resource_metadata="{self.metadata_url}"')
        return {"www-authenticate": ("Bearer " + ", ".join(parts)) if parts else "Bearer"}


def metadata_path(resource_url: str) -> str:
    """Where RFC 9728 §3.1 puts the metadata of ``resource_url``: the well-known prefix before its path."""
    return "/.well-known/oauth-protected-resource" + urlsplit(resource_url).path.rstrip("/")


def metadata_url(resource_url: str) -> str:
    parts = urlsplit(resource_url)
    return f"{parts.scheme}://{parts.netloc}{metadata_path(resource_url)}"


def protected_resource_metadata(
    resource_url: str, *, authorization_servers: Iterable[str], scopes: Iterable[str]
) -> dict[str, Any]:
    """The RFC 9728 document: the resource, its authorization servers (at least one, as MCP requires),
    how a bearer token is sent, and every scope a tool needs."""
    return {
        "resource": resource_url,
        "authorization_servers": list(authorization_servers),
        "bearer_methods_supported": ["header"],
        "scopes_supported": sorted(set(scopes)),
    }
