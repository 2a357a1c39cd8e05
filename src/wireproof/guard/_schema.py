"""An upstream tool's input schema, tightened into the contract the guard enforces.

Unknown arguments are refused (``additionalProperties: false`` on the arguments object, and on
nested objects that declare their properties and say nothing about others); the policy's additions
(descriptions, enums, bounds, formats) are merged into each argument; strings and arrays without a
bound get the library's defaults (``DEFAULT_MAX_LENGTH``, ``DEFAULT_MAX_ITEMS``) unless the
policy lifts them for that argument. The upstream's own constraints are never loosened.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from wireproof.guard._policy import GuardConfigError, ToolPolicy
from wireproof.schema import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH

__all__ = ["tighten_schema"]

_STRING_BOUNDED_BY = ("maxLength", "enum", "const")
_UNBOUNDED_FORMATS = ("date", "date-time", "uuid", "time")


def _types(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {str(k) for k in kind}
    return set()


def _bound(schema: dict[str, Any]) -> None:
    """Default bounds, in place, on this schema and the schemas inside it."""
    types = _types(schema)
    bounded = any(k in schema for k in _STRING_BOUNDED_BY) or schema.get("format") in _UNBOUNDED_FORMATS
    if "string" in types and not bounded:
        schema["maxLength"] = DEFAULT_MAX_LENGTH
    if "array" in types and "maxItems" not in schema:
        schema["maxItems"] = DEFAULT_MAX_ITEMS
    if isinstance(schema.get("properties"), dict) and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _bound(schema[key])
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for option in schema.get(key) or []:
            if isinstance(option, dict):
                _bound(option)
    for prop in (schema.get("properties") or {}).values():
        if isinstance(prop, dict):
            _bound(prop)


def tighten_schema(name: str, upstream: Mapping[str, Any], policy: ToolPolicy) -> dict[str, Any]:
    """The schema the guard advertises and validates for the upstream tool ``name``.

    Raises:
        GuardConfigError: the policy adds to an argument the upstream tool does not have.
    """
    schema: dict[str, Any] = copy.deepcopy(dict(upstream))
    schema["type"] = "object"
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        properties = schema["properties"] = {}
    unknown = sorted(set(policy.arguments) - set(properties))
    if unknown:
        raise GuardConfigError(
            f"tools.{name}.arguments names {', '.join(unknown)}, which {name} does not take; its arguments "
            f"are {', '.join(sorted(properties)) or 'none'}"
        )
    for arg, additions in policy.arguments.items():
        prop = properties[arg] if isinstance(properties[arg], dict) else {}
        properties[arg] = {**prop, **copy.deepcopy(dict(additions))}
    for arg, prop in properties.items():
        if isinstance(prop, dict) and arg not in policy.lift_bounds:
            _bound(prop)
    schema["additionalProperties"] = False
    schema.pop("$schema", None)  # the library validates with Draft 2020-12 whatever the upstream says
    return schema
