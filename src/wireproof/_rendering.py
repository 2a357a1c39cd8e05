"""Rendering a call's outcome as an MCP ``CallToolResult``: a success, a typed error, or a replay.

A success is ``Shaped`` first (the result measured against the response budget, in
``Execution``), then rendered; the same ``Shaped`` is what an idempotency record stores::

    Python tool / JSON object   structuredContent, and the same JSON as text (or a pointer to it)
    other JSON value            its JSON as text
    ToolAnswer                  the forwarder's content items as they are, and its structuredContent
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import mcp_types as types
import pydantic_core

from wireproof.budget import DEFAULT_BUDGET_TOKENS, text_for
from wireproof.errors import TOOL_FAILURE_META, WireproofError, render_tool_error, tool_failure
from wireproof.idempotency import StoredResult

__all__ = [
    "ERROR_META",
    "REPLAY_META",
    "Shaped",
    "compact_json",
    "error_result",
    "replayed",
    "success_result",
]

REPLAY_META: Final = "io.wireproof/replayed"
ERROR_META: Final = "io.wireproof/error"
"""The typed error object of an ``isError`` result, in the result's ``_meta``. Not in
``structuredContent``: that must conform to the tool's outputSchema, and clients that validate it
(the TypeScript SDK 1.x, MCP Inspector) would reject the result and hide the error's message.
Beside it, ``TOOL_FAILURE_META`` carries the same error in the ToolFailure proposal's names."""


def compact_json(structured: Any) -> str:
    """Compact JSON text (pydantic-core's encoder: ten times cheaper than json.dumps with options)."""
    return pydantic_core.to_json(structured).decode()


@dataclass(frozen=True, slots=True)
class Shaped:
    """A successful result within its budget: ``structured`` and its ``text`` copy (or pointer), or
    a forwarder's own ``content`` items (then ``text`` is unused) with an optional ``structured``."""

    structured: Any
    text: str
    content: Sequence[types.ContentBlock] | None = None

    def record(self) -> StoredResult:
        """What an idempotency record keeps of it, as JSON values."""
        if self.content is None:
            return StoredResult(self.structured, self.text, False)
        items = [item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in self.content]
        return StoredResult(self.structured, self.text, False, items)


def success_result(
    structured: Any, text: str | None = None, budget_tokens: int = DEFAULT_BUDGET_TOKENS
) -> types.CallToolResult:
    """A tool result: ``structuredContent``, and the same JSON as text when both copies fit the
    budget on the wire (else a pointer to ``structuredContent``; see ``wireproof.budget``)."""
    text = compact_json(structured) if text is None else text
    return types.CallToolResult(
        content=[types.TextContent(text=text_for(structured, text, budget_tokens))],
        structured_content=structured,
    )


def error_result(error: WireproofError, correlation_id: str) -> types.CallToolResult:
    """An ``isError`` tool result rendered from a typed error."""
    rendered = render_tool_error(error, correlation_id=correlation_id)
    return types.CallToolResult(
        content=[types.TextContent(text=rendered.text)],
        is_error=True,
        _meta={ERROR_META: rendered.structured["error"], TOOL_FAILURE_META: rendered.tool_failure},
    )


def replayed(stored: StoredResult, *, open_output: bool, budget_tokens: int) -> types.CallToolResult:
    """The stored result again, marked as a replay in the result's ``_meta`` and, where the output
    schema allows extra members, in ``structuredContent._meta`` too."""
    structured = stored.structured
    if stored.is_error:  # a recorded terminal error: its text, and its typed object in _meta
        return types.CallToolResult(
            content=[types.TextContent(text=stored.text)],
            is_error=True,
            _meta={
                REPLAY_META: True,
                ERROR_META: structured["error"],
                TOOL_FAILURE_META: tool_failure(
                    structured["error"], guidance=stored.text.rsplit("\n", 1)[-1]
                ),
            },
        )
    if isinstance(structured, dict) and open_output:
        structured = {**structured, "_meta": {"replayed": True}}
    if stored.content is not None:  # a forwarder's own items, as they were answered
        return types.CallToolResult.model_validate(
            {"content": stored.content, "structuredContent": structured, "_meta": {REPLAY_META: True}}
        )
    return types.CallToolResult(
        content=[types.TextContent(text=text_for(structured, compact_json(structured), budget_tokens))],
        structured_content=structured,
        _meta={REPLAY_META: True},
    )
