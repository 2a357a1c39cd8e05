"""The error rules judge failures by what they really say: disguised, leaky, or on the wrong channel.

Each fixture is an SDK low-level server (tests/check/servers.py) that refuses schema-invalid calls
soundly, so only the one flaw under test can fire; each flaw has a sound twin that must stay quiet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mcp_types as types
import pytest
from mcp.shared.exceptions import MCPError

from tests.check import servers as s
from tests.check.test_rules import check
from wireproof.check.model import Finding, Report


def server(handler: Callable[[dict[str, Any]], Any], **tool: Any) -> Any:
    """One read-only tool behind sound validation: only what ``handler`` does differs."""
    return s.build([s.FakeTool("get_colour_by_name", handler, **tool)], validate=True)


def answering(value: Any) -> Callable[[dict[str, Any]], Any]:
    async def handler(args: dict[str, Any]) -> Any:
        return s.ok(value)

    return handler


def failing_with(text: str) -> Callable[[dict[str, Any]], Any]:
    async def handler(args: dict[str, Any]) -> Any:
        return s.tool_error(text)

    return handler


def findings(report: Report, rule_id: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule_id]


SQL_SCHEMA = {
    "type": "object",
    "properties": {"sql": {"type": "string", "description": "One SELECT statement.", "maxLength": 500}},
    "required": ["sql"],
    "additionalProperties": False,
}

FIRES: dict[str, tuple[Callable[[], Any], dict[str, Any]]] = {
    "errors.failure-as-protocol-error": (
        lambda: server(lambda_raise(MCPError(-32603, "database unavailable"))),
        {},
    ),
    "protocol.invalid-result": (lambda: server(text_without_text), {}),
}


COVERED = set(FIRES)
"""The rules this file makes fire (test_rules.py checks every rule fires somewhere)."""


def lambda_raise(error: MCPError) -> Callable[[dict[str, Any]], Any]:
    async def handler(args: dict[str, Any]) -> Any:
        raise error

    return handler


async def text_without_text(args: dict[str, Any]) -> Any:
    # model_construct skips validation: the server sends a text item with no text, as a buggy server would
    return types.CallToolResult(content=[types.TextContent.model_construct(type="text")])


async def content_not_a_list(args: dict[str, Any]) -> Any:
    return types.CallToolResult.model_construct(content={"type": "text", "text": "blue"}, is_error=False)


async def structured_list(args: dict[str, Any]) -> Any:
    return types.CallToolResult(content=[types.TextContent(text='["blue"]')], structured_content=["blue"])


_SERIALIZER = "ignore:Pydantic serializer warnings:UserWarning"  # the fixture's own deliberately bad result


@pytest.mark.filterwarnings(_SERIALIZER)
@pytest.mark.parametrize("rule_id", sorted(FIRES))
def test_rule_fires_on_its_flaw(rule_id: str) -> None:
    factory, options = FIRES[rule_id]
    assert findings(check(factory(), **options), rule_id)


# -- errors.disguised-success ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "severity"),
    [
        ({"success": False, "error": "Unknown database 'example'"}, "error"),
        ({"success": False}, "error"),
        ({"ok": False, "message": "table not found"}, "error"),
        ({"error": "no such table: example"}, "error"),
        ({"errore": "list index out of range"}, "error"),  # mcp-cronos (hold-out 6 cr-2), in Italian
        ({"error": {"code": 3, "message": "refused"}, "code": 3}, "error"),
        ({"ok": False}, "warning"),
        ({"rows": [], "error": "partial: 1 shard down"}, "warning"),
        ({"status": "failed", "id": 3}, "warning"),
    ],
)
def test_a_json_failure_with_is_error_false_is_disguised_success(answer: Any, severity: str) -> None:
    found = findings(check(server(answering(answer))), "errors.disguised-success")
    assert [f.severity for f in found] == [severity]


def test_text_that_opens_with_an_error_word_is_a_certain_disguise_and_a_phrase_only_a_warning() -> None:
    async def opens(args: dict[str, Any]) -> Any:
        return types.CallToolResult(content=[types.TextContent(text="Error: no such colour in the database")])

    async def phrase(args: dict[str, Any]) -> Any:
        return types.CallToolResult(content=[types.TextContent(text="Sorry, an error occurred upstream.")])

    assert [f.severity for f in findings(check(server(opens)), "errors.disguised-success")] == ["error"]
    assert [f.severity for f in findings(check(server(phrase)), "errors.disguised-success")] == ["warning"]


@pytest.mark.parametrize(
    "said",
    [
        "错误\uff1a无法解析文件",  # error: cannot parse the file
        "tasksRaw 參數格式錯誤\uff0c請確保格式正確",  # the parameter's format is wrong (shrimp-task-manager, sh-3)
        "读取失败: 文件不可读",  # the read failed
    ],
)
def test_a_chinese_error_text_with_is_error_false_is_a_disguised_failure(said: str) -> None:
    async def chinese(args: dict[str, Any]) -> Any:
        return types.CallToolResult(content=[types.TextContent(text=said)])

    assert [f.severity for f in findings(check(server(chinese)), "errors.disguised-success")] == ["warning"]


def test_chinese_data_that_names_no_failure_is_not_disguised() -> None:
    async def data(args: dict[str, Any]) -> Any:
        return types.CallToolResult(
            content=[types.TextContent(text="文件 refs.bib\uff08总计 3 个条目\uff09: knuth1984, lamport1994")]
        )

    assert not findings(check(server(data)), "errors.disguised-success")


@pytest.mark.parametrize(
    "answer",
    [
        {"rows": [], "error": None},
        {"success": True, "error": None},
        {"status": "open", "id": 3},
        {"ok": True, "errors": []},
        [{"error": "a log line"}],
        {"valid": False, "error": "not a valid e-mail address"},  # a validator's verdict (hold-out 7 ca)
    ],
)
def test_data_that_merely_mentions_errors_is_not_disguised_success(answer: Any) -> None:
    assert not findings(check(server(answering(answer))), "errors.disguised-success")


def test_a_disguised_refusal_of_a_malformed_call_is_not_reported_as_accepted() -> None:
    async def refuse_quietly(args: dict[str, Any]) -> Any:
        result = await s.strict_colour(args)
        if result.is_error:
            return s.ok({"success": False, "error": "name must be a string of at most 50 characters"})
        return result

    report = check(s.build([s.FakeTool("get_colour_by_name", refuse_quietly)]))
    assert not findings(report, "errors.malformed-accepted")
    assert [f.severity for f in findings(report, "errors.disguised-success")] == ["error"]


# -- errors.failure-as-protocol-error ---------------------------------------------------------------------


def test_a_valid_call_that_fails_as_a_json_rpc_error_is_a_failure_on_the_wrong_channel() -> None:
    report = check(server(lambda_raise(MCPError(-32603, "database unavailable"))))
    (found,) = findings(report, "errors.failure-as-protocol-error")
    assert found.severity == "warning"
    assert "-32603" in found.message


def test_a_failure_answered_as_an_is_error_result_is_on_the_right_channel() -> None:
    report = check(server(failing_with("The colour service is down; retry in 5 s.")))
    assert not findings(report, "errors.failure-as-protocol-error")


# -- protocol.invalid-result -----------------------------------------------------------------------------


@pytest.mark.filterwarnings(_SERIALIZER)
@pytest.mark.parametrize("handler", [text_without_text, content_not_a_list, structured_list])
def test_an_answer_the_client_must_refuse_is_an_invalid_result_error(handler: Any) -> None:
    report = check(server(handler))
    (found,) = findings(report, "protocol.invalid-result")
    assert found.severity == "error"
    assert found.category == "protocol"
    assert "content" in found.message or "structuredContent is a JSON array" in found.message
    assert not findings(report, "errors.failure-as-protocol-error")


def test_a_server_that_answers_valid_results_has_no_invalid_result() -> None:
    assert not findings(check(s.sound_server()), "protocol.invalid-result")


# -- errors.leak: internals by kind, never the caller's own words ----------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "severity"),
    [
        ("Lookup failed: SELECT colour FROM things WHERE name = ? (no row)", "the server's own SQL", "error"),
        ("Lookup failed: SELECT colour FROM things WHERE name = $1", "the server's own SQL", "error"),
        ("sqlite3.OperationalError: no such table: things", "a database driver message", "warning"),
        ("SQLITE_ERROR: no such column: shade", "a database driver message", "warning"),
        ('error: relation "colour_things" does not exist', "a raw database message", "warning"),
        ("UNIQUE constraint failed: things.name", "a raw database message", "warning"),
        ("name 'nmae' is not defined. Did you mean: 'name'?", "an interpreter message", "warning"),
        (
            "TypeError: Cannot read properties of undefined (reading 'colour')",
            "an interpreter message",
            "warning",
        ),
        (
            "Unsupported: BinOp(left=Constant(value=1), op=Add(), right=Name(id='x', ctx=Load()))",
            "a syntax-tree or object dump",
            "warning",
        ),
        (
            "cannot colour <app.models.Thing object at 0x7f3a2c1d9e80>",
            "a syntax-tree or object dump",
            "warning",
        ),
        ('Traceback (most recent call last):\n  File "/srv/app.py", line 4', "a Python stack trace", "error"),
        (
            "[Errno 2] No such file or directory: '/srv/app/tmpd1wksc5f.xlsx'",
            "an OS error string with a path",
            "warning",
        ),
        (
            "ENOENT: no such file or directory, open '/srv/app/colours.json'",
            "an OS error string with a path",
            "warning",
        ),
        (  # docs/holdout4 sh-2: zod's issue list, dumped whole by a TypeScript server
            '[\n  {\n    "code": "invalid_type",\n    "expected": "string",\n    "received": "undefined",\n'
            '    "path": [\n      "taskId"\n    ],\n    "message": "Required"\n  }\n]',
            "a validation-library dump",
            "error",
        ),
    ],
)
def test_internal_details_in_an_error_are_leaks_by_kind(text: str, label: str, severity: str) -> None:
    found = findings(check(server(failing_with(text))), "errors.leak")
    assert [(f.message, f.severity) for f in found if label in f.message] == [
        (f"An answer contains {label}.", severity)
    ]


PATH_SCHEMA = {
    "type": "object",
    "properties": {"path": {"type": "string", "description": "The note's path.", "maxLength": 200}},
    "required": ["path"],
    "additionalProperties": False,
}


def note_server(answer: Callable[[str], types.CallToolResult]) -> Any:
    async def read_note(args: dict[str, Any]) -> Any:
        return answer(str(args.get("path")))

    return s.build(
        [s.FakeTool("read_note", read_note, description="Read a note.", input_schema=PATH_SCHEMA)],
        validate=True,
    )


def test_an_os_error_quoting_the_callers_own_path_is_not_a_leak() -> None:
    report = check(
        note_server(lambda p: s.tool_error(f"[Errno 2] No such file or directory: '{p}'; send another path")),
        tool_arguments={"read_note": {"path": "/data/notes/a.md"}},
    )
    assert not findings(report, "errors.leak")


def test_a_relative_path_answered_as_the_servers_absolute_path_gives_its_root_away() -> None:
    report = check(
        note_server(lambda p: s.ok({"text": "hello", "file": f"/srv/kb/project/{p}"})),
        tool_arguments={"read_note": {"path": "notes/a.md"}},
    )
    (found,) = findings(report, "errors.leak")
    assert found.severity == "warning"
    assert "'/srv/kb/project/notes/a.md'" in found.message


def announcing_server(folder: str, error: str) -> Any:
    """list_allowed_directories announces ``folder``; every read_note fails with ``error``."""

    async def allowed(args: dict[str, Any]) -> Any:
        return s.ok({"allowed": [folder]})

    async def read_note(args: dict[str, Any]) -> Any:
        return s.tool_error(error)

    return s.build(
        [
            s.FakeTool(
                "list_allowed_directories",
                allowed,
                description="The folders this server may read.",
                input_schema={"type": "object", "properties": {}, "additionalProperties": False},
                annotations={"readOnlyHint": True},
            ),
            s.FakeTool("read_note", read_note, description="Read a note.", input_schema=PATH_SCHEMA),
        ],
        validate=True,
    )


def test_an_os_error_inside_a_folder_the_server_announces_is_not_a_leak() -> None:
    """The corpus's server-filesystem: the allowed directory is the caller's to know (it is told it)."""
    inside = "ENOENT: no such file or directory, open '/data/shared/notes/missing.md'; list the folder"
    report = check(
        announcing_server("/data/shared", inside), tool_arguments={"read_note": {"path": "notes/a.md"}}
    )
    assert not findings(report, "errors.leak")


def test_an_os_error_outside_the_announced_folder_is_still_a_leak() -> None:
    outside = "[Errno 2] No such file or directory: '/srv/app/tmpd1wksc5f.xlsx'"
    report = check(
        announcing_server("/data/shared", outside), tool_arguments={"read_note": {"path": "notes/a.md"}}
    )
    assert [f.severity for f in findings(report, "errors.leak")] == ["warning"]


def test_a_relative_path_answered_as_sent_is_not_a_leak() -> None:
    report = check(
        note_server(lambda p: s.ok({"text": "hello", "file": p, "url": f"https://kb.example/raw/{p}"})),
        tool_arguments={"read_note": {"path": "notes/a.md"}},
    )
    assert not findings(report, "errors.leak")


def test_an_error_naming_the_table_the_caller_asked_for_is_not_a_leak() -> None:
    async def no_such_table(args: dict[str, Any]) -> Any:
        return s.tool_error(
            f'no such table: {args.get("name")}; relation "{args.get("name")}" does not exist'
        )

    assert not findings(check(server(no_such_table)), "errors.leak")


def test_a_syntax_error_about_the_callers_own_sql_is_not_a_leak() -> None:
    async def run_select(args: dict[str, Any]) -> Any:
        sql = args["sql"]
        if not sql.upper().startswith("SEL"):
            return s.good_error("sql", "one SELECT statement")
        return s.tool_error(f'near "{sql.split()[0]}": syntax error; no such table: colours')

    report = check(
        server(run_select, input_schema=SQL_SCHEMA), tool_arguments={"get_colour_by_name": {"sql": "SELEC 1"}}
    )
    assert not findings(report, "errors.leak")


def test_a_query_tool_quoting_the_callers_sql_reshaped_is_at_most_a_warning() -> None:
    async def reshaped(args: dict[str, Any]) -> Any:
        return s.tool_error(f"Query failed: {' '.join(str(args.get('sql')).split()).upper()} WHERE id = ?")

    report = check(
        server(reshaped, input_schema=SQL_SCHEMA),
        tool_arguments={"get_colour_by_name": {"sql": "select  name from things"}},
    )
    assert {f.severity for f in findings(report, "errors.leak")} == {"warning"}


def test_a_query_tool_passing_its_drivers_exception_names_through_leaks_them() -> None:
    async def driver(args: dict[str, Any]) -> Any:
        return s.tool_error(
            f'sqlite3.OperationalError: near "{str(args.get("sql")).split()[0]}": syntax error'
        )

    report = check(
        server(driver, input_schema=SQL_SCHEMA), tool_arguments={"get_colour_by_name": {"sql": "SELEC 1"}}
    )
    assert [(f.message, f.severity) for f in findings(report, "errors.leak")] == [
        ("An answer contains a database driver message.", "warning")
    ]


def test_a_string_result_wrapped_by_the_sdk_is_still_read_as_text() -> None:
    async def wrapped(args: dict[str, Any]) -> Any:
        text = "Error: (sqlite3.ProgrammingError) no such table\n(Background on this error at: https://sqlalche.me/e/20/f405)"
        return types.CallToolResult(
            content=[types.TextContent(text=text)], structured_content={"result": text}
        )

    report = check(server(wrapped))
    assert [f.severity for f in findings(report, "errors.disguised-success")] == ["error"]
    assert ("An answer contains a library's error page.", "error") in [
        (f.message, f.severity) for f in findings(report, "errors.leak")
    ]


def test_a_successful_answer_that_quotes_a_stack_trace_is_data_not_a_leak() -> None:
    log = 'worker log:\nTraceback (most recent call last):\n  File "/srv/job.py", line 9, in run\n'
    assert not findings(check(server(answering({"log": log}))), "errors.leak")


def test_helpful_suggestions_are_not_interpreter_advice() -> None:
    text = "Unknown colour 'bleu'. Did you mean blue? Do not retry with the same arguments."
    assert not findings(check(server(failing_with(text))), "errors.leak")


# -- errors.expected-not-stated: a wrong type stated for the only field says what is expected ------------------

ID_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "description": "The task's id.", "minimum": 1, "maximum": 10**6}
    },
    "required": ["id"],
    "additionalProperties": False,
}


def typed_rejection(*, states_type: bool) -> Any:
    async def get_task(args: dict[str, Any]) -> Any:
        value = args.get("id")
        if set(args) - {"id"}:
            return s.good_error(sorted(set(args) - {"id"})[0], "only id; remove the unknown argument")
        if not isinstance(value, int) or isinstance(value, bool):
            said = f"{value!r} is not of type 'integer'" if states_type else f"bad value {value!r}"
            return s.tool_error(f"Input validation error: {said}. Do not retry unchanged.")
        if not 1 <= value <= 10**6:
            return s.good_error("id", "an id from 1 to 1000000")
        return s.ok({"id": value, "title": "a task"})

    return s.build(
        [s.FakeTool("get_task", get_task, description="Get a task by id.", input_schema=ID_SCHEMA)]
    )


def test_a_wrong_type_stated_for_the_only_field_says_what_is_expected() -> None:
    assert not findings(check(typed_rejection(states_type=True)), "errors.expected-not-stated")


def test_a_wrong_type_not_stated_is_still_reported() -> None:
    (found,) = findings(check(typed_rejection(states_type=False)), "errors.expected-not-stated")
    assert "'12'" in (found.evidence.answer or "") or "bad value" in (found.evidence.answer or "")
