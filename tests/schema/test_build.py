"""Schema generation: what a signature and docstring become, and what is refused at registration."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated, Literal

import pytest
from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel, Field

from wireproof import Connector, Examples, Format, Pattern, ToolDefinitionError
from wireproof.schema import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH


class Out(BaseModel):
    ok: bool


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


def _schema(fn: object) -> dict[str, object]:
    app: Connector[None] = Connector("t")
    return app.read(public=True)(fn).definition.input_schema  # type: ignore[arg-type]


def test_every_supported_type_becomes_a_precise_schema() -> None:
    async def tool(
        day: date,
        moment: datetime,
        status: Literal["open", "closed"],
        colour: Colour,
        count: Annotated[int, Ge(1), Le(10)],
        ratio: float,
        flag: bool,
        week: Annotated[str, Pattern("^[0-9]{4}-W[0-9]{2}$"), Examples("2026-W23")],
        email: Annotated[str, Format("email"), MaxLen(254)],
        tags: Annotated[list[Annotated[str, MinLen(1), MaxLen(20)]], MaxLen(5)],
        note: str = "none",
        when: date | None = None,
    ) -> Out:
        """Do a thing.

        Args:
            day: A day.
            moment: A moment.
            status: A status.
            colour: A colour.
            count: A count.
            ratio: A ratio.
            flag: A flag.
            week: An ISO week.
            email: An address.
            tags: Some tags.
            note: A note.
            when: Maybe a day.
        """
        return Out(ok=True)

    schema = _schema(tool)
    props = schema["properties"]
    assert isinstance(props, dict)
    assert props["day"] == {"description": "A day.", "type": "string", "format": "date"}
    assert props["moment"]["format"] == "date-time"
    assert props["status"] == {"description": "A status.", "type": "string", "enum": ["open", "closed"]}
    assert props["colour"]["enum"] == ["red", "blue"]
    assert (props["count"]["minimum"], props["count"]["maximum"]) == (1, 10)
    assert props["ratio"]["type"] == "number"
    assert props["flag"]["type"] == "boolean"
    assert props["week"]["pattern"] == "^[0-9]{4}-W[0-9]{2}$"
    assert props["week"]["examples"] == ["2026-W23"]
    assert props["email"] == {
        "description": "An address.",
        "type": "string",
        "format": "email",
        "maxLength": 254,
    }
    assert props["tags"]["maxItems"] == 5
    assert props["tags"]["items"] == {"type": "string", "minLength": 1, "maxLength": 20}
    assert props["note"]["default"] == "none"
    assert props["note"]["maxLength"] == DEFAULT_MAX_LENGTH
    assert "default" not in props["when"]
    assert schema["required"] == [
        "day",
        "moment",
        "status",
        "colour",
        "count",
        "ratio",
        "flag",
        "week",
        "email",
        "tags",
    ]
    assert schema["additionalProperties"] is False
    assert schema["type"] == "object"
    for name, prop in props.items():
        assert prop["description"], name
        assert prop["type"], name


def test_unbounded_lists_get_the_default_bound() -> None:
    async def tool(ids: list[int]) -> Out:
        """T.

        Args:
            ids: Ids.
        """
        return Out(ok=True)

    assert _schema(tool)["properties"]["ids"]["maxItems"] == DEFAULT_MAX_ITEMS  # type: ignore[index]


def test_pydantic_field_description_and_bounds_are_used() -> None:
    async def tool(limit: Annotated[int, Field(ge=1, le=5, description="Page size.")] = 2) -> Out:
        """T."""
        return Out(ok=True)

    assert _schema(tool)["properties"] == {
        "limit": {"description": "Page size.", "type": "integer", "minimum": 1, "maximum": 5, "default": 2}
    }


def test_a_tool_without_parameters_has_an_empty_closed_object_schema() -> None:
    async def ping() -> Out:
        """Say whether the service is up."""
        return Out(ok=True)

    assert _schema(ping) == {"type": "object", "properties": {}, "additionalProperties": False}


def test_a_parameter_without_description_fails_to_register_with_a_clear_message() -> None:
    async def tool(start_date: date, end_date: date) -> Out:
        """List things.

        Args:
            start_date: First day.
        """
        return Out(ok=True)

    with pytest.raises(ToolDefinitionError, match=r"parameter end_date: no description; add 'end_date: "):
        _schema(tool)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("async def t(x) -> Out:\n    '''T.\n\n    Args:\n        x: X.\n    '''", "add a type annotation"),
        ("async def t(x: int):\n    '''T.\n\n    Args:\n        x: X.\n    '''", "annotate the return type"),
        ("async def t(x: int) -> int:\n    '''T.\n\n    Args:\n        x: X.\n    '''", "must be an object"),
        ("async def t(x: int) -> Out:\n    pass", "add a docstring"),
        (
            "async def t(x: int | None) -> Out:\n    '''T.\n\n    Args:\n        x: X.\n    '''",
            "default to None",
        ),
        (
            "async def t(x: dict) -> Out:\n    '''T.\n\n    Args:\n        x: X.\n    '''",
            "unsupported parameter type",
        ),
        (
            "async def t(*x: int) -> Out:\n    '''T.\n\n    Args:\n        x: X.\n    '''",
            "named parameters only",
        ),
        (
            "async def t(x: int) -> Out:\n    '''T.\n\n    Args:\n        x: X.\n        y: Y.\n    '''",
            "does not take",
        ),
        (
            "async def t(x: Annotated[int, MaxLen(3)]) -> Out:\n    '''T.\n\n    Args:\n        x: X.\n    '''",
            "does not apply",
        ),
        (
            "async def t(x: Literal['a', 1]) -> Out:\n    '''T.\n\n    Args:\n        x: X.\n    '''",
            "only strings",
        ),
    ],
)
def test_imprecise_tools_are_refused_at_registration(source: str, message: str) -> None:
    namespace: dict[str, object] = {"Out": Out, "Annotated": Annotated, "MaxLen": MaxLen, "Literal": Literal}
    exec(source, namespace)
    with pytest.raises(ToolDefinitionError, match=message):
        _schema(namespace["t"])


@pytest.mark.parametrize("regex", [r"^\d{4}$", r"^\w+$", r"\s", r"^(?P<y>[0-9])$", r"(?<=a)b", r"(?i)abc"])
def test_patterns_that_differ_between_python_and_ecma_are_refused(regex: str) -> None:
    with pytest.raises(ToolDefinitionError, match="means something different"):
        Pattern(regex)


def test_escaped_backslash_before_d_is_a_literal_and_allowed() -> None:
    Pattern(r"^a\\d$")


def test_duplicate_tool_names_are_refused() -> None:
    app: Connector[None] = Connector("t")

    async def ping() -> Out:
        """Ping."""
        return Out(ok=True)

    app.read(public=True)(ping)
    with pytest.raises(ToolDefinitionError, match="registered twice"):
        app.read(public=True)(ping)


def test_output_schema_comes_from_the_return_model_without_titles() -> None:
    app: Connector[None] = Connector("t")

    @app.read(public=True)
    async def ping() -> Out:
        """Ping."""
        return Out(ok=True)

    assert ping.definition.output_schema == {
        "type": "object",
        "properties": {"ok": {"type": "boolean"}},
        "required": ["ok"],
    }


def test_a_literal_default_outside_its_own_values_is_refused_saying_what_to_change() -> None:
    async def tool(order: Literal["asc", "desc"] = "newest") -> Out:  # type: ignore[assignment]
        """T.

        Args:
            order: Sort order.
        """
        return Out(ok=True)

    with pytest.raises(ToolDefinitionError) as refused:
        _schema(tool)
    message = str(refused.value)
    assert 'parameter order: the default "newest" is not one of the allowed values' in message
    assert 'one of "asc", "desc"' in message
    assert "Change the default or the constraint" in message


def test_a_default_beyond_its_own_bound_is_refused() -> None:
    async def tool(limit: Annotated[int, Ge(1), Le(100)] = 500) -> Out:
        """T.

        Args:
            limit: Page size.
        """
        return Out(ok=True)

    with pytest.raises(
        ToolDefinitionError, match=r"parameter limit: the default 500 is too large; .* from 1 to 100"
    ):
        _schema(tool)


@pytest.mark.parametrize(
    ("annotation", "default"),
    [
        (Annotated[str, MaxLen(3)], "four"),
        (Annotated[str, Pattern("^[a-z]+$")], "ABC"),
        (Annotated[str, Format("email")], "nobody"),
        (Colour, "green"),
        (datetime, datetime(2026, 5, 1, 12, 0)),  # naive: the schema says RFC 3339, with a time zone
        (Annotated[list[Annotated[int, Le(5)]], MaxLen(2)], (1, 2, 3)),
    ],
)
def test_every_kind_of_default_is_checked_against_its_own_schema(annotation: object, default: object) -> None:
    async def tool(x=default) -> Out:  # type: ignore[no-untyped-def]
        """T.

        Args:
            x: X.
        """
        return Out(ok=True)

    tool.__annotations__["x"] = annotation
    with pytest.raises(ToolDefinitionError, match="parameter x: the default"):
        _schema(tool)


def test_defaults_that_satisfy_their_schema_are_advertised() -> None:
    async def tool(
        order: Literal["asc", "desc"] = "desc",
        limit: Annotated[int, Ge(1), Le(100)] = 100,
        colour: Colour = Colour.BLUE,
        tags: tuple[str, ...] = ("a",),
    ) -> Out:
        """T.

        Args:
            order: Sort order.
            limit: Page size.
            colour: A colour.
            tags: Tags.
        """
        return Out(ok=True)

    tool.__annotations__["tags"] = list[str]
    props = _schema(tool)["properties"]
    assert isinstance(props, dict)
    assert [props[p]["default"] for p in ("order", "limit", "colour", "tags")] == ["desc", 100, "blue", ["a"]]


def test_field_pattern_works_like_pattern() -> None:
    async def tool(
        week: Annotated[str, Field(pattern="^[0-9]{4}-W[0-9]{2}$", description="An ISO week.")],
        marked: Annotated[str, Pattern("^[0-9]{4}-W[0-9]{2}$")],
    ) -> Out:
        """T.

        Args:
            marked: An ISO week.
        """
        return Out(ok=True)

    props = _schema(tool)["properties"]
    assert isinstance(props, dict)
    assert props["week"] == props["marked"]
    assert props["week"]["pattern"] == "^[0-9]{4}-W[0-9]{2}$"


def test_field_pattern_is_enforced_at_call_time_as_advertised() -> None:
    app: Connector[None] = Connector("t")

    @app.read(public=True)
    async def tool(code: Annotated[str, Field(pattern="^[A-Z]{3}$")]) -> Out:
        """T.

        Args:
            code: A currency code.
        """
        return Out(ok=True)

    assert tool.validator.errors({"code": "EUR"}) == []
    (problem,) = tool.validator.errors({"code": "eur\n"})
    assert (problem.field, problem.problem) == ("code", "does not match the required pattern")


def test_field_pattern_that_differs_between_python_and_ecma_is_refused_naming_the_parameter() -> None:
    async def tool(code: Annotated[str, Field(pattern=r"^\d{3}$")]) -> Out:
        """T.

        Args:
            code: A code.
        """
        return Out(ok=True)

    with pytest.raises(ToolDefinitionError, match=r"parameter code: pattern .* write \[0-9\] instead"):
        _schema(tool)


def test_field_examples_are_advertised_like_examples() -> None:
    async def tool(week: Annotated[str, Field(examples=["2026-W23"])]) -> Out:
        """T.

        Args:
            week: An ISO week.
        """
        return Out(ok=True)

    assert _schema(tool)["properties"]["week"]["examples"] == ["2026-W23"]  # type: ignore[index]


def test_a_field_used_as_the_default_is_refused_saying_where_the_default_goes() -> None:
    async def tool(limit: int = Field(default=10, le=100)) -> Out:
        """T.

        Args:
            limit: Page size.
        """
        return Out(ok=True)

    with pytest.raises(
        ToolDefinitionError, match=r"write the constraints inside Annotated and the default after '='"
    ):
        _schema(tool)


def test_a_default_inside_field_is_refused_because_it_would_not_be_the_default() -> None:
    async def tool(limit: Annotated[int, Field(default=10, le=100)]) -> Out:
        """T.

        Args:
            limit: Page size.
        """
        return Out(ok=True)

    with pytest.raises(ToolDefinitionError, match=r"write the default after '=' in the signature"):
        _schema(tool)


class _Leaf(BaseModel):
    n: int


class _Shared(BaseModel):
    s: str


class _Tree(BaseModel):
    children: list[_Tree] = []


class _Out(BaseModel):
    items: list[_Leaf]
    first: _Shared
    second: _Shared
    tree: _Tree


def test_an_output_model_used_once_is_written_in_place_and_shared_or_recursive_ones_stay_in_defs() -> None:
    import jsonschema

    app: Connector[None] = Connector("defs")

    @app.read(public=True)
    def report() -> _Out:
        """Report."""
        return _Out(items=[_Leaf(n=1)], first=_Shared(s="a"), second=_Shared(s="b"), tree=_Tree())

    schema = app.tools["report"].definition.output_schema
    assert schema is not None
    assert schema["properties"]["items"]["items"]["properties"] == {"n": {"type": "integer"}}
    assert set(schema["$defs"]) == {"_Shared", "_Tree"}
    validator = jsonschema.Draft202012Validator(schema)
    good = {"items": [{"n": 1}], "first": {"s": "a"}, "second": {"s": "b"}, "tree": {"children": [{}]}}
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "items": [{"n": "1"}]})
    assert not validator.is_valid({**good, "tree": {"children": [{"children": [1]}]}})
