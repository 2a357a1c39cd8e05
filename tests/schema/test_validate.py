"""The validator: formats and patterns mean what JSON Schema clients take them to mean."""

from __future__ import annotations

import pytest

from wireproof.schema import ArgumentValidator, python_pattern


def _errors(prop: dict[str, object], value: object) -> list[str]:
    validator = ArgumentValidator(
        {"type": "object", "properties": {"v": prop}, "additionalProperties": False}
    )
    return [e.problem for e in validator.errors({"v": value})]


@pytest.mark.parametrize("value", ["2026-02-28", "2024-02-29"])
def test_valid_dates_pass(value: str) -> None:
    assert _errors({"type": "string", "format": "date"}, value) == []


@pytest.mark.parametrize(
    "value", ["2026-02-30", "20260101", "2026-W01-1", "2026-1-1", "05/01/2026", "2026-01-01\n"]
)
def test_invalid_or_non_rfc3339_dates_fail(value: str) -> None:
    assert _errors({"type": "string", "format": "date"}, value) == ["is not a valid date"]


@pytest.mark.parametrize(
    "value", ["2026-01-01T10:00:00Z", "2026-01-01T10:00:00.5+02:00", "2026-01-01t10:00:00z"]
)
def test_valid_date_times_pass(value: str) -> None:
    assert _errors({"type": "string", "format": "date-time"}, value) == []


@pytest.mark.parametrize("value", ["2026-01-01T10:00:00", "2026-01-01 10:00:00Z", "2026-13-01T10:00:00Z"])
def test_date_times_without_zone_or_with_bad_fields_fail(value: str) -> None:
    assert _errors({"type": "string", "format": "date-time"}, value) == ["is not a valid date-time"]


@pytest.mark.parametrize(
    ("value", "ok"), [("a@b.example", True), ("a@b", False), ("a b@c.d", False), ("@c.d", False)]
)
def test_email_format(value: str, ok: bool) -> None:
    assert (_errors({"type": "string", "format": "email"}, value) == []) is ok


@pytest.mark.parametrize(
    ("value", "ok"), [("https://x.example/a", True), ("urn:isbn:1", True), ("no scheme", False)]
)
def test_uri_format(value: str, ok: bool) -> None:
    assert (_errors({"type": "string", "format": "uri"}, value) == []) is ok


def test_dollar_matches_only_at_the_very_end_as_in_ecma() -> None:
    assert python_pattern("^[0-9]{4}$") == "^[0-9]{4}\\Z"
    assert python_pattern("^[$]a\\$$") == "^[$]a\\$\\Z"
    assert _errors({"type": "string", "pattern": "^[0-9]{4}$"}, "2026") == []
    assert _errors({"type": "string", "pattern": "^[0-9]{4}$"}, "2026\n") == [
        "does not match the required pattern"
    ]


def test_booleans_are_not_integers_and_integral_floats_are() -> None:
    assert _errors({"type": "integer"}, True) == ["has the wrong type (boolean)"]
    assert _errors({"type": "integer"}, 3.0) == []
    assert _errors({"type": "integer"}, "3") == ["has the wrong type (string)"]


def test_null_for_an_optional_argument_says_to_omit_it() -> None:
    assert _errors({"type": "string"}, None) == ["cannot be null; omit it to leave it unset"]


def test_every_problem_is_reported_at_once_in_parameter_order() -> None:
    validator = ArgumentValidator(
        {
            "type": "object",
            "properties": {
                "a": {"type": "integer"},
                "b": {"type": "string", "enum": ["x"]},
                "c": {"type": "string"},
            },
            "required": ["a", "c"],
            "additionalProperties": False,
        }
    )
    errors = validator.errors({"b": "y", "zz": 1})
    assert [(e.field, e.problem) for e in errors] == [
        ("a", "is required"),
        ("b", "is not one of the allowed values"),
        ("c", "is required"),
        ("zz", "is not a parameter of this tool; remove it"),
    ]


def test_unknown_argument_suggests_the_closest_parameter() -> None:
    validator = ArgumentValidator(
        {"type": "object", "properties": {"limit": {"type": "integer"}}, "additionalProperties": False}
    )
    (error,) = validator.errors({"limt": 3})
    assert "did you mean limit?" in error.problem
    assert error.expected == "only limit"


def test_list_item_errors_name_the_index() -> None:
    prop = {"type": "array", "items": {"type": "integer", "maximum": 5}, "maxItems": 3}
    validator = ArgumentValidator(
        {"type": "object", "properties": {"ids": prop}, "additionalProperties": False}
    )
    (error,) = validator.errors({"ids": [1, 9]})
    assert (error.field, error.problem, error.expected, error.received) == (
        "ids[1]",
        "is too large",
        "an integer <= 5",
        9,
    )


def test_null_for_a_required_argument_says_it_is_required() -> None:
    validator = ArgumentValidator(
        {
            "type": "object",
            "properties": {"v": {"type": "string"}},
            "required": ["v"],
            "additionalProperties": False,
        }
    )
    assert [e.problem for e in validator.errors({"v": None})] == ["cannot be null; it is required"]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 10**400])
def test_non_finite_numbers_are_refused_even_within_bounds(value: float) -> None:
    prop = {"type": "number", "minimum": 0, "maximum": 1}
    assert "is not a finite number" in _errors(prop, value)
    assert _errors({"type": "integer"}, value) == ["is not a finite number"]


def test_a_flood_of_unknown_arguments_yields_a_bounded_error_list() -> None:
    validator = ArgumentValidator({"type": "object", "properties": {}, "additionalProperties": False})
    errors = validator.errors({f"k{i}": i for i in range(10_000)})
    assert len(errors) == 20
    assert errors[-1].problem == "has 9,981 more unknown arguments"
