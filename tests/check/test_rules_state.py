"""Errors about the state a write left are not graded as errors about the input (the third-party
report's AFP-4: ``move_file`` of @modelcontextprotocol/server-filesystem).

The writes probe moves ``m.txt`` to ``m2.txt``; from then on every move with those arguments is
refused "no such file or directory" (the source is gone), whatever else the call broke. Those refusals say nothing about
the argument an awkward call broke, so they are neither graded (``errors.field-not-named``,
``errors.expected-not-stated``) nor held against the repair rate (``errors.not-repairable``); a refusal
with other words still is. Checked in memory through the official client.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp.shared.exceptions import MCPError

from tests.check import servers as s
from wireproof.check import CheckOptions, Observer, Report, Target, run_check

ROOT = Path(__file__).resolve().parents[2]
GRADED = ("errors.field-not-named", "errors.expected-not-stated", "errors.not-repairable")
START = {"source": "/d/m.txt", "destination": "/d/m2.txt"}


class Files:
    """A file mover: refuses a missing argument (well: ``"Required at source"``, or vaguely), and a
    destination that exists; ignores unknown arguments, as the real server does."""

    def __init__(self, *, vague: bool) -> None:
        self.files = {"/d/m.txt": "x"}
        self.vague = vague

    async def move(self, args: dict[str, Any]) -> types.CallToolResult:
        for name in ("source", "destination"):
            if not isinstance(args.get(name), str):
                if self.vague:
                    return s.tool_error("Invalid arguments.")
                return s.tool_error(
                    f"Invalid arguments for tool move_file: Required at {name}: expected a string, the {name} path"
                )
        source, destination = args["source"], args["destination"]
        if source not in self.files:
            return s.tool_error(f"ENOENT: no such file or directory, rename '{source}'")
        if destination in self.files:
            return s.tool_error(f"Destination already exists: {destination}")
        self.files[destination] = self.files.pop(source)
        return s.ok({"moved": source, "to": destination})

    def server(self) -> Any:
        described = {"type": "string", "description": "A file path.", "maxLength": 200}
        tool = s.FakeTool(
            "move_file",
            self.move,
            description="Move a file.",
            input_schema={
                "type": "object",
                "properties": {"source": dict(described), "destination": dict(described)},
                "required": ["source", "destination"],
            },
            annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False},
        )
        return s.build([tool])


def check(files: Files) -> Report:
    options = CheckOptions(allow_writes=True, tool_arguments={"move_file": dict(START)})
    return anyio.run(run_check, Target(server=files.server()), options)


def test_refusals_about_the_moved_state_are_not_graded_as_errors_about_the_input() -> None:
    files = Files(vague=False)
    report = check(files)
    assert files.files == {"/d/m2.txt": "x"}, "the writes probe made the move"
    hits = [f.rule for f in report.findings if f.tool == "move_file" and f.rule in GRADED]
    assert hits == []
    (rate,) = report.repair
    assert rate.rejections >= 1
    assert rate.repaired == rate.rejections  # "Required at source" repaired; the repaired call met the state


@pytest.mark.parametrize("rule", ["errors.field-not-named", "errors.not-repairable"])
def test_a_vague_refusal_is_still_graded_after_the_state_moved(rule: str) -> None:
    report = check(Files(vague=True))
    assert any(f.rule == rule and f.tool == "move_file" for f in report.findings), rule


class Entries:
    """A create keyed by name: a second create of the same name is refused (as an error, or in
    disguise with isError false), or, sound, answered with the entry the first one created."""

    def __init__(self, retry: str) -> None:
        self.entries: dict[str, int] = {}
        self.retry = retry

    async def create(self, args: dict[str, Any]) -> types.CallToolResult:
        name = args.get("name")
        if not isinstance(name, str) or not name:
            return s.good_error("name", "a non-empty string")
        if name in self.entries:
            if self.retry == "refused":
                return s.tool_error(f"Entry {name} already exists (id={self.entries[name]})")
            if self.retry == "disguised":
                text = f"Error: {name} already exists (id={self.entries[name]})"
                return types.CallToolResult(content=[types.TextContent(text=text)])
            if (
                self.retry == "protocol"
            ):  # hold-out 7's excel_create_table: -32603 'the same name table already exists'
                raise MCPError(types.INTERNAL_ERROR, f"the same name entry already exists: {name}")
            return s.ok({"id": self.entries[name], "name": name, "created": False})
        self.entries[name] = len(self.entries) + 1
        return s.ok({"id": self.entries[name], "name": name, "created": True})

    def server(self) -> Any:
        tool = s.FakeTool(
            "create_entry",
            self.create,
            description="Create an entry.",
            annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False},
        )
        return s.build([tool])


@pytest.mark.parametrize(
    ("retry", "severity"),
    [("refused", "info"), ("disguised", "warning"), ("protocol", "warning"), ("sound", None)],
)
def test_a_retried_create_refused_because_it_already_exists(retry: str, severity: str | None) -> None:
    """Refused as a flagged error it is info (conflict semantics a careful agent reads); in disguise a warning."""
    report = anyio.run(run_check, Target(server=Entries(retry).server()), CheckOptions(allow_writes=True))
    hits = [f for f in report.findings if f.rule == "idempotency.retry-refused"]
    assert [f.severity for f in hits] == ([severity] if severity else []), [f.message for f in hits]
    if severity:
        assert hits[0].tool == "create_entry"
        assert "already exists" in hits[0].message
        assert ("in disguise" in hits[0].message) is (retry == "disguised")
        assert ("JSON-RPC error" in hits[0].message) is (retry == "protocol")


class Batches:
    """A batch create whose items come as JSON packed into one string (hold-out 4's sh-17: shrimp's
    split_tasks ``tasksRaw``). ``racy`` reads the whole store, yields, and writes it back (concurrent
    batches lose each other); the sound store appends in place."""

    def __init__(self, *, racy: bool) -> None:
        self.tasks: list[dict[str, Any]] = [{"name": "seed"}]
        self.racy = racy

    async def split(self, args: dict[str, Any]) -> types.CallToolResult:
        try:
            items = json.loads(args.get("tasksRaw", ""))
        except ValueError:
            return s.good_error("tasksRaw", 'a JSON array of tasks, e.g. [{"name": "task E"}]')
        if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("name") for i in items):
            return s.good_error("tasksRaw", 'a JSON array of tasks, each with a "name"')
        if self.racy:
            copy = list(self.tasks)
            await anyio.sleep(0.01)
            self.tasks = copy + items
        else:
            self.tasks.extend(items)
        return s.ok({"added": len(items)})

    async def list_tasks(self, args: dict[str, Any]) -> types.CallToolResult:
        return s.ok({"tasks": [t["name"] for t in self.tasks]})

    def server(self) -> Any:
        raw = {"type": "string", "description": "The tasks, as a JSON array.", "maxLength": 5000}
        no_args = {"type": "object", "properties": {}, "additionalProperties": False}
        return s.build(
            [
                s.FakeTool(
                    "split_tasks",
                    self.split,
                    description="Add tasks.",
                    input_schema={
                        "type": "object",
                        "properties": {"tasksRaw": raw},
                        "required": ["tasksRaw"],
                        "additionalProperties": False,
                    },
                    annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False},
                ),
                s.FakeTool(
                    "list_tasks", self.list_tasks, description="List the task names.", input_schema=no_args
                ),
            ]
        )


@pytest.mark.parametrize("racy", [True, False])
def test_concurrent_batch_creates_packed_as_json_text_that_lose_each_other(racy: bool) -> None:
    sample = {"tasksRaw": json.dumps([{"name": "task E", "description": "the fifth task"}])}
    options = CheckOptions(
        allow_writes=True, observers=[Observer("list_tasks", {})], tool_arguments={"split_tasks": sample}
    )
    report = anyio.run(run_check, Target(server=Batches(racy=racy).server()), options)
    lost = [f for f in report.findings if f.rule == "idempotency.concurrent-writes-lost"]
    assert bool(lost) is racy
    if racy:
        assert lost[0].tool == "split_tasks"
        assert "distinct tasksRaw" in lost[0].message


@pytest.mark.parametrize(("mode", "severity"), [("copy", "error"), ("copy-told", "info"), ("file", None)])
def test_writes_a_fresh_instance_of_the_server_does_not_see(
    mode: str, severity: str | None, tmp_path: Path
) -> None:
    """hold-out 4's cv-19: writes acknowledged into a temporary copy, lost with the process."""
    store = tmp_path / "notes.json"
    store.write_text(json.dumps(["seed"]), encoding="utf-8")
    command = (sys.executable, "-m", "tests.check.notes_store_server", mode, str(store))
    options = CheckOptions(timeout=20, allow_writes=True, observers=[Observer("list_notes", {})])
    report = anyio.run(run_check, Target(command=command, cwd=str(ROOT)), options)
    lost = [f for f in report.findings if f.rule == "idempotency.writes-not-durable"]
    assert [f.severity for f in lost] == ([severity] if severity else [])
    assert "read again on a second instance" in report.coverage.categories["idempotency"].exercised
    if severity:
        assert lost[0].tool is None
        assert "second instance" in lost[0].message


