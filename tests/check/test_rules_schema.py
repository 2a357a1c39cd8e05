"""Schema lint cross-checked with what the probes saw: a declaration the behaviour makes moot is only info."""

from __future__ import annotations

from typing import Any

import pydantic

from tests.check import servers as s
from tests.check.test_rules import OBSERVE, Notes, accept_anything, check, one
from wireproof.check import Observer
from wireproof.check.model import Finding, Report, ToolInfo

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


# -- hold-out fq-12, fq-13, td-1: values quoted in a sentence, max_ inside a name, open items --------------------

PROSE = "schema.enum-in-prose"
NUMBER = "schema.unbounded-number"


def tool_with(**properties: dict[str, Any]) -> Any:
    """One closed tool taking ``properties``, answering every call alike."""
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    return one(input_schema=schema, handler=accept_anything)()


def messages(report: Report, rule_id: str) -> list[str]:
    return [f.message for f in findings(report, rule_id)]


def text_param(description: str) -> dict[str, Any]:
    return {"type": "string", "maxLength": 20, "description": description}


def test_values_quoted_in_a_sentence_or_a_parenthesis_are_an_enum_in_prose() -> None:
    report = check(
        tool_with(
            format=text_param(
                "Output format: 'table' (default), 'vertical' for one column per line, or 'json'."
            ),
            status=text_param("Current status (pending, in_progress, or completed)."),
        )
    )
    assert sorted(messages(report, PROSE)) == [
        "Parameter format lists its values in prose (table | vertical | json) but has no enum.",
        "Parameter status lists its values in prose (pending | in_progress | completed) but has no enum.",
    ]


def test_ordinary_parentheses_and_examples_are_no_enum_in_prose() -> None:
    report = check(
        tool_with(
            a=text_param("The name (optional)."),
            b=text_param("Rows to skip (default 10)."),
            c=text_param("A column (e.g. id, name, email)."),
            d=text_param("Columns such as 'id', 'name' or 'email'."),
            e=text_param("A file (.db, .sqlite, .sqlite3)."),
            f=text_param("When (YYYY-MM-DD, UTC, local)."),
            g=text_param("Order (asc or desc)."),
            h=text_param("Said 'hello' to 'world' yesterday, then left for 'Paris'."),
        )
    )
    assert messages(report, PROSE) == []


def test_values_quoted_in_a_sentence_with_an_enum_are_quiet() -> None:
    status = {**text_param("Current status (pending, in_progress, completed)."), "enum": ["pending", "done"]}
    assert messages(check(tool_with(status=status)), PROSE) == []


def test_item_fields_listed_in_the_arrays_description_are_an_enum_in_prose() -> None:
    description = "Todo items, each containing:\n- id: Unique id\n- status: Current status (pending, in_progress, completed)"
    todos = {"type": "array", "maxItems": 5, "description": description, "items": {"type": "object"}}
    assert messages(check(tool_with(todos=todos)), PROSE) == [
        "Parameter todos[].status lists its values in prose (pending | in_progress | completed) but has no enum."
    ]
    closed = {
        "type": "object",
        "properties": {"status": {"type": "string", "enum": ["pending", "in_progress", "completed"]}},
        "additionalProperties": False,
    }
    assert messages(check(tool_with(todos={**todos, "items": closed})), PROSE) == []


def test_a_count_with_max_inside_its_name_needs_a_minimum() -> None:
    report = check(
        tool_with(cell_max_chars={"type": "integer", "maximum": 1000, "description": "Cap per cell."})
    )
    assert messages(report, NUMBER) == ["Parameter cell_max_chars is a count with no minimum."]
    bounded = {"type": "integer", "minimum": 1, "maximum": 1000, "description": "Cap per cell."}
    assert messages(check(tool_with(cell_max_chars=bounded)), NUMBER) == []


def test_a_fraction_or_signed_number_named_top_or_offset_is_no_count() -> None:
    report = check(
        tool_with(
            top_p={"type": "number", "description": "Nucleus sampling."},
            utc_offset={"type": "integer", "description": "Hours from UTC."},
            min_score={"type": "number", "description": "Lowest score."},
        )
    )
    assert messages(report, NUMBER) == []


