"""helpdesk: the wireproof reference connector, a support-ticket MCP server on a real database."""

from helpdesk.app import app
from helpdesk.db import Database

__all__ = ["Database", "app"]
