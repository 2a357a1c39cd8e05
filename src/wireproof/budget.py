"""The response budget: every tool result is measured, and one over budget is never silently cut.

Sizes are estimated as bytes / 4 tokens. A result over the budget is reduced to fit when it is
a ``Page`` built with ``Page.from_rows`` (trailing items are left out, with a cursor to continue
and a note saying so); otherwise the call fails with a typed error that says how to ask for less.
A large result's text content is a short pointer to ``structuredContent`` instead of a second
full copy of it (the spec's text copy is for small results, for older clients).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from wireproof.errors import InvalidInput
from wireproof.paging import Page

__all__ = ["BYTES_PER_TOKEN", "DEFAULT_BUDGET_TOKENS", "fit_to_budget", "text_for"]

DEFAULT_BUDGET_TOKENS: Final = 16_000
"""Some clients cap a tool result near 25,000 tokens and warn at 10,000."""
BYTES_PER_TOKEN: Final = 4


def fit_to_budget(
    result: Any,
    structured: Any,
    text: str,
    *,
    budget_tokens: int,
    dump: Callable[[Any], Any],
    encode: Callable[[Any], str],
) -> tuple[Any, str]:
    """``(structured, text)`` within ``budget_tokens``, reduced with a note, or raise ``InvalidInput``."""
    budget = budget_tokens * BYTES_PER_TOKEN
    if len(text.encode()) <= budget:
        return structured, text
    if isinstance(result, Page) and result._resume is not None and result.items:
        total = len(result.items)
        low, high, best = 1, total - 1, None
        while low <= high:  # the most items that still fit, by bisection
            middle = (low + high) // 2
            candidate = result.cut(middle, _note(total - middle, total, budget_tokens))
            candidate_structured = dump(candidate)
            candidate_text = encode(candidate_structured)
            if len(candidate_text.encode()) <= budget:
                best, low = (candidate_structured, candidate_text), middle + 1
            else:
                high = middle - 1
        if best is not None:
            return best
    tokens = len(text.encode()) // BYTES_PER_TOKEN
    raise InvalidInput(
        f"The result would be about {tokens:,} tokens, over this tool's budget of {budget_tokens:,}; ask for "
        "less: a smaller limit, fewer fields, or narrower filters",
        code="response_too_large",
    )


def _note(left_out: int, total: int, budget_tokens: int) -> str:
    return (
        f"{left_out} of {total} items were left out to keep this answer within about {budget_tokens:,} tokens; "
        "call again with next_cursor for the rest, or pass a smaller limit or fewer fields."
    )


def text_for(structured: Any, text: str, budget_tokens: int) -> str:
    """The text content: the JSON itself when small, else a pointer (no second full copy)."""
    if len(text.encode()) <= budget_tokens * BYTES_PER_TOKEN // 2:
        return text
    count = ""
    if isinstance(structured, dict) and isinstance(structured.get("items"), list):
        count = f" {len(structured['items'])} items,"
    return (
        f"The result ({count} {len(text):,} bytes of JSON) is in structuredContent; it is not repeated here "
        "to save context."
    ).replace("( ", "(")
