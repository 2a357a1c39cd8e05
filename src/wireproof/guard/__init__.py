"""The guard: a policy proxy serving a third-party MCP server's tools through wireproof's own pipeline.

``wireproof guard -- CMD ARGS...`` starts and supervises a stdio upstream (or ``--upstream URL``
reaches a Streamable HTTP one), lists its tools, keeps those the policy allows, and serves each as
a library ``Tool`` made from its tightened JSON Schema and a function that forwards the call.
"""

from wireproof.guard._answers import is_leaky
from wireproof.guard._guard import DEFAULT_READ_SCOPE, DEFAULT_WRITE_SCOPE, GuardedTools, guarded_connector
from wireproof.guard._pin import OLD_PIN_FORMAT, PinFile, definition_of
from wireproof.guard._policy import (
    FailureRule,
    GuardConfigError,
    GuardPolicy,
    ToolPolicy,
    load_policy,
    parse_policy,
)
from wireproof.guard._run import GuardOptions, default_store_url, serve_guard_http, serve_guard_stdio
from wireproof.guard._schema import tighten_schema
from wireproof.guard._upstream import Upstream, UpstreamSpec, UpstreamStartError

__all__ = [
    "DEFAULT_READ_SCOPE",
    "DEFAULT_WRITE_SCOPE",
    "OLD_PIN_FORMAT",
    "FailureRule",
    "GuardConfigError",
    "GuardOptions",
    "GuardPolicy",
    "GuardedTools",
    "PinFile",
    "ToolPolicy",
    "Upstream",
    "UpstreamSpec",
    "UpstreamStartError",
    "default_store_url",
    "definition_of",
    "guarded_connector",
    "is_leaky",
    "load_policy",
    "parse_policy",
    "serve_guard_http",
    "serve_guard_stdio",
    "tighten_schema",
]
