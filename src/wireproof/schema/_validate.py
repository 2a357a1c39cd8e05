"""Validate a call's arguments against exactly the schema the tool advertises.

The validator is ``jsonschema``'s Draft 2020-12 validator, compiled once per tool
from the advertised schema, with two adjustments that make Python agree with
what JSON Schema clients (ECMA-262 regular expressions, RFC 3339 dates) accept:
``pattern`` uses ``python_pattern``, and the ``date``, ``date-time``, ``email``
and ``uri`` formats are checked strictly. Every problem becomes a ``FieldError``
whose ``expected`` is described from the failing subschema.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Final
from urllib.parse import urlsplit

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from wireproof.errors import ABSENT, RECEIVED_PREVIEW_CHARS, FieldError, describe_value
from wireproof.schema._fast import compile_fast_check, is_finite_number
from wireproof.schema._markers import python_pattern

__all__ = ["ArgumentValidator", "describe_schema", "format_checker"]

_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_EMAIL: Final = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f.]+(\.[^@\s\x00-\x1f\x7f.]+)+")
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_URI_FORBIDDEN: Final = re.compile(r"[\s\x00-\x1f\x7f<>\"{}|\\^`]")


def _is_iso(value: object, pattern: re.Pattern[str], parse: Callable[[str], object]) -> bool:
    """Not a string (another keyword's business), or matching ``pattern`` and a real day and time by ``parse``."""
    if not isinstance(value, str):
        return True
    if not pattern.fullmatch(value):
        return False
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _is_date(value: object) -> bool:
    return _is_iso(value, _DATE, date.fromisoformat)


def _is_date_time(value: object) -> bool:
    return _is_iso(value, _DATE_TIME, lambda text: datetime.fromisoformat(text.upper()))


def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(_EMAIL.fullmatch(value))


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _URI_FORBIDDEN.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(_SCHEME.fullmatch(parts.scheme)) and bool(parts.netloc or parts.path)


FORMATS: Final = {"date": _is_date, "date-time": _is_date_time, "email": _is_email, "uri": _is_uri}


def format_checker() -> FormatChecker:
    """The format checks wireproof advertises and enforces: date, date-time, email, uri."""
    checker = FormatChecker(formats=())
    for name, check in FORMATS.items():
        checker.checks(name)(check)
    return checker


@lru_cache(maxsize=512)
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(python_pattern(regex))


def _pattern(
    validator: Any, regex: str, instance: Any, schema: Mapping[str, Any]
) -> Iterable[ValidationError]:
    if isinstance(instance, str) and not _compiled(regex).search(instance):
        yield ValidationError(f"{instance!r} does not match {regex!r}")


_DRAFT_TYPE = Draft202012Validator.VALIDATORS["type"]


def _type(validator: Any, types: Any, instance: Any, schema: Mapping[str, Any]) -> Iterable[ValidationError]:
    """JSON Schema's ``type``, except that NaN, Infinity and numbers beyond a double are no numbers here."""
    if (
        not is_finite_number(instance)
        and isinstance(instance, int | float)
        and not isinstance(instance, bool)
    ):
        wanted = {types} if isinstance(types, str) else set(types)
        if wanted & {"number", "integer"}:
            yield ValidationError(f"{instance!r} is not a finite number")
            return
    yield from _DRAFT_TYPE(validator, types, instance, schema)


_Validator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]  # untyped upstream
    Draft202012Validator, {"pattern": _pattern, "type": _type}
)

MAX_REPORTED_PROBLEMS: Final = 20
"""At most this many field errors per call: a megabyte of unknown keys must not become megabytes of errors."""

_FORMAT_WORDS: Final = {
    "date": "a date as YYYY-MM-DD",
    "date-time": "a date-time as YYYY-MM-DDTHH:MM:SSZ (RFC 3339, with a time zone)",
    "email": "an email address such as name@example.com",
    "uri": "an absolute URI such as https://example.com/path",
}
_JSON_TYPES: Final = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def _range_words(schema: Mapping[str, Any]) -> str:
    low = schema.get("minimum")
    high = schema.get("maximum")
    parts: list[str] = []
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        parts.append(f">= {low}")
    if "exclusiveMinimum" in schema:
        parts.append(f"> {schema['exclusiveMinimum']}")
    if high is not None:
        parts.append(f"<= {high}")
    if "exclusiveMaximum" in schema:
        parts.append(f"< {schema['exclusiveMaximum']}")
    return (" " + " and ".join(parts)) if parts else ""


def _size_words(schema: Mapping[str, Any], low_key: str, high_key: str, unit: str) -> str:
    low, high = schema.get(low_key), schema.get(high_key)
    if low is not None and high is not None:
        return f" of {low:,} to {high:,} {unit}"
    if high is not None:
        return f" of at most {high:,} {unit}"
    if low is not None:
        return f" of at least {low:,} {unit}"
    return ""


