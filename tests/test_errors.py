"""The error tree and how each error renders for a model and for a program."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import anyio
import pydantic_core
import pytest
from mcp import Client
from pydantic import BaseModel

from wireproof import (
    LOCAL_OPERATOR,
    AuthError,
    Conflict,
    Connector,
    FieldError,
    Forbidden,
    InsufficientScope,
    InternalError,
    InvalidInput,
    NotFound,
    RateLimited,
    TokenExpired,
    Unauthenticated,
    Unavailable,
    WireproofError,
    render_tool_error,
)
from wireproof.errors import TOOL_FAILURE_META, describe_value, masking_hint
from wireproof.idempotency import MemoryIdempotencyStore

STRUCTURE_KEYS = {"type", "code", "message", "retryable", "retry_after_ms", "fields", "correlation_id"}


@pytest.mark.parametrize(
    ("error", "error_type", "code", "retryable", "advice"),
    [
        (
            InvalidInput("Invalid arguments for t"),
            "invalid_input",
            "invalid_arguments",
            False,
            "Do not retry",
        ),
        (NotFound("No ticket 4"), "not_found", "not_found", False, "Do not retry"),
        (Conflict("Already closed"), "conflict", "conflict", False, "Do not retry"),
        (Unauthenticated("No credential"), "auth", "unauthenticated", False, "Stop:"),
        (TokenExpired("Token expired"), "auth", "token_expired", False, "Stop:"),
        (InsufficientScope("Needs scope"), "auth", "insufficient_scope", False, "Stop:"),
        (Forbidden("Not yours"), "auth", "forbidden", False, "Stop:"),
        (
            RateLimited("Slow down", retry_after=2),
            "rate_limited",
            "rate_limited",
            True,
            "Safe to retry after 2 s.",
        ),
        (
            Unavailable("Database down", retry_after=0.5),
            "unavailable",
            "unavailable",
            True,
            "Safe to retry after 0.5 s.",
        ),
        (InternalError("c-1"), "internal", "internal_error", False, "report correlation id c-1"),
    ],
)
def test_each_error_renders_its_type_code_and_retry_advice(
    error: WireproofError, error_type: str, code: str, retryable: bool, advice: str
) -> None:
    rendered = render_tool_error(error, correlation_id="c-1")
    body = rendered.structured["error"]
    assert set(body) >= STRUCTURE_KEYS
    assert (body["type"], body["code"], body["retryable"]) == (error_type, code, retryable)
    assert body["correlation_id"] == "c-1"
    assert advice in rendered.text.splitlines()[-1]
    assert isinstance(error, WireproofError)


def test_retryable_errors_carry_retry_after_in_milliseconds() -> None:
    body = render_tool_error(Unavailable("x", retry_after=2), correlation_id="c").structured["error"]
    assert body["retry_after_ms"] == 2000
    assert render_tool_error(NotFound("x"), correlation_id="c").structured["error"]["retry_after_ms"] is None


def test_auth_errors_share_one_base_class() -> None:
    for cls in (Unauthenticated, TokenExpired, InsufficientScope, Forbidden):
        assert issubclass(cls, AuthError)


def test_insufficient_scope_names_every_required_scope() -> None:
    error = InsufficientScope("Needs scopes", required=frozenset({"b:write", "a:read"}))
    assert render_tool_error(error, correlation_id="c").structured["error"]["required_scopes"] == [
        "a:read",
        "b:write",
    ]


def test_field_errors_render_one_line_each_with_field_expected_and_received() -> None:
    error = InvalidInput(
        "Invalid arguments for list_tickets_by_date",
        fields=[
            FieldError("status", "is not one of the allowed values", 'one of "open", "closed"', "bogus"),
            FieldError("start_date", "is required", "a date as YYYY-MM-DD"),
        ],
    )
    text = render_tool_error(error, correlation_id="c").text.splitlines()
    assert text[0] == "Invalid arguments for list_tickets_by_date:"
    assert (
        text[1]
        == '- status: is not one of the allowed values. Expected one of "open", "closed"; you passed "bogus".'
    )
    assert text[2] == "- start_date: is required. Expected a date as YYYY-MM-DD."
    assert text[3] == "Do not retry with the same arguments: fix them and call again."


def test_long_values_are_cut_and_their_size_stated() -> None:
    described = describe_value("x" * 1_000_000)
    assert len(described) < 120
    assert "1,000,000 characters" in described
    field = FieldError("text", "is too long", "a string", "y" * 5000).to_json()
    assert len(field["received"]) <= 61


def test_control_characters_are_escaped_in_model_text() -> None:
    assert describe_value("a\x00b\x1b[31m") == '"a\\u0000b\\u001b[31m"'


class Contact(BaseModel):
    email: str


def build_crm() -> Connector[None]:
    app: Connector[None] = Connector("crm")

    @app.read(public=True)
    async def get_contact(email: str) -> Contact:
        """Get a contact by email.

        Args:
            email: The contact's email address.
        """
        raise ValueError(f"no such contact {email}; db password=hunter2")

    @app.read(public=True)
    async def find_contact(email: str) -> Contact:
        """Find a contact by email.

        Args:
            email: The contact's email address.
        """
        return {}[email]  # type: ignore[no-any-return]

    @app.read(public=True)
    async def get_deal(deal_id: int) -> Contact:
        """Get a deal.

        Args:
            deal_id: The deal's number.
        """
        raise Unavailable("The deal database is restarting", retry_after=3)

    @app.write(public=True, idempotency_key=True, effect="external")
    async def close_deal(deal_id: int) -> Contact:
        """Close a deal.

        Args:
            deal_id: The deal's number.
        """
        raise Conflict(f"Deal {deal_id} is already closed", code="already_closed")

    return app


def serve_crm() -> Any:
    """The SDK server of the crm connector (one place to adapt if serving needs more arguments)."""
    return build_crm().server(None, store=MemoryIdempotencyStore(), principal=LOCAL_OPERATOR)


@pytest.mark.anyio
async def test_a_plain_value_error_is_masked_and_the_log_says_which_exception_to_raise_instead(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="wireproof"), anyio.fail_after(30):
        async with Client(serve_crm()) as client:
            result = await client.call_tool("get_contact", {"email": "ada@example.com"})
    error = result.meta["io.wireproof/error"]
    assert (error["type"], error["code"], error["fields"]) == ("internal", "internal_error", [])
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith("The tool failed inside the connector.")
    for leak in ("hunter2", "ValueError", "no such contact", "InvalidInput"):
        assert leak not in text
        assert leak not in json.dumps(error)
    (record,) = [r for r in caplog.records if error["correlation_id"] in r.getMessage()]
    line = record.getMessage()
    assert line.startswith(
        f"internal error in tool get_contact [{error['correlation_id']}]: ValueError masked"
    )
    assert "raise wireproof.InvalidInput.field(name, problem, expected=..., received=...)" in line
    assert "to tell the model what to fix" in line
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ValueError)


@pytest.mark.anyio
async def test_a_key_error_is_masked_and_the_log_says_to_raise_not_found(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="wireproof"), anyio.fail_after(30):
        async with Client(serve_crm()) as client:
            result = await client.call_tool("find_contact", {"email": "ada@example.com"})
    correlation_id = result.meta["io.wireproof/error"]["correlation_id"]
    (record,) = [r for r in caplog.records if correlation_id in r.getMessage()]
    assert "KeyError masked as an internal error" in record.getMessage()
    assert "raise wireproof.NotFound(...)" in record.getMessage()


@pytest.mark.parametrize(
    ("exception", "instead"),
    [
        (ValueError("bad"), "wireproof.InvalidInput.field("),
        (KeyError("k"), "wireproof.NotFound("),
        (PermissionError("no"), "wireproof.Forbidden("),
        (TimeoutError(), "wireproof.Unavailable(..., retry_after=seconds)"),
        (ConnectionRefusedError(), "wireproof.Unavailable(..., retry_after=seconds)"),
        (RuntimeError("x"), "InvalidInput.field(...) for an argument to fix, NotFound, Conflict"),
        (pydantic_core.PydanticSerializationError("x"), "does not fit its models"),
    ],
)
def test_the_masking_hint_names_the_typed_error_that_tells_the_model(
    exception: BaseException, instead: str
) -> None:
    hint = masking_hint(exception)
    assert hint.startswith(f"{type(exception).__name__} masked as an internal error")
    assert instead in hint


@pytest.mark.parametrize(
    ("error", "failure_class", "code", "retryable"),
    [
        (InvalidInput("Invalid arguments for t"), "capability", "invalid_input", False),
        (InvalidInput("Too big", code="response_too_large"), "capability", "invalid_input", False),
        (NotFound("No ticket 4"), "capability", "resource_not_found", False),
        (Conflict("Already closed", code="already_closed"), "capability", "already_closed", False),
        (Unauthenticated("No credential"), "governance", "auth_required", False),
        (TokenExpired("Token expired"), "governance", "auth_required", False),
        (InsufficientScope("Needs scope"), "governance", "permission_denied", False),
        (Forbidden("Not yours"), "governance", "permission_denied", False),
        (RateLimited("Slow down", retry_after=2), "reliability", "retryable_transient_error", True),
        (Unavailable("Down", code="in_progress"), "reliability", "retryable_transient_error", True),
        (InternalError("c-1"), "capability", "internal_error", False),
    ],
)
def test_each_error_carries_the_tool_failure_proposals_class_code_and_retryable(
    error: WireproofError, failure_class: str, code: str, retryable: bool
) -> None:
    rendered = render_tool_error(error, correlation_id="c-9", now=1_000.0)
    failure = rendered.tool_failure
    assert (failure["class"], failure["code"], failure["retryable"]) == (failure_class, code, retryable)
    assert failure["correlationId"] == "c-9"
    assert failure["agentGuidance"] == rendered.text.splitlines()[-1] == error.advice()
    assert ("retryNotBefore" in failure) is retryable
    assert set(failure) <= {"class", "code", "retryable", "retryNotBefore", "correlationId", "agentGuidance"}


def test_retry_not_before_is_unix_epoch_milliseconds_after_retry_after() -> None:
    failure = render_tool_error(
        RateLimited("Slow down", retry_after=2.5), correlation_id="c", now=1_000.0
    ).tool_failure
    assert failure["retryNotBefore"] == 1_002_500


def test_the_tool_failure_meta_key_is_the_proposals() -> None:
    assert TOOL_FAILURE_META == "io.modelcontextprotocol/toolFailure"


@pytest.mark.anyio
async def test_an_error_result_carries_both_error_objects_in_its_meta() -> None:
    with anyio.fail_after(30):
        async with Client(serve_crm()) as client:
            before = time.time()
            result = await client.call_tool("get_deal", {"deal_id": 4})
            after = time.time()
    assert result.is_error is True
    ours, theirs = result.meta["io.wireproof/error"], result.meta["io.modelcontextprotocol/toolFailure"]
    assert (ours["type"], ours["retryable"], ours["retry_after_ms"]) == ("unavailable", True, 3000)
    assert (theirs["class"], theirs["code"], theirs["retryable"]) == (
        "reliability",
        "retryable_transient_error",
        True,
    )
    assert theirs["correlationId"] == ours["correlation_id"]
    assert theirs["agentGuidance"] == "Safe to retry after 3 s."
    assert theirs["agentGuidance"] == result.content[0].text.splitlines()[-1]  # type: ignore[union-attr]
    assert round(before * 1000) + 3000 <= theirs["retryNotBefore"] <= round(after * 1000) + 3000


@pytest.mark.anyio
async def test_a_masked_error_carries_the_tool_failure_with_its_correlation_id_and_nothing_more() -> None:
    with anyio.fail_after(30):
        async with Client(serve_crm()) as client:
            result = await client.call_tool("get_contact", {"email": "ada@example.com"})
    failure = result.meta["io.modelcontextprotocol/toolFailure"]
    assert failure["correlationId"] == result.meta["io.wireproof/error"]["correlation_id"]
    assert (failure["class"], failure["code"], failure["retryable"]) == (
        "capability",
        "internal_error",
        False,
    )
    assert "hunter2" not in json.dumps(failure)


@pytest.mark.anyio
async def test_a_replayed_terminal_error_carries_the_tool_failure_of_the_first_call() -> None:
    with anyio.fail_after(30):
        async with Client(serve_crm()) as client:
            first = await client.call_tool("close_deal", {"deal_id": 7, "idempotency_key": "k-1"})
            again = await client.call_tool("close_deal", {"deal_id": 7, "idempotency_key": "k-1"})
    assert again.meta["io.wireproof/replayed"] is True
    assert (
        again.meta["io.modelcontextprotocol/toolFailure"] == first.meta["io.modelcontextprotocol/toolFailure"]
    )
    assert first.meta["io.modelcontextprotocol/toolFailure"] == {
        "class": "capability",
        "code": "already_closed",
        "retryable": False,
        "correlationId": first.meta["io.wireproof/error"]["correlation_id"],
        "agentGuidance": "Do not retry with the same arguments.",
    }
