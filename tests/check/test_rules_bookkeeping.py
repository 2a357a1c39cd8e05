"""Bookkeeping is not an effect (issue 12, docs/holdout2 "The 61 false positives").

A store that stamps every write with ``updated_at`` (now) and a ``revision`` counter, the way many servers do:
a repeat of an idempotent update moves only those, which is no second effect. Each flawed twin makes a real
one beside the stamps, which must still be reported. The same notion (``model.bookkeeping_only``) is shared
with the read-side rule (idempotency.read-only-keeps-state) and errors.no-op-acknowledged.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import mcp_types as types

from tests.check import servers as s
from tests.check.test_rules import check
from wireproof.check.config import Observer
from wireproof.check.model import (
    TEXT_NOISE,
    CallRecord,
    bookkeeping_only,
    mask_volatile,
    observers_moved,
    volatile_paths,
)

REPEAT = "idempotency.repeat-duplicates"
CONCURRENT = "idempotency.concurrent-duplicates"
NO_OP = "errors.no-op-acknowledged"
WRITE = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False}
OBSERVE: dict[str, Any] = {"allow_writes": True, "observers": [Observer("get_item", {"id": 1})]}


def text(value: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=value)])


def wrapped(value: Any) -> types.CallToolResult:
    """FastMCP 1.x's form: the JSON as text, and structuredContent {"result": "<the same text>"}."""
    body = json.dumps(value)
    return types.CallToolResult(content=[types.TextContent(text=body)], structured_content={"result": body})


