"""The error tree and how each error renders for a model and for a program."""

from __future__ import annotations

import pytest

from wireproof import (
    AuthError,
    Conflict,
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
from wireproof.errors import describe_value

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
