"""Schema lint cross-checked with what the probes saw: a declaration the behaviour makes moot is only info."""

from __future__ import annotations

from typing import Any

from tests.check import servers as s
from tests.check.test_rules import OBSERVE, Notes, check, one
from wireproof.check import Observer
from wireproof.check.model import Finding, Report

OPEN = "schema.open-object"
NOT_IDEMPOTENT = "schema.write-not-idempotent"
OPEN_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string", "description": "The thing's name.", "maxLength": 50}},
    "required": ["name"],
}


def findings(report: Report, rule_id: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule_id]


async def ignore_unknown(args: dict[str, Any]) -> Any:
    return await s.strict_colour({k: v for k, v in args.items() if k == "name"})


def test_an_open_schema_whose_server_refuses_unknown_arguments_by_name_is_only_info() -> None:
    (found,) = findings(
        check(one(input_schema=OPEN_SCHEMA)()), OPEN
    )  # strict_colour names the unknown argument
    assert found.severity == "info"
    assert "additionalProperties: false" in found.message
    assert found.evidence.call is not None


def test_an_open_schema_whose_server_ignores_unknown_arguments_is_a_warning() -> None:
    (found,) = findings(check(one(input_schema=OPEN_SCHEMA, handler=ignore_unknown)()), OPEN)
    assert found.severity == "warning"


def test_an_open_schema_refused_without_naming_the_argument_stays_a_warning() -> None:
    async def vague(args: dict[str, Any]) -> Any:
        result = await s.strict_colour(args)
        return s.tool_error("Bad request; do not retry.") if result.is_error else result

    (found,) = findings(check(one(input_schema=OPEN_SCHEMA, handler=vague)()), OPEN)
    assert found.severity == "warning"


class Palette:
    """set_colour writes a thing's colour (an upsert: a repeat has no second effect), not declared idempotent."""

    def __init__(self, *, refuse_repeats: bool = False) -> None:
        self.colours: dict[str, str] = {}
        self.refuse_repeats = refuse_repeats

    async def set_colour(self, args: dict[str, Any]) -> Any:
        if set(args) != {"name"} or not isinstance(args["name"], str) or len(args["name"]) > 50:
            return s.good_error("name", "a string of at most 50 characters")
        if self.refuse_repeats and args["name"] in self.colours:
            return s.tool_error(f"{args['name']} already has a colour; do not retry.")
        self.colours[args["name"]] = "blue"
        return s.ok({"colours": len(self.colours), "at": len(self.colours) + len(str(args))})

    async def list_colours(self, args: dict[str, Any]) -> Any:
        return s.ok({"colours": dict(self.colours)})

    def server(self) -> Any:
        return s.build(
            [
                s.FakeTool(
                    "set_colour_by_name",
                    self.set_colour,
                    description="Set a thing's colour to blue.",
                    annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False},
                ),
                s.FakeTool(
                    "list_colours",
                    self.list_colours,
                    description="Every colour set.",
                    input_schema={"type": "object", "properties": {}, "additionalProperties": False},
                ),
            ]
        )


def test_a_write_whose_repeat_the_observers_see_make_no_second_effect_is_only_info() -> None:
    report = check(Palette().server(), allow_writes=True, observers=[Observer("list_colours", {})])
    (found,) = findings(report, NOT_IDEMPOTENT)
    assert found.severity == "info"
    assert "no second one" in found.message


def test_a_write_whose_repeat_is_refused_loudly_is_only_info() -> None:
    (found,) = findings(check(Palette(refuse_repeats=True).server(), allow_writes=True), NOT_IDEMPOTENT)
    assert found.severity == "info"
    assert "refused loudly" in found.message


def test_an_unannotated_tool_every_probe_shows_to_be_a_pure_function_is_only_info() -> None:
    (found,) = findings(check(one(annotations=None)(), allow_writes=True), NOT_IDEMPOTENT)
    assert found.severity == "info"
    assert "pure function" in found.message


