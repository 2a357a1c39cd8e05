"""Property-based: for each helpdesk tool, what its advertised schema accepts is accepted, and each
generated violation of one constraint is rejected as invalid input naming that field; and every
answer of every tool, over data full of awkward characters, is within the response budget on the
wire or says how it was cut.

Calls go through the official mcp client (in memory), held open in a blocking portal so that
hypothesis can drive it from a synchronous test.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from helpdesk import app
from helpdesk.db import open_database
from tests.strategies import property_violations, valid_arguments
from tests.test_budget import sent_bytes
from wireproof import LOCAL_OPERATOR
from wireproof.budget import BYTES_PER_TOKEN, DEFAULT_BUDGET_TOKENS

PROFILE = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BlockingPortal, Client, dict[str, Any]]]:
    path: Path = tmp_path_factory.mktemp("props") / "h.db"
    with open_database(f"sqlite:///{path}") as database, start_blocking_portal() as portal:
        database.seed(200)
        store = database.store()
        client = portal.wrap_async_context_manager(
            Client(app.server(database, store=store, principal=LOCAL_OPERATOR))
        )
        with client as connected:
            schemas = {t.name: t.input_schema for t in portal.call(connected.list_tools).tools}
            yield portal, connected, schemas


TOOLS = sorted(app.tools)


def REFERENCE(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """jsonschema's own validator with its own format checks: an independent judge of the schema."""
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize("tool", TOOLS)
def test_arguments_generated_from_the_advertised_schema_are_accepted(
    live: tuple[BlockingPortal, Client, dict[str, Any]], tool: str
) -> None:
    portal, client, schemas = live
    schema = schemas[tool]

    @PROFILE
    @given(arguments=valid_arguments(schema))
    def check(arguments: dict[str, Any]) -> None:
        REFERENCE(schema).validate(arguments)
        result = portal.call(client.call_tool, tool, arguments)
        if result.is_error:
            error = result.meta["io.wireproof/error"]
            # Schema-valid arguments may still break a declared cross-field rule (dates in order, no NUL
            # in text, an ISO week that exists), or name a missing ticket or note; nothing else.
            fields = error["fields"]
            field = fields[0]["field"] if fields else None
            if error["type"] == "not_found" or error["code"] == "idempotency_conflict":
                return  # a missing ticket or note; a generated idempotency_key reused with other arguments
            assert error["type"] == "invalid_input", error
            if field == "end_date":
                assert arguments["start_date"] > arguments["end_date"]
            elif field == "cursor":
                assert "cursor" in arguments  # a generated string is no cursor this server issued
            elif field in ("text", "body"):
                assert "\x00" in arguments[field]
            else:
                assert field == "week", error

    check()


def _one_violation(schema: dict[str, Any]) -> st.SearchStrategy[tuple[str, str, dict[str, Any]]]:
    properties = schema["properties"]
    required = schema.get("required", [])
    base = valid_arguments(schema)
    options: list[st.SearchStrategy[tuple[str, str, dict[str, Any]]]] = []
    for name, prop in properties.items():
        for constraint, bad in property_violations(prop):
            options.append(
                st.tuples(st.just(name), st.just(constraint), base, bad).map(
                    lambda t: (t[0], t[1], {**t[2], t[0]: t[3]})
                )
            )
    for name in required:
        options.append(base.map(lambda a, n=name: (n, "required", {k: v for k, v in a.items() if k != n})))
    options.append(
        st.tuples(base, st.sampled_from(["colour", "Limit", "start", "__proto__", "x" * 300])).map(
            lambda t: (t[1], "additionalProperties", {**t[0], t[1]: 1})
        )
    )
    return st.one_of(options)


@pytest.mark.parametrize("tool", TOOLS)
def test_each_generated_violation_is_rejected_naming_its_field(
    live: tuple[BlockingPortal, Client, dict[str, Any]], tool: str
) -> None:
    portal, client, schemas = live
    schema = schemas[tool]

    @PROFILE
    @given(case=_one_violation(schema))
    def check(case: tuple[str, str, dict[str, Any]]) -> None:
        field, constraint, arguments = case
        assert not REFERENCE(schema).is_valid(arguments), (constraint, arguments)
        result = portal.call(client.call_tool, tool, arguments)
        assert result.is_error is True, (constraint, arguments)
        error = result.meta["io.wireproof/error"]
        assert error["type"] == "invalid_input"
        named = [f["field"] for f in error["fields"]]
        assert any(field[:50] in n or n in field for n in named), (constraint, named)

    check()


AWKWARD_CHARACTERS = st.one_of(
    st.sampled_from(['"', "\\", "\x01", "\x1b", "\x1f", "\n", "\t", "\x7f", "é", "É", "中", "🎫", "\u2028"]),
    # Any other character but NUL (refused as input) and lone surrogates (no JSON parser of the SDK's
    # stdio or legacy HTTP entry accepts one, and none can be stored or serialized as UTF-8).
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
)
MOTIF = st.text(alphabet=AWKWARD_CHARACTERS, min_size=1, max_size=12)


def _made_of(motif: str, length: int) -> str:
    return (motif * (length // len(motif) + 1))[:length]


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BlockingPortal, Client, Path]]:
    path: Path = tmp_path_factory.mktemp("awkward") / "h.db"
    with open_database(f"sqlite:///{path}") as database, start_blocking_portal() as portal:
        database.seed(150)
        store = database.store()
        client = portal.wrap_async_context_manager(
            Client(app.server(database, store=store, principal=LOCAL_OPERATOR))
        )
        with client as connected:
            yield portal, connected, path
        store.close()