class Stamped:
    """One item; every accepted write stamps it. Flaws: "append" (each tag call adds the tag again),
    "keys-ok" (an update with no field answers success), "fastmcp" (answers in FastMCP 1.x's wrapper).
    "timed" is no flaw: the read answers Markdown that opens with how long it took, different every call;
    nor are "random-id" (the read's JSON carries a new random ``function_results_id`` every call, as
    docs/holdout4's mcp-csv-database does) and "random-id-text" (its text names a new request id)."""

    def __init__(self, *flaws: str) -> None:
        assert not set(flaws) - {"append", "keys-ok", "fastmcp", "timed", "random-id", "random-id-text"}, (
            flaws
        )
        self.reads = 0
        self.flaws = set(flaws)
        self.item: dict[str, Any] = {
            "id": 1,
            "title": "seed",
            "tags": [],
            "revision": 1,
            "updated_at": _now(),
        }

    def _stamp(self) -> None:
        self.item["revision"] += 1
        self.item["updated_at"] = _now()

    def _ok(self, value: Any) -> types.CallToolResult:
        return wrapped(value) if "fastmcp" in self.flaws else s.ok(value)

    async def get(self, args: dict[str, Any]) -> Any:
        if "timed" in self.flaws:
            self.reads += 1
            took = f"{0.5 + (self.reads * 0.37) % 3:.2f}"
            tags = ", ".join(self.item["tags"]) or "none"
            return text(
                f"**Execution Time:** {took} ms | **Rows Returned:** 1\n\n| title | tags |\n| {self.item['title']} | {tags} |"
            )
        if "random-id" in self.flaws:
            return self._ok({"function_results_id": uuid.uuid4().hex[:8], "item": self.item})
        if "random-id-text" in self.flaws:
            tags = ", ".join(self.item["tags"]) or "none"
            return text(f"request {uuid.uuid4()}: item 1 '{self.item['title']}' tags {tags}")
        return self._ok({"item": self.item})

    async def add_tag(self, args: dict[str, Any]) -> Any:
        if args["tag"] not in self.item["tags"] or "append" in self.flaws:
            self.item["tags"].append(args["tag"])
        self._stamp()
        return text(f"Tag {args['tag']!r} set on item 1.")

    async def update(self, args: dict[str, Any]) -> Any:
        changes = {k: v for k, v in args.items() if k == "title"}
        if not changes and "keys-ok" not in self.flaws:
            return s.tool_error("Nothing to update: give title. Do not retry with the same arguments.")
        self.item.update(changes)
        self._stamp()
        return text("Item 1 updated successfully.")

    def server(self) -> Any:
        item_id = {"type": "integer", "minimum": 1, "maximum": 1, "description": "The item's id."}
        tag = {"type": "string", "minLength": 1, "maxLength": 20, "description": "A tag."}
        title = {"type": "string", "minLength": 1, "maxLength": 50, "description": "The new title."}

        def obj(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
            return {
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": False,
            }

        return s.build(
            [
                s.FakeTool(
                    "get_item",
                    self.get,
                    description="Read an item.",
                    input_schema=obj({"id": item_id}, ["id"]),
                    annotations={"readOnlyHint": True},
                ),
                s.FakeTool(
                    "add_item_tag",
                    self.add_tag,
                    description="Put a tag on an item (a tag already there stays once).",
                    input_schema=obj({"id": item_id, "tag": tag}, ["id", "tag"]),
                    annotations=WRITE,
                ),
                s.FakeTool(
                    "update_item",
                    self.update,
                    description="Change an item's title.",
                    input_schema=obj({"id": item_id, "title": title}, ["id"]),
                    annotations=WRITE,
                ),
            ],
            validate=True,
        )


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")


def rules(report: Any, tool: str) -> set[str]:
    return {f.rule for f in report.findings if f.tool == tool and f.severity != "info"}


def test_a_repeat_that_moves_only_the_timestamp_and_revision_is_no_second_effect() -> None:
    for flaws in ((), ("fastmcp",)):
        report = check(Stamped(*flaws).server(), **OBSERVE)
        assert rules(report, "add_item_tag") & {REPEAT, CONCURRENT} == set(), (flaws, report.findings)
        assert rules(report, "update_item") & {REPEAT, CONCURRENT, NO_OP} == set(), (flaws, report.findings)


def test_an_observer_that_reports_how_long_it_took_moves_by_no_effect() -> None:
    """docs/holdout3: a query observer answering "**Execution Time:** 1.09 ms" gave 10 false errors."""
    report = check(Stamped("timed").server(), **OBSERVE)
    assert rules(report, "add_item_tag") & {REPEAT, CONCURRENT} == set(), report.findings
    assert rules(report, "update_item") & {REPEAT, CONCURRENT} == set(), report.findings


def test_an_observer_that_answers_a_new_random_id_every_call_moves_by_no_effect() -> None:
    """docs/holdout4: a random function_results_id in the observers' answers gave 24 false errors."""
    for flaws in (("random-id",), ("random-id", "fastmcp"), ("random-id-text",)):
        report = check(Stamped(*flaws).server(), **OBSERVE)
        assert rules(report, "add_item_tag") & {REPEAT, CONCURRENT} == set(), (flaws, report.findings)
        assert rules(report, "update_item") & {REPEAT, CONCURRENT} == set(), (flaws, report.findings)


def test_volatile_paths_are_what_two_identical_calls_differ_in() -> None:
    assert volatile_paths({"id": "ab12cd", "n": 1}, {"id": "9f8e7d", "n": 1}) == ["id"]
    assert volatile_paths({"items": [1]}, {"items": [1, 2]}) == []  # a list that grew is no noise
    assert volatile_paths("req 3fa9c2d1 ok", "req 77be01c4 ok") == [TEXT_NOISE]
    assert volatile_paths("3 items", "4 items") == []  # a count is no id
    assert mask_volatile({"id": "ab12cd", "n": 1}, ["id"]) == {"id": "<volatile>", "n": 1}


def test_a_real_second_effect_beside_the_stamps_is_still_reported() -> None:
    for flaws in (
        ("append",),
        ("append", "fastmcp"),
        ("append", "timed"),
        ("append", "random-id"),
        ("append", "random-id-text"),
    ):
        report = check(Stamped(*flaws).server(), **OBSERVE)
        errors = {f.rule for f in report.findings if f.tool == "add_item_tag" and f.severity == "error"}
        assert {REPEAT, CONCURRENT} <= errors, (flaws, report.findings)


def test_a_no_op_update_that_only_bumps_the_stamps_is_acknowledged_nothing() -> None:
    for flaws in (("keys-ok",), ("keys-ok", "fastmcp")):
        report = check(Stamped(*flaws).server(), **OBSERVE)
        (finding,) = [f for f in report.findings if f.rule == NO_OP]
        assert finding.tool == "update_item"
        assert finding.evidence.call == {"tool": "update_item", "arguments": {"id": 1}}


def test_bookkeeping_is_clock_named_or_now_ish_timestamps_and_growing_version_counters() -> None:
    now = _now()
    assert bookkeeping_only({"a": 1, "modified": "2020-01-01T00:00"}, {"a": 1, "modified": now}) == [
        "modified"
    ]
    assert bookkeeping_only({"createdAt": 1}, {"createdAt": 2}) is None  # not timestamp-like
    assert bookkeeping_only({"stamp": "2020-01-01T00:00"}, {"stamp": now}) == ["stamp"]  # a reading of now
    assert bookkeeping_only({"due": "2020-01-01T00:00"}, {"due": "2021-01-01T00:00"}) is None  # a stored date
    assert bookkeeping_only({"revision": 2}, {"revision": 3}) == ["revision"]
    assert bookkeeping_only({"revision": 3}, {"revision": 2}) is None  # not monotone
    assert bookkeeping_only({"version": 2, "tags": ["a"]}, {"version": 3, "tags": ["a", "a"]}) is None
    assert bookkeeping_only({"a": 1}, {"a": 1}) is None  # equal: no change at all
    took = "**Execution Time:** {} ms | **Rows Returned:** {}"
    assert bookkeeping_only({"r": took.format("1.09", 1)}, {"r": took.format("0.84", 1)}) == ["r"]
    assert bookkeeping_only({"r": took.format("1.09", 1)}, {"r": took.format("0.84", 2)}) is None
    assert bookkeeping_only("Done in 12 ms.", "Done in 9.5 ms.") == [""]
    assert bookkeeping_only({"n": 3, "elapsed_ms": 4.1}, {"n": 3, "elapsed_ms": 2.0}) == ["elapsed_ms"]
    assert bookkeeping_only({"n": 3, "elapsed_ms": 4.1}, {"n": 4, "elapsed_ms": 2.0}) is None
    assert bookkeeping_only({"timeout_s": 5}, {"timeout_s": 6}) is None  # a setting, not a measurement
    # a count of the operations, calls or accesses grows with every call (hold-out 7: operations_count)
    assert bookkeeping_only({"rows": 4, "operations_count": 1}, {"rows": 4, "operations_count": 3}) == [
        "operations_count"
    ]
    assert bookkeeping_only({"accessCount": 2}, {"accessCount": 3}) == ["accessCount"]
    assert bookkeeping_only({"count": 1}, {"count": 2}) is None  # a count of items is data
    assert bookkeeping_only({"row_count": 4}, {"row_count": 5}) is None


def test_observer_snapshots_compare_the_unwrapped_answers() -> None:
    def snap(item: dict[str, Any]) -> str:
        body = json.dumps({"item": item})
        entry = {"tool": "get_item", "is_error": False, "outcome": "result", "text": body}
        return json.dumps([{**entry, "structured": {"result": body}}])

    first = snap({"tags": ["x"], "updated": "2020-01-01 10:00:00", "rev": 4})
    assert not observers_moved(first, snap({"tags": ["x"], "updated": _now(), "rev": 5}))
    assert observers_moved(first, snap({"tags": ["x", "x"], "updated": _now(), "rev": 5}))
    record = CallRecord("t", {}, "valid", "result", 0.0, text='{"a": 1}', structured={"result": '{"a": 1}'})
    assert record.answer_json() == {"a": 1}
    plain = CallRecord("t", {}, "valid", "result", 0.0, text="hi", structured={"result": "hi"})
    assert plain.answer_json() == {"result": "hi"}