def test_open_objects_inside_a_parameter_are_named_by_path() -> None:
    todos = {
        "type": "array",
        "maxItems": 5,
        "description": "Items.",
        "items": {"type": "object", "additionalProperties": True},
    }
    where = {
        "type": "object",
        "description": "Filter.",
        "properties": {"range": {"type": "object", "properties": {"low": {"type": "integer"}}}},
        "additionalProperties": False,
    }
    assert sorted(messages(check(tool_with(todos=todos, where=where)), OPEN)) == [
        "Parameter todos[] is an object that declares no properties and does not set additionalProperties: false.",
        "Parameter where.range is an object that does not set additionalProperties: false.",
    ]


def test_models_nested_in_defs_are_read_as_pydantic_writes_them() -> None:
    """pydantic puts nested models in $defs: an item model, an optional one (anyOf with null), a recursive one."""

    class Range(pydantic.BaseModel):
        low: int
        high: int

    class Item(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid")
        name: str = pydantic.Field(max_length=20)
        within: Range | None = None

    class Node(pydantic.BaseModel):
        label: str = pydantic.Field(max_length=20)
        children: list[Node] = pydantic.Field(default_factory=list, max_length=5)

    class Arguments(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid")
        items: list[Item] = pydantic.Field(max_length=5, description="Items.")
        tree: Node = pydantic.Field(description="A tree.")

    schema = Arguments.model_json_schema()
    assert "$defs" in schema
    assert schema["properties"]["tree"] == {
        "$ref": "#/$defs/Node",
        "description": "A tree.",
    }
    report = check(one(input_schema=schema, handler=accept_anything)())
    assert sorted(messages(report, OPEN)) == [
        "Parameter items[].within is an object that does not set additionalProperties: false.",
        "Parameter tree is an object that does not set additionalProperties: false.",
        "Parameter tree.children[] is an object that does not set additionalProperties: false.",
    ]


def test_closed_nested_objects_and_maps_are_quiet() -> None:
    item = {"type": "object", "properties": {"id": {"type": "integer"}}, "additionalProperties": False}
    report = check(
        tool_with(
            todos={"type": "array", "maxItems": 5, "description": "Items.", "items": item},
            metadata={"type": "object", "description": "Free-form labels."},
            counts={"type": "object", "description": "Counts.", "additionalProperties": {"type": "integer"}},
            rows={
                "type": "array",
                "maxItems": 5,
                "description": "Rows, each a map of column to text.",
                "items": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 20}},
            },
        )
    )
    assert messages(report, OPEN) == []


def test_an_unannotated_tool_named_as_a_read_is_only_info_even_unprobed() -> None:
    """docs/holdout4: get, get_relations, find_duplicates, get_task_detail … (12 false warnings)."""

    async def relations(args: dict[str, Any]) -> Any:
        return s.ok({"relations": []})

    schema = {
        "type": "object",
        "properties": {"id": {"type": "integer", "minimum": 1, "description": "The entry."}},
        "required": ["id"],
        "additionalProperties": False,
    }
    tools = [
        s.FakeTool(
            name, relations, description="Relations of an entry.", input_schema=schema, annotations=None
        )
        for name in ("get_relations", "task_get", "get_or_create_entry")
    ]
    report = check(s.build(tools))
    severity = {f.tool: f.severity for f in report.findings if f.rule == "schema.write-not-idempotent"}
    assert severity == {"get_relations": "info", "task_get": "info", "get_or_create_entry": "warning"}


def test_values_given_as_examples_are_no_prose_enum() -> None:
    """docs/holdout4 cu: unit expressions described by examples ('km', 'gallons' …) are free text."""

    async def convert(args: dict[str, Any]) -> Any:
        return s.ok({"value": 1})

    def tool(name: str, description: str) -> s.FakeTool:
        schema = {
            "type": "object",
            "properties": {"unit": {"type": "string", "maxLength": 50, "description": description}},
            "required": ["unit"],
            "additionalProperties": False,
        }
        return s.FakeTool(name, convert, description="Convert.", input_schema=schema)

    tools = [
        tool("convert_to", "The unit to convert TO, e.g. 'km', 'gallons', 'joule', 'tempF'."),
        tool("convert_from", "A bare unit like 'mile' is treated as one of that unit."),
        tool("convert_by", "Use a short keyword like 'byte', 'pressure', or 'newton'."),
        tool("convert_into", "The target system; one of: 'si', 'cgs', 'imperial'."),
    ]
    report = check(s.build(tools))
    fired = {f.tool for f in report.findings if f.rule == "schema.enum-in-prose"}
    assert fired == {"convert_into"}


