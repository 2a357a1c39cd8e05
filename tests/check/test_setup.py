"""``[[setup]]``: calls made on every fresh session before the probes, whose answers fill ``{{NAME}}``.

Hold-out 7's csv-mcp-server keeps each loaded CSV in memory under a random session id: without a way to
pass that id on, its 33 session tools only ever answered "Session not found", and nothing they do was
checked. Here a session store in memory, checked through the official client.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.check import servers as s
from wireproof.check import (
    CheckConfigError,
    CheckOptions,
    Observer,
    Report,
    SetupCall,
    Target,
    load_config,
    run_check,
)
from wireproof.errors import CheckTargetError

SESSION = {"type": "string", "minLength": 1, "maxLength": 64, "description": "The session open_session made."}


class Sessions:
    """open_session() -> {"session_id"}; add_item(session_id, text) appends (not idempotent); list_items."""

    def __init__(self) -> None:
        self.sessions: dict[str, list[str]] = {}
        self.operations = 0

    async def open_session(self, args: dict[str, Any]) -> Any:
        session = uuid.uuid4().hex
        self.sessions[session] = []
        return s.ok({"session_id": session, "items": 0})

    def _items(self, args: dict[str, Any]) -> list[str] | None:
        return self.sessions.get(args.get("session_id"))  # type: ignore[arg-type]

    async def add_item(self, args: dict[str, Any]) -> Any:
        items = self._items(args)
        if items is None:
            return s.good_error("session_id", "a session open_session made")
        if not isinstance(args.get("text"), str) or set(args) != {"session_id", "text"}:
            return s.good_error("text", "a string, beside session_id and nothing else")
        items.append(args["text"])
        return s.ok({"count": len(items)})

    async def export_items(self, args: dict[str, Any]) -> Any:
        items = self._items(args)
        if items is None or not isinstance(args.get("file_path"), str):
            return s.good_error("session_id", "a session open_session made, and file_path a string")
        self.operations += 1  # the session counts every operation, an export too
        return s.ok({"exported": len(items), "file_path": args["file_path"]})

    async def session_info(self, args: dict[str, Any]) -> Any:
        if self._items(args) is None:
            return s.good_error("session_id", "a session open_session made")
        session = args["session_id"]
        return s.ok(
            {"session_id": session, "file_path": "/data/source.csv", "operations_count": self.operations}
        )

    async def list_items(self, args: dict[str, Any]) -> Any:
        items = self._items(args)
        if items is None:
            return s.good_error("session_id", "a session open_session made")
        return s.ok({"items": items})

    def server(self) -> Any:
        def schema(**props: Any) -> dict[str, Any]:
            return {
                "type": "object",
                "properties": {"session_id": SESSION, **props},
                "required": ["session_id", *props],
                "additionalProperties": False,
            }

        text = {"type": "string", "minLength": 1, "maxLength": 100, "description": "The item's text."}
        return s.build(
            [
                s.FakeTool(
                    "open_session",
                    self.open_session,
                    description="Open a session.",
                    annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False},
                ),
                s.FakeTool(
                    "add_item",
                    self.add_item,
                    description="Add an item to the session.",
                    input_schema=schema(text=text),
                    annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False},
                ),
                s.FakeTool(
                    "export_items",
                    self.export_items,
                    description="Export the session's items to a file.",
                    input_schema=schema(
                        file_path={"type": "string", "maxLength": 200, "description": "Where to write them."}
                    ),
                    annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True},
                ),
                s.FakeTool(
                    "session_info",
                    self.session_info,
                    description="The session's source file and operation count.",
                    input_schema=schema(),
                    annotations={"readOnlyHint": True},
                ),
                s.FakeTool(
                    "list_items",
                    self.list_items,
                    description="List the session's items.",
                    input_schema=schema(),
                    annotations={"readOnlyHint": True},
                ),
            ]
        )


def _check(**options: Any) -> Report:
    return anyio.run(
        run_check, Target(server=Sessions().server()), CheckOptions(allow_writes=True, **options)
    )


SETUP = [SetupCall("open_session", {}, {"session": "session_id"})]
IN_SESSION = {
    name: {"session_id": "{{session}}"} for name in ("add_item", "list_items", "export_items", "session_info")
}


def test_a_session_the_setup_opens_lets_the_probes_reach_the_session_tools() -> None:
    observers = [Observer("list_items", {"session_id": "{{session}}"})]
    report = _check(setup=SETUP, tool_arguments=IN_SESSION, observers=observers)
    duplicates = [f for f in report.findings if f.rule == "idempotency.repeat-duplicates"]
    assert [f.tool for f in duplicates] == ["add_item"]  # the append, seen by the observer in the session
    call = duplicates[0].evidence.call
    assert call is not None
    assert call["arguments"]["session_id"] != "{{session}}"  # the captured id was sent
    assert len(call["arguments"]["session_id"]) == 32


def test_without_the_setup_the_session_tools_are_not_exercised() -> None:
    observers = [Observer("list_items", {"session_id": "{{session}}"})]
    report = _check(tool_arguments=IN_SESSION, observers=observers)
    assert "idempotency.repeat-duplicates" not in {f.rule for f in report.findings}
    assert any(f.rule == "idempotency.not-exercised" and f.tool == "add_item" for f in report.findings)


def test_a_setup_that_fails_or_captures_nothing_ends_the_check_saying_so() -> None:
    with pytest.raises(CheckTargetError, match=r"\[\[setup\]\] call of add_item failed"):
        _check(setup=[SetupCall("add_item", {"session_id": "nope", "text": "x"}, {})])
    with pytest.raises(CheckTargetError, match=r"answered no 'token' to capture as \{\{session\}\}"):
        _check(setup=[SetupCall("open_session", {}, {"session": "token"})])


def test_the_config_reads_setup_calls_and_refuses_what_it_does_not_know(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(
        '[[setup]]\ntool = "open_session"\ncapture = { session = "session_id" }\n'
        '[tools.add_item]\narguments = { session_id = "{{session}}", text = "a" }\n',
        encoding="utf-8",
    )
    options = load_config(good, CheckOptions())
    assert options.setup == [SetupCall("open_session", {}, {"session": "session_id"})]
    for body, message in (
        ('[[setup]]\ntool = "x"\nkeep = 1\n', "unknown key"),
        ("[[setup]]\narguments = {}\n", "needs tool"),
        ('[[setup]]\ntool = "x"\ncapture = { "a-b" = "id" }\n', "no placeholder name"),
        ('setup = "x"\n', "array of tables"),
    ):
        bad = tmp_path / "bad.toml"
        bad.write_text(body, encoding="utf-8")
        with pytest.raises(CheckConfigError, match=message):
            load_config(bad, CheckOptions())


def test_a_counter_of_operations_is_no_effect_and_an_export_path_no_field_to_reflect() -> None:
    # hold-out 7: csv sessions count every operation; an export's file_path is not the session's file_path
    observers = [Observer("session_info", {"session_id": "{{session}}"})]
    report = _check(setup=SETUP, tool_arguments=IN_SESSION, observers=observers)
    about_export = [f.rule for f in report.findings if f.tool == "export_items" and f.severity != "info"]
    assert "errors.write-not-reflected" not in about_export
    assert "idempotency.repeat-duplicates" not in about_export
    assert any(t.name == "export_items" and t.calls > 2 for t in report.tools)
