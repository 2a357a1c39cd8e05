"""Silent wrong effects (issue 12, docs/holdout "The 20 misses"): a write compared with what the observers show.

One task store (tests/check/servers.py's low-level server, checked through the official client), flawed one
way at a time; the sound store must leave every rule of this file quiet.
"""

from __future__ import annotations

import datetime
from typing import Any

import anyio
import mcp_types as types
import pytest

from tests.check import servers as s
from tests.check.test_rules import check
from wireproof.check.config import Observer
from wireproof.check.generate import MISSING_ID, MISSING_NAME
from wireproof.check.model import Finding, Report, ToolInfo
from wireproof.check.probes.effects import (
    deletes,
    miss_arguments,
    reference_arguments,
    roundtrip_arguments,
    updates,
)
from wireproof.check.runner import wipes_all

NOT_REFLECTED = "errors.write-not-reflected"
NO_OP = "errors.no-op-acknowledged"
RETRY = "idempotency.delete-retry-refused"
POISON = "errors.write-poisons-reads"
DANGLING = "errors.reference-not-checked"
LOST = "idempotency.concurrent-writes-lost"
EFFECT_RULES = {NOT_REFLECTED, NO_OP, RETRY, POISON, DANGLING, LOST}
COVERED = set(EFFECT_RULES)
"""The rules this file makes fire (test_rules.py checks every rule fires somewhere)."""

WRITE = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False}
OBSERVE: dict[str, Any] = {
    "allow_writes": True,
    "observers": [Observer("list_tasks", {})],
    "tool_arguments": {"delete_task": {"id": 2}},  # update_task's sample, id 1, must survive the deletes
}


def text(value: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=value)])


def found(report: Report, rule_id: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule_id]


