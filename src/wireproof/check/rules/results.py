"""Result rules: answers to tools/call that a client must refuse as no valid result at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from wireproof.check.model import CallRecord
from wireproof.check.rules._registry import Hit, RuleContext, rule
from wireproof.check.rules.errors import invalid_result

_JSON_TYPES: Final = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


@rule("protocol.invalid-result", "error", reference="MCP 2026-07-28, schema (CallToolResult, ContentBlock)")
def invalid_results(ctx: RuleContext) -> Iterator[Hit]:
    """Answer that is no valid tools/call result

    A result that breaks the CallToolResult schema (a text item without text, content that is not a list,
    an unknown content type, structuredContent that is not an object) is refused by the client (the
    TypeScript SDK checks every field): the model sees neither the data nor an error."""
    by_tool: dict[str, list[CallRecord]] = {}
    not_objects: dict[str, CallRecord] = {}
    for call in ctx.observations.calls:
        if invalid_result(call):
            by_tool.setdefault(call.tool, []).append(call)
        elif (
            call.outcome == "result" and call.structured is not None and not isinstance(call.structured, dict)
        ):
            not_objects.setdefault(call.tool, call)
    for tool, calls in by_tool.items():
        yield Hit(
            tool,
            f"{len(calls)} answer(s) were refused by the MCP client as no valid tools/call result "
            f"({calls[0].error_message.split(': ', 1)[-1][:200]}).",
            calls[0].evidence(),
        )
    for tool, call in not_objects.items():
        if tool not in by_tool:
            yield Hit(
                tool,
                f"structuredContent is a JSON {_JSON_TYPES.get(type(call.structured), 'value')}, not an object: "
                "clients that "
                'validate results (the TypeScript SDK) refuse the answer; wrap it, e.g. {"items": [...]}.',
                call.evidence(),
            )
