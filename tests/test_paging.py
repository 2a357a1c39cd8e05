"""Signed cursors and the response budget."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import anyio
import pytest
from annotated_types import Ge, Le
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


class Stage(enum.Enum):
    OPEN = "open"
    WON = "won"


class Deal(BaseModel):
    id: int
    stage: str
    closed_on: date


DEALS = [
    {"id": i, "stage": "won" if i % 2 else "open", "closed_on": date(2026, 1, 1) + timedelta(days=i)}
    for i in range(1, 41)
]


def build_deals() -> Connector[None]:
    app: Connector[None] = Connector("crm")

    @app.read(public=True)
    async def list_deals_by_date(
        ctx: ToolContext[None],
        start_date: date,
        end_date: date,
        stage: Stage,
        updated_after: datetime | None = None,
        limit: Annotated[int, Ge(1), Le(10)] = 5,
        cursor: str | None = None,
    ) -> Page[Deal]:
        """List the deals of a stage closed between two dates, oldest first.

        Args:
            start_date: First day to include.
            end_date: Last day to include.
            stage: Only deals in this stage.
            updated_after: Only deals updated after this moment.
            limit: The most deals to return.
            cursor: Where to continue: the next_cursor of the previous page.
        """
        filters = {
            "start_date": start_date,
            "end_date": end_date,
            "stage": stage,
            "updated_after": updated_after,
        }
        after = ctx.paging.position(cursor, filters)
        rows = [
            d
            for d in DEALS
            if start_date <= d["closed_on"] <= end_date
            and d["stage"] == stage.value
            and (after is None or (d["closed_on"].isoformat(), d["id"]) > tuple(after))
        ]
        return Page[Deal].from_rows(
            rows[: limit + 1],
            limit=limit,
            item=Deal.model_validate,
            position=lambda d: (d["closed_on"], d["id"]),
            paging=ctx.paging,
            filters=filters,
        )

    return app


def serve_deals() -> Any:
    """The SDK server of the deals connector (one place to adapt if serving needs more arguments)."""
    return build_deals().server(None, principal=LOCAL_OPERATOR)


async def _pages(client: Client, arguments: dict[str, Any]) -> tuple[list[int], list[str]]:
    """Every item id of a listing, followed page by page, and the cursors handed out."""
    ids: list[int] = []
    cursors: list[str] = []
    for _ in range(20):
        extra = {"cursor": cursors[-1]} if cursors else {}
        result = await client.call_tool("list_deals_by_date", {**arguments, **extra})
        assert result.is_error is False, result.content
        page = result.structured_content
        assert page is not None
        ids += [item["id"] for item in page["items"]]
        if not page["has_more"]:
            return ids, cursors
        cursors.append(page["next_cursor"])
    raise AssertionError("the listing did not end")


WON_IN_RANGE = {
    "start_date": "2026-01-05",
    "end_date": "2026-02-05",
    "stage": "won",
    "updated_after": "2026-01-01T08:00:00Z",
}


@pytest.mark.anyio
async def test_filters_of_dates_datetimes_and_enums_page_through_the_client() -> None:
    with anyio.fail_after(30):
        async with Client(serve_deals()) as client:
            ids, cursors = await _pages(client, WON_IN_RANGE)
    expected = [
        d["id"]
        for d in DEALS
        if d["stage"] == "won" and date(2026, 1, 5) <= d["closed_on"] <= date(2026, 2, 5)
    ]
    assert ids == expected
    assert len(cursors) >= 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    "changed", [{"stage": "open"}, {"end_date": "2026-02-06"}, {"updated_after": "2026-01-01T09:00:00Z"}]
)
async def test_a_cursor_is_bound_to_date_datetime_and_enum_filters(changed: dict[str, str]) -> None:
    with anyio.fail_after(30):
        async with Client(serve_deals()) as client:
            first = await client.call_tool("list_deals_by_date", WON_IN_RANGE)
            assert first.structured_content is not None
            cursor = first.structured_content["next_cursor"]
            again = await client.call_tool("list_deals_by_date", {**WON_IN_RANGE, "cursor": cursor})
            other = await client.call_tool(
                "list_deals_by_date", {**WON_IN_RANGE, **changed, "cursor": cursor}
            )
    assert again.is_error is False
    error = other.meta["io.wireproof/error"]
    assert (error["type"], error["fields"][0]["field"]) == ("invalid_input", "cursor")
    assert "keep the filters of the first page" in error["fields"][0]["problem"]


def test_filters_canonicalise_dates_datetimes_and_enums_as_their_json() -> None:
    c = codec()
    moment = datetime(2026, 1, 1, 8, tzinfo=UTC)
    cursor = encode(c, filters={"day": date(2026, 1, 5), "at": moment, "stage": Stage.WON, "tags": ("a",)})
    same = {"day": "2026-01-05", "at": moment.isoformat(), "stage": "won", "tags": ["a"]}
    assert decode(c, cursor, filters=same) == ["2026", 7]


def test_a_position_of_dates_and_enums_is_carried_as_json() -> None:
    c = codec()
    cursor = encode(c, position=(date(2026, 1, 5), Stage.OPEN, 7))
    assert decode(c, cursor) == ["2026-01-05", "open", 7]


def test_pages_refuse_to_be_cut_to_nothing_or_built_empty() -> None:
    paging = Paging(CursorCodec(), "t", "p")
    with pytest.raises(ValueError, match="at least one item"):
        Page[int].from_rows([1, 2], limit=0, item=int, position=int, paging=paging, filters={})
    page = Page[int].from_rows([1, 2, 3], limit=2, item=int, position=int, paging=paging, filters={})
    with pytest.raises(ValueError, match="at least one item"):
        page.cut(0, "none")


def test_a_short_cursor_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 characters"):
        CursorCodec.from_secret("short")
