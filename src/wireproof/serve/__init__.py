"""Serving a connector as a program: ``serve()`` over stdio or Streamable HTTP, in one call.

``serve(connector, state, transport="stdio", principal=...)`` or ``transport="http",
settings=HttpSettings(...)``: settings checked before anything listens, the cursor secret, the
idempotency store on the connector's own database, a drained shutdown and the exit code.
``http_app`` is the ASGI app alone, for mounting under another server.
"""

from wireproof.errors import ServeConfigError
from wireproof.serve._http import MAX_BODY_BYTES, http_app
from wireproof.serve._middleware import INSUFFICIENT_SCOPE_CODE
from wireproof.serve._run import (
    DEFAULT_SHUTDOWN_TIMEOUT,
    LOOPBACK,
    HttpSettings,
    add_http_arguments,
    lock_timeout_for,
    serve_http,
)
from wireproof.serve._serve import (
    CURSOR_SECRET_ENV,
    EXIT_CANNOT_START,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Transport,
    add_serve_arguments,
    serve,
    stdio_principal,
)

__all__ = [
    "CURSOR_SECRET_ENV",
    "DEFAULT_SHUTDOWN_TIMEOUT",
    "EXIT_CANNOT_START",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "INSUFFICIENT_SCOPE_CODE",
    "LOOPBACK",
    "MAX_BODY_BYTES",
    "HttpSettings",
    "ServeConfigError",
    "Transport",
    "add_http_arguments",
    "add_serve_arguments",
    "http_app",
    "lock_timeout_for",
    "serve",
    "serve_http",
    "stdio_principal",
]
