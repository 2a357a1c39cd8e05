"""docs/guide.md's connector works as the guide says: its files, copied out of the page into an
empty folder, serve over the official client in memory, pass their own tests, and pass
``wireproof check`` over stdio with no error finding (and none at all)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import pytest
from mcp import Client

from wireproof import LOCAL_OPERATOR
from wireproof.auth import KeysFile

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide.md"
FILE_BLOCK = re.compile(r"^```\w+ file=(\S+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
ADA = {"email": "ada@example.com", "name": "Ada Lovelace", "company": "Analytical Engines"}


def guide_files() -> dict[str, str]:
    """Each file the guide shows, its blocks joined in the order the page shows them."""
    files: dict[str, str] = {}
    for name, text in FILE_BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        files[name] = files.get(name, "") + text
    return files


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder holding only the guide's files."""
    for name, text in guide_files().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.fixture
def crm(folder: Path) -> Iterator[ModuleType]:
    """The guide's ``crm.py``, imported from that folder."""
    spec = importlib.util.spec_from_file_location("guide_crm", folder / "crm.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["guide_crm"] = module  # pydantic resolves the models' annotations through it
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["guide_crm"]


def _run(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=folder,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _make_key(folder: Path, principal: str, *scopes: str) -> str:
    done = _run(folder, "make_key.py", principal, *scopes)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_guide_shows_the_whole_connector_in_four_files() -> None:
    files = guide_files()
    assert sorted(files) == ["crm.py", "make_key.py", "test_crm.py", "wireproof.toml"]
    assert files["crm.py"].count("@app.") == 5


@pytest.mark.anyio
async def test_the_guides_connector_answers_over_the_official_client_as_the_guide_says(
    crm: ModuleType, folder: Path
) -> None:
    from wireproof.idempotency import SqliteIdempotencyStore

    state = crm.Crm(folder / "crm.db")
    store = SqliteIdempotencyStore(state.path)
    try:
        with anyio.fail_after(60):
            async with Client(crm.app.server(state, principal=LOCAL_OPERATOR, store=store)) as client:
                tools = {tool.name: tool for tool in (await client.list_tools()).tools}
                assert list(tools) == [
                    "list_contacts",
                    "get_contact",
                    "save_contact",
                    "add_note",
                    "tag_contact",
                ]
                assert tools["tag_contact"].annotations is not None
                assert tools["tag_contact"].annotations.idempotent_hint is True
                assert "idempotency_key" in tools["add_note"].input_schema["properties"]

                missing = await client.call_tool("get_contact", {"email": "ada@example.com"})
                assert missing.is_error
                assert _text(missing) == (
                    "No contact has the email ada@example.com; list_contacts shows the contacts there are.\n"
                    "Do not retry with the same arguments."
                )
                wrong = await client.call_tool(
                    "list_contacts", {"limit": 500, "company": "", "colour": "red"}
                )
                assert _text(wrong) in GUIDE.read_text(encoding="utf-8")  # the page shows it verbatim

                for contact in (ADA, {**ADA, "email": "grace@example.com", "name": "Grace Hopper"}):
                    assert not (await client.call_tool("save_contact", contact)).is_error
                assert not (await client.call_tool("save_contact", ADA)).is_error  # the upsert, again
                first = await client.call_tool("list_contacts", {"limit": 1})
                page = _structured(first)
                assert [c["email"] for c in page["items"]] == ["ada@example.com"]
                assert page["has_more"] is True
                rest = await client.call_tool("list_contacts", {"limit": 1, "cursor": page["next_cursor"]})
                assert [c["email"] for c in _structured(rest)["items"]] == ["grace@example.com"]
                assert _structured(rest)["has_more"] is False
                other_filter = {"limit": 1, "cursor": page["next_cursor"], "company": "Other"}
                refused = await client.call_tool("list_contacts", other_filter)
                assert refused.is_error
                assert "restart the listing without cursor" in _text(refused)

                for _ in range(2):
                    tagged = await client.call_tool("tag_contact", {"email": "ada@example.com", "tag": "vip"})
                    assert _structured(tagged)["tags"] == ["vip"]
        assert len(state.rows("SELECT email FROM contacts", [])) == 2
    finally:
        store.close()


@pytest.mark.anyio
async def test_a_key_of_the_guides_keys_file_sees_only_the_tools_its_scopes_permit(
    crm: ModuleType, folder: Path
) -> None:
    from wireproof.idempotency import SqliteIdempotencyStore

    key = _make_key(folder, "reader", "contacts:read")
    principal = KeysFile(folder / "keys.toml").principal(key)
    state = crm.Crm(folder / "crm.db")
    store = SqliteIdempotencyStore(state.path)
    try:
        with anyio.fail_after(60):
            async with Client(crm.app.server(state, principal=principal, store=store)) as client:
                names = [tool.name for tool in (await client.list_tools()).tools]
                assert names == ["list_contacts", "get_contact"]
                refused = await client.call_tool("add_note", {"email": "ada@example.com", "text": "x"})
                assert refused.is_error
                assert "This call needs scope notes:write; the caller has contacts:read." in _text(refused)
    finally:
        store.close()


def test_the_guides_own_tests_pass(folder: Path) -> None:
    done = _run(folder, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_crm.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


@pytest.mark.parametrize("allow_writes", [False, True], ids=["reads", "with --allow-writes"])
def test_wireproof_check_of_the_guides_connector_over_stdio_finds_nothing(
    folder: Path, *, allow_writes: bool
) -> None:
    key = _make_key(folder, "support-bot", "contacts:read", "contacts:write", "notes:write")
    writes = ["--allow-writes", "--config", "wireproof.toml"] if allow_writes else []
    done = _run(
        folder,
        "-m",
        "wireproof.cli",
        "check",
        *writes,
        "--format",
        "json",
        "--env",
        f"CRM_API_KEY={key}",
        "--auth-env",
        "CRM_API_KEY",
        "--",
        sys.executable,
        "crm.py",
        "--db",
        "test.db" if allow_writes else "crm.db",
        "--keys-file",
        "keys.toml",
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert report["findings"] == []  # the guide says: 0 error, 0 warning, 0 info
    called = {tool["name"] for tool in report["tools"] if tool.get("calls")}
    expected = {"list_contacts", "get_contact"} | (
        {"save_contact", "add_note", "tag_contact"} if allow_writes else set()
    )
    assert called == expected


def _text(result: Any) -> str:
    return str(result.content[0].text)


def _structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, _text(result)
    assert isinstance(result.structured_content, dict)
    return result.structured_content
