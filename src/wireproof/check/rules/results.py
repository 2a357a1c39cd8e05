"""Result rules: answers to tools/call that a client must refuse as no valid result at all."""

from __future__ import annotations

from collections.abc import Iterator

from wireproof.check.model import CallRecord
from wireproof.check.rules._registry import Hit, RuleContext, rule
from wireproof.check.rules.errors import invalid_result


@rule(
    "protocol.invalid-result",
    "protocol",
    "error",
    title="Answer that is no valid tools/call result",
    rationale="A result that breaks the CallToolResult schema (a text item without text, content that is not "
    "a list, an unknown content type) is refused by the client: the model sees neither the data nor an error.",
    reference="MCP 2026-07-28, schema (CallToolResult, ContentBlock)",
)
def invalid_results(ctx: RuleContext) -> Iterator[Hit]:
    by_tool: dict[str, list[CallRecord]] = {}
    for call in ctx.observations.calls:
        if invalid_result(call):
            by_tool.setdefault(call.tool, []).append(call)
    for tool, calls in by_tool.items():
        yield Hit(
            tool,
            f"{len(calls)} answer(s) were refused by the MCP client as no valid tools/call result "
            f"({calls[0].error_message.split(': ', 1)[-1][:200]}).",
            calls[0].evidence(),
        )