def _resolve(schema: Any, root: Mapping[str, Any] | None) -> Any:
    """A local ``$ref`` (``#/$defs/Address``) followed within ``root``; anything else as it is."""
    for _ in range(32):  # a ref to a ref, but never a loop
        if not isinstance(schema, Mapping) or root is None:
            return schema
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#"):
            return schema
        target: Any = root
        for escaped in ref[1:].split("/")[1:]:
            part = escaped.replace("~1", "/").replace("~0", "~")
            if isinstance(target, Mapping) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                return schema
        schema = target
    return schema


def describe_schema(  # noqa: PLR0911, PLR0912 - one answer per kind of schema
    schema: Mapping[str, Any], root: Mapping[str, Any] | None = None
) -> str:
    """Say in words what a subschema accepts: ``an integer from 1 to 100``.

    ``root`` is the whole schema, where a ``$ref`` in ``schema`` is looked up.
    """
    schema = _resolve(schema, root)
    if not isinstance(schema, Mapping):
        return "a value"
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return f"exactly {json.dumps(schema['const'])}"
    for combinator in ("anyOf", "oneOf"):
        alternatives = schema.get(combinator)
        if isinstance(alternatives, list) and alternatives:
            return " or ".join(dict.fromkeys(describe_schema(alt, root) for alt in alternatives))
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(describe_schema({**schema, "type": one}, root) for one in kind)
    if kind == "string":
        if schema.get("format") in _FORMAT_WORDS:
            words = _FORMAT_WORDS[schema["format"]]
        elif "examples" in schema:
            words = "a string like " + " or ".join(json.dumps(v) for v in schema["examples"][:2])
        else:
            words = "a string"
        if "pattern" in schema:
            words += f" matching {schema['pattern']}"
        return words + _size_words(schema, "minLength", "maxLength", "characters")
    if kind in ("integer", "number"):
        return _JSON_TYPES[kind] + _range_words(schema)
    if kind == "array":
        items = describe_schema(schema.get("items", {}), root)
        return f"a list of {items}" + _size_words(schema, "minItems", "maxItems", "items")
    if isinstance(kind, str):
        return _JSON_TYPES.get(kind, kind)
    return "a value"


def _json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"


def _problem(error: ValidationError) -> str:  # noqa: PLR0911 - one answer per keyword
    keyword = error.validator
    instance = error.instance
    if keyword == "type":
        if (
            isinstance(instance, float | int)
            and not isinstance(instance, bool)
            and not is_finite_number(instance)
        ):
            return "is not a finite number"
        if instance is None:
            return "cannot be null; omit it to leave it unset" if error.path else "cannot be null"
        return f"has the wrong type ({_json_type_name(instance)})"
    words = {
        "enum": "is not one of the allowed values",
        "minimum": "is too small",
        "exclusiveMinimum": "is too small",
        "maximum": "is too large",
        "exclusiveMaximum": "is too large",
        "minLength": "is too short",
        "pattern": "does not match the required pattern",
        "minItems": "has too few items",
        "maxItems": "has too many items",
        "uniqueItems": "has duplicate items",
    }
    if keyword == "maxLength":
        return "is too long"
    if keyword == "const":
        return "is not the required value"
    if keyword in ("anyOf", "oneOf"):
        if keyword == "oneOf" and not error.context:
            return "matches more than one of the allowed forms"
        return "matches none of the allowed forms"
    if keyword in ("minProperties", "maxProperties"):
        return "has too few members" if keyword == "minProperties" else "has too many members"
    if keyword == "format":
        return f"is not a valid {error.validator_value}"
    return words.get(str(keyword), "is not valid")


def _field_name(path: Iterable[Any]) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


