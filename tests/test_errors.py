"""The error tree and how each error renders for a model and for a program."""

from __future__ import annotations

import json
import logging
from typing import Any

import anyio
import pydantic_core
import pytest
from mcp import Client
from pydantic import BaseModel

from wireproof import (
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
from wireproof.errors import describe_value, masking_hint

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

    return app


def serve_crm() -> Any:
    """The SDK server of the crm connector (one place to adapt if serving needs more arguments)."""
    return build_crm().server(None)


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
