"""The helpdesk read tools, through the official mcp client in memory (and raw stdio for wire sizes)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import anyio
import httpx2
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream
from harness.cluster import free_port, wait_http
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from helpdesk import app
from helpdesk.db import Database
from tests.conftest import SEEDED_TICKETS
from wireproof import LOCAL_OPERATOR
from wireproof.budget import BYTES_PER_TOKEN, DEFAULT_BUDGET_TOKENS
from wireproof.idempotency import IdempotencyStore

pytestmark = pytest.mark.anyio

LEAKS = ("Traceback", "sqlite3", "/helpdesk/", ".py", "pydantic", "errors.pydantic.dev", "SELECT")


def table_digest(database: Database) -> str:
    rows = database.reader().all("SELECT * FROM tickets ORDER BY id")
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture
async def client(database: Database, store: IdempotencyStore) -> Any:
    async with Client(app.server(database, store=store, principal=LOCAL_OPERATOR)) as c:
        yield c


def _error(result: Any) -> dict[str, Any]:
    assert result.is_error is True
    text = result.content[0].text
    dumped = json.dumps(result.structured_content)
    for leak in LEAKS:
        assert leak not in text, leak
        assert leak not in dumped, leak
    error = result.meta["io.wireproof/error"]
    assert set(error) >= {
        "type",
        "code",
        "message",
        "retryable",
        "retry_after_ms",
        "fields",
        "correlation_id",
    }
    return dict(error)


async def test_list_tickets_by_date_returns_compact_summaries_newest_first(client: Client) -> None:
    result = await client.call_tool(
        "list_tickets_by_date", {"start_date": "2025-01-01", "end_date": "2026-12-31"}
    )
    assert result.is_error is False
    page = result.structured_content
    assert len(page["items"]) == 25
    assert page["has_more"] is True
    opened = [t["opened_at"] for t in page["items"]]
    assert opened == sorted(opened, reverse=True)
    assert set(page["items"][0]) == {"id", "subject", "status", "priority", "customer_email", "opened_at"}
    assert "next_cursor" in page


async def test_has_more_is_honest_at_the_end(client: Client, database: Database) -> None:
    everything = {"start_date": "2000-01-01", "end_date": "2100-01-01", "limit": 100}
    result = await client.call_tool("list_tickets_by_date", {**everything, "status": "closed"})
    closed = database.reader().one("SELECT count(*) AS n FROM tickets WHERE status='closed'")["n"]  # type: ignore[index]
    assert result.structured_content["has_more"] is (closed > 100)
    assert len(result.structured_content["items"]) == min(closed, 100)
    assert all(t["status"] == "closed" for t in result.structured_content["items"])


async def test_date_range_is_inclusive_of_both_days(client: Client, database: Database) -> None:
    row = database.reader().one("SELECT substr(opened_at, 1, 10) AS day FROM tickets WHERE id = 200")
    assert row is not None
    day = row["day"]
    result = await client.call_tool(
        "list_tickets_by_date", {"start_date": day, "end_date": day, "limit": 100}
    )
    assert 200 in [t["id"] for t in result.structured_content["items"]]


async def test_get_ticket_returns_the_detail(client: Client) -> None:
    result = await client.call_tool("get_ticket", {"ticket_id": 7})
    assert result.is_error is False
    assert result.structured_content["id"] == 7
    assert result.structured_content["body"]


async def test_get_ticket_for_a_missing_id_is_not_found_and_says_where_to_look(client: Client) -> None:
    error = _error(await client.call_tool("get_ticket", {"ticket_id": SEEDED_TICKETS + 1}))
    assert (error["type"], error["retryable"]) == ("not_found", False)
    assert "search_tickets" in error["message"]


async def test_search_matches_text_literally_case_insensitive(client: Client, database: Database) -> None:
    result = await client.call_tool("search_tickets", {"text": "sso LOGIN", "limit": 100})
    found = {t["id"] for t in result.structured_content["items"]}
    rows = database.reader().all("SELECT id, subject, body FROM tickets")
    expected = {r["id"] for r in rows if "sso login" in (r["subject"] + "\n" + r["body"]).lower()}
    assert found == set(sorted(expected, reverse=True)[:100]) or (len(expected) > 100 and len(found) == 100)
    assert found
    wildcard = await client.call_tool("search_tickets", {"text": "%%"})
    assert wildcard.structured_content["items"] == []


@pytest.mark.parametrize(
    ("tool", "arguments", "field", "code_word"),
    [
        ("list_tickets_by_date", {"end_date": "2026-01-01"}, "start_date", "is required"),
        (
            "list_tickets_by_date",
            {"start_date": 20260101, "end_date": "2026-01-01"},
            "start_date",
            "wrong type",
        ),
        (
            "list_tickets_by_date",
            {"start_date": "2026-01-01", "end_date": "2026-02-01", "status": "new"},
            "status",
            "not one of the allowed values",
        ),
        (
            "list_tickets_by_date",
            {"start_date": "2026-01-01", "end_date": "2026-02-01", "limit": 0},
            "limit",
            "too small",
        ),
        (
            "list_tickets_by_date",
            {"start_date": "2026-01-01", "end_date": "2026-02-01", "limit": 101},
            "limit",
            "too large",
        ),
        (
            "list_tickets_by_date",
            {"start_date": "1/2/2026", "end_date": "2026-02-01"},
            "start_date",
            "not a valid date",
        ),
        (
            "list_tickets_by_date",
            {"start_date": "2026-01-01", "end_date": "2026-02-01", "sort": "asc"},
            "sort",
            "not a parameter",
        ),
        (
            "list_tickets_by_date",
            {"start_date": "2026-05-10", "end_date": "2026-05-01"},
            "end_date",
            "must be on or after start_date",
        ),
        ("search_tickets", {"text": "x" * 1_048_576}, "text", "too long"),
        ("search_tickets", {"text": "é"}, "text", "too short"),
        ("get_ticket", {"ticket_id": -1}, "ticket_id", "too small"),
        ("get_ticket", {"ticket_id": "7"}, "ticket_id", "wrong type"),
        ("get_ticket", {"ticket_id": 1.5}, "ticket_id", "wrong type"),
    ],
)
async def test_each_kind_of_bad_input_is_a_typed_error_naming_the_field_and_changes_nothing(
    client: Client, database: Database, tool: str, arguments: dict[str, Any], field: str, code_word: str
) -> None:
    before = table_digest(database)
    result = await client.call_tool(tool, arguments)
    error = _error(result)
    assert (error["type"], error["code"], error["retryable"]) == ("invalid_input", "invalid_arguments", False)
    assert error["fields"][0]["field"] == field
    assert code_word in error["fields"][0]["problem"]
    assert error["fields"][0]["expected"]
    text = result.content[0].text  # type: ignore[union-attr]
    assert f"- {field}: " in text
    assert len(text) < 2000
    assert table_digest(database) == before


async def test_unicode_and_control_characters_are_searched_safely(client: Client) -> None:
    for text in (
        "日本語のチケット",
        "emoji 🎫",
        "tab\tand\x1besc",
        "'; DROP TABLE tickets; --",
        "../../etc/passwd",
    ):
        result = await client.call_tool("search_tickets", {"text": text})
        assert result.is_error is False
        assert result.structured_content["items"] == []


async def test_read_connections_cannot_write(database: Database) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        database.reader().run("DELETE FROM tickets")


async def test_a_broken_database_is_a_masked_internal_error(client: Client, database: Database) -> None:
    writer = sqlite3.connect(database.path)
    writer.execute("ALTER TABLE tickets RENAME TO tickets_gone")
    writer.commit()
    writer.close()
    error = _error(await client.call_tool("get_ticket", {"ticket_id": 1}))
    assert error["type"] == "internal"
    assert "tickets_gone" not in json.dumps(error)


def test_postgres_read_connections_cannot_write(postgres_db: str) -> None:
    import psycopg

    from helpdesk.db import open_database

    with open_database(postgres_db) as database:
        database.seed(5)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            database.reader().run("DELETE FROM tickets")
        assert database.ticket_count() == 5


async def test_helpdesk_tools_work_on_postgres(postgres_db: str) -> None:
    from helpdesk.db import open_database

    with open_database(postgres_db) as database:
        database.seed(100)
        store = database.store()
        try:
            async with Client(app.server(database, store=store, principal=LOCAL_OPERATOR)) as client:
                page = await client.call_tool("search_tickets", {"text": "SSO", "limit": 5})
                assert page.is_error is False
                assert page.structured_content["items"]
                ticket = await client.call_tool("get_ticket", {"ticket_id": 42})
                assert ticket.structured_content["id"] == 42
                week = await client.call_tool("create_status_note", {"week": "2026-W53", "body": "x"})
                assert week.is_error is False  # 2026 has 53 ISO weeks
                bad = await client.call_tool("create_status_note", {"week": "2025-W53", "body": "x"})
                assert bad.meta["io.wireproof/error"]["fields"][0]["field"] == "week"
        finally:
            store.close()


async def test_the_last_representable_date_is_a_valid_range_end(client: Client) -> None:
    result = await client.call_tool(
        "list_tickets_by_date", {"start_date": "2026-01-01", "end_date": "9999-12-31"}
    )
    assert result.is_error is False
    assert result.structured_content["items"]


async def test_nul_characters_are_refused_as_invalid_input(client: Client) -> None:
    for tool, arguments in [
        ("search_tickets", {"text": "a\x00b"}),
        ("add_ticket_comment", {"ticket_id": 1, "body": "a\x00b"}),
        ("create_status_note", {"week": "2026-W10", "body": "\x00"}),
    ]:
        error = _error(await client.call_tool(tool, arguments))
        assert error["type"] == "invalid_input"
        assert "NUL" in error["fields"][0]["problem"]


def _comment_on(path: Path, ticket_id: int, bodies: list[str]) -> None:
    with sqlite3.connect(path) as writer:
        writer.executemany(
            "INSERT INTO ticket_comments (ticket_id, body, created_at) VALUES (?, ?, '2026-05-01T10:00:00Z')",
            [(ticket_id, body) for body in bodies],
        )


async def _stdio_answer_lines(db: Path, calls: list[dict[str, Any]]) -> list[bytes]:
    """The raw JSON-RPC lines helpdesk-mcp writes on stdout for each call, in order."""
    hello = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}
    lines = [
        {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": hello},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        *({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": c} for i, c in enumerate(calls, 1)),
    ]
    command = [sys.executable, "-m", "helpdesk.cli", "--db", f"sqlite:///{db}"]
    answers: dict[int, bytes] = {}
    with anyio.fail_after(60):
        async with await anyio.open_process(command, stderr=subprocess.DEVNULL) as process:
            assert process.stdin is not None
            assert process.stdout is not None
            stdout = BufferedByteReceiveStream(process.stdout)
            await process.stdin.send(b"".join(json.dumps(line).encode() + b"\n" for line in lines))
            while len(answers) < len(calls):
                line = await stdout.receive_until(b"\n", 10_000_000)
                answer = json.loads(line)
                if answer.get("id"):
                    answers[answer["id"]] = line
            await process.stdin.aclose()
    return [answers[i] for i in range(1, len(calls) + 1)]


async def test_comments_full_of_quotes_and_backslashes_answer_within_the_budget_on_the_stdio_wire(
    database: Database,
) -> None:
    # 28 comments of 500 characters of "\ once answered 90,419 bytes (about 22,600 tokens): the size
    # was measured before its text copy was escaped, which doubles those characters again.
    _comment_on(database.path, 1, ['"\\' * 250] * 100)
    lines = await _stdio_answer_lines(
        database.path,
        [
            {"name": "list_ticket_comments", "arguments": {"ticket_id": 1, "limit": 28}},
            {"name": "list_ticket_comments", "arguments": {"ticket_id": 1, "limit": 100}},
        ],
    )
    budget = DEFAULT_BUDGET_TOKENS * BYTES_PER_TOKEN
    assert [len(line) <= budget for line in lines] == [True, True], [len(line) for line in lines]
    small, large = (json.loads(line)["result"] for line in lines)
    assert len(small["structuredContent"]["items"]) == 28
    assert "note" not in small["structuredContent"]
    cut = large["structuredContent"]
    assert 28 < len(cut["items"]) < 100
    assert f"{100 - len(cut['items'])} of 100 items were left out" in cut["note"]
    assert cut["has_more"] is True
    assert cut["next_cursor"]


class _RecordingTransport(httpx2.AsyncBaseTransport):
    """An HTTP transport that keeps the size of every response body the server sent."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.sizes: list[int] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.sizes.append(len(body))
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "transfer-encoding"]
        return httpx2.Response(response.status_code, headers=headers, content=body, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@contextmanager
def _http_server(db: Path) -> Iterator[str]:
    """helpdesk-mcp over Streamable HTTP on a free loopback port, without auth; yields its /mcp URL."""
    port = free_port()
    command = [sys.executable, "-m", "helpdesk.cli", "--db", f"sqlite:///{db}"]
    command += ["--transport", "http", "--auth", "none", "--port", str(port)]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", process=process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_non_ascii_comments_answer_within_the_budget_on_the_http_wire(
    database: Database, mode: Literal["auto", "legacy"]
) -> None:
    # 500 emoji a comment: 2 kB in UTF-8, but 6 kB as the \ud83c\udfab escapes of the 2026 HTTP entry.
    _comment_on(database.path, 2, ["🎫" * 500] * 100)
    recording = _RecordingTransport()
    with _http_server(database.path) as url, anyio.fail_after(60):
        async with (
            httpx2.AsyncClient(transport=recording, timeout=30) as http,
            Client(streamable_http_client(url, http_client=http), mode=mode) as client,
        ):
            result = await client.call_tool("list_ticket_comments", {"ticket_id": 2, "limit": 100})
    assert result.is_error is False
    page = result.structured_content
    assert page is not None
    assert 1 <= len(page["items"]) < 100
    assert f"{100 - len(page['items'])} of 100 items were left out" in page["note"]
    assert max(recording.sizes) <= DEFAULT_BUDGET_TOKENS * BYTES_PER_TOKEN, recording.sizes


