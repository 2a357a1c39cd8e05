"""Least privilege that fails closed: scopes per tool, principals, API keys, organisations, audit."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel

from helpdesk import app
from helpdesk.db import Database
from wireproof import (
    LOCAL_OPERATOR,
    AuthError,
    Connector,
    KeysFile,
    Principal,
    TokenExpired,
    ToolDefinitionError,
    Unauthenticated,
)
from wireproof.auth import KeysFileError, hash_key
from wireproof.connector import AUTH_REQUIRED_CODE
from wireproof.idempotency import IdempotencyStore

pytestmark = pytest.mark.anyio

READER = Principal("reader", frozenset({"tickets:read", "notes:read"}))
WRITER = Principal("writer", frozenset({"tickets:write"}))
ACME = Principal("acme-agent", frozenset({"tickets:read"}), org="acme")
WRITE_TOOLS = {"create_status_note", "add_ticket_comment", "update_ticket_status"}


class Out(BaseModel):
    ok: bool


def test_a_tool_without_scopes_is_refused_unless_public() -> None:
    c: Connector[None] = Connector("x")

    async def lookup() -> Out:
        """Look something up."""
        return Out(ok=True)

    with pytest.raises(ToolDefinitionError, match="declare the scopes it needs"):
        c.read()(lookup)
    c.read(public=True)(lookup)


async def served(database: Database, store: IdempotencyStore, principal: Any) -> Client:
    return Client(app.server(database, store=store, principal=principal))


async def test_tools_list_shows_only_what_the_scopes_permit(
    database: Database, store: IdempotencyStore
) -> None:
    async with await served(database, store, READER) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert names == set(app.tools) - WRITE_TOOLS


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (Unauthenticated("MY_API_KEY is not set; start this server with it"), "unauthenticated"),
        (
            TokenExpired("MY_API_KEY expired on 2026-05-01 00:00 UTC; ask the operator for a new key"),
            "token_expired",
        ),
    ],
)
async def test_tools_list_for_a_failed_credential_is_a_json_rpc_error_never_an_empty_list(
    database: Database, store: IdempotencyStore, error: AuthError, code: str
) -> None:
    async with await served(database, store, error) as client:
        with pytest.raises(MCPError) as caught:
            await client.list_tools()
    assert caught.value.code == AUTH_REQUIRED_CODE
    assert not -32768 <= caught.value.code <= -32000  # outside JSON-RPC's reserved range, as MCP asks
    assert caught.value.message.startswith(error.message)
    assert "Stop:" in caught.value.message
    assert caught.value.data["io.wireproof/error"]["code"] == code


async def test_calling_outside_the_scopes_is_a_loud_insufficient_scope_error(
    database: Database, store: IdempotencyStore
) -> None:
    async with await served(database, store, READER) as client:
        result = await client.call_tool("add_ticket_comment", {"ticket_id": 1, "body": "hi"})
    error = result.meta["io.wireproof/error"]
    assert (error["type"], error["code"], error["retryable"]) == ("auth", "insufficient_scope", False)
    assert error["required_scopes"] == ["tickets:write"]
    text = result.content[0].text  # type: ignore[union-attr]
    assert "needs scope tickets:write; the caller has notes:read, tickets:read" in text
    assert text.splitlines()[-1].startswith("Stop:")
    assert database.reader().one("SELECT count(*) AS n FROM ticket_comments")["n"] == 0  # type: ignore[index]


async def test_a_declared_hierarchy_lets_write_imply_read(
    database: Database, store: IdempotencyStore
) -> None:
    async with await served(database, store, WRITER) as client:
        result = await client.call_tool("get_ticket", {"ticket_id": 1})
        notes = await client.call_tool("get_status_note", {"week": "2026-W01"})
    assert result.is_error is False
    assert (
        notes.meta["io.wireproof/error"]["code"] == "insufficient_scope"
    )  # tickets:write does not imply notes


async def test_an_unauthenticated_caller_gets_a_typed_auth_error_and_no_data(
    database: Database, store: IdempotencyStore
) -> None:
    async with await served(database, store, Unauthenticated("The API key is not recognised")) as client:
        result = await client.call_tool(
            "list_tickets_by_date", {"start_date": "2000-01-01", "end_date": "2100-01-01"}
        )
    assert result.is_error is True
    assert result.meta["io.wireproof/error"]["code"] == "unauthenticated"
    assert "items" not in json.dumps(result.structured_content)


async def test_an_organisation_bound_caller_never_sees_another_organisations_tickets(
    database: Database, store: IdempotencyStore
) -> None:
    everything = {"start_date": "2000-01-01", "end_date": "2100-01-01", "limit": 100}
    other = database.reader().one("SELECT id FROM tickets WHERE org <> 'acme' LIMIT 1")
    assert other is not None
    async with await served(database, store, ACME) as client:
        seen: set[int] = set()
        cursor = None
        while True:
            page = (
                await client.call_tool(
                    "list_tickets_by_date", {**everything, **({"cursor": cursor} if cursor else {})}
                )
            ).structured_content
            seen |= {t["id"] for t in page["items"]}
            if not page["has_more"]:
                break
            cursor = page["next_cursor"]
        found = (await client.call_tool("search_tickets", {"text": "the", "limit": 100})).structured_content
        hidden = await client.call_tool("get_ticket", {"ticket_id": other["id"]})
        comments = await client.call_tool("list_ticket_comments", {"ticket_id": other["id"]})
    acme = {r["id"] for r in database.reader().all("SELECT id FROM tickets WHERE org = 'acme'")}
    assert seen == acme
    assert {t["id"] for t in found["items"]} <= acme
    assert hidden.meta["io.wireproof/error"]["type"] == "not_found"
    assert comments.meta["io.wireproof/error"]["type"] == "not_found"


async def test_idempotency_keys_and_cursors_belong_to_their_principal(
    database: Database, store: IdempotencyStore
) -> None:
    alice = Principal("alice", frozenset({"tickets:write"}))
    bob = Principal("bob", frozenset({"tickets:write"}))
    arguments = {"ticket_id": 3, "body": "same key", "idempotency_key": "shared"}
    async with await served(database, store, alice) as client:
        first = await client.call_tool("add_ticket_comment", arguments)
        page = (
            await client.call_tool(
                "list_tickets_by_date", {"start_date": "2000-01-01", "end_date": "2100-01-01", "limit": 2}
            )
        ).structured_content
    async with await served(database, store, bob) as client:
        second = await client.call_tool("add_ticket_comment", arguments)
        stolen = await client.call_tool(
            "list_tickets_by_date",
            {"start_date": "2000-01-01", "end_date": "2100-01-01", "limit": 2, "cursor": page["next_cursor"]},
        )
    assert second.structured_content["id"] != first.structured_content["id"]  # bob's key is bob's own
    assert not (second.meta or {}).get("io.wireproof/replayed")
    assert "another caller" in stolen.meta["io.wireproof/error"]["fields"][0]["problem"]


async def test_status_notes_are_refused_to_an_organisation_bound_caller(
    database: Database, store: IdempotencyStore
) -> None:
    bound = Principal("acme-bot", frozenset({"notes:write"}), org="acme")
    async with Client(app.server(database, store=store, principal=bound)) as client:
        write = await client.call_tool("create_status_note", {"week": "2026-W10", "body": "x"})
        read = await client.call_tool("get_status_note", {"week": "2026-W10"})
    assert write.meta["io.wireproof/error"]["code"] == "forbidden"
    assert read.meta["io.wireproof/error"]["code"] == "forbidden"


async def test_the_same_principal_id_in_two_organisations_shares_no_idempotency_record(
    database: Database, store: IdempotencyStore
) -> None:
    arguments = {"ticket_id": 0, "body": "hello", "idempotency_key": "k"}
    results = []
    for org in ("acme", "globex"):
        ticket = database.reader().one("SELECT id FROM tickets WHERE org = ? LIMIT 1", [org])
        assert ticket is not None
        caller = Principal("same-sub", frozenset({"tickets:write"}), org=org)
        async with Client(app.server(database, store=store, principal=caller)) as client:
            results.append(
                await client.call_tool("add_ticket_comment", {**arguments, "ticket_id": ticket["id"]})
            )
    assert all(r.is_error is False for r in results)
    assert not (results[1].meta or {}).get("io.wireproof/replayed")


async def test_every_call_leaves_one_audit_line_without_argument_values(
    database: Database, store: IdempotencyStore, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="wireproof.audit"):
        async with await served(database, store, READER) as client:
            await client.call_tool("search_tickets", {"text": "secret-needle"})
            await client.call_tool("add_ticket_comment", {"ticket_id": 1, "body": "x"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "wireproof.audit"]
    assert [(line["tool"], line["outcome"], line["principal"]) for line in lines] == [
        ("search_tickets", "ok", "reader"),
        ("add_ticket_comment", "auth", "reader"),
    ]
    assert all(len(line["arguments_fingerprint"]) == 64 and line["correlation_id"] for line in lines)
    assert "secret-needle" not in caplog.text


# -- API keys over stdio ------------------------------------------------------------------------------


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys.toml"
    path.write_text(
        f"""
