"""Output rules: answer size against a token budget, paging of lists, structuredContent against outputSchema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from wireproof.check.config import BYTES_PER_TOKEN
from wireproof.check.model import ToolInfo
from wireproof.check.rules._registry import Hit, RuleContext, rule

_PAGING_PARAMS: Final = frozenset(
    {
        "limit",
        "cursor",
        "page",
        "page_size",
        "pagesize",
        "per_page",
        "max_results",
        "maxresults",
        "top",
        "first",
        "offset",
        "page_token",
        "pagetoken",
        "next_cursor",
        "count",
        "size",
        "max",
    }
)


@rule(
    "output.over-budget",
    "output",
    "error",
    title="Answer over the token budget",
    rationale="Clients cap tool results (about 25,000 tokens, with a warning at 10,000); a huge answer burns context.",
    reference="wireproof MISSION property 6 (tight outputs)",
)
def over_budget(ctx: RuleContext) -> Iterator[Hit]:
    worst: dict[str, Any] = {}
    for call in ctx.observations.calls:
        if call.outcome == "result" and call.size_bytes > worst.get(call.tool, (0, None))[0]:
            worst[call.tool] = (call.size_bytes, call)
    for tool, (size, call) in worst.items():
        tokens = size // BYTES_PER_TOKEN
        if tokens > ctx.options.error_tokens:
            yield Hit(
                tool,
                f"An answer was {size:,} bytes (about {tokens:,} tokens), over the {ctx.options.error_tokens:,}"
                "-token limit.",
                call.evidence(),
                "error",
            )
        elif tokens > ctx.options.warn_tokens:
            yield Hit(
                tool,
                f"An answer was {size:,} bytes (about {tokens:,} tokens), over the {ctx.options.warn_tokens:,}"
                "-token warning level.",
                call.evidence(),
                "warning",
            )


def _returns_list(tool: ToolInfo, ctx: RuleContext) -> bool:
    schema = tool.output_schema or {}
    if schema.get("type") == "array":
        return True
    properties = schema.get("properties", {})
    if isinstance(properties, dict) and any(
        isinstance(p, dict) and p.get("type") == "array" for p in properties.values()
    ):
        return True
    for call in ctx.observations.calls_for(tool.name, "valid"):
        if isinstance(call.structured, list) or (
            isinstance(call.structured, dict)
            and any(isinstance(v, list) and len(v) > 1 for v in call.structured.values())
        ):
            return True
    return False


@rule(
    "output.list-without-paging",
    "output",
    "warning",
    title="List-like tool without a limit or cursor",
    rationale="A tool that returns a list without limit/cursor returns everything, however much there is.",
    reference="MCP 2026-07-28, utilities/pagination (opaque cursors)",
)
def list_without_paging(ctx: RuleContext) -> Iterator[Hit]:
    for tool in ctx.observations.tools:
        properties = tool.input_schema.get("properties", {})
        params = {str(n).lower() for n in properties}
        mirrors_input = any(isinstance(p, dict) and p.get("type") == "array" for p in properties.values())
        if not tool.read_only or mirrors_input:
            continue  # writes answer about what they were given; so do reads of a list the caller names
        if _returns_list(tool, ctx) and not params & _PAGING_PARAMS:
            yield Hit(tool.name, "The tool returns a list but takes no limit or cursor parameter.")


@rule(
    "output.structured-mismatch",
    "output",
    "error",
    title="structuredContent does not match outputSchema",
    rationale="With an outputSchema, servers MUST return conforming structuredContent; clients reject the rest.",
    reference="MCP 2026-07-28, server/tools (structured content, output schema)",
)
def structured_mismatch(ctx: RuleContext) -> Iterator[Hit]:
    for tool, validator in _output_validators(ctx):
        if validator is None:
            yield Hit(tool.name, "The outputSchema is not a valid JSON Schema.")
            continue
        for call in ctx.observations.calls:
            if call.tool != tool.name or call.outcome != "result" or call.is_error:
                continue
            if call.structured is None:
                yield Hit(
                    tool.name,
                    "A successful answer has no structuredContent although the tool has an outputSchema.",
                    call.evidence(),
                )
                break
            error = next(iter(validator.iter_errors(call.structured)), None)
            if error is not None:
                yield Hit(
                    tool.name,
                    f"structuredContent does not match outputSchema: {error.message[:200]}",
                    call.evidence(),
                )
                break


@rule(
    "output.error-structured-mismatch",
    "output",
    "warning",
    title="An error result's structuredContent does not match outputSchema",
    rationale="Clients that validate structuredContent on every result (the TypeScript SDK 1.x client, the "
    "MCP Inspector) reject such an error, so the model never reads its message. Leave structuredContent "
    "out of isError results; put machine-readable error details in the result's _meta.",
    reference="MCP 2026-07-28, server/tools (output schema); modelcontextprotocol/typescript-sdk#1943",
)
def error_structured_mismatch(ctx: RuleContext) -> Iterator[Hit]:
    for tool, validator in _output_validators(ctx):
        if validator is None:
            continue  # output.structured-mismatch reports the schema itself
        for call in ctx.observations.calls:
            if call.tool != tool.name or call.outcome != "result" or not call.is_error:
                continue
            if call.structured is None:
                continue
            error = next(iter(validator.iter_errors(call.structured)), None)
            if error is not None:
                yield Hit(
                    tool.name,
                    "An isError result carries structuredContent that does not match outputSchema "
                    f"({error.message[:160]}); strict clients reject it and hide the error's message.",
                    call.evidence(),
                )
                break


def _output_validators(ctx: RuleContext) -> Iterator[tuple[ToolInfo, Draft202012Validator | None]]:
    """Each tool with an outputSchema and its validator (None when the schema itself is invalid)."""
    for tool in ctx.observations.tools:
        if not tool.output_schema:
            continue
        try:
            validator: Draft202012Validator | None = Draft202012Validator(tool.output_schema)
        except SchemaError:
            validator = None
        yield tool, validator
