"""Fixture stdio servers listing tools whose inputSchema is malformed, and their well-formed twin.

``python -m tests.check.schema_servers malformed`` lists one sound read-only tool beside one tool per
kind of broken schema a real server could send (an unknown type, a dangling or looping $ref, a pattern
that is no regular expression, ``required`` that is not a list, a nesting deeper than any sane
schema); ``python -m tests.check.schema_servers sound`` lists the same tools with schemas that are
well formed. Each tool answers any call with a plain result, so only the schemas differ.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import anyio
from mcp.server.stdio import stdio_server

from tests.check import servers as s

GOOD_TOOL = "get_colour_by_name"
DEEP_LEVELS = int(os.environ.get("FIXTURE_DEPTH", "64"))
"""How deep the deeply nested schema goes: past what the checker follows, within what JSON parsers take."""


def _prop(schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": "The value.", **schema}


def _object(props: dict[str, Any], **rest: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "additionalProperties": False, **rest}


def _deep(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "maxLength": 10, "description": "The leaf."}
    for _ in range(levels):
        schema = _object({"x": schema}, description="One level down.")
    return schema


MALFORMED: dict[str, dict[str, Any]] = {
    "lookup_unknown_type": {"type": "object", "properties": {"x": {"type": "strnig"}}},
    "lookup_dangling_ref": {"type": "object", "properties": {"x": {"$ref": "#/$defs/missing"}}},
    "lookup_bad_pattern": {"type": "object", "properties": {"x": {"pattern": "("}}},
    "lookup_required_not_list": {"type": "object", "required": "x"},
    "lookup_ref_loop": {
        "$defs": {"a": {"$ref": "#/$defs/a"}},
        "type": "object",
        "properties": {"x": {"$ref": "#/$defs/a"}},
    },
    "lookup_deep": _object({"x": _deep(DEEP_LEVELS)}),
}
"""A tool for each kind of broken inputSchema, as the brief's review listed them."""

SOUND: dict[str, dict[str, Any]] = {
    "lookup_unknown_type": _object({"x": _prop({"type": "string", "maxLength": 10})}),
    "lookup_dangling_ref": _object(
        {"x": _prop({"$ref": "#/$defs/code"})}, **{"$defs": {"code": {"type": "string", "maxLength": 10}}}
    ),
    "lookup_bad_pattern": _object({"x": _prop({"type": "string", "pattern": "^[a-z]{1,10}$"})}),
    "lookup_required_not_list": _object({"x": _prop({"type": "string", "maxLength": 10})}, required=["x"]),
    "lookup_ref_loop": _object(
        {"x": _prop({"$ref": "#/$defs/a"})}, **{"$defs": {"a": {"type": "string", "maxLength": 10}}}
    ),
    "lookup_deep": _object({"x": _deep(3)}),
}
"""The same tools, each schema well formed."""


async def answer(args: dict[str, Any]) -> Any:
    """Any arguments, one plain answer: the schemas are under test here, not the handlers."""
    return s.ok({"received": sorted(args)})


def server(schemas: dict[str, dict[str, Any]]) -> Any:
    tools = [s.FakeTool(GOOD_TOOL, s.strict_colour)]
    tools += [s.FakeTool(name, answer, description="Look a value up.") for name, schema in schemas.items()]
    for tool, schema in zip(tools[1:], schemas.values(), strict=True):
        tool.input_schema = schema
    return s.build(tools)


SERVERS: dict[str, Callable[[], Any]] = {
    "malformed": lambda: server(MALFORMED),
    "sound": lambda: server(SOUND),
}


async def main(name: str) -> None:
    built = SERVERS[name]()
    async with stdio_server() as (read, write):
        await built.run(read, write, built.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main, sys.argv[1])