[[keys]]
sha256 = "{hash_key("reader-key")}"
principal = "reader"
scopes = ["tickets:read"]

[[keys]]
sha256 = "{hash_key("old-key")}"
principal = "old"
scopes = ["tickets:read", "tickets:write"]
expires = 2020-01-01T00:00:00Z
"""
    )
    return path


def test_a_keys_file_resolves_keys_and_refuses_missing_unknown_and_expired_ones(keys_file: Path) -> None:
    keys = KeysFile(keys_file)
    assert keys.principal("reader-key").id == "reader"
    for key, code in ((None, "unauthenticated"), ("nope", "unauthenticated"), ("old-key", "token_expired")):
        with pytest.raises(Exception) as caught:  # noqa: PT011 - the code attribute is what is checked
            keys.principal(key)
        assert caught.value.code == code  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "has no [[keys]] entries"),
        ("[[keys]]\nsha256 = 'abc'\nprincipal = 'p'\n", "sha256 must be 64 lowercase hex digits"),
        ("[[keys]]\nkey = 'plaintext'\n", "unknown field(s) key"),
        ("not toml [", "is not valid TOML"),
    ],
)
def test_a_malformed_keys_file_fails_closed(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(content)
    with pytest.raises(
        KeysFileError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
    ):
        KeysFile(path)
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", "--keys-file", str(path), "--db", str(tmp_path / "h.db")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_a_keys_file_that_lists_one_hash_twice_is_refused_naming_both_entries(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(
        "".join(
            f'[[keys]]\nsha256 = "{hash_key(key)}"\nprincipal = "{who}"\nscopes = {scopes}\n'
            for key, who, scopes in (
                ("k", "reader", '["a"]'),
                ("other", "x", "[]"),
                ("k", "admin", '["a", "b"]'),
            )
        )
    )
    path.chmod(0o600)
    with pytest.raises(KeysFileError, match=r"keys #1 and #3 have the same sha256; a key must appear once"):
        KeysFile(path)


@pytest.mark.parametrize(
    ("mode", "who"), [(0o620, "its group"), (0o602, "everyone"), (0o666, "its group and everyone")]
)
def test_a_keys_file_others_can_write_is_refused_with_the_chmod_that_fixes_it(
    tmp_path: Path, mode: int, who: str
) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(f'[[keys]]\nsha256 = "{hash_key("k")}"\nprincipal = "p"\n')
    path.chmod(mode)
    with pytest.raises(KeysFileError) as caught:
        KeysFile(path)
    assert f"can be written by {who} (mode {mode:o})" in str(caught.value)
    assert f"chmod go-w {path}" in str(caught.value)
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", "--keys-file", str(path), "--db", str(tmp_path / "h.db")],
        env={**os.environ, "HELPDESK_API_KEY": "k"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "chmod go-w" in done.stderr
    path.chmod(0o640)  # readable by the group is fine: only writing grants scopes
    assert KeysFile(path).principal("k").id == "p"


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ('org = ""', "org must be a non-empty string"),
        ("expires = 2027-01-01T00:00:00", "needs a time-zone offset"),
    ],
)
def test_keys_file_entries_that_would_weaken_scoping_are_refused(
    tmp_path: Path, entries: str, message: str
) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(
        f'[[keys]]\nsha256 = "{hash_key("k")}"\nprincipal = "p"\nscopes = ["tickets:read"]\n{entries}\n'
    )
    with pytest.raises(KeysFileError, match=message):
        KeysFile(path)


def test_one_principal_name_in_two_organisations_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(
        "".join(
            f'[[keys]]\nsha256 = "{hash_key(k)}"\nprincipal = "bot"\norg = "{o}"\n'
            for k, o in (("a", "acme"), ("b", "globex"))
        )
    )
    with pytest.raises(KeysFileError, match="two organisations"):
        KeysFile(path)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Path]:
    db = tmp_path / "h.db"
    subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", "--db", str(db), "--seed", "40", "--seed-only"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return db


def _env_with_key(api_key: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "HELPDESK_API_KEY"}
    if api_key is not None:
        env["HELPDESK_API_KEY"] = api_key
    return env


@pytest.mark.parametrize(
    ("api_key", "message"),
    [
        (None, "HELPDESK_API_KEY is not set; start this server with HELPDESK_API_KEY set to your API key"),
        (
            "wrong-key",
            "HELPDESK_API_KEY is not a key this server knows; check its value, or ask the operator",
        ),
        ("old-key", "HELPDESK_API_KEY expired on 2020-01-01 00:00 UTC; ask the operator for a new key"),
    ],
)
def test_a_stdio_key_unset_unknown_or_expired_at_start_refuses_to_start_naming_the_variable(
    seeded: Path, keys_file: Path, api_key: str | None, message: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", "--db", str(seeded), "--keys-file", str(keys_file)],
        env=_env_with_key(api_key),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert api_key is None or api_key not in done.stderr


async def test_a_stdio_key_without_a_scope_gets_a_typed_insufficient_scope_error_and_no_effect(
    seeded: Path, keys_file: Path, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    params = StdioServerParameters(
        command=sys.executable,
        env=_env_with_key("reader-key"),
        args=[
            "-m",
            "helpdesk.cli",
            "--db",
            str(seeded),
            "--keys-file",
            str(keys_file),
            "--audit-log",
            str(audit),
        ],
    )
    async with Client(params, read_timeout_seconds=60) as client:
        result = await client.call_tool("add_ticket_comment", {"ticket_id": 1, "body": "x"})
    assert result.is_error is True
    assert result.meta["io.wireproof/error"]["code"] == "insufficient_scope"
    assert json.loads(audit.read_text().splitlines()[-1])["outcome"] == "auth"
    assert "reader-key" not in audit.read_text()


async def test_a_valid_stdio_key_gets_its_data(seeded: Path, keys_file: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        env={**os.environ, "HELPDESK_API_KEY": "reader-key"},
        args=["-m", "helpdesk.cli", "--db", str(seeded), "--keys-file", str(keys_file)],
    )
    async with Client(params, read_timeout_seconds=60) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        result = await client.call_tool("get_ticket", {"ticket_id": 1})
    assert result.is_error is False
    assert names == {"list_tickets_by_date", "get_ticket", "search_tickets", "list_ticket_comments"}


def test_http_refuses_to_start_without_an_auth_mode_or_with_none_off_loopback(tmp_path: Path) -> None:
    for args, message in (
        (["--transport", "http"], "needs --auth jwt, --auth keys"),
        (["--transport", "http", "--auth", "none", "--host", "0.0.0.0"], "allowed on loopback only"),
        (["--transport", "http", "--auth", "jwt"], "needs --jwks"),
        (["--transport", "http", "--auth", "keys"], "needs --keys-file"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "helpdesk.cli", "--db", str(tmp_path / "h.db"), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, args
        assert message in done.stderr


def test_a_read_tool_that_tried_to_write_would_fail(database: Database) -> None:
    """Least privilege at the data layer: a (test-only) read tool on the read-only connection cannot write."""
    import anyio

    rogue: Connector[Database] = Connector("rogue")

    @rogue.read(scopes={"tickets:read"})
    def sneaky_delete(ctx: Any) -> Out:
        """Pretend to read, try to delete."""
        ctx.state.reader().run("DELETE FROM tickets")
        return Out(ok=True)

    async def call() -> Any:
        async with Client(rogue.server(database, principal=LOCAL_OPERATOR)) as client:
            return await client.call_tool("sneaky_delete", {})

    result = anyio.run(call)
    assert result.meta["io.wireproof/error"]["type"] == "internal"
    assert database.ticket_count() > 0


def test_a_verifier_that_cannot_load_its_keys_denies(tmp_path: Path) -> None:
    from wireproof.auth import JwtVerifier

    verifier = JwtVerifier(str(tmp_path / "missing-jwks.json"), issuer="https://a.example", audience="x")
    import jwt as pyjwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bearer = pyjwt.encode(
        {"sub": "a", "iss": "https://a.example", "aud": "x", "exp": 9_999_999_999}, key, algorithm="RS256"
    )
    with pytest.raises(Unauthenticated, match="cannot be verified now"):
        verifier.principal(bearer)
