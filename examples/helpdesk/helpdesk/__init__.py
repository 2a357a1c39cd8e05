"""helpdesk: the wireproof reference connector, a support-ticket MCP server on a real database."""

from helpdesk.app import app
from helpdesk.db import Database, open_database

__all__ = ["Database", "app", "open_database"]
