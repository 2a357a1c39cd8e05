"""Serving a connector: Streamable HTTP as an OAuth 2.1 resource server (stdio lives on ``Connector``)."""

from wireproof.serve._http import MAX_BODY_BYTES, http_app
from wireproof.serve._run import (
    DEFAULT_SHUTDOWN_TIMEOUT,
    LOOPBACK,
    HttpSettings,
    ServeConfigError,
    add_http_arguments,
    exit_after_serving,
    lock_timeout_for,
    serve_http,
)

__all__ = [
    "DEFAULT_SHUTDOWN_TIMEOUT",
    "LOOPBACK",
    "MAX_BODY_BYTES",
    "HttpSettings",
    "ServeConfigError",
    "add_http_arguments",
    "exit_after_serving",
    "http_app",
    "lock_timeout_for",
    "serve_http",
]