class Items:
    """An update by string id (``update_item``: id, title), the store listed by ``list_items``. ``false-miss``
    answers an update with nothing to change 'Item with ID … not found', though the item exists (hold-out
    4's sh-5: shrimp's update_task); the sound store says there is nothing to change."""

    def __init__(self, *, false_miss: bool) -> None:
        self.items = {"item-aaaa1111": "first", "item-bbbb2222": "second"}
        self.false_miss = false_miss

    async def update(self, args: dict[str, Any]) -> types.CallToolResult:
        item = args.get("id")
        if item not in self.items:
            return s.tool_error(f"Item with ID {item} not found. Check the id with list_items; do not retry.")
        if "title" not in args:
            if self.false_miss:
                return s.tool_error(f"Item with ID {item} not found.")
            return s.tool_error("Nothing to update: give title. Do not retry with the same arguments.")
        self.items[item] = args["title"]
        return s.ok({"id": item, "title": args["title"]})

    async def listing(self, args: dict[str, Any]) -> types.CallToolResult:
        return s.ok({"items": [{"id": k, "title": v} for k, v in self.items.items()]})

    def server(self) -> Any:
        text = {"type": "string", "minLength": 1, "maxLength": 100}
        schema = {
            "type": "object",
            "properties": {
                "id": {**text, "description": "The item's id."},
                "title": {**text, "description": "New title."},
            },
            "required": ["id"],
            "additionalProperties": False,
        }
        no_args = {"type": "object", "properties": {}, "additionalProperties": False}
        return s.build(
            [
                s.FakeTool(
                    "update_item",
                    self.update,
                    description="Change an item's title.",
                    input_schema=schema,
                    annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True},
                ),
                s.FakeTool("list_items", self.listing, description="List the items.", input_schema=no_args),
            ]
        )


