"""The connector pipeline, driven through the official mcp client in memory, in both protocol eras."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import anyio
import pytest
from annotated_types import Ge, Le
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel

from wireproof import (
    LOCAL_OPERATOR,
    Arguments,
    Connector,
    InvalidInput,
    KeysFile,
    Principal,
    ToolContext,
    ToolDefinitionError,
    Unavailable,
)
from wireproof.auth import hash_key
from wireproof.connector import AUTH_REQUIRED_CODE
from wireproof.idempotency import MemoryIdempotencyStore, SqliteIdempotencyStore

pytestmark = pytest.mark.anyio

MODES = ["auto", "legacy"]


class Echo(BaseModel):
    text: str
    day: date | None = None


class Counter(BaseModel):
    count: int


class State:
    def __init__(self) -> None:
        self.count = 0


def build() -> Connector[State]:
    app: Connector[State] = Connector("test", version="1.2.3")

    @app.read(public=True)
    async def echo(text: str, day: date | None = None) -> Echo:
        """Repeat a text.

        Args:
            text: The text.
            day: A day to repeat too.
        """
        return Echo(text=text, day=day)

    @app.write(public=True, destructive=False, effect="external")  # the counter is in memory
    def increment(ctx: ToolContext[State], by: Annotated[int, Ge(1), Le(10)] = 1) -> Counter:
        """Add to the counter.

        Args:
            by: How much to add.
        """
        ctx.state.count += by
        return Counter(count=ctx.state.count)

    @app.read(public=True)
    async def explode(secret: str) -> Echo:
        """Fail inside the tool.

        Args:
            secret: A value the error must not leak.
        """
        raise RuntimeError(f"db password={secret} at /srv/app/internal.py")

    @app.read(public=True)
    async def wrong_shape() -> Echo:
        """Return something that is not an Echo."""
        return {"nope": 1}  # type: ignore[return-value]

    @app.read(public=True)
    async def flaky() -> Echo:
        """Fail in a way that is worth retrying."""
        raise Unavailable("The ticket database is restarting", retry_after=2)

    @app.read(public=True)
    async def span(low: int, high: int) -> Counter:
        """Measure a span.

        Args:
            low: The low end.
            high: The high end, at least low.
        """
        return Counter(count=high - low)

    @span.rule
    def _ordered(args: Arguments) -> None:
        if args.low > args.high:
            raise InvalidInput.field(
                "high", "must be at least low", expected=f">= {args.low}", received=args.high
            )

    return app


@pytest.fixture
def state() -> State:
    return State()


@pytest.fixture(params=MODES)
async def client(request: pytest.FixtureRequest, state: State) -> Any:
    async with Client(build().server(state, principal=LOCAL_OPERATOR), mode=request.param) as c:
        yield c


def _error(result: Any) -> dict[str, Any]:
    assert result.is_error is True
    error = result.meta["io.wireproof/error"]
    assert isinstance(error, dict)
    return error


async def test_tools_list_is_deterministic_and_in_registration_order(client: Client) -> None:
    first = [t.model_dump() for t in (await client.list_tools(cache_mode="refresh")).tools]
    second = [t.model_dump() for t in (await client.list_tools(cache_mode="refresh")).tools]
    assert first == second
    assert [t["name"] for t in first] == ["echo", "increment", "explode", "wrong_shape", "flaky", "span"]


async def test_annotations_follow_the_declared_kind(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    read, write = tools["echo"].annotations, tools["increment"].annotations
    assert read is not None
    assert write is not None
    assert (read.read_only_hint, read.destructive_hint, read.idempotent_hint, read.open_world_hint) == (
        True,
        False,
        True,
        False,
    )
    assert (write.read_only_hint, write.destructive_hint, write.idempotent_hint) == (False, False, False)


async def test_a_valid_call_returns_structured_content_and_the_same_json_as_text(client: Client) -> None:
    result = await client.call_tool("echo", {"text": "héllo ✓", "day": "2026-05-01"})
    assert result.is_error is False
    assert result.structured_content == {"text": "héllo ✓", "day": "2026-05-01"}
    assert json.loads(result.content[0].text) == result.structured_content  # type: ignore[union-attr]


async def test_sync_tools_run_and_receive_the_state(client: Client, state: State) -> None:
    result = await client.call_tool("increment", {"by": 3})
    assert result.structured_content == {"count": 3}
    assert state.count == 3


@pytest.mark.parametrize(
    ("arguments", "field", "problem"),
    [
        ({}, "text", "is required"),
        ({"text": 5}, "text", "has the wrong type (number)"),
        ({"text": "a", "day": "01/05/2026"}, "day", "is not a valid date"),
        ({"text": "a", "zzz": 1}, "zzz", "is not a parameter of this tool; remove it"),
        ({"text": "a", "day": None}, "day", "cannot be null; omit it to leave it unset"),
        ({"text": "x" * 5000}, "text", "is too long"),
    ],
)
async def test_bad_input_is_a_tool_error_naming_the_field(
    client: Client, arguments: dict[str, Any], field: str, problem: str
) -> None:
    result = await client.call_tool("echo", arguments)
    error = _error(result)
    assert (error["type"], error["code"], error["retryable"]) == ("invalid_input", "invalid_arguments", False)
    assert [(f["field"], f["problem"]) for f in error["fields"]] == [(field, problem)]
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith("Invalid arguments for echo:")
    assert f"- {field}: {problem}" in text
    assert text.endswith("Do not retry with the same arguments: fix them and call again.")


async def test_bad_input_changes_nothing(client: Client, state: State) -> None:
    for arguments in ({"by": 0}, {"by": "2"}, {"by": 11}, {"by": 1, "x": 1}, {"by": 2.5}):
        _error(await client.call_tool("increment", arguments))
    assert state.count == 0


async def test_no_silent_coercion_of_strings_to_numbers(client: Client) -> None:
    error = _error(await client.call_tool("increment", {"by": "10"}))
    assert error["fields"][0]["received"] == "10"


async def test_cross_field_rules_report_together_with_schema_errors(client: Client) -> None:
    error = _error(await client.call_tool("span", {"low": 5, "high": 1, "extra": True}))
    assert [f["field"] for f in error["fields"]] == ["extra", "high"]


async def test_rules_are_skipped_while_a_field_they_read_is_invalid(client: Client) -> None:
    error = _error(await client.call_tool("span", {"low": "five", "high": 1}))
    assert [f["field"] for f in error["fields"]] == ["low"]


async def test_an_exception_inside_a_tool_is_masked_and_logged_with_its_correlation_id(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="wireproof"):
        result = await client.call_tool("explode", {"secret": "hunter2"})
    error = _error(result)
    assert (error["type"], error["code"]) == ("internal", "internal_error")
    correlation_id = error["correlation_id"]
    text = result.content[0].text  # type: ignore[union-attr]
    for leak in ("hunter2", "/srv/app", "RuntimeError", "Traceback"):
        assert leak not in text
        assert leak not in json.dumps(result.structured_content)
    assert correlation_id in text
    (record,) = [r for r in caplog.records if correlation_id in r.getMessage()]
    assert record.exc_info is not None
    assert "hunter2" in str(record.exc_info[1])


async def test_a_result_that_does_not_match_the_output_schema_is_an_internal_error(client: Client) -> None:
    assert _error(await client.call_tool("wrong_shape", {}))["type"] == "internal"


async def test_retryable_errors_say_when_to_retry(client: Client) -> None:
    result = await client.call_tool("flaky", {})
    error = _error(result)
    assert (error["type"], error["retryable"], error["retry_after_ms"]) == ("unavailable", True, 2000)
    assert result.content[0].text.endswith("Safe to retry after 2 s.")  # type: ignore[union-attr]


async def test_an_unknown_tool_is_a_json_rpc_invalid_params_error_naming_close_tools(client: Client) -> None:
    with pytest.raises(MCPError) as caught:
        await client.call_tool("ecko", {"text": "a"})
    assert caught.value.code == -32602
    assert "Did you mean echo?" in caught.value.message


async def test_an_unknown_tool_name_is_not_echoed_in_full(client: Client) -> None:
    with pytest.raises(MCPError) as caught:
        await client.call_tool("x" * 100_000, {})
    assert len(caught.value.message) < 300


async def test_a_tools_list_cursor_we_never_issued_is_invalid_params(client: Client) -> None:
    with pytest.raises(MCPError) as caught:
        await client.list_tools(cursor="bogus", cache_mode="refresh")
    assert caught.value.code == -32602


async def test_server_info_carries_name_and_version(client: Client) -> None:
    if client.server_info is not None:
        assert (client.server_info.name, client.server_info.version) == ("test", "1.2.3")


# -- serving fails closed ---------------------------------------------------------------------------


def test_serving_needs_an_explicit_principal_source() -> None:
    with pytest.raises(TypeError, match="principal"):
        build().server(State())  # type: ignore[call-arg]


def test_the_local_operator_is_a_named_choice_that_says_so_on_stderr(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="wireproof"):
        build().server(State(), principal=LOCAL_OPERATOR)
    assert "every caller is served as the local operator 'local-operator', with every scope" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="wireproof"):
        build().server(State(), principal=Principal("alice", frozenset({"x"})))
    assert "local operator" not in caplog.text


async def test_a_tool_registered_after_serving_is_refused_not_callable_and_unlisted() -> None:
    app = build()
    server = app.server(State(), principal=LOCAL_OPERATOR)

    def late() -> Counter:
        """Too late."""
        return Counter(count=0)

    with pytest.raises(ToolDefinitionError, match="registered after test was served; register every tool"):
        app.read(public=True)(late)
    async with Client(server) as client:
        assert "late" not in {t.name for t in (await client.list_tools()).tools}
        with pytest.raises(MCPError):
            await client.call_tool("late", {})


def _database_writer() -> Connector[None]:
    app: Connector[None] = Connector("db-writer")

    @app.write(public=True, destructive=False)
    def add_row(ctx: ToolContext[None], n: int) -> Counter:
        """Insert a row.

        Args:
            n: The value.
        """
        ctx.transaction.connection.execute("INSERT INTO rows (n) VALUES (?)", (n,))
        return Counter(count=n)

    return app


@pytest.mark.parametrize("store", [None, MemoryIdempotencyStore()], ids=["no store", "memory store"])
def test_a_database_write_without_a_transactional_store_is_refused_at_start(
    store: MemoryIdempotencyStore | None,
) -> None:
    with pytest.raises(ToolDefinitionError) as caught:
        _database_writer().server(None, store=store, principal=LOCAL_OPERATOR)
    message = str(caught.value)
    assert "tools add_row write through ctx.transaction" in message
    assert "serve them with store= on that database" in message
    assert "effect='external'" in message


async def test_a_database_write_served_with_a_store_on_its_database_writes_in_its_transaction(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rows.db"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE rows (n INTEGER)")
    setup.close()
    store = SqliteIdempotencyStore(path)
    try:
        async with Client(_database_writer().server(None, store=store, principal=LOCAL_OPERATOR)) as client:
            result = await client.call_tool("add_row", {"n": 4})
    finally:
        store.close()
    assert result.is_error is False
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT n FROM rows").fetchall() == [(4,)]
    check.close()


def test_an_async_tool_cannot_declare_a_database_write() -> None:
    app: Connector[None] = Connector("x")

    async def add(n: int) -> Counter:
        """Add.

        Args:
            n: The value.
        """
        return Counter(count=n)

    with pytest.raises(ToolDefinitionError, match="async, so it cannot write in the store's transaction"):
        app.write(public=True)(add)
    app.write(public=True, effect="external")(add)
    assert app.effects == {"add": "external"}


# -- the library's stdio path with a key from the environment ---------------------------------------


@pytest.fixture
def notes_keys(tmp_path: Path) -> Path:
    path = tmp_path / "keys.toml"
    path.write_text(
        f'[[keys]]\nsha256 = "{hash_key("good")}"\nprincipal = "p"\nscopes = ["notes:read"]\n\n'
        f'[[keys]]\nsha256 = "{hash_key("old")}"\nprincipal = "q"\nscopes = ["notes:read"]\n'
        "expires = 2021-03-04T05:06:00Z\n"
    )
    path.chmod(0o600)
    return path


def _notes_env(key: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NOTES_API_KEY"}
    return env if key is None else {**env, "NOTES_API_KEY": key}


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "notes: error: NOTES_API_KEY is not set; start this server with NOTES_API_KEY set"),
        ("bad", "notes: error: NOTES_API_KEY is not a key this server knows"),
        (
            "old",
            "notes: error: NOTES_API_KEY expired on 2021-03-04 05:06 UTC; ask the operator for a new key",
        ),
    ],
)
def test_run_stdio_refuses_to_start_when_the_key_is_unset_unknown_or_expired(
    notes_keys: Path, key: str | None, message: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.serve.keyed_stdio_app", str(notes_keys)],
        env=_notes_env(key),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


async def test_run_stdio_serves_the_holder_of_a_good_key(notes_keys: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "tests.serve.keyed_stdio_app", str(notes_keys)],
        env=_notes_env("good"),
    )
    with anyio.fail_after(60):
        async with Client(params) as client:
            assert [t.name for t in (await client.list_tools()).tools] == ["read_note"]
            assert (await client.call_tool("read_note", {})).structured_content == {"text": "hello"}


async def test_a_key_that_expires_while_serving_makes_tools_list_loud_and_calls_typed_auth_errors(
    notes_keys: Path,
) -> None:
    now = [datetime(2021, 3, 4, 5, 0, tzinfo=UTC).timestamp()]
    source = KeysFile(notes_keys, clock=lambda: now[0]).from_env("NOTES_API_KEY", {"NOTES_API_KEY": "old"})
    app: Connector[None] = Connector("notes")

    @app.read(scopes={"notes:read"})
    def read_note() -> Counter:
        """Read."""
        return Counter(count=1)

    async with Client(app.server(None, principal=source)) as client:
        assert [t.name for t in (await client.list_tools()).tools] == ["read_note"]
        now[0] += 3600  # past 05:06
        with pytest.raises(MCPError) as caught:
            await client.list_tools()
        called = await client.call_tool("read_note", {})
    assert caught.value.code == AUTH_REQUIRED_CODE
    assert caught.value.message.startswith(
        "NOTES_API_KEY expired on 2021-03-04 05:06 UTC; ask the operator for a new key. Stop:"
    )
    assert caught.value.data["io.wireproof/error"]["code"] == "token_expired"
    assert called.is_error is True
    assert _error(called)["code"] == "token_expired"


def test_the_audit_fingerprint_matches_equal_arguments_and_only_them() -> None:
    from wireproof.connector import _audit_fingerprint

    same = _audit_fingerprint({"b": "x", "a": "y"})
    assert same == _audit_fingerprint({"a": "y", "b": "x"})  # key order is not a difference
    assert _audit_fingerprint({"n": 1}) == _audit_fingerprint({"n": 1.0})  # nor a number's spelling
    assert same != _audit_fingerprint({"a": "y", "b": "z"})
    assert _audit_fingerprint({"a": "1"}) != _audit_fingerprint({"a": 1})
    assert _audit_fingerprint({"a": "\ud800"}) == "unhashable"  # a lone surrogate has no UTF-8
    assert len(same) == 64


def test_the_audit_clock_writes_the_time_as_isoformat_does() -> None:
    from datetime import UTC, datetime

    from wireproof.connector import _AuditClock

    before = datetime.now(UTC).isoformat(timespec="milliseconds")
    written = _AuditClock().now()
    after = datetime.now(UTC).isoformat(timespec="milliseconds")
    assert before <= written <= after
    assert datetime.fromisoformat(written).tzinfo is not None
