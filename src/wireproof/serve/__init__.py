"""Serving a connector: Streamable HTTP as an OAuth 2.1 resource server (stdio lives on ``Connector``)."""

from wireproof.serve._http import MAX_BODY_BYTES, http_app

__all__ = ["MAX_BODY_BYTES", "http_app"]
