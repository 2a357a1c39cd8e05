"""The response budget: every tool answer is measured as it goes on the wire, and one over budget is
never silently cut.

An answer is measured whole: its ``structuredContent`` and its text content, each as the SDK
serializes it, plus room for the JSON-RPC frame around them. JSON escaping is counted (a ``"`` or
``\\`` in a value costs two bytes in ``structuredContent`` and four in its text copy, a control
character six), and so is non-ASCII text at the most any SDK transport spends on it: the SDK's
2026 HTTP entry sends JSON with ``\\uXXXX`` escapes (six bytes a UTF-16 code unit, twelve for a
character beyond the BMP), where stdio and the legacy HTTP entry send UTF-8 (two to four). Sizes
are estimated as bytes / 4 tokens.

A result over the budget is reduced to fit when it is a ``Page`` built with ``Page.from_rows``
(trailing items are left out, with a cursor to continue and a note saying so); otherwise the call
fails with a typed error that says how to ask for less. The text content is the JSON itself when
both copies fit, else a short pointer to ``structuredContent`` (the spec's text copy is for older
clients, and a second full copy would double the answer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from wireproof.errors import InvalidInput
from wireproof.paging import Page

__all__ = [
    "BYTES_PER_TOKEN",
    "DEFAULT_BUDGET_TOKENS",
    "FRAME_BYTES",
    "answer_bytes",
    "check_content_budget",
    "fit_to_budget",
    "text_for",
    "wire_bytes",
]

DEFAULT_BUDGET_TOKENS: Final = 16_000
"""Some clients cap a tool result near 25,000 tokens and warn at 10,000."""
BYTES_PER_TOKEN: Final = 4
FRAME_BYTES: Final = 256
"""Room for what wraps the two payloads on the wire: the JSON-RPC frame and id, the result's keys,
``isError`` and the replay marks in ``_meta`` (about 200 bytes with a short request id)."""
_ESCAPED_BYTES: Final = 6  # \uXXXX, per UTF-16 code unit


def wire_bytes(json_text: str) -> int:
    """The most bytes a JSON text (as pydantic-core writes it) takes on the wire.

    Printable ASCII is one byte; everything else is counted as the ``\\uXXXX`` escapes the SDK's
    HTTP entry writes (``json.dumps`` with ``ensure_ascii``, which escapes DEL too). Control
    characters are already escaped in a JSON text, so they are counted as the text shows them.
    """
    if json_text.isascii() and "\x7f" not in json_text:
        return len(json_text)
    plain = len(json_text.encode("ascii", "ignore")) - json_text.count("\x7f")
    units = len(json_text.encode("utf-16-le", "surrogatepass")) // 2
    return plain + _ESCAPED_BYTES * (units - plain)


def _string_bytes(text: str, size: int) -> int:
    """The most bytes ``text`` (a JSON text, or any text without control characters, whose
    ``wire_bytes`` is ``size``) takes on the wire as a JSON string: each ``"`` and ``\\`` gains a
    backslash, and two quotes enclose it."""
    return size + text.count('"') + text.count("\\") + 2


def _pointer(structured: Any, size: int) -> str:
    count = ""
    if isinstance(structured, dict) and isinstance(structured.get("items"), list):
        count = f"{len(structured['items'])} items, "
    return (
        f"The result ({count}{size:,} bytes of JSON) is in structuredContent; it is not repeated here "
        "to save context."
    )


def _measure(structured: Any, json_text: str, budget_tokens: int) -> tuple[str, int]:
    """The text content for this result, and the bytes the whole answer takes on the wire."""
    size = wire_bytes(json_text)
    whole = FRAME_BYTES + size + _string_bytes(json_text, size)
    if whole <= budget_tokens * BYTES_PER_TOKEN:
        return json_text, whole
    pointer = _pointer(structured, size)
    return pointer, FRAME_BYTES + size + _string_bytes(pointer, wire_bytes(pointer))


def _surely_fits(size: int, budget_tokens: int) -> bool:
    """Whether an answer whose JSON text takes ``size`` bytes holds both copies within the budget,
    however many quotes and backslashes the text has: its string form is at most ``2 * size + 2``
    bytes (each escaped character is one more byte, and no text has more of them than bytes). Far
    from the budget this spares counting them; near it, ``_measure`` counts exactly."""
    return FRAME_BYTES + 3 * size + 2 <= budget_tokens * BYTES_PER_TOKEN


def text_for(structured: Any, json_text: str, budget_tokens: int) -> str:
    """The text content: the JSON itself when the answer holds both copies within the budget, else
    a pointer to ``structuredContent`` (no second full copy)."""
    if _surely_fits(wire_bytes(json_text), budget_tokens):
        return json_text
    return _measure(structured, json_text, budget_tokens)[0]


def answer_bytes(structured: Any, json_text: str, budget_tokens: int) -> int:
    """The most bytes the answer of ``structured`` (whose JSON is ``json_text``) takes on the wire,
    with the text content ``text_for`` picks for it."""
    return _measure(structured, json_text, budget_tokens)[1]


def fit_to_budget(
    result: Any,
    structured: Any,
    text: str,
    *,
    budget_tokens: int,
    dump: Callable[[Any], Any],
    encode: Callable[[Any], str],
) -> tuple[Any, str]:
    """``(structured, its JSON text)`` whose answer is within ``budget_tokens`` on the wire, reduced
    with a note, or raise ``InvalidInput`` (``response_too_large``)."""
    budget = budget_tokens * BYTES_PER_TOKEN
    if _surely_fits(wire_bytes(text), budget_tokens):  # the common case: far within the budget
        return structured, text
    size = answer_bytes(structured, text, budget_tokens)
    if size <= budget:
        return structured, text
    if isinstance(result, Page) and result.can_be_cut:
        total = len(result.items)
        low, high, best = 1, total - 1, None
        while low <= high:  # the most items that still fit, by bisection
            middle = (low + high) // 2
            candidate = result.cut(middle, _note(total - middle, total, budget_tokens))
            candidate_structured = dump(candidate)
            candidate_text = encode(candidate_structured)
            if answer_bytes(candidate_structured, candidate_text, budget_tokens) <= budget:
                best, low = (candidate_structured, candidate_text), middle + 1
            else:
                high = middle - 1
        if best is not None:
            return best
    raise _too_large(size, budget_tokens)


def check_content_budget(content_json: str, structured_json: str | None, *, budget_tokens: int) -> None:
    """Raise ``InvalidInput`` (``response_too_large``) when an answer of content items as they are
    (``content_json``, their JSON list) and an optional ``structuredContent`` is over the budget on
    the wire. Such an answer is never reduced: its items are not ours to cut."""
    size = FRAME_BYTES + wire_bytes(content_json)
    if structured_json is not None:
        size += wire_bytes(structured_json)
    if size > budget_tokens * BYTES_PER_TOKEN:
        raise _too_large(size, budget_tokens)


def _too_large(size: int, budget_tokens: int) -> InvalidInput:
    tokens = size // BYTES_PER_TOKEN
    return InvalidInput(
        f"The result would be about {tokens:,} tokens, over this tool's budget of {budget_tokens:,}; ask for "
        "less: a smaller limit, fewer fields, or narrower filters",
        code="response_too_large",
    )


def _note(left_out: int, total: int, budget_tokens: int) -> str:
    return (
        f"{left_out} of {total} items were left out to keep this answer within about {budget_tokens:,} tokens; "
        "call again with next_cursor for the rest, or pass a smaller limit or fewer fields."
    )