CASE_PAIRS = [  # (what is searched, what the ticket says)
    ("école", "ÉCOLE"),
    ("ÉCOLE", "école"),
    ("Straße", "STRAßE"),
    ("москва", "МОСКВА"),  # noqa: RUF001 - Cyrillic on purpose
    ("σοφος", "ΣΟΦΟΣ"),  # the final sigma, in both directions
    ("ΣΟΦΟΣ", "σοφος"),
    ("ÇA VA", "ça va"),
    ("ǅemal", "ǆEMAL"),  # a titlecase digraph
]


def _set_texts(database: Database, texts: list[tuple[int, str, str]]) -> None:
    """Give tickets their (id, subject, body), on either database, through a writable connection."""
    sql = "UPDATE tickets SET subject = ?, body = ? WHERE id = ?"
    rows = [(subject, body, ticket) for ticket, subject, body in texts]
    if database.postgres:
        import psycopg

        with psycopg.connect(database.url) as writer:
            writer.cursor().executemany(sql.replace("?", "%s"), rows)
    else:
        with sqlite3.connect(database.path) as writer:  # type: ignore[attr-defined]
            writer.executemany(sql, rows)


async def _search_each_pair_in_the_other_case(database: Database) -> list[list[int]]:
    """Ticket 2k+1 says a pair's text in its subject, ticket 2k+2 in its body; each pair's search
    finds which tickets?"""
    texts = []
    for k, (_, stored) in enumerate(CASE_PAIRS):
        texts += [(2 * k + 1, f"about {stored}!", "nothing here"), (2 * k + 2, "nothing here", f"({stored})")]
    _set_texts(database, texts)
    found = []
    store = database.store()
    try:
        async with Client(app.server(database, store=store, principal=LOCAL_OPERATOR)) as client:
            for searched, _ in CASE_PAIRS:
                arguments = {"text": searched, "limit": 100, "fields": ["status"]}
                result = await client.call_tool("search_tickets", arguments)
                assert result.is_error is False, result
                found.append(sorted(item["id"] for item in result.structured_content["items"]))  # type: ignore[index]
    finally:
        store.close()
    return found