@pytest.mark.parametrize(("false_miss", "configured"), [(True, True), (False, True), (True, False)])
def test_an_update_with_nothing_to_change_answered_not_found_for_an_item_that_exists(
    false_miss: bool, configured: bool
) -> None:
    """Only a key the user gave names a real item: the generated sample ("example") never does, even when
    the writes probe created an item whose title is "example" (review of 331d0ae)."""
    options = CheckOptions(
        allow_writes=True,
        observers=[Observer("list_items", {})],
        tool_arguments={"update_item": {"id": "item-aaaa1111", "title": "renamed"}} if configured else {},
    )
    report = anyio.run(run_check, Target(server=Items(false_miss=false_miss).server()), options)
    hits = [f for f in report.findings if f.rule == "errors.false-not-found"]
    fires = false_miss and configured
    assert bool(hits) is fires
    if fires:
        assert hits[0].tool == "update_item"
        assert "item-aaaa1111" in hits[0].message


COVERED = {
    "idempotency.retry-refused",
    "idempotency.writes-not-durable",
    "idempotency.concurrent-writes-lost",
    "errors.false-not-found",
    "errors.miss-answered-empty",
}
"""The rules this file makes fire (test_rules.py checks every rule fires somewhere)."""


class Upserts:
    """save_item(key, value) stored as a row with its own uuid; ``replace`` upserts by replacing the row
    (INSERT OR REPLACE: one row per key, a new id each time: hold-out 5's mcp-memory-keeper context_save);
    ``append`` adds a row per call (a real second effect)."""

    def __init__(self, mode: str) -> None:
        self.rows: list[dict[str, Any]] = []
        self.mode = mode
        self.serial = 0

    async def save(self, args: dict[str, Any]) -> types.CallToolResult:
        key, value = args.get("key"), args.get("value")
        if not isinstance(key, str) or not isinstance(value, str) or not key:
            return s.good_error("key", "key and value as strings")
        self.serial += 1
        row = {
            "id": f"row-{self.serial:04d}-{key}",
            "key": key,
            "value": value,
            "sequence_number": self.serial,
        }
        if self.mode == "replace":
            self.rows = [r for r in self.rows if r["key"] != key]
        self.rows.append(row)
        return s.ok({"saved": key})

    async def listing(self, args: dict[str, Any]) -> types.CallToolResult:
        return s.ok({"items": self.rows})

    def server(self) -> Any:
        text = {"type": "string", "minLength": 1, "maxLength": 100, "description": "Text."}
        schema = {
            "type": "object",
            "properties": {"key": text, "value": text},
            "required": ["key", "value"],
            "additionalProperties": False,
        }
        no_args = {"type": "object", "properties": {}, "additionalProperties": False}
        return s.build(
            [
                s.FakeTool(
                    "save_item",
                    self.save,
                    description="Save a value under a key.",
                    input_schema=schema,
                    annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False},
                ),
                s.FakeTool("list_items", self.listing, description="List the items.", input_schema=no_args),
            ]
        )


