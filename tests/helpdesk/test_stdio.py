"""helpdesk-mcp as a real stdio subprocess, driven by the official mcp client in both protocol eras."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

from wireproof.auth import hash_key
from wireproof.connector import AUTH_REQUIRED_CODE

pytestmark = pytest.mark.anyio


def _params(db: Path, *extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "helpdesk.cli", "--db", f"sqlite:///{db}", "--log-level", "INFO", *extra],
    )


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_stdio_server_lists_calls_and_rejects(tmp_path: Path, mode: str) -> None:
    db = tmp_path / "h.db"
    with anyio.fail_after(60):
        async with Client(_params(db, "--seed", "50"), mode=mode) as client:
            names = [t.name for t in (await client.list_tools()).tools]
            assert names[:3] == ["list_tickets_by_date", "get_ticket", "search_tickets"]
            ok = await client.call_tool("get_ticket", {"ticket_id": 50})
            assert ok.is_error is False
            assert ok.structured_content["id"] == 50
            bad = await client.call_tool(
                "list_tickets_by_date", {"start_date": "2026-13-01", "end_date": "x"}
            )
            assert bad.is_error is True
            assert [f["field"] for f in bad.meta["io.wireproof/error"]["fields"]] == [
                "start_date",
                "end_date",
            ]
            with pytest.raises(MCPError) as caught:
                await client.call_tool("get_tickets", {})
            assert caught.value.code == -32602
            assert "get_ticket" in caught.value.message


async def test_internal_error_is_masked_and_its_correlation_id_is_in_the_server_log(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    log = tmp_path / "stderr.log"
    with log.open("w") as errlog, anyio.fail_after(60):
        async with Client(stdio_client(_params(db, "--seed", "5"), errlog=errlog)) as client:
            assert (await client.call_tool("get_ticket", {"ticket_id": 1})).is_error is False
            with sqlite3.connect(db) as writer:
                writer.execute("ALTER TABLE tickets RENAME TO moved")
            result = await client.call_tool("get_ticket", {"ticket_id": 1})
    error = result.meta["io.wireproof/error"]
    assert error["type"] == "internal"
    assert "moved" not in result.content[0].text  # type: ignore[union-attr]
    server_log = log.read_text()
    assert re.search(rf"internal error in tool get_ticket \[{error['correlation_id']}\]", server_log)
    assert "no such table: tickets" in server_log


def test_seed_only_is_deterministic_and_does_not_reseed(tmp_path: Path) -> None:
    def seed(db: Path) -> str:
        subprocess.run(
            [sys.executable, "-m", "helpdesk.cli", "--db", str(db), "--seed", "30", "--seed-only"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        with sqlite3.connect(db) as conn:
            return repr(conn.execute("SELECT * FROM tickets ORDER BY id").fetchall())

    first = seed(tmp_path / "a.db")
    assert first == seed(tmp_path / "b.db")
    assert seed(tmp_path / "a.db") == first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db", "postgresql://nobody@127.0.0.1:1/none"], "cannot open the database"),
        (["--db", "mysql://x/y"], "unsupported database URL scheme"),
        (["--seed", "-3"], "--seed takes a count of 0 or more"),
    ],
)
def test_bad_command_lines_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


async def test_a_key_that_expires_while_serving_makes_tools_list_a_loud_error_naming_the_variable(
    tmp_path: Path,
) -> None:
    """Over a real stdio process: the key works, then expires; tools/list is then a JSON-RPC error
    that names HELPDESK_API_KEY and the expiry, never an empty list; tools/call stays typed ``auth``."""
    db = tmp_path / "h.db"
    keys = tmp_path / "keys.toml"
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=10)  # past any slow start
    keys.write_text(
        f'[[keys]]\nsha256 = "{hash_key("soon")}"\nprincipal = "agent"\nscopes = ["tickets:read"]\n'
        f"expires = {expires.isoformat().replace('+00:00', 'Z')}\n"
    )
    keys.chmod(0o600)
    env = {**os.environ, "HELPDESK_API_KEY": "soon"}
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "helpdesk.cli", "--db", f"sqlite:///{db}", "--seed", "5", "--keys-file", str(keys)],
        env=env,
    )
    with anyio.fail_after(60):
        async with Client(params) as client:
            assert "get_ticket" in {t.name for t in (await client.list_tools()).tools}
            await anyio.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.5)
            with pytest.raises(MCPError) as caught:
                await client.list_tools()
            called = await client.call_tool("get_ticket", {"ticket_id": 1})
    assert caught.value.code == AUTH_REQUIRED_CODE
    when = expires.strftime("%Y-%m-%d %H:%M:%S UTC" if expires.second else "%Y-%m-%d %H:%M UTC")
    assert caught.value.message.startswith(
        f"HELPDESK_API_KEY expired on {when}; ask the operator for a new key"
    )
    assert called.is_error is True
    assert called.meta["io.wireproof/error"]["code"] == "token_expired"
    assert "structured_content" not in called.model_dump(exclude_none=True)


def test_a_stdio_server_without_a_keys_file_says_it_serves_the_local_operator(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", "--db", str(tmp_path / "h.db")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0  # stdin closed at once: served, then done
    assert "every caller is served as the local operator 'local-operator', with every scope" in done.stderr