def _expected_ids() -> list[list[int]]:
    """Case-insensitive is Unicode lowercase (with its final-sigma rule): the tickets of every pair
    whose text, lowercased, holds the searched text lowercased."""
    return [
        sorted(
            id_
            for k, (_, stored) in enumerate(CASE_PAIRS)
            if searched.lower() in stored.lower()
            for id_ in (2 * k + 1, 2 * k + 2)
        )
        for searched, _ in CASE_PAIRS
    ]


async def test_search_is_case_insensitive_beyond_ascii_on_sqlite(database: Database) -> None:
    assert await _search_each_pair_in_the_other_case(database) == _expected_ids()


async def test_search_is_case_insensitive_beyond_ascii_on_postgres(postgres_db: str) -> None:
    from helpdesk.db import open_database

    with open_database(postgres_db) as database:
        database.seed(40)
        assert await _search_each_pair_in_the_other_case(database) == _expected_ids()


def _raw_2026_call(url: str, tool: str, arguments_json: str) -> dict[str, Any]:
    """One tools/call as the 2026 HTTP entry takes it, with the arguments written as raw JSON text
    (the official client cannot send a lone surrogate: its encoder refuses one)."""
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    params = json.dumps({"name": tool, "_meta": meta})[:-1] + f', "arguments": {arguments_json}}}'
    body = f'{{"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {params}}}'
    headers = {
        "accept": "application/json, text/event-stream",
        "content-type": "application/json",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call",
        "mcp-name": tool,
    }
    response = httpx2.post(url, content=body.encode(), headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return dict(json.loads(response.text)["result"])


def test_a_lone_surrogate_sent_over_http_is_invalid_input_naming_the_field(database: Database) -> None:
    # The SDK's 2026 HTTP entry parses with json.loads, which lets "\ud800" through as a lone
    # surrogate: no database can store it, and it used to end as a masked internal error.
    before = table_digest(database)
    with _http_server(database.path) as url:
        results = {
            field: _raw_2026_call(url, tool, arguments)
            for tool, field, arguments in [
                ("search_tickets", "text", '{"text": "ab\\ud800"}'),
                (
                    "add_ticket_comment",
                    "body",
                    '{"ticket_id": 1, "body": "x\\udc00y", "idempotency_key": "k-lone-0001"}',
                ),
                ("create_status_note", "body", '{"week": "2026-W10", "body": "\\ud83d"}'),
            ]
        }
    for field, result in results.items():
        error = result["_meta"]["io.wireproof/error"]
        assert (error["type"], error["code"]) == ("invalid_input", "invalid_arguments"), error
        assert error["fields"][0]["field"] == field
        assert "lone surrogate" in error["fields"][0]["problem"]
        assert "both halves" in error["fields"][0]["expected"]
    assert table_digest(database) == before