@pytest.mark.parametrize(("mode", "duplicates"), [("replace", False), ("append", True)])
def test_an_upsert_that_replaces_the_row_with_a_new_id_is_no_second_effect(
    mode: str, duplicates: bool
) -> None:
    options = CheckOptions(allow_writes=True, observers=[Observer("list_items", {})])
    report = anyio.run(run_check, Target(server=Upserts(mode).server()), options)
    rules = {f.rule for f in report.findings if f.tool == "save_item" and f.severity == "error"}
    assert ("idempotency.repeat-duplicates" in rules) is duplicates
    assert ("idempotency.concurrent-duplicates" in rules) is duplicates


# -- idempotency.write-damages-others and schema.unstable-ids (hold-out 5 td-5, td-7: todo-txt-mcp) ----------

DAMAGES = "idempotency.write-damages-others"
UNSTABLE = "schema.unstable-ids"
COVERED |= {DAMAGES, UNSTABLE}


class Todos:
    """add_todo(text), complete_todo(todo_id) and list_todos, as todo-txt-mcp. ``damaging``: every add
    rewrites the other lines with their project appended again ('+house' becomes '+house +house').
    ``rekeying``: every add gives the others new ids. ``positions``: the ids are line indices, and a
    completed todo leaves the list, so the lines after it move up one id."""

    def __init__(
        self, *, damaging: bool = False, positions: bool = False, rekeying: bool = False, window: int = 0
    ) -> None:
        self.lines = ["Call the plumber +house", "Write the report +work", "Buy milk +shop"]
        self.ids = [101, 102, 103]
        self.damaging, self.positions, self.rekeying = damaging, positions, rekeying
        self.window = window  # list only the newest N (a page): what leaves it is not gone

    def listing(self) -> list[dict[str, Any]]:
        ids = range(len(self.lines)) if self.positions else self.ids
        items = [{"id": str(i), "text": line} for i, line in zip(ids, self.lines, strict=True)]
        return items[-self.window :] if self.window else items

    async def add(self, args: dict[str, Any]) -> types.CallToolResult:
        if self.damaging:
            self.lines = [line + " " + line.split()[-1] for line in self.lines]
        if (
            self.rekeying
        ):  # todo-txt-mcp after a save: every line gets a new id (and, damaging, a longer text)
            self.ids = [i + 1000 for i in self.ids]
        self.lines.append(str(args["text"]))
        self.ids.append(max(self.ids) + 1)
        return s.ok({"id": str(len(self.lines) - 1 if self.positions else self.ids[-1]), "added": True})

    async def complete(self, args: dict[str, Any]) -> types.CallToolResult:
        ids = [str(i) for i in (range(len(self.lines)) if self.positions else self.ids)]
        if args["todo_id"] not in ids:
            return s.tool_error(f"No todo {args['todo_id']}: list_todos gives the ids. Do not retry.")
        at = ids.index(args["todo_id"])
        del self.lines[at], self.ids[at]
        return s.ok({"completed": args["todo_id"]})

    async def list_todos(self, args: dict[str, Any]) -> types.CallToolResult:
        return s.ok({"todos": self.listing()})

    def server(self) -> Any:
        write = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False}
        text = {
            "type": "object",
            "properties": {"text": {"type": "string", "maxLength": 200, "description": "The todo."}},
            "required": ["text"],
            "additionalProperties": False,
        }
        ident = {
            "type": "object",
            "properties": {"todo_id": {"type": "string", "maxLength": 20, "description": "Its id."}},
            "required": ["todo_id"],
            "additionalProperties": False,
        }
        nothing = {"type": "object", "properties": {}, "additionalProperties": False}
        return s.build(
            [
                s.FakeTool(
                    "add_todo", self.add, description="Add a todo.", input_schema=text, annotations=write
                ),
                s.FakeTool(
                    "complete_todo",
                    self.complete,
                    description="Complete a todo.",
                    input_schema=ident,
                    annotations=write,
                ),
                s.FakeTool(
                    "list_todos", self.list_todos, description="List the todos.", input_schema=nothing
                ),
            ],
            validate=True,
        )


