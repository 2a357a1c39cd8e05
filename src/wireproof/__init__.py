"""wireproof: MCP connectors that AI agents can drive unattended.

Declare typed tools on a ``Connector``; wireproof derives precise schemas,
validates every call at the boundary, and answers every failure with a typed
error written for a model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

from wireproof._version import __version__
from wireproof.errors import (
    AuthError,
    Conflict,
    FieldError,
    Forbidden,
    InsufficientScope,
    InternalError,
    InvalidInput,
    NotFound,
    RateLimited,
    TokenExpired,
    Unauthenticated,
    Unavailable,
    WireproofError,
    render_tool_error,
)

if TYPE_CHECKING:
    from wireproof.auth import LOCAL_OPERATOR, KeysFile, Principal, ScopePolicy
    from wireproof.connector import Connector
    from wireproof.paging import CursorCodec, Page
    from wireproof.perthread import PerThreadConnections
    from wireproof.schema import Examples, Format, Pattern, ToolDefinitionError
    from wireproof.tools import Arguments, Tool, ToolAnswer, ToolContext

__all__ = [
    "LOCAL_OPERATOR",
    "Arguments",
    "AuthError",
    "Conflict",
    "Connector",
    "CursorCodec",
    "Examples",
    "FieldError",
    "Forbidden",
    "Format",
    "InsufficientScope",
    "InternalError",
    "InvalidInput",
    "KeysFile",
    "NotFound",
    "Page",
    "Pattern",
    "PerThreadConnections",
    "Principal",
    "RateLimited",
    "ScopePolicy",
    "TokenExpired",
    "Tool",
    "ToolAnswer",
    "ToolContext",
    "ToolDefinitionError",
    "Unauthenticated",
    "Unavailable",
    "WireproofError",
    "__version__",
    "render_tool_error",
]

# The server side's names are imported when first used (PEP 562), not by ``import wireproof``: the
# checker (``wireproof.check``, ``wireproof check``) is a client and needs none of auth, JWT,
# telemetry or the connector, which cost it about 0.2 s of CPU per run.
_LAZY: Final = {
    "LOCAL_OPERATOR": "wireproof.auth",
    "KeysFile": "wireproof.auth",
    "Principal": "wireproof.auth",
    "ScopePolicy": "wireproof.auth",
    "Connector": "wireproof.connector",
    "CursorCodec": "wireproof.paging",
    "Page": "wireproof.paging",
    "PerThreadConnections": "wireproof.perthread",
    "Examples": "wireproof.schema",
    "Format": "wireproof.schema",
    "Pattern": "wireproof.schema",
    "ToolDefinitionError": "wireproof.schema",
    "Arguments": "wireproof.tools",
    "Tool": "wireproof.tools",
    "ToolAnswer": "wireproof.tools",
    "ToolContext": "wireproof.tools",
}
"""Each public name not imported above, and the module that defines it."""


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wireproof' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup finds it without this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
