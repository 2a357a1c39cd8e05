"""Turn a tool function's signature and docstring into its input and output JSON Schemas.

Each parameter yields a JSON Schema 2020-12 fragment and a converter from the
JSON value (once it has passed that fragment) to the Python value the function
expects. The schema is exactly what is validated at call time, so it must say
everything: type, description, enum, format, bounds. Strings and lists that
declare no upper bound get a default one, advertised like any other.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Final, Literal, get_args, get_origin

import annotated_types as at
from pydantic import TypeAdapter
from pydantic.fields import FieldInfo

from wireproof.errors import describe_value
from wireproof.schema._docstring import parse_docstring
from wireproof.schema._markers import Examples, Format, Pattern, ToolDefinitionError
from wireproof.schema._validate import ArgumentValidator

__all__ = [
    "DEFAULT_MAX_ITEMS",
    "DEFAULT_MAX_LENGTH",
    "InputSchema",
    "OutputSchema",
    "ParamSpec",
    "build_input_schema",
    "build_output_schema",
]

DEFAULT_MAX_LENGTH: Final = 4096
"""maxLength given to a string parameter that declares none."""
DEFAULT_MAX_ITEMS: Final = 100
"""maxItems given to a list parameter that declares none."""

Converter = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _to_int(value: Any) -> int:
    # JSON Schema counts 3.0 as an integer; the function gets an int.
    return int(value)


def _to_float(value: Any) -> float:
    return float(value)


def _to_date(value: Any) -> date:
    return date.fromisoformat(value)


def _to_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(value.upper())


@dataclasses.dataclass(frozen=True, slots=True)
class ParamSpec:
    """One parameter: its JSON Schema, how to convert a valid value, and whether it is required."""

    name: str
    schema: dict[str, Any]
    convert: Converter
    required: bool
    default: Any


@dataclasses.dataclass(frozen=True, slots=True)
class InputSchema:
    """A tool's description, input schema and parameters, in signature order."""

    description: str
    schema: dict[str, Any]
    params: tuple[ParamSpec, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class OutputSchema:
    """A tool's output schema and how to turn its return value into JSON."""

    schema: dict[str, Any]
    adapter: TypeAdapter[Any]


def _field_constraints(where: str, info: FieldInfo) -> list[Any]:
    """The constraints of a pydantic ``Field(...)`` as wireproof's own: ``pattern=`` is a ``Pattern``,
    ``examples=`` an ``Examples``; bounds (``ge=``, ``max_length=``, …) are already ``annotated_types``."""
    if not info.is_required():
        raise ToolDefinitionError(
            f"{where}: a Field(default=...) inside Annotated is not the parameter's default; "
            "write the default after '=' in the signature"
        )
    constraints: list[Any] = []
    for item in info.metadata:
        pattern = getattr(item, "pattern", None)  # pydantic keeps it in a private metadata class
        if not isinstance(pattern, str | re.Pattern):
            constraints.append(item)
            continue
        regex = pattern if isinstance(pattern, str) else str(pattern.pattern)
        try:
            constraints.append(Pattern(regex))
        except ToolDefinitionError as error:
            raise ToolDefinitionError(f"{where}: {error}") from None
    if info.examples:
        constraints.append(Examples(*info.examples))
    return constraints


def _flatten_metadata(where: str, metadata: Sequence[Any]) -> tuple[list[Any], str | None]:
    """Expand pydantic ``Field(...)`` and ``annotated_types.Interval`` into single constraints."""
    flat: list[Any] = []
    description: str | None = None
    for item in metadata:
        if isinstance(item, FieldInfo):
            description = item.description or description
            flat.extend(_field_constraints(where, item))
        elif isinstance(item, at.Interval | at.Len):
            flat.extend(item)
        else:
            flat.append(item)
    return flat, description


def _apply_constraints(where: str, schema: dict[str, Any], constraints: list[Any]) -> None:
    kind = schema.get("type")
    numeric = kind in ("integer", "number")
    sized = kind in ("string", "array")
    for item in constraints:
        if numeric and isinstance(item, at.Ge):
            schema["minimum"] = item.ge
        elif numeric and isinstance(item, at.Gt):
            schema["exclusiveMinimum"] = item.gt
        elif numeric and isinstance(item, at.Le):
            schema["maximum"] = item.le
        elif numeric and isinstance(item, at.Lt):
            schema["exclusiveMaximum"] = item.lt
        elif sized and isinstance(item, at.MinLen):
            schema["minLength" if kind == "string" else "minItems"] = item.min_length
        elif sized and isinstance(item, at.MaxLen):
            schema["maxLength" if kind == "string" else "maxItems"] = item.max_length
        elif kind == "string" and isinstance(item, Pattern):
            schema["pattern"] = item.regex
        elif kind == "string" and isinstance(item, Format):
            schema["format"] = item.name
        elif isinstance(item, Examples):
            schema["examples"] = list(item.values)
        else:
            raise ToolDefinitionError(
                f"{where}: constraint {item!r} does not apply to a {kind} parameter; wireproof states Ge, Gt, "
                "Le and Lt on numbers, MinLen and MaxLen on strings and lists, Pattern and Format on strings, "
                "and Examples (or the same as Field(ge=, le=, min_length=, max_length=, pattern=, examples=))"
            )


def _literal_schema(where: str, values: tuple[Any, ...]) -> tuple[dict[str, Any], Converter]:
    if all(isinstance(v, str) for v in values):
        kind = "string"
    elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        kind = "integer"
    else:
        raise ToolDefinitionError(f"{where}: a Literal must hold only strings or only integers")
    by_value = {v: v for v in values}
    return {"type": kind, "enum": list(values)}, by_value.__getitem__


def _enum_schema(where: str, cls: type[enum.Enum]) -> tuple[dict[str, Any], Converter]:
    schema, _ = _literal_schema(where, tuple(member.value for member in cls))
    return schema, cls


def _type_schema(where: str, annotation: Any) -> tuple[dict[str, Any], Converter]:  # noqa: PLR0912 - one branch per supported type
    """The schema and converter for one (non-optional) annotation."""
    metadata: list[Any] = []
    description: str | None = None
    if get_origin(annotation) is Annotated:
        annotation, *raw = get_args(annotation)
        metadata, description = _flatten_metadata(where, raw)
    schema: dict[str, Any]
    convert: Converter
    origin = get_origin(annotation)
    if annotation is bool:
        schema, convert = {"type": "boolean"}, _identity
    elif annotation is int:
        schema, convert = {"type": "integer"}, _to_int
    elif annotation is float:
        schema, convert = {"type": "number"}, _to_float
    elif annotation is str:
        schema, convert = {"type": "string"}, _identity
    elif annotation is datetime:
        schema, convert = {"type": "string", "format": "date-time"}, _to_datetime
    elif annotation is date:
        schema, convert = {"type": "string", "format": "date"}, _to_date
    elif origin is Literal:
        schema, convert = _literal_schema(where, get_args(annotation))
    elif inspect.isclass(annotation) and issubclass(annotation, enum.Enum):
        schema, convert = _enum_schema(where, annotation)
    elif origin in (list, Sequence, tuple) and origin is not tuple:
        (item_type,) = get_args(annotation) or (None,)
        if item_type is None:
            raise ToolDefinitionError(f"{where}: say what the list holds, for example list[str]")
        item_schema, item_convert = _type_schema(f"{where} items", item_type)
        schema = {"type": "array", "items": item_schema}

        def convert(value: Any, _item: Converter = item_convert) -> Any:
            return [_item(v) for v in value]
    else:
        raise ToolDefinitionError(
            f"{where}: unsupported parameter type {annotation!r}; use str, int, float, bool, date, "
            "datetime, a Literal, an Enum or a list of these (with Annotated bounds)"
        )
    _apply_constraints(where, schema, metadata)
    if (
        schema["type"] == "string"
        and "enum" not in schema
        and schema.get("format") not in ("date", "date-time")
    ):
        schema.setdefault("maxLength", DEFAULT_MAX_LENGTH)
    if schema["type"] == "array":
        schema.setdefault("maxItems", DEFAULT_MAX_ITEMS)
    if description:
        schema["description"] = description
    return schema, convert


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(get_args(annotation)) == 2:
            return args[0], True
    return annotation, False


def _json_default(where: str, value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple):
        return [_json_default(where, v) for v in value]
    raise ToolDefinitionError(f"{where}: default {value!r} is not a JSON value (lists: use a tuple or None)")


def _check_defaults(name: str, properties: Mapping[str, Any]) -> None:
    """Refuse a default its own parameter's schema would refuse: it is advertised, and used when absent."""
    defaults = {param: schema["default"] for param, schema in properties.items() if "default" in schema}
    if not defaults:
        return
    validator = ArgumentValidator({"type": "object", "properties": properties})
    for problem in validator.errors(defaults):
        raise ToolDefinitionError(
            f"tool {name}, parameter {problem.field}: the default {describe_value(problem.received)} "
            f"{problem.problem}; the schema expects {problem.expected}. Change the default or the "
            "constraint: a client that sends the advertised default would be refused, and a call without it "
            "would run with a value no caller may pass"
        )


def build_input_schema(
    fn: Callable[..., Any], name: str, parameters: Sequence[inspect.Parameter]
) -> InputSchema:
    """Build the input schema of tool ``name`` from ``fn``'s docstring and ``parameters``.

    Raises:
        ToolDefinitionError: a parameter lacks a type or a description, uses a type
            whose meaning a JSON Schema cannot state exactly, or has a default its own
            schema refuses (``Literal["a", "b"] = "c"``, ``Le(100)`` with a default of 500).
    """
    doc = parse_docstring(fn.__doc__)
    if not doc.description:
        raise ToolDefinitionError(f"tool {name}: add a docstring saying what the tool does")
    hints = typing.get_type_hints(fn, include_extras=True)
    properties: dict[str, Any] = {}
    required: list[str] = []
    params: list[ParamSpec] = []
    for param in parameters:
        where = f"tool {name}, parameter {param.name}"
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.POSITIONAL_ONLY):
            raise ToolDefinitionError(f"{where}: tools take named parameters only (no *args, **kwargs or /)")
        if param.name not in hints:
            raise ToolDefinitionError(f"{where}: add a type annotation")
        annotation, optional = _unwrap_optional(hints[param.name])
        has_default = param.default is not inspect.Parameter.empty
        if isinstance(param.default, FieldInfo):
            raise ToolDefinitionError(
                f"{where}: a Field(...) is not a default here; write the constraints inside Annotated and the "
                f"default after '=', for example {param.name}: Annotated[int, Field(le=100)] = 10"
            )
        if optional and not (has_default and param.default is None):
            raise ToolDefinitionError(f"{where}: an optional parameter (X | None) must default to None")
        schema, convert = _type_schema(where, annotation)
        description = schema.pop("description", None) or doc.args.get(param.name)
        if not description:
            raise ToolDefinitionError(
                f"{where}: no description; add '{param.name}: what it is' under Args: in the docstring"
            )
        schema = {"description": description, **schema}
        if has_default and param.default is not None:
            schema["default"] = _json_default(where, param.default)
        if not has_default:
            required.append(param.name)
        properties[param.name] = schema
        params.append(
            ParamSpec(
                param.name, schema, convert, not has_default, None if not has_default else param.default
            )
        )
    unknown_docs = set(doc.args) - {p.name for p in parameters} - {"ctx"}
    if unknown_docs:
        raise ToolDefinitionError(
            f"tool {name}: the docstring describes {', '.join(sorted(unknown_docs))}, which the function "
            "does not take"
        )
    _check_defaults(name, properties)
    input_schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        input_schema["required"] = required
    input_schema["additionalProperties"] = False
    return InputSchema(description=doc.description, schema=input_schema, params=tuple(params))