def check_todos(todos: Todos) -> Report:
    first = "0" if todos.positions else "101"
    options = CheckOptions(
        allow_writes=True,
        tool_arguments={"add_todo": {"text": "Pay the rent +home"}, "complete_todo": {"todo_id": first}},
        observers=[Observer("list_todos", {})],
    )
    return anyio.run(run_check, Target(server=todos.server()), options)


def test_an_add_that_rewrites_the_other_todos_damages_them() -> None:
    report = check_todos(Todos(damaging=True))
    (found,) = [f for f in report.findings if f.rule == DAMAGES]
    assert found.tool == "add_todo"
    assert "'Call the plumber +house' to 'Call the plumber +house +house'" in found.message


def test_ids_that_are_positions_shift_when_a_todo_is_completed() -> None:
    report = check_todos(Todos(positions=True))
    (found,) = [f for f in report.findings if f.rule == UNSTABLE]
    assert found.tool == "complete_todo"
    assert "was id 2 is listed as id 1" in found.message  # id 0 was completed; the lines after it moved up
    assert not [f for f in report.findings if f.rule == DAMAGES]


def test_a_store_with_stable_ids_that_leaves_the_others_alone_is_fine() -> None:
    report = check_todos(Todos())
    assert not [f for f in report.findings if f.rule in (DAMAGES, UNSTABLE)]


def test_an_add_that_gives_the_others_new_ids_and_longer_texts_damages_them_and_shifts_ids() -> None:
    """todo-txt-mcp (hold-out 5 td-5, td-7): after an add, the other todos come back under new ids, their
    tags appended again; the old ids are gone. Both findings, not 'removed'."""
    report = check_todos(Todos(damaging=True, rekeying=True))
    (damage,) = [f for f in report.findings if f.rule == DAMAGES]
    assert damage.tool == "add_todo"
    assert "+house +house" in damage.message
    assert "removed" not in damage.message
    assert [f.tool for f in report.findings if f.rule == UNSTABLE] == ["add_todo"]


def test_an_add_that_gives_the_others_new_ids_alone_only_shifts_ids() -> None:
    report = check_todos(Todos(rekeying=True))
    assert not [f for f in report.findings if f.rule == DAMAGES]
    assert [f.tool for f in report.findings if f.rule == UNSTABLE] == ["add_todo"]


def test_an_observer_that_lists_a_page_shows_no_damage_when_an_item_leaves_it() -> None:
    """Review of session 8: a list of the newest three; an add pushes the oldest out of the page."""
    report = check_todos(Todos(window=3))
    assert not [f for f in report.findings if f.rule in (DAMAGES, UNSTABLE)]


def test_a_window_keeps_some_items_and_a_full_re_keying_is_no_page() -> None:
    from wireproof.check.rules.effects import _a_page

    assert _a_page({}, {}, ["1", "2", "3"], ["2", "3", "4"])  # the oldest left, the new one came in
    assert not _a_page({}, {}, ["a", "b", "c"], ["0", "1", "2"])  # every id new: re-keyed (reload_todos)
    assert not _a_page({}, {}, ["0", "1", "2"], ["0", "1", "u"])  # what left and what came share an end
    assert _a_page({"items": [], "has_more": True}, {}, ["1"], ["1"])


