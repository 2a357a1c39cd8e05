"""A fast yes/no check for the JSON Schema subset wireproof generates, compiled once per tool.

The hot path of every call is "are these arguments valid?", and the answer is almost
always yes. This compiles the advertised schema into plain Python predicates; when the
answer is no, ``ArgumentValidator`` asks jsonschema for the detailed errors. Any keyword
outside the subset makes ``compile_fast_check`` return None, and jsonschema answers every
call. The equivalence with jsonschema is a property test (tests/schema/test_fast.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from wireproof.schema._markers import python_pattern

__all__ = ["VALUE_BOUNDS", "FastCheck", "compile_fast_check", "is_finite_number"]

FastCheck = Callable[[Any], bool]
VALUE_BOUNDS: Final = frozenset(
    {"enum", "format", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
    | {"minLength", "maxLength", "minItems", "maxItems"}
)
"""The keywords that bound one value, beside its type: what a guard policy may set on an argument."""
_ANNOTATIONS: Final = frozenset({"description", "default", "examples", "title"})
_SUPPORTED: Final = (
    _ANNOTATIONS | VALUE_BOUNDS | {"type", "items", "properties", "required", "additionalProperties"}
)


class _Unsupported(Exception):
    """The schema uses something this compiler does not handle; jsonschema will."""


_LARGEST_DOUBLE: Final = 1.7976931348623157e308


def is_finite_number(value: Any) -> bool:
    """True for numbers a double holds (not NaN, not Infinity, not 10**400); False for anything else."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _LARGEST_DOUBLE


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool) or not is_finite_number(value):
        return False
    return isinstance(value, int) or value.is_integer()


_TYPES: Final[dict[str, Callable[[Any], bool]]] = {
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": is_finite_number,
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _enum_check(values: list[Any]) -> FastCheck:
    # JSON equality: 1 == 1.0, but true is not 1; strings compare as strings.
    def check(value: Any) -> bool:
        for allowed in values:
            if isinstance(allowed, bool) or isinstance(value, bool):
                if type(allowed) is type(value) and allowed == value:
                    return True
            elif type(allowed) in (int, float) and type(value) in (int, float):
                if allowed == value:
                    return True
            elif type(allowed) is type(value) and allowed == value:
                return True
        return False

    return check


def _compile(schema: Mapping[str, Any], formats: Mapping[str, Callable[[Any], bool]]) -> FastCheck:
    if not isinstance(schema, Mapping) or set(schema) - _SUPPORTED:
        raise _Unsupported
    checks: list[FastCheck] = []
    kind = schema.get("type")
    if kind is not None:
        if not isinstance(kind, str) or kind not in _TYPES:
            raise _Unsupported
        checks.append(_TYPES[kind])
    if "enum" in schema:
        checks.append(_enum_check(list(schema["enum"])))
    numeric = {
        k: schema[k] for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") if k in schema
    }
    if numeric:
        low, high = numeric.get("minimum"), numeric.get("maximum")
        xlow, xhigh = numeric.get("exclusiveMinimum"), numeric.get("exclusiveMaximum")

        def in_range(v: Any) -> bool:
            if isinstance(v, bool) or not isinstance(v, int | float):
                return True
            return (
                (low is None or v >= low)
                and (high is None or v <= high)
                and (xlow is None or v > xlow)
                and (xhigh is None or v < xhigh)
            )

        checks.append(in_range)
    if "minLength" in schema or "maxLength" in schema:
        min_length, max_length = schema.get("minLength", 0), schema.get("maxLength")
        checks.append(
            lambda v: (
                not isinstance(v, str)
                or (len(v) >= min_length and (max_length is None or len(v) <= max_length))
            )
        )
    if "pattern" in schema:
        search = re.compile(python_pattern(schema["pattern"])).search
        checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
    if "format" in schema:
        if schema["format"] not in formats:
            raise _Unsupported
        checks.append(formats[schema["format"]])
    if "items" in schema or "minItems" in schema or "maxItems" in schema:
        item_check = _compile(schema["items"], formats) if "items" in schema else None
        min_items, max_items = schema.get("minItems", 0), schema.get("maxItems")

        def items_ok(v: Any) -> bool:
            if not isinstance(v, list):
                return True
            if len(v) < min_items or (max_items is not None and len(v) > max_items):
                return False
            return item_check is None or all(item_check(item) for item in v)

        checks.append(items_ok)
    if "properties" in schema or "required" in schema or "additionalProperties" in schema:
        checks.append(_object_check(schema, formats))
    return _all_of(checks)


def _anything(value: Any) -> bool:
    return True


def _all_of(checks: list[FastCheck]) -> FastCheck:
    """One predicate true when every check is, as a chain of ``and`` (no generator per value); true for
    anything when there is none (``{}``, a schema that accepts any value)."""
    if not checks:
        return _anything
    first = checks[0]
    if len(checks) == 1:
        return first
    rest = _all_of(checks[1:])
    return lambda v: first(v) and rest(v)


def _object_check(schema: Mapping[str, Any], formats: Mapping[str, Callable[[Any], bool]]) -> FastCheck:
    additional = schema.get("additionalProperties", True)
    if additional not in (True, False):
        raise _Unsupported
    properties = {name: _compile(sub, formats) for name, sub in schema.get("properties", {}).items()}
    required = tuple(schema.get("required", ()))
    closed = additional is False

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name in required:
            if name not in value:
                return False
        for name, item in value.items():
            prop = properties.get(name)
            if prop is None:
                if closed:
                    return False
            elif not prop(item):
                return False
        return True

    return check


def compile_fast_check(
    schema: Mapping[str, Any], formats: Mapping[str, Callable[[Any], bool]]
) -> FastCheck | None:
    """A predicate equivalent to validating against ``schema``, or None if the schema is outside the subset."""
    try:
        return _compile(schema, formats)
    except _Unsupported:
        return None