def _strip_titles(node: Any) -> Any:
    """Drop pydantic's generated ``title`` keys: noise in every listing the model reads."""
    if isinstance(node, dict):
        return {k: _strip_titles(v) for k, v in node.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(node, list):
        return [_strip_titles(v) for v in node]
    return node


_COMPOSITE: Final = frozenset({"$ref", "anyOf", "oneOf", "allOf", "not", "const", "if", "then", "else"})


def _nullable_as_type_list(node: Any) -> Any:
    """``{"anyOf": [X, {"type": "null"}]}`` as ``X`` with ``"type": [T, "null"]`` (and ``null`` added to
    its ``enum``), where ``X`` is one plain type: the same set of values, and a quarter to a third of
    the work for a client that validates ``structuredContent`` (jsonschema descends into every
    ``anyOf`` branch; a type list is one check). Pydantic writes every ``T | None`` field that way.

    Every keyword of such an ``X`` but ``enum`` (and ``type``) applies to its type only (``format``,
    ``minLength``, ``minimum``, ``items``, ``properties``...), so it passes ``null`` as before."""
    if isinstance(node, list):
        return [_nullable_as_type_list(v) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _nullable_as_type_list(v) for k, v in node.items()}
    branches = node.get("anyOf")
    if isinstance(branches, list) and len(branches) == 2 and {"type": "null"} in branches:
        other = branches[0] if branches[1] == {"type": "null"} else branches[1]
        if (
            isinstance(other, dict)
            and isinstance(other.get("type"), str)
            and other["type"] != "null"
            and not set(other) & _COMPOSITE
            and not set(other) & (set(node) - {"anyOf"})
        ):
            merged = {k: v for k, v in node.items() if k != "anyOf"}
            merged.update(other)
            merged["type"] = [other["type"], "null"]
            if isinstance(other.get("enum"), list) and None not in other["enum"]:
                merged["enum"] = [*other["enum"], None]
            return merged
    return node


_DEFS_REF: Final = "#/$defs/"


def _refs(node: Any, counts: dict[str, int]) -> dict[str, int]:
    """How often each ``#/$defs/`` name is referenced under ``node``."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_DEFS_REF):
            counts[ref[len(_DEFS_REF) :]] = counts.get(ref[len(_DEFS_REF) :], 0) + 1
        for value in node.values():
            _refs(value, counts)
    elif isinstance(node, list):
        for value in node:
            _refs(value, counts)
    return counts


def _inlined(node: Any, inline: Mapping[str, Any]) -> Any:
    """``node`` with each ``$ref`` to a name of ``inline`` replaced by its definition (merged with the
    keywords beside the ``$ref``, which apply as well, unless the definition has one of its own)."""
    if isinstance(node, list):
        return [_inlined(v, inline) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFS_REF) and ref[len(_DEFS_REF) :] in inline:
        body = inline[ref[len(_DEFS_REF) :]]
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if not set(siblings) & set(body):
            return {**body, **siblings}
    return {k: _inlined(v, inline) for k, v in node.items()}


def _inline_single_use_defs(schema: dict[str, Any]) -> dict[str, Any]:
    """Each ``$defs`` entry referenced once, and itself free of ``$ref``, written in place of its
    reference: the same set of values, and a third less work for a client that validates
    ``structuredContent`` (jsonschema resolves a ``$ref`` through ``referencing`` for every item of a
    list: about 1 ms of a 25-item page's 3 ms). Shared and recursive definitions stay in ``$defs``."""
    while isinstance(schema.get("$defs"), dict):
        defs: dict[str, Any] = schema["$defs"]
        counts = _refs(schema, {})
        inline = {
            name: body
            for name, body in defs.items()
            if counts.get(name) == 1 and isinstance(body, dict) and not _refs(body, {})
        }
        rewritten = _inlined({k: v for k, v in schema.items() if k != "$defs"}, inline)
        kept = {name: _inlined(body, inline) for name, body in defs.items() if name not in inline}
        left = _refs({**rewritten, "$defs": kept}, {})
        kept.update({name: body for name, body in inline.items() if left.get(name)})  # not merged: kept
        if len(kept) == len(defs):
            break
        schema = {**rewritten, "$defs": kept} if kept else rewritten
    return schema


def build_output_schema(fn: Callable[..., Any], name: str) -> OutputSchema:
    """Build the output schema from the return annotation: a pydantic model, dataclass or TypedDict."""
    hints = typing.get_type_hints(fn, include_extras=True)
    if "return" not in hints or hints["return"] in (None, type(None)):
        raise ToolDefinitionError(
            f"tool {name}: annotate the return type with a pydantic model, dataclass or TypedDict; "
            "it becomes the outputSchema"
        )
    adapter: TypeAdapter[Any] = TypeAdapter(hints["return"])
    schema = _inline_single_use_defs(
        _nullable_as_type_list(_strip_titles(adapter.json_schema(mode="serialization")))
    )
    if schema.get("type") != "object":
        raise ToolDefinitionError(
            f"tool {name}: the return type must be an object (a pydantic model, dataclass or TypedDict), "
            f"not {hints['return']!r}: MCP clients before 2026-07-28 accept only object outputs"
        )
    return OutputSchema(schema=schema, adapter=adapter)
