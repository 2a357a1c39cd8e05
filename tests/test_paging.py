"""Signed cursors and the response budget."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mcp import Client
from pydantic import BaseModel

from wireproof import LOCAL_OPERATOR, Connector, InvalidInput, ToolContext
from wireproof.paging import CursorCodec, Page, Paging

FILTERS = {"status": "open", "start_date": "2026-01-01"}


class Clock:
    now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def codec(**options: Any) -> CursorCodec:
    return CursorCodec({"k1": b"k" * 32}, **options)


def encode(c: CursorCodec, **changes: Any) -> str:
    fields: dict[str, Any] = {
        "tool": "list",
        "filters": FILTERS,
        "principal": "alice",
        "position": ["2026", 7],
    }
    return c.encode(**{**fields, **changes})


def decode(c: CursorCodec, cursor: str, **changes: Any) -> Any:
    fields: dict[str, Any] = {"tool": "list", "filters": FILTERS, "principal": "alice"}
    return c.decode(cursor, **{**fields, **changes})


def test_a_cursor_round_trips_its_position() -> None:
    c = codec()
    assert decode(c, encode(c)) == ["2026", 7]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"tool": "search"}, "belongs to another tool"),
        ({"principal": "bob"}, "was issued to another caller"),
        ({"filters": {**FILTERS, "status": "closed"}}, "other filter arguments"),
    ],
)
def test_a_cursor_used_elsewhere_is_invalid_input_that_says_to_restart(
    changes: dict[str, Any], problem: str
) -> None:
    c = codec()
    with pytest.raises(InvalidInput) as caught:
        decode(c, encode(c), **changes)
    (field,) = caught.value.fields
    assert field.field == "cursor"
    assert problem in field.problem
    assert "restart the listing without cursor" in field.expected


def test_an_expired_cursor_is_refused() -> None:
    clock = Clock()
    c = codec(clock=clock, ttl=60)
    cursor = encode(c)
    clock.now += 61
    with pytest.raises(InvalidInput, match="cursor"):
        decode(c, cursor)


def test_keys_rotate_old_cursors_still_verify_new_ones_use_the_active_key() -> None:
    old = CursorCodec({"k1": b"a" * 32})
    cursor = encode(old)
    rotated = CursorCodec({"k1": b"a" * 32, "k2": b"b" * 32}, active="k2")
    assert decode(rotated, cursor) == ["2026", 7]
    assert decode(rotated, encode(rotated)) == ["2026", 7]
    retired = CursorCodec({"k2": b"b" * 32})
    with pytest.raises(InvalidInput):
        decode(retired, cursor)


@given(st.data())
def test_a_bit_flipped_cursor_never_decodes(data: st.DataObject) -> None:
    c = codec()
    cursor = encode(c)
    index = data.draw(st.integers(0, len(cursor) - 1))
    replacement = data.draw(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    )
    tampered = cursor[:index] + replacement + cursor[index + 1 :]
    if tampered == cursor:
        return
    try:
        position = decode(c, tampered)
    except InvalidInput:
        return
    # Only a change in base64's unused padding bits leaves the bytes, and so the signature, intact.
    assert position == ["2026", 7]


@given(st.text(max_size=200))
def test_garbage_never_decodes(garbage: str) -> None:
    with pytest.raises(InvalidInput):
        decode(codec(), garbage)


class Row(BaseModel):
    id: int
    blob: str


def test_a_page_from_rows_says_whether_more_remain_and_continues_after_its_last_item() -> None:
    c = codec()
    paging = Paging(c, "list", "alice")
    rows = [{"id": i, "blob": "x"} for i in range(4)]
    page = Page[Row].from_rows(
        rows, limit=3, item=Row.model_validate, position=lambda r: r["id"], paging=paging, filters=FILTERS
    )
    assert [r.id for r in page.items] == [0, 1, 2]
    assert page.has_more
    assert page.next_cursor is not None
    assert paging.position(page.next_cursor, FILTERS) == 2
    last = Page[Row].from_rows(
        rows[:2], limit=3, item=Row.model_validate, position=lambda r: r["id"], paging=paging, filters=FILTERS
    )
    assert last.has_more is False
    assert "next_cursor" not in last.model_dump(mode="json")


def build_big() -> Connector[None]:
    app: Connector[None] = Connector("big", budget_tokens=16_000)

    @app.read(public=True)
    async def list_blobs(ctx: ToolContext[None], cursor: str | None = None) -> Page[Row]:
        """List big rows.

        Args:
            cursor: Where to continue.
        """
        start = ctx.paging.position(cursor, {}) or -1
        rows = [{"id": i, "blob": "x" * 10_000} for i in range(start + 1, start + 102)]
        return Page[Row].from_rows(
            rows,
            limit=100,
            item=Row.model_validate,
            position=lambda r: r["id"],
            paging=ctx.paging,
            filters={},
        )

    @app.read(public=True)
    async def one_blob() -> Row:
        """Return one huge row."""
        return Row(id=1, blob="y" * 1_000_000)

    return app


@pytest.mark.anyio
async def test_a_1mb_page_is_cut_to_the_budget_with_a_note_and_a_cursor_that_continues_exactly() -> None:
    async with Client(build_big().server(None, principal=LOCAL_OPERATOR)) as client:
        first = await client.call_tool("list_blobs", {})
        page = first.structured_content
        assert first.is_error is False
        assert len(first.model_dump_json()) < 16_000 * 4 * 1.2
        kept = [r["id"] for r in page["items"]]
        assert 1 <= len(kept) < 100
        assert page["has_more"] is True
        assert f"{100 - len(kept)} of 100 items were left out" in page["note"]
        second = await client.call_tool("list_blobs", {"cursor": page["next_cursor"]})
        assert second.structured_content["items"][0]["id"] == kept[-1] + 1
        assert "is in structuredContent" in first.content[0].text  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_a_result_that_cannot_be_reduced_is_a_typed_error_saying_how_to_ask_for_less() -> None:
    async with Client(build_big().server(None, principal=LOCAL_OPERATOR)) as client:
        result = await client.call_tool("one_blob", {})
    error = result.meta["io.wireproof/error"]
    assert (error["type"], error["code"]) == ("invalid_input", "response_too_large")
    assert "smaller limit" in error["message"]


@pytest.mark.anyio
async def test_a_tampered_cursor_through_the_client_is_invalid_input_on_the_cursor_field() -> None:
    async with Client(build_big().server(None, principal=LOCAL_OPERATOR)) as client:
        result = await client.call_tool("list_blobs", {"cursor": "eyJ2IjoxfQ.AAAA"})
    error = result.meta["io.wireproof/error"]
    assert error["fields"][0]["field"] == "cursor"
    assert "restart the listing without cursor" in result.content[0].text  # type: ignore[union-attr]