class Tasks:
    """A task store; each flag is one flaw, all off is the sound store."""

    def __init__(self, *flaws: str) -> None:
        unknown = set(flaws) - {
            "coerce",
            "ignore-status",
            "suffix",
            "miss-ok",
            "keys-ok",
            "bad-date",
            "retry-error",
            "dangling",
            "update-miss-ok",
            "racy",
            "replace",
            "paged",
        }
        assert not unknown, unknown
        self.flaws = set(flaws)
        self.tasks: dict[int, dict[str, Any]] = {
            i: {"id": i, "name": f"seed {i}", "status": "active", "due_date": "2026-01-15"} for i in (1, 2, 3)
        }
        self.deleted: set[int] = set()
        self.next_id = 4
        self.received: list[tuple[str, dict[str, Any]]] = []

    def _log(self, tool: str, args: dict[str, Any]) -> None:
        self.received.append((tool, dict(args)))

    # -- tools -------------------------------------------------------------------------------------------

    async def create(self, args: dict[str, Any]) -> Any:
        self._log("create_task", args)
        name, status, due = args["name"], args.get("status", "active"), args.get("due_date", "2026-01-15")
        if "bad-date" not in self.flaws and not _date(due):
            return s.good_error("due_date", "a date as YYYY-MM-DD, e.g. 2026-01-15")
        stored: Any = name
        if "coerce" in self.flaws and name.strip().lstrip("-").isdigit():
            stored = int(name)
        if "suffix" in self.flaws and any(t["name"] == name for t in self.tasks.values()):
            stored = f"{name}1"
        if "ignore-status" in self.flaws:
            status = "active"
        parent = args.get("parent_id")
        if parent is not None and parent not in self.tasks and "dangling" not in self.flaws:
            return s.tool_error(f"parent_id {parent}: no such task. Check the id with list_tasks.")
        task = {"id": self.next_id, "name": stored, "status": status, "due_date": due}
        self.next_id += 1
        if "racy" in self.flaws:  # read the whole store, yield, write it back: a concurrent create is lost
            copy = dict(self.tasks)
            await anyio.sleep(0.01)
            copy[task["id"]] = task
            self.tasks = copy
        elif "replace" in self.flaws:  # the store is the last task written (a full replacement, by design)
            self.tasks = {task["id"]: task}
        else:
            self.tasks[task["id"]] = task
        return text(f"Created task {task['id']}: {name}")

    async def list_tasks(self, args: dict[str, Any]) -> Any:
        tasks = sorted(self.tasks.values(), key=lambda t: t["id"])
        if "paged" in self.flaws and len(tasks) > 20:  # no flaw: the oldest 20, and a cursor to the rest
            return s.ok({"tasks": tasks[:20], "next_cursor": "page-2"})
        if "bad-date" in self.flaws and not all(_date(t["due_date"]) for t in tasks):
            bad = next(t["due_date"] for t in tasks if not _date(t["due_date"]))
            return text(f"Error: time data {bad!r} does not match format '%Y-%m-%d'")
        return s.ok({"tasks": tasks})

    async def delete(self, args: dict[str, Any]) -> Any:
        self._log("delete_task", args)
        task_id = args["id"]
        if task_id in self.tasks:
            del self.tasks[task_id]
            self.deleted.add(task_id)
            return text(f"Deleted task {task_id}.")
        if task_id in self.deleted and "retry-error" not in self.flaws:
            return text(f"Task {task_id} was already deleted; nothing to do.")
        if "miss-ok" in self.flaws and task_id not in self.deleted:
            return text(f"Deleted task {task_id}.")
        return s.tool_error(f"Task {task_id} does not exist. Check the id with list_tasks; do not retry.")

    async def update(self, args: dict[str, Any]) -> Any:
        self._log("update_task", args)
        task = self.tasks.get(args["id"])
        if task is None and "update-miss-ok" in self.flaws:
            return text(f"Task {args['id']} updated successfully.")
        if task is None:
            return s.tool_error(
                f"Task {args['id']} does not exist. Check the id with list_tasks; do not retry."
            )
        changes = {k: v for k, v in args.items() if k in ("name", "status")}
        if not changes and "keys-ok" not in self.flaws:
            return s.tool_error(
                "Nothing to update: give name or status. Do not retry with the same arguments."
            )
        task.update(changes)
        return text(f"Task {task['id']} updated successfully.")

    def server(self, first: list[s.FakeTool] | None = None) -> Any:
        task_id = {"type": "integer", "minimum": 1, "description": "The task's id."}
        name = {"type": "string", "minLength": 1, "maxLength": 100, "description": "The task's name."}
        status = {"type": "string", "enum": ["active", "done"], "description": "The task's status."}
        due = {"type": "string", "maxLength": 40, "description": "When it is due, YYYY-MM-DD."}
        parent = {"type": "integer", "minimum": 1, "description": "The id of the task this one is part of."}
        schema = s.FakeTool("x", self.create).input_schema

        def obj(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
            return {**schema, "properties": props, "required": required}

        return s.build(
            [
                *(first or []),
                s.FakeTool(
                    "create_task",
                    self.create,
                    description="Create a task.",
                    input_schema=obj(
                        {"name": name, "status": status, "due_date": due, "parent_id": parent}, ["name"]
                    ),
                    annotations=WRITE,
                ),
                s.FakeTool(
                    "list_tasks", self.list_tasks, description="List every task.", input_schema=obj({}, [])
                ),
                s.FakeTool(
                    "delete_task",
                    self.delete,
                    description="Delete a task.",
                    input_schema=obj({"id": task_id}, ["id"]),
                    annotations={**WRITE, "destructiveHint": True},
                ),
                s.FakeTool(
                    "update_task",
                    self.update,
                    description="Change a task's name or status.",
                    input_schema=obj({"id": task_id, "name": name, "status": status}, ["id"]),
                    annotations=WRITE,
                ),
            ],
            validate=True,
        )


def _date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def test_the_sound_store_leaves_every_effect_rule_quiet() -> None:
    store = Tasks()
    report = check(store.server(), **OBSERVE)
    assert {f.rule for f in report.findings} & EFFECT_RULES == set(), report.findings
    # and the probes did run: the round trip, the missed delete, the keys-only update, the bad date
    assert ("create_task", {"name": "007341", "status": "done"}) in store.received
    assert ("delete_task", {"id": 987654321}) in store.received
    assert ("update_task", {"id": 1}) in store.received
    assert ("update_task", {"id": MISSING_ID}) in store.received
    assert ("create_task", {"name": "example", "parent_id": MISSING_ID}) in store.received
    assert ("create_task", {"name": "example", "due_date": "tomorrow"}) in store.received


def test_numeric_looking_text_stored_as_a_number_is_reported() -> None:
    (finding,) = found(check(Tasks("coerce").server(), **OBSERVE), NOT_REFLECTED)
    assert finding.tool == "create_task"
    assert "'007341'" in finding.message
    assert "7341" in finding.message


def test_an_ignored_status_is_reported() -> None:
    (finding,) = found(check(Tasks("ignore-status").server(), **OBSERVE), NOT_REFLECTED)
    assert finding.tool == "create_task"
    assert "status was sent as 'done'" in finding.message
    assert "'active'" in finding.message


def test_a_name_stored_with_a_suffix_the_answer_hides_is_reported() -> None:
    (finding,) = found(check(Tasks("suffix").server(), **OBSERVE), NOT_REFLECTED)
    assert "1'" in finding.message
    assert "the answer names the value sent" in finding.message


def test_without_observers_nothing_is_judged() -> None:
    report = check(
        Tasks("coerce", "ignore-status", "miss-ok", "keys-ok", "bad-date").server(), allow_writes=True
    )
    assert {f.rule for f in report.findings} & EFFECT_RULES == set()


def test_a_delete_of_a_missing_id_answered_deleted_is_reported() -> None:
    report = check(Tasks("miss-ok").server(), **OBSERVE)
    (finding,) = found(report, NO_OP)
    assert finding.tool == "delete_task"
    assert "987654321" in str(finding.evidence.call)
    assert not found(report, RETRY)


def test_an_update_with_only_its_key_answered_updated_is_reported() -> None:
    (finding,) = found(check(Tasks("keys-ok").server(), **OBSERVE), NO_OP)
    assert finding.tool == "update_task"
    assert finding.evidence.call == {"tool": "update_task", "arguments": {"id": 1}}


def test_a_retried_delete_refused_as_missing_is_reported() -> None:
    (finding,) = found(check(Tasks("retry-error").server(), **OBSERVE), RETRY)
    assert finding.tool == "delete_task"
    assert finding.severity == "warning"


def test_a_bad_date_that_breaks_the_list_is_reported() -> None:
    (finding,) = found(check(Tasks("bad-date").server(), **OBSERVE), POISON)
    assert finding.tool == "create_task"
    assert "'tomorrow'" in finding.message
    assert "list_tasks" in finding.message


def tool(name: str, props: dict[str, Any]) -> ToolInfo:
    return ToolInfo(name, "", {"type": "object", "properties": props}, None, None)


@pytest.mark.parametrize(
    ("name", "delete", "update"),
    [
        ("delete_rows", True, False),
        ("task_delete", True, False),
        ("removeTag", True, False),
        ("task_update", False, True),
        ("editNote", False, True),
        ("create_task", False, False),
    ],
)
def test_verbs_are_read_as_words_wherever_they_stand(name: str, delete: bool, update: bool) -> None:
    assert deletes(tool(name, {})) is delete
    assert updates(tool(name, {})) is update


def test_the_round_trip_changes_free_text_and_enums_but_not_paths_or_old_names() -> None:
    info = tool(
        "rename_sheet",
        {
            "file": {"type": "string"},
            "old_name": {"type": "string"},
            "new_name": {"type": "string"},
            "kind": {"type": "string", "enum": ["a", "b", "c"]},
            "value": {"description": "Any value: no type at all."},
            "cell": {"type": "string", "pattern": "^[A-Z]+[0-9]+$"},
        },
    )
    sample = {"file": "/x.xlsx", "old_name": "A", "new_name": "B", "kind": "a", "cell": "D1"}
    sent = roundtrip_arguments(info, sample)
    assert sent == {**sample, "new_name": "007341", "kind": "c", "value": "007342"}


def test_a_missed_delete_invents_an_id_only_where_the_schema_lets_it_be_out_of_reach() -> None:
    def required(name: str, props: dict[str, Any]) -> ToolInfo:
        return ToolInfo(
            name, "", {"type": "object", "properties": props, "required": list(props)}, None, None
        )

    open_id = required("delete_task", {"id": {"type": "integer", "minimum": 1}})
    assert miss_arguments(open_id, {"id": 1}) == {"id": MISSING_ID}
    # capped at 100: id 100 may exist, and deleting it is no miss; a name beside it is still invented
    capped = required("delete_task", {"id": {"type": "integer", "minimum": 1, "maximum": 100}})
    assert miss_arguments(capped, {"id": 1}) is None
    named = required(
        "delete_row",
        {"table": {"type": "string"}, "id": {"type": "integer", "minimum": 1, "maximum": 100}},
    )
    assert miss_arguments(named, {"table": "tasks", "id": 1}) == {"table": MISSING_NAME, "id": 1}


class Sheets:
    """A workbook's sheet names; ``suffix``: a rename onto an existing name stores ``name1`` and answers ``name``."""

    def __init__(self, *, suffix: bool) -> None:
        self.names, self.suffix = ["Sales", "Other"], suffix

    async def list_sheets(self, args: dict[str, Any]) -> Any:
        return s.ok({"sheets": list(self.names)})

    async def read_sheet(self, args: dict[str, Any]) -> Any:
        if args["name"] not in self.names:
            return s.tool_error(
                f"No sheet named {args['name']!r}; the sheets are {self.names}. Do not retry."
            )
        return s.ok({"name": args["name"], "rows": []})

    async def rename(self, args: dict[str, Any]) -> Any:
        old, new = args["old_name"], args["new_name"]
        if old not in self.names:
            return s.tool_error(f"No sheet named {old!r}; the sheets are {self.names}. Do not retry.")
        stored = new
        if new in self.names and new != old:
            if not self.suffix:
                return s.tool_error(f"A sheet named {new!r} already exists; choose another name.")
            stored = f"{new}1"
        self.names[self.names.index(old)] = stored
        return text(new)

    def server(self) -> Any:
        name = {"type": "string", "minLength": 1, "maxLength": 31, "description": "A sheet name."}
        schema = {
            "type": "object",
            "properties": {"old_name": name, "new_name": name},
            "required": ["old_name", "new_name"],
            "additionalProperties": False,
        }
        return s.build(
            [
                s.FakeTool(
                    "list_sheets",
                    self.list_sheets,
                    description="List the sheets.",
                    input_schema={"type": "object", "properties": {}, "additionalProperties": False},
                ),
                s.FakeTool(
                    "read_sheet",
                    self.read_sheet,
                    description="Read one sheet.",
                    input_schema={
                        "type": "object",
                        "properties": {"name": name},
                        "required": ["name"],
                        "additionalProperties": False,
                    },
                    annotations={"readOnlyHint": True},
                ),
                s.FakeTool(
                    "rename_sheet",
                    self.rename,
                    description="Rename a sheet.",
                    input_schema=schema,
                    annotations=WRITE,
                ),
            ],
            validate=True,
        )


SHEETS: dict[str, Any] = {
    "allow_writes": True,
    "observers": [Observer("list_sheets", {})],
    # read_sheet's sample names "Sales": the operator pointed the check at it, so the collision may use it
    "tool_arguments": {
        "rename_sheet": {"old_name": "Other", "new_name": "Other2"},
        "read_sheet": {"name": "Sales"},
    },
}


def test_a_rename_onto_an_existing_name_stored_with_a_hidden_suffix_is_reported() -> None:
    (finding,) = found(check(Sheets(suffix=True).server(), **SHEETS), NOT_REFLECTED)
    assert finding.tool == "rename_sheet"
    assert "new_name was sent as 'Sales'; the observers now show 'Sales1'" in finding.message
    assert finding.evidence.call == {
        "tool": "rename_sheet",
        "arguments": {"old_name": "Other2", "new_name": "Sales"},
    }


def test_a_rename_never_lands_on_a_name_the_check_was_not_pointed_at() -> None:
    """A server that overwrites silently must lose nothing the operator did not name: no sibling, no call."""
    options = {**SHEETS, "tool_arguments": {"rename_sheet": SHEETS["tool_arguments"]["rename_sheet"]}}
    sheets = Sheets(suffix=True)
    report = check(sheets.server(), **options)
    assert "Sales" in sheets.names, sheets.names
    assert "Sales1" not in sheets.names, sheets.names
    assert not found(report, NOT_REFLECTED)


def test_a_rename_onto_an_existing_name_refused_is_fine() -> None:
    report = check(Sheets(suffix=False).server(), **SHEETS)
    assert {f.rule for f in report.findings} & EFFECT_RULES == set()


def test_a_create_that_stores_a_reference_to_nothing_is_reported() -> None:
    (finding,) = found(check(Tasks("dangling").server(), **OBSERVE), DANGLING)
    assert (finding.tool, finding.severity) == ("create_task", "warning")
    assert f"parent_id = {MISSING_ID}" in finding.message


def test_the_reference_probe_needs_no_observers_but_needs_allow_writes() -> None:
    without_observers = {k: v for k, v in OBSERVE.items() if k != "observers"}
    assert found(check(Tasks("dangling").server(), **without_observers), DANGLING)
    store = Tasks("dangling")
    check(store.server())
    assert not [a for t, a in store.received if t == "create_task"]


def test_an_update_of_a_missing_target_answered_as_a_success_is_a_no_op_acknowledged() -> None:
    (finding,) = found(check(Tasks("update-miss-ok").server(), **OBSERVE), NO_OP)
    assert finding.tool == "update_task"
    assert finding.message.startswith("An update aimed at a target that does not exist")


def test_reference_fields_are_told_from_ids_a_caller_makes_up() -> None:
    def tool(**props: Any) -> ToolInfo:
        schema = {"type": "object", "properties": props}
        return ToolInfo("create_thing", "Create a thing.", schema, None, WRITE)

    integer = {"type": "integer"}
    for name in ("parent_id", "projectId", "todo_ids", "blockers", "depends_on"):
        prop = {"type": "array", "items": integer} if name.endswith(("ids", "blockers", "on")) else integer
        assert reference_arguments(tool(**{name: prop}), {}) is not None, name
    for name in ("id", "external_id", "request_id", "idempotency_key", "count"):
        assert reference_arguments(tool(**{name: integer}), {}) is None, name
    update = ToolInfo(
        "update_thing", "", {"type": "object", "properties": {"parent_id": integer}}, None, WRITE
    )
    assert reference_arguments(update, {}) is None


def test_concurrent_distinct_creates_that_overwrite_each_other_are_lost_writes() -> None:
    (finding,) = found(check(Tasks("racy").server(), **OBSERVE), LOST)
    assert (finding.tool, finding.severity, finding.category) == ("create_task", "error", "idempotency")
    assert "6 concurrent creates with distinct name" in finding.message
    assert "only 1 of them" in finding.message


def test_a_store_that_replaces_rather_than_adds_is_no_lost_write() -> None:
    store = Tasks("replace")
    report = check(store.server(), **OBSERVE)
    assert not found(report, LOST)
    made = [
        a["name"] for t, a in store.received if t == "create_task" and str(a.get("name")).startswith("wpc-")
    ]
    assert len(made) == 8  # the probe ran: two one after the other, six at once


def test_a_tool_that_empties_the_store_is_probed_after_every_other_write() -> None:
    """docs/holdout4: clear_all_tasks / clear_database, probed in listing order, emptied the seeded state
    before the other writes' probes ran (sh-4, sh-5, cv-11 …): such a tool goes last now, inputs included."""
    store = Tasks()

    async def clear_all(args: dict[str, Any]) -> Any:
        store._log("clear_all_tasks", args)
        store.tasks.clear()
        return text("Cleared every task.")

    clear = s.FakeTool(
        "clear_all_tasks",
        clear_all,
        description="Delete every task.",
        input_schema={"type": "object", "properties": {}, "additionalProperties": False},
        annotations={**WRITE, "destructiveHint": True},
    )
    check(store.server(first=[clear]), **OBSERVE)
    order = [name for name, _ in store.received]
    assert "clear_all_tasks" in order
    assert order.index("clear_all_tasks") > max(
        i for i, name in enumerate(order) if name != "clear_all_tasks"
    )


def test_wipes_all_reads_the_name() -> None:
    def tool(name: str) -> ToolInfo:
        return ToolInfo(name, "", {"type": "object"}, None, WRITE)

    for name in (
        "clear_all_tasks",
        "reset_database",
        "delete_all",
        "purge",
        "clearDatabase",
        "truncate_table",
    ):
        assert wipes_all(tool(name)), name
    for name in ("delete_task", "create_task", "update_all_statuses", "remove_tag"):
        assert not wipes_all(tool(name)), name


def test_an_observer_that_shows_one_page_hides_no_lost_write() -> None:
    """Review of f35c2b3: a sound store whose list pages (oldest 20 and a cursor) must not look like lost writes."""
    store = Tasks("paged")
    assert not found(check(store.server(), **OBSERVE), LOST)
    assert len(store.tasks) > 20  # the list did page: past 20 items, the observer shows the oldest 20


def test_an_upsert_or_a_create_of_its_own_id_takes_no_reference() -> None:
    def tool(name: str, field: str) -> ToolInfo:
        schema = {"type": "object", "properties": {field: {"type": "string"}, "content": {"type": "string"}}}
        return ToolInfo(name, "", schema, None, WRITE)

    assert reference_arguments(tool("upsert_document", "document_id"), {}) is None
    assert reference_arguments(tool("save_file", "file_id"), {}) is None
    assert reference_arguments(tool("create_note", "note_id"), {}) is None
    assert reference_arguments(tool("create_note", "folder_id"), {}) is not None


def test_wipes_all_reads_the_verb_first() -> None:
    def tool(name: str) -> ToolInfo:
        return ToolInfo(name, "", {"type": "object"}, None, WRITE)

    assert not wipes_all(tool("create_empty_note"))
    assert not wipes_all(tool("drop_pin"))
    assert wipes_all(tool("drop_all_tables"))
