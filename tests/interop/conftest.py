"""Fixtures for the interop tests: the pinned official MCP tooling, and one helpdesk HTTP server.

The tooling is installed by ``bash interop/setup.sh``; without it these tests fail (never skip), since
a suite that silently stops talking to the official clients proves nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.interop.support import (
    HELPDESK_MCP,
    NODE,
    SETUP_HINT,
    Helpdesk,
    NodeTools,
    installation_problem,
    serve_helpdesk_http,
)


@pytest.fixture(scope="session")
def node_tools(tmp_path_factory: pytest.TempPathFactory) -> NodeTools:
    """The pinned tooling, or a test failure that says how to install it."""
    problem = installation_problem()
    if problem is not None:
        pytest.fail(f"interop tooling is not installed or out of date ({problem}): {SETUP_HINT}")
    home = tmp_path_factory.mktemp("node-home")  # the Inspector keeps ~/.mcp-inspector: not the user's
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("npm_", "MCP_", "INSPECTOR_")) and key not in {"NODE_OPTIONS", "DEBUG"}
    }
    env.update(
        PATH=f"{NODE.parent}{os.pathsep}{env.get('PATH', os.defpath)}",
        HOME=str(home),
        NO_COLOR="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return NodeTools(node=NODE, env=env)


@pytest.fixture(scope="session")
def helpdesk_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Helpdesk]:
    """One helpdesk HTTP server with SEED demo tickets, shared by the interop tests (they only read)."""
    assert HELPDESK_MCP.is_file(), f"{HELPDESK_MCP} is missing: install the project into this virtualenv"
    with serve_helpdesk_http(tmp_path_factory.mktemp("helpdesk-http")) as server:
        yield server