def test_names_with_a_read_verb_that_write_are_not_named_as_reads() -> None:
    from wireproof.check.rules.schema import named_as_read

    def tool(name: str) -> ToolInfo:
        return ToolInfo(name, "", {"type": "object", "properties": {}}, None, None)

    for name in ("mark_as_read", "search_and_replace", "get_next_job", "read_and_archive", "get_or_create"):
        assert not named_as_read(tool(name)), name
    for name in ("get_relations", "task_get", "find_duplicates", "list_loaded_tables"):
        assert named_as_read(tool(name)), name


# -- schema.date-without-format reads a date stated in the description, whatever the name's language ----------
# Hold-out 6 (cr-15): Italian data / data_inizio, described "Data YYYY-MM-DD", had no format and the lint
# read only English names.


def _dated(prop: dict[str, Any]) -> Report:
    schema = {
        "type": "object",
        "properties": {"data_inizio": {**prop, "maxLength": 10}},
        "additionalProperties": False,
    }
    return check(one(input_schema=schema, handler=accept_anything)())


def test_a_parameter_described_as_a_yyyy_mm_dd_date_needs_a_format_whatever_its_name() -> None:
    (found,) = findings(
        _dated({"type": "string", "description": "Data di inizio YYYY-MM-DD"}), "schema.date-without-format"
    )
    assert "data_inizio" in found.message


def test_a_described_date_with_a_format_and_a_plain_text_field_are_quiet() -> None:
    dated = {"type": "string", "description": "Data di inizio YYYY-MM-DD", "format": "date"}
    assert not findings(_dated(dated), "schema.date-without-format")
    assert not findings(
        _dated({"type": "string", "description": "Il progetto"}), "schema.date-without-format"
    )


# -- "schema.json-in-string": structured data packed into a string (hold-out 4 sh-9) ------------------------


def _string_parameter(name: str, description: str, **extra: Any) -> Any:
    prop = {"type": "string", "maxLength": 4000, "description": description, **extra}
    schema = {"type": "object", "properties": {name: prop}, "additionalProperties": False}
    return one(input_schema=schema)()


def test_a_string_said_or_shown_to_hold_json_is_json_in_a_string() -> None:
    for name, description in (
        ("tasks", "The tasks, for example [{name: 'write it', description: 'the text'}]."),
        ("metadata", "Extra fields as a JSON object string."),
        ("items", 'A JSON-encoded list, e.g. [{"id": 1}].'),
        ("payload_json", "The payload."),
    ):
        (found,) = findings(check(_string_parameter(name, description)), "schema.json-in-string")
        assert found.severity == "warning"
        assert f"Parameter {name} is a string that holds JSON" in found.message


def test_a_json_file_path_a_template_and_plain_text_are_no_json_in_a_string() -> None:
    for name, description in (
        ("json_path", "Absolute path to the JSON file to import."),  # a path parameter (hold-out 6 tr)
        ("template", "A greeting with {name} in it, e.g. 'Hello {name}'."),
        ("note", "The note's text; Markdown is fine."),
        ("output", "Where to write the export (a JSON file)."),
        ("range", 'Range of cells (e.g., "A1:C10"). [default: first paging range]'),  # hold-out 7 xl
    ):
        assert not findings(check(_string_parameter(name, description)), "schema.json-in-string"), name


# -- hold-out 7 false positives: a time zone is no date; a form's arguments are no list of values -----------


def test_a_time_zone_is_no_date_and_a_colour_form_lists_no_values() -> None:
    zone = _string_parameter(
        "timezone", "IANA timezone (e.g. Asia/Tokyo). Names the zone for now/format/timestamp."
    )
    assert not findings(check(zone), "schema.date-without-format")
    colour = _string_parameter(
        "color", "Color value: #hex (3/4/6/8 digits), rgb(r,g,b), hsl(h,s%,l%), or named color"
    )
    assert not findings(check(colour), "schema.enum-in-prose")
    listed = _string_parameter("status", "Where the task stands (pending, in_progress, completed).")
    assert findings(check(listed), "schema.enum-in-prose")  # a parenthesis set apart still lists values


def test_a_tool_named_for_a_check_or_a_computation_is_a_read_for_want_of_its_hint() -> None:
    from wireproof.check.rules.schema import named_as_read

    for name in ("check_data_quality", "detect_outliers", "health_check", "validate_schema", "random"):
        assert named_as_read(ToolInfo(name, None, {"type": "object"}, None, None)), name
    assert not named_as_read(ToolInfo("check_and_update", None, {"type": "object"}, None, None))
