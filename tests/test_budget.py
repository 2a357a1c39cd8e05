"""The response budget measures what goes on the wire: structuredContent and its text copy, each as
the SDK serializes it (JSON escaping counted, non-ASCII as the SDK's HTTP entry escapes it)."""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types
import pydantic_core
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mcp import Client
from pydantic import BaseModel

from wireproof import LOCAL_OPERATOR, Connector, InvalidInput, Page, ToolContext
from wireproof.budget import (
    BYTES_PER_TOKEN,
    DEFAULT_BUDGET_TOKENS,
    FRAME_BYTES,
    answer_bytes,
    fit_to_budget,
    text_for,
    wire_bytes,
)

BUDGET = DEFAULT_BUDGET_TOKENS * BYTES_PER_TOKEN

ADVERSARIAL = st.text(
    alphabet=st.one_of(
        st.sampled_from(['"', "\\", "\x01", "\x1f", "\n", "\t", "\x7f", "é", "中", "😀", "\u2028", "/", "<"]),
        st.characters(exclude_categories=["Cs"]),  # a lone surrogate cannot be encoded (see test below)
    ),
    max_size=60,
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**53), max_value=2**53) | ADVERSARIAL,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(ADVERSARIAL, inner, max_size=5),
    max_leaves=20,
)


def sent_bytes(result: types.CallToolResult) -> dict[str, int]:
    """The bytes of this answer as each SDK transport frames and writes it: stdio and the legacy
    HTTP entry (pydantic's model_dump_json, UTF-8) and the 2026 HTTP entry (json.dumps, ASCII)."""
    frame = types.JSONRPCResponse(
        jsonrpc="2.0", id=1, result=result.model_dump(mode="json", by_alias=True, exclude_none=True)
    )
    as_dict = frame.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {
        "utf-8": len(frame.model_dump_json(by_alias=True, exclude_unset=True).encode()),
        "ascii": len(json.dumps(as_dict, separators=(",", ":")).encode()),
    }


@given(JSON_VALUES)
def test_wire_bytes_is_exactly_what_the_ascii_http_entry_sends_and_never_less_than_utf8(value: Any) -> None:
    text = pydantic_core.to_json(value).decode()
    assert wire_bytes(text) == len(json.dumps(value, separators=(",", ":")).encode())
    assert wire_bytes(text) >= len(text.encode())


@given(JSON_VALUES)
def test_the_measure_of_an_answer_is_never_below_what_either_encoding_sends(value: Any) -> None:
    structured = {"value": value}
    text = pydantic_core.to_json(structured).decode()
    result = types.CallToolResult(content=[types.TextContent(text=text)], structured_content=structured)
    assert max(sent_bytes(result).values()) <= answer_bytes(structured, text, DEFAULT_BUDGET_TOKENS)


@given(JSON_VALUES, st.integers(min_value=1, max_value=2_000))
def test_the_shortcut_far_from_the_budget_decides_as_the_exact_count_does(
    value: Any, budget_tokens: int
) -> None:
    structured = {"value": value}
    text = pydantic_core.to_json(structured).decode()
    exact = answer_bytes(structured, text, budget_tokens)
    fits = exact <= budget_tokens * BYTES_PER_TOKEN
    assert (text_for(structured, text, budget_tokens) == text) is (
        FRAME_BYTES + wire_bytes(text) + wire_bytes(json.dumps(text)) <= budget_tokens * BYTES_PER_TOKEN
    )
    if fits:
        assert fit_to_budget(value, structured, text, budget_tokens=budget_tokens, dump=str, encode=str) == (
            structured,
            text,
        )
    else:
        with pytest.raises(InvalidInput, match="over this tool's budget"):
            fit_to_budget(value, structured, text, budget_tokens=budget_tokens, dump=str, encode=str)


def test_a_lone_surrogate_cannot_reach_an_answer_it_fails_to_serialize() -> None:
    # Why the strategies above leave lone surrogates out: pydantic-core refuses to encode them, so a
    # result holding one never reaches the measure (nor the wire) as text.
    with pytest.raises(pydantic_core.PydanticSerializationError, match="surrogates not allowed"):
        pydantic_core.to_json({"body": "\ud800"})


class Row(BaseModel):
    id: int
    text: str


