"""``wireproof check``: prove or disprove, from the outside, that an MCP server is fit to be a connector.

The checker is a client of any server; it never imports the connector's internals.
"""

from wireproof.check.client import CheckTargetError, Target, target_from_mcp_config
from wireproof.check.config import AuthCase, CheckConfigError, CheckOptions, Observer, SetupCall, load_config
from wireproof.check.model import Evidence, Finding, Report
from wireproof.check.runner import run_check

__all__ = [
    "AuthCase",
    "CheckConfigError",
    "CheckOptions",
    "CheckTargetError",
    "Evidence",
    "Finding",
    "Observer",
    "Report",
    "SetupCall",
    "Target",
    "load_config",
    "run_check",
    "target_from_mcp_config",
]
