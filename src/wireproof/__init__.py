"""wireproof: MCP connectors that AI agents can drive unattended.

Declare typed tools on a ``Connector``; wireproof derives precise schemas,
validates every call at the boundary, and answers every failure with a typed
error written for a model.
"""

from wireproof._version import __version__
from wireproof.auth import LOCAL_OPERATOR, KeysFile, Principal, ScopePolicy
from wireproof.connector import Connector
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
