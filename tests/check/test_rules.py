"""Each checker rule fires on a server with its flaw and stays quiet on a sound one.

Servers are built with the official SDK (tests/check/servers.py) and checked in memory
through the official client, exactly as ``wireproof check`` checks any server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from tests.check import servers as s
from wireproof.check import CheckOptions, Observer, Report, Target, run_check
from wireproof.check.rules import REGISTRY
from wireproof.lock import Lock, ToolDefinition


def check(server: Any, **options: Any) -> Report:
    return anyio.run(run_check, Target(server=server), CheckOptions(**options))


async def accept_anything(args: dict[str, Any]) -> Any:
    return s.ok({"name": str(args.get("name")), "colour": "blue"})


def schema_with(**prop: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"name": {"description": "The name.", **prop}},
        "required": ["name"],
        "additionalProperties": False,
    }


def one(**fields: Any) -> Callable[[], Any]:
    return lambda: s.build(
        [s.FakeTool(**{"name": "get_colour_by_name", "handler": s.strict_colour, **fields})]
    )


class Notes:
    """A write tool that appends on every call (not idempotent), and an observer that lists the notes."""

    def __init__(
        self,
        *,
        keyed: bool = False,
        dedupe: bool = False,
        annotations: dict[str, Any] | None = None,
        fail: bool = False,
        read_only_append: bool = False,
    ) -> None:
        self.notes: list[str] = []
        self.seen: dict[str, str] = {}
        self.keyed, self.dedupe, self.fail = keyed, dedupe, fail
        props: dict[str, Any] = {
            "body": {"type": "string", "description": "The text.", "minLength": 1, "maxLength": 100}
        }
        if keyed:
            props["idempotency_key"] = {
                "type": "string",
                "description": "Key.",
                "minLength": 1,
                "maxLength": 255,
            }
        self.tools = [
            s.FakeTool(
                "add_note",
                self.add,
                description="Add a note.",
                input_schema={
                    "type": "object",
                    "properties": props,
                    "required": ["body"],
                    "additionalProperties": False,
                },
                annotations=annotations
                or {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": keyed},
            ),
            s.FakeTool(
                "list_notes",
                self.list_notes,
                description="List every note.",
                input_schema={
                    "type": "object",
                    "properties": {
                        "limit": {
                            "type": "integer",
                            "description": "Max notes.",
                            "minimum": 1,
                            "maximum": 1000,
                        },
                        "offset": {"type": "integer", "description": "Notes to skip.", "minimum": 0},
                    },
                    "additionalProperties": False,
                },
            ),
        ]
        if read_only_append:
            self.tools.append(s.FakeTool("peek_notes", self.peek, description="Show the notes."))

    async def add(self, args: dict[str, Any]) -> Any:
        if self.fail:
            return s.tool_error("The notes service refused the call; do not retry.")
        body = args.get("body")
        if not isinstance(body, str) or set(args) - {"body", "idempotency_key"}:
            return s.good_error("body", "a string")
        key = args.get("idempotency_key")
        if self.dedupe and key is not None:
            if key in self.seen:
                if self.seen[key] != body:
                    return s.tool_error(
                        "idempotency_key was used with different arguments: body differs. "
                        "Do not retry with the same key."
                    )
                return s.ok({"count": self.notes.index(body) + 1, "replayed": True})
            self.seen[key] = body
        await anyio.sleep(0.01)
        self.notes.append(body)
        return s.ok({"count": len(self.notes)})

    async def list_notes(self, args: dict[str, Any]) -> Any:
        start = int(args.get("offset", 0))
        return s.ok({"notes": self.notes[start : start + int(args.get("limit", 1000))]})

    async def peek(self, args: dict[str, Any]) -> Any:
        self.notes.append("peeked")
        return s.ok({"notes": list(self.notes)})

    def server(self) -> Any:
        return s.build(self.tools, validate=self.dedupe)


OBSERVE = {"allow_writes": True, "observers": [Observer("list_notes", {})]}


async def slow_on_long_input(args: dict[str, Any]) -> Any:
    if len(str(args.get("name", ""))) > 50:
        await anyio.sleep(30)
    return await s.strict_colour(args)


async def raise_protocol_error(args: dict[str, Any]) -> Any:
    from mcp.shared.exceptions import MCPError

    if not isinstance(args.get("name"), str) or len(args) != 1 or len(args["name"]) > 50:
        raise MCPError(-32602, "Invalid params: name")
    return s.ok({"name": args["name"]})


async def vague_errors(args: dict[str, Any]) -> Any:
    result = await s.strict_colour(args)
    return s.tool_error("Bad request.") if result.is_error else result


async def errors_without_expectation(args: dict[str, Any]) -> Any:
    result = await s.strict_colour(args)
    return s.tool_error("The name is wrong; do not retry.") if result.is_error else result


async def errors_without_retry_advice(args: dict[str, Any]) -> Any:
    result = await s.strict_colour(args)
    return s.tool_error("- name: expected a string of at most 50 characters.") if result.is_error else result


async def leaky(args: dict[str, Any]) -> Any:
    result = await s.strict_colour(args)
    trace = 'Traceback (most recent call last):\n  File "/srv/app/main.py", line 4, in run\nKeyError: name'
    return s.tool_error(trace) if result.is_error else result


async def disguised(args: dict[str, Any]) -> Any:
    return s.types.CallToolResult(content=[s.types.TextContent(text="Error: no such colour in the database")])


async def reject_everything(args: dict[str, Any]) -> Any:
    return s.tool_error("Invalid arguments: name must be a colour name. Do not retry.")


def huge(size: int) -> Callable[[dict[str, Any]], Any]:
    async def handler(args: dict[str, Any]) -> Any:
        result = await s.strict_colour(args)
        return s.ok({"blob": "x" * size}) if not result.is_error else result

    return handler


async def errors_in_structured(args: dict[str, Any]) -> Any:
    result = await s.strict_colour(args)
    if not result.is_error:
        return s.ok({"shade": "red"})
    return s.tool_error_in_structured(result.content[0].text, {"error": {"type": "invalid_input"}})


LIST_OUTPUT = {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "string"}}}}


async def list_everything(args: dict[str, Any]) -> Any:
    result = await s.strict_colour(args)
    return s.ok({"items": [f"item-{i}" for i in range(30)]}) if not result.is_error else result


def failing_listing() -> Any:
    from mcp.server.lowlevel import Server
    from mcp.shared.exceptions import MCPError

    async def on_list_tools(ctx: Any, params: Any) -> Any:
        raise MCPError(-32603, "tools unavailable")

    return Server("broken", on_list_tools=on_list_tools)


FIRES: dict[str, tuple[Callable[[], Any], dict[str, Any]]] = {
    "schema.tool-description": (one(description=""), {}),
    "schema.param-description": (
        one(
            input_schema={
                **schema_with(type="string", maxLength=9),
                "properties": {"name": {"type": "string", "maxLength": 9}},
            }
        ),
        {},
    ),
    "schema.param-type": (one(input_schema=schema_with(maxLength=50)), {}),
    "schema.open-object": (
        one(input_schema={**schema_with(type="string", maxLength=50), "additionalProperties": True}),
        {},
    ),
    "schema.unbounded-string": (one(input_schema=schema_with(type="string")), {}),
    "schema.unbounded-array": (one(input_schema=schema_with(type="array", items={"type": "string"})), {}),
    "schema.date-without-format": (
        one(
            input_schema={
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "start_date": {"type": "string", "description": "First day.", "maxLength": 10}
                },
            }
        ),
        {},
    ),
    "schema.json-in-string": (  # hold-out 4 sh-9: split_tasks' tasksRaw, an array of task objects in a string
        one(
            input_schema={
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "tasks": {
                        "type": "string",
                        "maxLength": 4000,
                        "description": "The tasks, for example [{name: 'write it', description: 'the text'}].",
                    }
                },
            }
        ),
        {},
    ),
    "schema.enum-in-prose": (
        one(
            input_schema=schema_with(
                type="string", maxLength=50, description="One of 'red', 'green' or 'blue'."
            )
        ),
        {},
    ),
    "schema.vague-name": (lambda: s.build([s.FakeTool("query", s.strict_colour)]), {}),
    "schema.no-annotations": (one(annotations=None), {}),
    "schema.write-not-idempotent": (one(annotations={"readOnlyHint": False}), {}),
    "schema.non-portable-pattern": (one(input_schema=schema_with(type="string", pattern=r"^\d+$")), {}),
    "protocol.list-not-deterministic": (
        lambda: s.build(
            [
                s.FakeTool("get_colour_by_name", s.strict_colour),
                s.FakeTool("get_size_by_name", s.strict_colour),
            ],
            shuffle_listing=True,
        ),
        {},
    ),
    "protocol.list-tools-failed": (failing_listing, {}),
    "protocol.no-tools": (lambda: s.build([]), {}),
    "protocol.definitions-changed": (
        one(),
        {
            "lock": Lock.of(
                [ToolDefinition("get_colour_by_name", "Reviewed.", {"type": "object"}, None, None)]
            )
        },
    ),
    "protocol.no-tool-called": (one(annotations=None), {}),
    "errors.malformed-accepted": (one(handler=accept_anything), {}),
    "errors.validation-as-protocol-error": (one(handler=raise_protocol_error), {}),
    "errors.crash": (one(handler=slow_on_long_input), {"timeout": 1.0}),
    "errors.field-not-named": (one(handler=vague_errors), {}),
    "errors.expected-not-stated": (one(handler=errors_without_expectation), {}),
    "errors.not-repairable": (one(handler=errors_without_expectation), {}),
    "errors.no-retry-advice": (one(handler=errors_without_retry_advice), {}),
    "errors.leak": (one(handler=leaky), {}),
    "errors.disguised-success": (one(handler=disguised), {}),
    "errors.valid-rejected": (one(handler=reject_everything), {}),
    "output.over-budget": (one(handler=huge(200_000)), {}),
    "output.list-without-paging": (one(handler=list_everything, output_schema=LIST_OUTPUT), {}),
    "output.structured-mismatch": (one(output_schema={"type": "object", "required": ["shade"]}), {}),
    "output.error-structured-mismatch": (
        one(handler=errors_in_structured, output_schema={"type": "object", "required": ["shade"]}),
        {},
    ),
    "idempotency.repeat-duplicates": (lambda: Notes().server(), OBSERVE),
    "idempotency.concurrent-duplicates": (lambda: Notes(keyed=True).server(), OBSERVE),
    "idempotency.key-reuse-accepted": (lambda: Notes(keyed=True).server(), {"allow_writes": True}),
    "idempotency.hint-lies": (
        lambda: Notes(annotations={"readOnlyHint": False, "idempotentHint": True}).server(),
        OBSERVE,
    ),
    "idempotency.read-only-writes": (lambda: Notes(read_only_append=True).server(), OBSERVE),
    "idempotency.not-exercised": (lambda: Notes(fail=True).server(), {"allow_writes": True}),
}


@pytest.mark.parametrize("rule_id", sorted(FIRES))
def test_rule_fires_on_its_flaw(rule_id: str) -> None:
    factory, options = FIRES[rule_id]
    report = check(factory(), **options)
    fired = [f for f in report.findings if f.rule == rule_id]
    assert fired, f"{rule_id} did not fire; findings: {[f.rule for f in report.findings]}"
    for finding in fired:
        assert finding.message
        assert finding.category == REGISTRY[rule_id].category


def test_sound_server_has_no_findings() -> None:
    report = check(s.sound_server())
    assert report.findings == [], [(f.rule, f.message) for f in report.findings]
    # in memory, with no write tool: auth and idempotency were not exercised, so they are not scored
    assert report.scores == {
        "schema": 100,
        "errors": 100,
        "auth": None,
        "idempotency": None,
        "output": 100,
        "protocol": 100,
    }


def test_sound_idempotent_writes_have_no_findings() -> None:
    report = check(Notes(keyed=True, dedupe=True).server(), **OBSERVE)
    # list_notes (the observer) takes a bare limit and no offset or cursor, and it grows with the writes:
    # the one finding is that output info; the writes themselves are sound.
    rest = [f for f in report.findings if (f.rule, f.severity) != ("output.list-without-paging", "info")]
    assert rest == [], [(f.rule, f.message, f.evidence) for f in rest]
    assert any(c for c in report.tools if c.name == "add_note" and c.calls >= 10)


def test_writes_are_not_called_without_allow_writes() -> None:
    notes = Notes()
    report = check(notes.server())
    assert notes.notes == []
    (add,) = [t for t in report.tools if t.name == "add_note"]
    assert add.calls == 0
    assert add.skipped
    assert "--allow-writes" in add.skipped


def test_a_hung_tool_is_a_finding_not_a_hung_checker() -> None:
    started = time.monotonic()
    report = check(one(handler=slow_on_long_input)(), timeout=0.5)
    assert time.monotonic() - started < 20
    assert any(f.rule == "errors.crash" and "did not answer" in f.message for f in report.findings)


def test_one_hang_is_one_finding_per_tool_not_one_per_probe() -> None:
    async def hang(args: dict[str, Any]) -> Any:
        await anyio.sleep(30)
        return s.ok({})

    report = check(one(handler=hang)(), timeout=0.3)
    (finding,) = [f for f in report.findings if f.rule == "errors.crash"]
    (tool,) = report.tools
    assert tool.calls > 1  # every probe hung, and one finding says so
    assert f"{tool.calls - 1} more of its calls hung too" in finding.message


def test_every_finding_carries_reproducible_evidence() -> None:
    report = check(one(handler=accept_anything)())
    (finding, *_) = [f for f in report.findings if f.rule == "errors.malformed-accepted"]
    assert finding.evidence.call is not None
    assert finding.evidence.call["tool"] == "get_colour_by_name"
    assert "arguments" in finding.evidence.call
    assert json.loads(finding.evidence.answer or "{}")["isError"] is False


def test_every_non_auth_rule_has_a_firing_case_here() -> None:
    from tests.check import (
        test_rules_auth,
        test_rules_edges,
        test_rules_effects,
        test_rules_errors,
        test_rules_malformed_schema,
        test_rules_malformed_values,
        test_rules_output,
        test_rules_readonly,
        test_rules_recall,
        test_rules_state,
    )

    non_auth = {rule_id for rule_id, r in REGISTRY.items() if r.category != "auth"}
    covered = (
        test_rules_errors.COVERED
        | test_rules_readonly.COVERED
        | test_rules_output.COVERED
        | test_rules_recall.COVERED
        | test_rules_effects.COVERED
        | test_rules_edges.COVERED
        | test_rules_malformed_schema.COVERED
        | test_rules_malformed_values.COVERED
        | test_rules_state.COVERED
        | test_rules_auth.COVERED
    )
    assert non_auth == set(FIRES) | covered


# -- regressions: false positives found checking third-party servers (docs/third-party.md) -------------


def test_a_lookup_miss_on_the_generated_sample_is_not_valid_input_rejected() -> None:
    async def unknown_zone(args: dict[str, Any]) -> Any:
        return s.tool_error("Invalid timezone: 'No time zone found with key example'")

    report = check(one(handler=unknown_zone)())
    assert "errors.valid-rejected" not in {f.rule for f in report.findings}


def test_a_path_the_tool_works_on_is_not_a_leak() -> None:
    async def outside(args: dict[str, Any]) -> Any:
        result = await s.strict_colour(args)
        if result.is_error:
            return result
        return s.ok({"name": args["name"], "colour": "Repository is at /home/alice/proj, outside /srv"})

    report = check(one(handler=outside)())
    assert "errors.leak" not in {f.rule for f in report.findings}


def test_rejections_are_not_graded_when_even_the_valid_call_fails() -> None:
    async def always_refuses(args: dict[str, Any]) -> Any:
        return s.tool_error("Repository path 'example' is outside the allowed repository.")

    report = check(one(handler=always_refuses)())
    graded = {"errors.field-not-named", "errors.expected-not-stated", "errors.no-retry-advice"}
    assert not graded & {f.rule for f in report.findings}


def test_failures_disguised_as_successes_are_graded_for_retry_advice_too() -> None:
    # Hold-out 4 sh-6: every failure answered isError false ("Error: ..."), none saying whether to retry.
    async def disguised(args: dict[str, Any]) -> Any:
        result = await s.strict_colour(args)
        text = "Error: name must be a string of at most 50 characters."
        return (
            s.types.CallToolResult(content=[s.types.TextContent(type="text", text=text)])
            if result.is_error
            else result
        )

    async def advised(args: dict[str, Any]) -> Any:
        result = await s.strict_colour(args)
        text = "Error: name must be a string of at most 50 characters. Do not retry as is: fix the name."
        return (
            s.types.CallToolResult(content=[s.types.TextContent(type="text", text=text)])
            if result.is_error
            else result
        )

    rules = {f.rule for f in check(one(handler=disguised)()).findings}
    assert {"errors.disguised-success", "errors.no-retry-advice"} <= rules
    assert "errors.no-retry-advice" not in {f.rule for f in check(one(handler=advised)()).findings}


def test_without_observers_a_changed_repeat_answer_is_only_info_and_no_hint_lie() -> None:
    notes = Notes(annotations={"readOnlyHint": False, "idempotentHint": True})
    report = check(notes.server(), allow_writes=True)
    repeats = [f for f in report.findings if f.rule == "idempotency.repeat-duplicates"]
    assert repeats
    assert {f.severity for f in repeats} == {"info"}
    assert "idempotency.hint-lies" not in {f.rule for f in report.findings}


def test_paging_is_not_demanded_of_writes_or_of_reads_of_a_named_list() -> None:
    array_input = {
        "type": "object",
        "properties": {
            "names": {
                "type": "array",
                "items": {"type": "string", "maxLength": 9},
                "maxItems": 5,
                "description": "The names.",
            }
        },
        "required": ["names"],
        "additionalProperties": False,
    }

    async def echo_list(args: dict[str, Any]) -> Any:
        return s.ok({"items": list(args.get("names", []))})

    write = one(handler=list_everything, output_schema=LIST_OUTPUT, annotations={"readOnlyHint": False})()
    named = one(handler=echo_list, input_schema=array_input, output_schema=LIST_OUTPUT)()
    for server in (write, named):
        assert "output.list-without-paging" not in {f.rule for f in check(server).findings}


# -- regressions: found by reading the code cold --------------------------------------------------------


def test_a_parameter_named_password_in_an_error_is_not_a_leaked_secret() -> None:
    schema = {
        "type": "object",
        "properties": {"password": {"type": "string", "description": "The new password.", "maxLength": 50}},
        "required": ["password"],
        "additionalProperties": False,
    }

    async def strict_password(args: dict[str, Any]) -> Any:
        if not isinstance(args.get("password"), str) or set(args) != {"password"}:
            return s.good_error("password", "a string of at most 50 characters")
        return s.ok({"ok": True})

    report = check(one(handler=strict_password, input_schema=schema)())
    assert "errors.leak" not in {f.rule for f in report.findings}


def test_date_words_inside_other_words_make_no_date_range_case() -> None:
    from wireproof.check.generate import awkward_cases

    schema = {
        "type": "object",
        "properties": {
            "history_date": {"type": "string", "format": "date", "description": "d"},
            "reminder_before": {"type": "string", "format": "date", "description": "d"},
        },
        "additionalProperties": False,
    }
    assert not [c for c in awkward_cases(schema) if c.constraint == "date-range"]
    ranged = {
        **schema,
        "properties": {
            "startDate": schema["properties"]["history_date"],
            "endDate": schema["properties"]["history_date"],
        },
    }
    assert [c.field for c in awkward_cases(ranged) if c.constraint == "date-range"] == ["endDate"]


def test_valid_samples_honour_exclusive_bounds_and_never_break_the_schema() -> None:
    from wireproof.check.generate import is_schema_valid, valid_samples

    schema = {
        "type": "object",
        "properties": {
            "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "step": {"type": "integer", "multipleOf": 5, "minimum": 1},
        },
        "required": ["ratio", "step"],
    }
    for sample in valid_samples(schema):
        assert is_schema_valid(schema, sample)


def test_auth_cases_never_call_a_write_tool_without_allow_writes() -> None:
    from wireproof.check import AuthCase

    notes = Notes()
    only_writes = s.build([notes.tools[0]])
    check(only_writes, auth_cases=[AuthCase("expired", env={"TOKEN": "expired"})])
    assert notes.notes == []


def test_slow_concurrent_writes_time_out_as_findings_without_crashing_the_checker() -> None:
    async def slow_add(args: dict[str, Any]) -> Any:
        await anyio.sleep(5)
        return s.ok({"count": 1})

    notes = Notes()
    notes.tools[0].handler = slow_add
    started = time.monotonic()
    report = check(notes.server(), allow_writes=True, timeout=0.5)
    assert time.monotonic() - started < 60
    assert any(f.rule == "errors.crash" and "did not answer" in f.message for f in report.findings)


def test_the_text_report_survives_markup_and_escape_codes_in_server_text() -> None:
    from wireproof.check.report import render

    hostile = s.build([s.FakeTool("x[/]\x1b]0;pwned\x07", s.strict_colour)])
    text = render(check(hostile), "text")
    assert "\x1b" not in text
    assert "x[/]" in text


def test_config_typos_are_refused(tmp_path: Any) -> None:
    from wireproof.check import CheckConfigError, CheckOptions, load_config

    config = tmp_path / "wireproof.toml"
    config.write_text('[auth.cases.expired]\nheader = { Authorization = "Bearer x" }\n')
    with pytest.raises(CheckConfigError, match=r"unknown key\(s\) header; allowed: env, headers"):
        load_config(config, CheckOptions())