def build(rows_of: str, *, rows: int = 100) -> Connector[None]:
    app: Connector[None] = Connector("escapes", budget_tokens=DEFAULT_BUDGET_TOKENS)

    @app.read(public=True)
    async def one_row(size: int) -> Row:
        """Return one row of the awkward text.

        Args:
            size: How many times the text is repeated.
        """
        return Row(id=1, text=rows_of * size)

    @app.read(public=True)
    async def list_rows(ctx: ToolContext[None], size: int, cursor: str | None = None) -> Page[Row]:
        """List rows of the awkward text.

        Args:
            size: How many times the text is repeated in each row.
            cursor: Where to continue.
        """
        start = ctx.paging.position(cursor, {"size": size}) or 0
        found = [{"id": i, "text": rows_of * size} for i in range(start + 1, start + rows + 2)]
        return Page[Row].from_rows(
            found,
            limit=rows,
            item=Row.model_validate,
            position=lambda r: r["id"],
            paging=ctx.paging,
            filters={"size": size},
        )

    return app


@pytest.mark.anyio
async def test_quotes_and_backslashes_are_counted_escaped_in_both_copies() -> None:
    # 7,500 '"\' pairs: 30 kB of JSON for structuredContent (under half the budget, so the old measure
    # sent a full text copy) and 60 kB more for that copy, where each of them is escaped twice.
    async with Client(build('"\\').server(None, principal=LOCAL_OPERATOR)) as client:
        result = await client.call_tool("one_row", {"size": 7_500})
    assert result.is_error is False
    assert result.structured_content == {"id": 1, "text": '"\\' * 7_500}
    assert max(sent_bytes(result).values()) <= BUDGET
    assert "is in structuredContent" in result.content[0].text  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_non_ascii_is_counted_as_the_http_entry_escapes_it() -> None:
    # 5,000 emoji: 20 kB in UTF-8 (stdio) but 60 kB as \ud83d\ude00 escapes (the 2026 HTTP entry).
    async with Client(build("😀").server(None, principal=LOCAL_OPERATOR)) as client:
        result = await client.call_tool("one_row", {"size": 5_000})
        too_big = await client.call_tool("one_row", {"size": 6_000})
    assert result.is_error is False
    assert sent_bytes(result)["ascii"] <= BUDGET
    assert sent_bytes(result)["utf-8"] < BUDGET / 2
    assert too_big.is_error is True
    assert too_big.meta["io.wireproof/error"]["code"] == "response_too_large"  # type: ignore[index]


@pytest.mark.anyio
async def test_a_small_answer_keeps_its_full_text_copy() -> None:
    async with Client(build('"\\é').server(None, principal=LOCAL_OPERATOR)) as client:
        result = await client.call_tool("one_row", {"size": 100})
    assert json.loads(result.content[0].text) == result.structured_content  # type: ignore[union-attr]
    assert max(sent_bytes(result).values()) <= BUDGET


@pytest.mark.anyio
@pytest.mark.parametrize("awkward", ['"', "\\", "\x01", "é", "中", "😀"])
async def test_a_page_of_escaped_text_is_cut_to_the_budget_on_the_wire_and_continues(awkward: str) -> None:
    async with Client(build(awkward).server(None, principal=LOCAL_OPERATOR)) as client:
        first = await client.call_tool("list_rows", {"size": 500})
        assert first.is_error is False
        page = first.structured_content
        assert page is not None
        assert max(sent_bytes(first).values()) <= BUDGET
        kept = [row["id"] for row in page["items"]]
        assert 1 <= len(kept) < 100
        assert f"{100 - len(kept)} of 100 items were left out" in page["note"]
        second = await client.call_tool("list_rows", {"size": 500, "cursor": page["next_cursor"]})
        assert second.structured_content["items"][0]["id"] == kept[-1] + 1  # type: ignore[index]
    # The page is as full as the budget allows: one more item would not fit.
    one_more = {**page, "items": [*page["items"], page["items"][-1]]}
    assert answer_bytes(one_more, pydantic_core.to_json(one_more).decode(), DEFAULT_BUDGET_TOKENS) > BUDGET


def test_the_frame_allowance_covers_the_jsonrpc_frame_and_replay_marks() -> None:
    structured = {"_meta": {"replayed": True}}
    result = types.CallToolResult(
        content=[types.TextContent(text="")],
        structured_content=structured,
        is_error=False,
        _meta={"io.wireproof/replayed": True},
    )
    overhead = max(sent_bytes(result).values()) - len(pydantic_core.to_json(structured))
    assert overhead < FRAME_BYTES