# -- "protocol.stdout-not-json": a stdio server that writes a banner to stdout (hold-out 4 cv-1) ------------

COVERED |= {"protocol.stdout-not-json"}


def _noisy(stream: str) -> Report:
    target = Target(command=(sys.executable, "-m", "tests.check.noisy_stdio", stream), cwd=str(ROOT))
    return anyio.run(run_check, target, CheckOptions(timeout=20))


@pytest.mark.parametrize("mode", ["stdout", "buffered"])
def test_a_banner_on_stdout_is_a_protocol_error_quoting_the_lines(mode: str) -> None:
    report = _noisy(mode)  # buffered: seen only on the extra start with stdin at EOF, unbuffered
    (finding,) = [f for f in report.findings if f.rule == "protocol.stdout-not-json"]
    assert (finding.tool, finding.category, finding.severity) == (None, "protocol", "error")
    # the banner and the five lines of the indented JSON, at least once (every connection reads them)
    assert "Notes server 1.0 starting" in finding.message
    assert "Notes server 1.0 starting" in (finding.evidence.answer or "")
    assert report.tools  # the check itself went on: the client skips a line it cannot parse


def test_a_banner_on_stderr_is_no_stdout_finding() -> None:
    report = _noisy("stderr")
    assert "protocol.stdout-not-json" not in {f.rule for f in report.findings}
    assert report.tools


# -- "idempotency.concurrent-writes-break": concurrent writes that tear the data (hold-out 7 xl-12) ----------
# excel-mcp-server: eight concurrent excel_copy_sheet calls left book.xlsx no valid zip; every read failed after.

BREAK = "idempotency.concurrent-writes-break"
COVERED |= {BREAK}


class Workbook:
    """save_row(text) rewrites the whole 'file' in two steps with a wait between them; list_rows reads it.
    ``locked``: the rewrite holds a lock (sound). Unlocked, a write that starts while another is between its
    two steps leaves the file torn, and every read after fails."""

    def __init__(self, *, locked: bool) -> None:
        self.rows: list[str] = []
        self.torn = False
        self.writing = False
        self.lock = anyio.Lock() if locked else None

    async def save(self, args: dict[str, Any]) -> Any:
        text = args.get("text")
        if not isinstance(text, str) or set(args) != {"text"}:
            return s.good_error("text", "a string, and nothing else")
        if self.lock is not None:
            async with self.lock:
                return await self._rewrite(text)
        return await self._rewrite(text)

    async def _rewrite(self, text: str) -> Any:
        if self.writing:
            self.torn = True  # a second writer inside the first one's rewrite
        self.writing = True
        await anyio.sleep(0.01)
        if text not in self.rows:
            self.rows.append(text)
        self.writing = False
        return s.ok({"saved": text, "rows": len(self.rows)})

    async def list_rows(self, args: dict[str, Any]) -> Any:
        if self.torn:
            return s.tool_error("zip: not a valid zip file; do not retry.")
        return s.ok({"rows": self.rows})

    def server(self) -> Any:
        text = {"type": "string", "minLength": 1, "maxLength": 100, "description": "The row's text."}
        return s.build(
            [
                s.FakeTool(
                    "save_row",
                    self.save,
                    description="Save a row (once: saving the same text again changes nothing).",
                    input_schema={
                        "type": "object",
                        "properties": {"text": text},
                        "required": ["text"],
                        "additionalProperties": False,
                    },
                    annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True},
                ),
                s.FakeTool(
                    "list_rows",
                    self.list_rows,
                    description="List the rows.",
                    annotations={"readOnlyHint": True},
                ),
            ]
        )


def _workbook(locked: bool) -> Report:
    options = CheckOptions(allow_writes=True, observers=[Observer("list_rows", {})])
    return anyio.run(run_check, Target(server=Workbook(locked=locked).server()), options)


def test_concurrent_writes_that_tear_the_data_are_an_error_naming_the_broken_reads() -> None:
    report = _workbook(locked=False)
    (finding,) = [f for f in report.findings if f.rule == BREAK]
    assert (finding.tool, finding.severity) == ("save_row", "error")
    assert "not a valid zip" in finding.message
    assert finding.evidence.call is not None


def test_concurrent_writes_serialised_by_a_lock_are_no_break() -> None:
    report = _workbook(locked=True)
    assert BREAK not in {f.rule for f in report.findings}