def _answered_within_budget_or_said_how_it_was_cut(tool: str, result: Any) -> None:
    """The property: every answer fits the budget on the wire, in each SDK encoding; an answer that
    was cut says so with a note and a cursor; one that could not be cut says how to ask for less."""
    sizes = sent_bytes(result)
    assert max(sizes.values()) <= DEFAULT_BUDGET_TOKENS * BYTES_PER_TOKEN, (tool, sizes)
    if result.is_error:
        error = result.meta["io.wireproof/error"]
        assert error["code"] == "response_too_large", (tool, error)
        assert "ask for less" in error["message"]
        return
    structured = result.structured_content
    assert structured is not None, tool
    if "note" in structured:
        assert "were left out" in structured["note"]
        assert structured["has_more"] is True
        assert structured["next_cursor"]
    text = result.content[0].text
    assert "is in structuredContent" in text or json.loads(text) == structured, tool


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    motif=MOTIF,
    comments=st.integers(min_value=1, max_value=101),
    comment_length=st.integers(min_value=1, max_value=600),
    subject_length=st.integers(min_value=1, max_value=300),
    body_length=st.integers(min_value=1, max_value=4000),
    limit=st.integers(min_value=1, max_value=100),
)
def test_every_answer_of_every_tool_is_within_budget_on_the_wire_or_says_how_it_was_cut(
    awkward: tuple[BlockingPortal, Client, Path],
    motif: str,
    comments: int,
    comment_length: int,
    subject_length: int,
    body_length: int,
    limit: int,
) -> None:
    portal, client, path = awkward
    subject, body = _made_of(motif, subject_length), _made_of(motif, body_length)
    with sqlite3.connect(path) as writer:  # the data every read tool shows, made of the motif
        writer.execute("UPDATE tickets SET subject = ?, body = ?", ("zq" + subject, body))
        writer.execute("DELETE FROM ticket_comments")
        writer.executemany(
            "INSERT INTO ticket_comments (ticket_id, body, created_at) VALUES (1, ?, '2026-05-01T10:00:00Z')",
            [(_made_of(motif, comment_length),)] * comments,
        )
    week = {"week": "2026-W23"}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("create_status_note", {**week, "body": body}),
        ("get_status_note", week),
        ("add_ticket_comment", {"ticket_id": 2, "body": body, "idempotency_key": f"k-{uuid.uuid4()}"}),
        (
            "update_ticket_status",
            {"ticket_id": 1, "status": "pending", "idempotency_key": f"k-{uuid.uuid4()}"},
        ),
        ("get_ticket", {"ticket_id": 1}),
        ("list_ticket_comments", {"ticket_id": 1, "limit": 100}),
        ("list_ticket_comments", {"ticket_id": 1, "limit": limit}),
        ("list_tickets_by_date", {"start_date": "2000-01-01", "end_date": "2100-01-01", "limit": 100}),
        ("list_tickets_by_date", {"start_date": "2000-01-01", "end_date": "2100-01-01", "limit": limit}),
        ("search_tickets", {"text": "zq", "limit": 100}),
    ]
    assert {name for name, _ in calls} == set(TOOLS)
    for tool, arguments in calls:
        result = portal.call(client.call_tool, tool, arguments)
        _answered_within_budget_or_said_how_it_was_cut(tool, result)
        if tool == "search_tickets" and not result.is_error:
            assert result.structured_content["items"], "every ticket's subject holds zq"


LETTERS = st.characters(categories=["Lu", "Ll", "Lt"], max_codepoint=0x052F)  # Latin, Greek, Cyrillic
SEARCH_SEED = 60


def test_search_matches_the_same_tickets_on_sqlite_and_postgres_whatever_the_case(
    tmp_path: Path, postgres_db: str
) -> None:
    with (
        open_database(f"sqlite:///{tmp_path / 'h.db'}") as lite,
        open_database(postgres_db) as pg,
        start_blocking_portal() as portal,
    ):
        stores = [lite.store(), pg.store()]
        clients = []
        for database, store in zip((lite, pg), stores, strict=True):
            database.seed(SEARCH_SEED)
            clients.append(
                portal.wrap_async_context_manager(
                    Client(app.server(database, store=store, principal=LOCAL_OPERATOR))
                )
            )
        with ExitStack() as closing:
            for store in stores:
                closing.callback(store.close)
            on_sqlite = closing.enter_context(clients[0])
            on_postgres = closing.enter_context(clients[1])

            @PROFILE
            @given(word=st.text(alphabet=LETTERS, min_size=2, max_size=8), swap=st.booleans())
            def check(word: str, swap: bool) -> None:
                subject = f"about {word.swapcase() if swap else word}."
                for database in (lite, pg):
                    _set_subject(database, 1, subject)
                arguments = {"text": word, "limit": 100, "fields": ["status"]}
                found = [
                    [
                        item["id"]
                        for item in portal.call(c.call_tool, "search_tickets", arguments).structured_content[
                            "items"
                        ]
                    ]
                    for c in (on_sqlite, on_postgres)
                ]
                assert found[0] == found[1], (word, subject)
                assert (1 in found[0]) == (word.lower() in subject.lower()), (word, subject)

            check()


def _set_subject(database: Any, ticket: int, subject: str) -> None:
    if database.postgres:
        import psycopg

        with psycopg.connect(database.url) as writer:
            writer.execute("UPDATE tickets SET subject = %s WHERE id = %s", (subject, ticket))
    else:
        with sqlite3.connect(database.path) as writer:
            writer.execute("UPDATE tickets SET subject = ? WHERE id = ?", (subject, ticket))
