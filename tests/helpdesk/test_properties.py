"""Property-based: for each helpdesk tool, what its advertised schema accepts is accepted, and each
generated violation of one constraint is rejected as invalid input naming that field.

Calls go through the official mcp client (in memory), held open in a blocking portal so that
hypothesis can drive it from a synchronous test.
"""

from __future__ import annotations

from collections.abc import Iterator
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
from wireproof import LOCAL_OPERATOR

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
