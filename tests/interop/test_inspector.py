"""The official MCP Inspector CLI (@modelcontextprotocol/inspector ``--cli``) drives helpdesk over stdio
and Streamable HTTP, in both protocol eras it negotiates (legacy: 2025-11-25 ``initialize``; modern:
2026-07-28): what it lists and what its calls return must be helpdesk's real tools and real tickets.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from helpdesk.app import app
from tests.interop.support import HELPDESK_MCP, SEED, Helpdesk, NodeTools, query

INSPECTOR = "@modelcontextprotocol/inspector"
SERVER_INFO_META = "io.modelcontextprotocol/serverInfo"  # stamped on 2026-era results (spec #3002)
CURSOR_SECRET = "interop-tests-cursor-secret-0123456789"  # one key for every stdio server process
MISSING_TICKET = 999_999


@dataclass(frozen=True)
class Target:
    """How the Inspector reaches a helpdesk, and the SQLite file that helpdesk serves."""

    args: tuple[str, ...]
    db: Path


@dataclass(frozen=True)
class Inspector:
    """The Inspector CLI pointed at one target in one protocol era."""

    node_tools: NodeTools
    target: Target
    era: str
    workdir: Path

    def run(self, *method_args: str) -> subprocess.CompletedProcess[str]:
        """Run one ``--cli`` invocation with JSON output."""
        args = ["--cli", "--format", "json", "--protocol-era", self.era, *method_args, *self.target.args]
        return self.node_tools.run(INSPECTOR, args, cwd=self.workdir, timeout=60)

    def result(self, *method_args: str) -> dict[str, Any]:
        """The ``result`` object of a successful invocation."""
        done = self.run(*method_args)
        assert done.returncode == 0, f"exit {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
        result: dict[str, Any] = json.loads(done.stdout)["result"]
        return result

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """The result of ``tools/call``."""
        return self.result(
            *("--method", "tools/call", "--tool-name", tool, "--tool-args-json", json.dumps(arguments))
        )


@pytest.fixture(scope="module")
def stdio_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A helpdesk SQLite file seeded once, so every stdio server the Inspector starts serves the same."""
    db = tmp_path_factory.mktemp("helpdesk-stdio") / "helpdesk.db"
    subprocess.run(
        [str(HELPDESK_MCP), "--db", f"sqlite:///{db}", "--seed", str(SEED), "--seed-only"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return db


@pytest.fixture(params=["stdio", "http"])
def target(request: pytest.FixtureRequest, stdio_db: Path) -> Target:
    """helpdesk over stdio (a server process per Inspector run, without --keys-file: the local
    operator with every scope) or over Streamable HTTP (the session's server, --auth none)."""
    if request.param == "stdio":
        command = (str(HELPDESK_MCP), "--db", f"sqlite:///{stdio_db}")
        env = f"HELPDESK_CURSOR_SECRET={CURSOR_SECRET}"  # a cursor must outlive its server process
        return Target(("--transport", "stdio", "-e", env, "--", *command), stdio_db)
    server: Helpdesk = request.getfixturevalue("helpdesk_http")
    return Target(("--transport", "http", "--server-url", server.url), server.db)


@pytest.fixture(params=["legacy", "modern"])
def inspector(
    request: pytest.FixtureRequest, node_tools: NodeTools, target: Target, tmp_path: Path
) -> Inspector:
    return Inspector(node_tools, target, request.param, tmp_path)


def test_lists_every_helpdesk_tool_with_schema_and_annotations(inspector: Inspector) -> None:
    """tools/list shows the connector's tools in order, with their input schemas and hints."""
    tools = {tool["name"]: tool for tool in inspector.result("--method", "tools/list")["tools"]}
    assert list(tools) == list(app.tools)
    get_ticket = tools["get_ticket"]
    assert get_ticket["inputSchema"]["required"] == ["ticket_id"]
    assert get_ticket["inputSchema"]["properties"]["ticket_id"]["type"] == "integer"
    assert get_ticket["annotations"]["readOnlyHint"] is True
    assert tools["update_ticket_status"]["annotations"]["readOnlyHint"] is False
    assert "outputSchema" in tools["list_tickets_by_date"]


def test_get_ticket_returns_the_stored_ticket(inspector: Inspector) -> None:
    """A tools/call result carries the ticket as the database holds it, as structuredContent and as
    the same JSON in its text; in the modern era it carries the serverInfo stamp, so the era took."""
    result = inspector.call("get_ticket", {"ticket_id": 7})
    (row,) = query(
        inspector.target.db,
        "SELECT id, subject, status, priority, customer_email, org, opened_at FROM tickets WHERE id = 7",
    )
    ticket = result["structuredContent"]
    assert result.get("isError", False) is False
    assert {key: ticket[key] for key in ("id", "subject", "status", "priority", "customer_email")} == {
        key: row[key] for key in ("id", "subject", "status", "priority", "customer_email")
    }
    assert (ticket["organization"], ticket["opened_at"]) == (row["org"], row["opened_at"])
    assert json.loads(result["content"][0]["text"]) == ticket
    if inspector.era == "modern":
        assert result["_meta"][SERVER_INFO_META]["name"] == app.name
    else:
        assert SERVER_INFO_META not in result.get("_meta", {})


def test_list_tickets_by_date_pages_newest_first(inspector: Inspector) -> None:
    """Two pages of list_tickets_by_date, the second by the first's next_cursor, are the database's
    ten newest tickets in order."""
    window = {"start_date": "2000-01-01", "end_date": "2099-12-31", "limit": 5}
    newest = [
        row["id"]
        for row in query(
            inspector.target.db, "SELECT id FROM tickets ORDER BY opened_at DESC, id DESC LIMIT 10"
        )
    ]
    first = inspector.call("list_tickets_by_date", window)["structuredContent"]
    assert [item["id"] for item in first["items"]] == newest[:5]
    assert first["has_more"] is True
    assert all(item["subject"] and item["opened_at"] for item in first["items"])
    second = inspector.call("list_tickets_by_date", {**window, "cursor": first["next_cursor"]})
    assert [item["id"] for item in second["structuredContent"]["items"]] == newest[5:]


def test_a_tool_error_reaches_the_caller_with_its_message(inspector: Inspector) -> None:
    """get_ticket of a missing ticket: the caller sees isError and helpdesk's instructive message."""
    done = inspector.run(
        *("--method", "tools/call", "--tool-name", "get_ticket"),
        *("--tool-args-json", json.dumps({"ticket_id": MISSING_TICKET})),
    )
    assert "must have required property" not in done.stderr, done.stderr
    assert done.stdout.strip(), f"no result on stdout (exit {done.returncode}); stderr: {done.stderr}"
    result = json.loads(done.stdout)["result"]
    assert result["isError"] is True
    assert f"No ticket has ticket_id {MISSING_TICKET}" in result["content"][0]["text"]
    assert result["_meta"]["io.wireproof/error"]["type"] == "not_found"  # the typed error, for programs