class ArgumentValidator:
    """Checks one tool's arguments against its advertised input schema."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        _Validator.check_schema(schema)
        self.schema = schema
        self._properties: Mapping[str, Any] = schema.get("properties", {})
        self._validator = _Validator(schema, format_checker=format_checker())
        self._fast = compile_fast_check(schema, FORMATS)

    def errors(self, arguments: Mapping[str, Any]) -> list[FieldError]:
        """Every problem with ``arguments``, one ``FieldError`` each, in parameter order."""
        if self._fast is not None and self._fast(arguments):
            return []  # the common case, answered without jsonschema
        found: dict[tuple[str, str], FieldError] = {}
        for error in self._validator.iter_errors(arguments):
            for field_error in self._translate(error, arguments):
                found.setdefault((field_error.field, field_error.problem), field_error)
        order = {name: i for i, name in enumerate(self._properties)}
        problems = sorted(
            found.values(), key=lambda f: order.get(f.field.split(".")[0].split("[")[0], len(order))
        )
        if len(problems) > MAX_REPORTED_PROBLEMS:
            rest = len(problems) - MAX_REPORTED_PROBLEMS + 1
            problems = [
                *problems[: MAX_REPORTED_PROBLEMS - 1],
                FieldError("arguments", f"has {rest:,} more problems", "the problems above fixed first"),
            ]
        return problems

    def _translate(self, error: ValidationError, arguments: Mapping[str, Any]) -> list[FieldError]:
        if error.path and error.validator in ("required", "additionalProperties", "anyOf", "oneOf"):
            nested = self._nested(error)
            if nested is not None:
                return nested
        if not error.path and error.validator == "required":
            return [
                FieldError(name, "is required", describe_schema(self._properties[name], self.schema))
                for name in self.schema.get("required", [])
                if name not in arguments
            ]
        if not error.path and error.validator == "additionalProperties":
            allowed = list(self._properties)
            unknown = [name for name in arguments if name not in allowed]
            shown = [
                self._unknown(name, arguments[name], allowed) for name in unknown[: MAX_REPORTED_PROBLEMS - 1]
            ]
            if len(unknown) >= MAX_REPORTED_PROBLEMS:
                more = len(unknown) - len(shown)
                shown.append(
                    FieldError(
                        "arguments",
                        f"has {more:,} more unknown arguments",
                        f"only {', '.join(allowed) or 'no arguments'}",
                    )
                )
            return shown
        problem = _problem(error)
        if (
            error.instance is None
            and len(error.path) == 1
            and error.path[0] in self.schema.get("required", [])
        ):
            problem = "cannot be null; it is required"
        return [
            FieldError(
                field=_field_name(error.path) or "arguments",
                problem=problem,
                expected=describe_schema(error.schema, self.schema)
                if isinstance(error.schema, Mapping)
                else "a value",
                received=error.instance,
            )
        ]

    def _nested(self, error: ValidationError) -> list[FieldError] | None:
        """A problem inside an argument: missing or unknown members of an object, or the one
        alternative of an ``anyOf`` the value has the type of. None: translate it as it is."""
        where = _field_name(error.path)
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        instance = error.instance
        if error.validator == "required" and isinstance(instance, Mapping):
            properties, required = schema.get("properties", {}), schema.get("required", [])
            return [
                FieldError(
                    f"{where}.{name}", "is required", describe_schema(properties.get(name, {}), self.schema)
                )
                for name in required
                if name not in instance
            ]
        if error.validator == "additionalProperties" and isinstance(instance, Mapping):
            allowed = list(schema.get("properties", {}))
            only = f"only {', '.join(allowed)}" if allowed else "no members"
            found: list[FieldError] = []
            for name in [n for n in instance if n not in allowed][: MAX_REPORTED_PROBLEMS - 1]:
                close = difflib.get_close_matches(str(name), allowed, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                printable = str(name).isprintable() and len(str(name)) <= RECEIVED_PREVIEW_CHARS
                found.append(
                    FieldError(
                        f"{where}.{name}" if printable else f"{where} member {describe_value(name)}",
                        f"is not a member of this object; remove it{hint}",
                        expected=only,
                        received=instance[name] if instance[name] is not None else ABSENT,
                    )
                )
            return found
        if error.validator in ("anyOf", "oneOf") and error.context:
            by_alternative: dict[Any, list[ValidationError]] = {}
            for sub in error.context:
                by_alternative.setdefault(sub.relative_schema_path[0], []).append(sub)
            typed = [
                subs
                for subs in by_alternative.values()
                if not any(sub.validator == "type" and not sub.relative_path for sub in subs)
            ]
            if len(typed) == 1:  # the value has the type of one alternative: say what is wrong in it
                return [translated for sub in typed[0] for translated in self._translate_at(sub, error.path)]
        return None

    def _translate_at(self, error: ValidationError, prefix: Iterable[Any]) -> list[FieldError]:
        """Translate an error found inside an alternative, named from the top of the arguments."""
        error.path.extendleft(reversed(list(prefix)))
        return self._translate(error, {})

    @staticmethod
    def _unknown(name: str, value: Any, allowed: list[str]) -> FieldError:
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        only = ", ".join(allowed) if allowed else "no arguments"
        printable = name.isprintable() and len(name) <= RECEIVED_PREVIEW_CHARS
        return FieldError(
            field=name if printable else describe_value(name),
            problem=f"is not a parameter of this tool; remove it{hint}",
            expected=f"only {only}",
            received=value if value is not None else ABSENT,
        )