def test_a_write_whose_repeat_makes_a_second_effect_stays_a_warning() -> None:
    for options in (OBSERVE, {"allow_writes": True}):
        (found,) = findings(check(Notes().server(), **options), NOT_IDEMPOTENT)
        assert found.severity == "warning"


def test_a_declared_write_that_answers_alike_every_time_is_not_taken_for_a_pure_function() -> None:
    async def ack(args: dict[str, Any]) -> Any:
        result = await s.strict_colour(args)
        return s.ok({"ok": True}) if not result.is_error else result

    (found,) = findings(
        check(one(handler=ack, annotations={"readOnlyHint": False})(), allow_writes=True), NOT_IDEMPOTENT
    )
    assert found.severity == "warning"


def test_observers_that_never_show_the_tools_effect_prove_no_idempotence() -> None:
    notes = Notes()
    notes.tools.append(s.FakeTool("get_colour_by_name", s.strict_colour))
    report = check(
        notes.server(), allow_writes=True, observers=[Observer("get_colour_by_name", {"name": "sky"})]
    )
    (found,) = findings(report, NOT_IDEMPOTENT)
    assert found.severity == "warning"


def acknowledging(text: str) -> Any:
    async def handler(args: dict[str, Any]) -> Any:
        result = await s.strict_colour(args)
        if result.is_error:
            return result
        return s.types.CallToolResult(content=[s.types.TextContent(text=text)])

    return handler


def test_an_unannotated_tool_that_acknowledges_a_write_each_time_is_no_pure_function() -> None:
    server = one(annotations=None, handler=acknowledging("Insight added to the memo."))()
    (found,) = findings(check(server, allow_writes=True), NOT_IDEMPOTENT)
    assert found.severity == "warning"


def test_an_unannotated_tool_described_as_read_only_is_only_info() -> None:
    server = one(annotations=None, description="Look up a colour (read-only).")()
    (found,) = findings(check(server, allow_writes=True), NOT_IDEMPOTENT)
    assert found.severity == "info"
    assert "described as read-only" in found.message


def test_an_unannotated_sql_tool_is_never_taken_for_a_pure_function() -> None:
    schema = {
        "type": "object",
        "properties": {"sql": {"type": "string", "description": "The SQL to run.", "maxLength": 200}},
        "required": ["sql"],
        "additionalProperties": False,
    }

    async def rows(args: dict[str, Any]) -> Any:
        if set(args) != {"sql"} or not isinstance(args["sql"], str):
            return s.good_error("sql", "a string")
        return s.ok({"rows": [[1, "pen"]]})

    (found,) = findings(
        check(one(annotations=None, handler=rows, input_schema=schema)(), allow_writes=True), NOT_IDEMPOTENT
    )
    assert found.severity == "warning"


def query_tool(name: str, parameter: str, description: str) -> Any:
    """An unannotated tool taking a query, answering the same data to every identical call."""
    schema = {
        "type": "object",
        "properties": {parameter: {"type": "string", "description": description, "maxLength": 200}},
        "required": [parameter],
        "additionalProperties": False,
    }

    async def answer(args: dict[str, Any]) -> Any:
        if set(args) != {parameter} or not isinstance(args[parameter], str) or len(args[parameter]) > 200:
            return s.good_error(parameter, "one string of at most 200 characters")
        return s.ok({"hits": [{"path": "notes/a.md", "line": "hello"}]})

    return s.build([s.FakeTool(name, answer, description="Search.", input_schema=schema, annotations=None)])


def test_a_search_tool_that_answers_the_same_data_every_time_is_only_info() -> None:
    report = check(query_tool("search", "query", "Words to look for."), allow_writes=True)
    (found,) = findings(report, NOT_IDEMPOTENT)
    assert found.severity == "info"
    assert "pure function" in found.message


def test_a_tool_that_takes_sql_stays_a_warning_however_alike_its_answers() -> None:
    report = check(query_tool("search_rows", "sql", "One SQL statement."), allow_writes=True)
    (found,) = findings(report, NOT_IDEMPOTENT)
    assert found.severity == "warning"
