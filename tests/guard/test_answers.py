"""What an upstream answer becomes: typed errors with retry advice, internals masked behind an id."""

from __future__ import annotations

import logging

import mcp_types as types
import pytest
from mcp.shared.exceptions import MCPError

from wireproof.errors import InvalidInput, NotFound, RateLimited, Unavailable
from wireproof.guard import FailureRule
from wireproof.guard._answers import disguised_failure, upstream_error, upstream_failure

TRACE = (
    "lookup failed\nTraceback (most recent call last):\n"
    '  File "/srv/app/.venv/lib/python3.11/site-packages/server/tools.py", line 40, in explode\n'
    "KeyError: 'x'"
)


def _failed(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)


def test_a_stack_trace_is_masked_behind_the_correlation_id_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="wireproof.guard"):
        error = upstream_failure("explode", _failed(TRACE), "c-1")
    assert "Traceback" not in error.message
    assert "site-packages" not in error.message
    assert "c-1" in error.message
    assert any(
        "Traceback" in record.getMessage() and "c-1" in record.getMessage() for record in caplog.records
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("connection refused by backend at 10.0.0.7:5432", Unavailable),
        ("The request timed out after 30s", Unavailable),
        ("429 Too Many Requests", RateLimited),
        ("No entry named 'x' found", NotFound),
        ("ENOENT: no such file or directory, open 'a.txt'", NotFound),
        ("fatal: bad revision 'HEAD~99'", InvalidInput),
    ],
)
def test_failures_are_classified_with_retry_advice(text: str, kind: type[Exception]) -> None:
    error = upstream_failure("t", _failed(text), "c-2")
    assert isinstance(error, kind)
    assert text[:20] in error.message  # a clean message is passed on
    assert error.advice()


def test_a_clean_message_is_cut_to_size() -> None:
    error = upstream_failure("t", _failed("x" * 5000), "c-3")
    assert len(error.message) < 700
    assert "5,000 characters" in error.message


def test_the_upstream_s_own_validation_is_terminal_invalid_input() -> None:
    error = upstream_error("t", MCPError(types.INVALID_PARAMS, "Invalid timezone: Mars/Base"), "c-4")
    assert isinstance(error, InvalidInput)
    assert error.retryable is False
    assert "Mars/Base" in error.message


def test_a_pydantic_dump_in_a_json_rpc_error_is_masked() -> None:
    dump = "1 validation error for callArguments\nx\n  Field required [type=missing] errors.pydantic.dev/2.11"
    error = upstream_error("t", MCPError(types.INVALID_PARAMS, dump), "c-5")
    assert isinstance(error, InvalidInput)
    assert "pydantic" not in error.message
    assert "c-5" in error.message


def test_a_failure_disguised_as_success_is_an_error_when_a_rule_says_so() -> None:
    answer = types.CallToolResult(
        content=[types.TextContent(text='{"success": false, "error": "card declined"}')]
    )
    rules = (FailureRule(key="success", equals=False),)
    error = disguised_failure("charge", answer, rules, "c-6")
    assert error is not None
    assert "card declined" in error.message
    assert disguised_failure("charge", answer, (), "c-6") is None
    fine = types.CallToolResult(content=[types.TextContent(text='{"success": true}')])
    assert disguised_failure("charge", fine, rules, "c-6") is None


def test_a_text_rule_catches_an_error_answered_as_plain_success_text() -> None:
    answer = types.CallToolResult(content=[types.TextContent(text="Error: no such table: users")])
    error = disguised_failure("read_query", answer, (FailureRule(text_matches="^Error:"),), "c-7")
    assert isinstance(error, NotFound)
    assert "no such table" in error.message


def test_a_database_parser_message_is_masked() -> None:
    error = upstream_failure("describe_table", _failed('Database error: near "\u2713": syntax error'), "c-8")
    assert "syntax error" not in error.message
    assert "c-8" in error.message


def test_an_os_error_passed_on_names_the_file_but_not_where_the_server_keeps_it() -> None:
    text = "EEXIST: file already exists, mkdir '/srv/files/notes/example'"
    error = upstream_failure("create_directory", _failed(text), "c-9")
    assert isinstance(error, InvalidInput)
    assert "'…/example'" in error.message
    quoted = upstream_failure("t", _failed("ENOENT: no such file, open '/srv/files/' AND '1'='2'"), "c-10")
    assert "/srv/files" not in quoted.message
    assert "/srv/files" not in error.message
    assert "EEXIST: file already exists" in error.message  # the reason itself is kept


def test_a_success_gives_the_caller_s_relative_path_back_without_the_server_s_root() -> None:
    from wireproof.guard._answers import hide_roots

    answer = types.CallToolResult(
        content=[types.TextContent(text="Index: /srv/kb/notes/a.md\n--- /srv/kb/notes/a.md\toriginal")],
        structured_content={"path": "/srv/kb/notes/a.md", "other": "/srv/kb/notes/a.mdx"},
    )
    hidden = hide_roots(answer, {"path": "notes/a.md"})
    assert hidden.content[0].text == "Index: notes/a.md\n--- notes/a.md\toriginal"  # type: ignore[union-attr]
    assert hidden.structured_content == {"path": "notes/a.md", "other": "/srv/kb/notes/a.mdx"}
    plain = types.CallToolResult(content=[types.TextContent(text="hello")])
    assert hide_roots(plain, {"text": "hello"}) is plain  # nothing to take off: the answer as it came


def test_a_path_with_letters_past_ascii_loses_its_root_only_in_structured_content_too() -> None:
    from wireproof.guard._answers import hide_roots

    answer = types.CallToolResult(
        content=[types.TextContent(text="saved")],
        structured_content={"saved": ["/srv/kb/notes/café.md"]},
    )
    hidden = hide_roots(answer, {"path": "notes/café.md"})
    assert hidden.structured_content == {"saved": ["notes/café.md"]}
    assert hidden.content == answer.content
