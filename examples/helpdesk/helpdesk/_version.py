"""The helpdesk connector's version, in one place (its package metadata and its MCP serverInfo)."""

__version__ = "0.1.0"
