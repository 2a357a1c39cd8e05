"""False findings and misses of the blind second hold-out (issue 12, docs/holdout2), one flawed fixture and
its sound twin each. Designed on holdout2, so holdout2 no longer measures them blind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types

from tests.check import servers as s
from tests.check.test_rules import check
from wireproof.check.config import Observer
from wireproof.check.model import Finding, Report, ToolInfo, idempotency_key_parameter

KEY_REUSE = "idempotency.key-reuse-accepted"
DISGUISED = "errors.disguised-success"
JSON_IN_TEXT = "output.json-in-text"
WRITE = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False}


def found(report: Report, rule_id: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule_id]


def obj(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def wrapped(value: Any) -> types.CallToolResult:
    """FastMCP 1.x's form of a tool returning a JSON string: the text, and {"result": "<the same text>"}."""
    body = json.dumps(value)
    return types.CallToolResult(content=[types.TextContent(text=body)], structured_content={"result": body})


# -- 2. idempotency.key-reuse-accepted: only real idempotency keys, and no disguised failure -------------


def tool(props: dict[str, Any]) -> ToolInfo:
    return ToolInfo("t", "", {"type": "object", "properties": props}, None, None)


def test_only_parameters_named_or_described_as_idempotency_keys_are_keys() -> None:
    string = {"type": "string"}
    for name in ("idempotency_key", "idempotencyKey", "dedupe_key", "client_token", "clientToken"):
        assert idempotency_key_parameter(tool({name: string})) == name
    for name in ("requestId", "request_id", "taskId", "token"):
        assert idempotency_key_parameter(tool({name: string})) is None
    described = {"type": "string", "description": "An idempotency key: a retry with it runs once."}
    assert idempotency_key_parameter(tool({"request_key": described})) == "request_key"
    assert idempotency_key_parameter(tool({"note": described})) is None  # not key-shaped


class Approvals:
    """approve_request(requestId, note): requestId names a pending request, not an idempotency key.
    The keyed twin (retry_token described as an idempotency key) runs a reused key with new arguments."""

    def __init__(self, *, keyed: bool = False, disguise: bool = False) -> None:
        self.keyed, self.disguise = keyed, disguise
        self.seen: dict[str, dict[str, Any]] = {}

    async def approve(self, args: dict[str, Any]) -> Any:
        if not self.keyed:
            if args["requestId"] != "req-1":
                return s.ok({"status": "error", "message": "Request not found"})
            return s.ok({"status": "approved", "requestId": "req-1"})
        key = args["retry_token"]
        if key in self.seen and self.seen[key] != args and self.disguise:
            return s.ok({"error": "retry_token reused with other arguments", "code": "conflict"})
        self.seen.setdefault(key, args)
        return s.ok({"status": "approved", "note": args["note"]})

    def server(self) -> Any:
        note = {"type": "string", "minLength": 1, "maxLength": 50, "description": "A note."}
        if self.keyed:
            key = {"type": "string", "maxLength": 80, "description": "An idempotency key for safe retries."}
            props = {"retry_token": key, "note": note}
        else:
            props = {
                "requestId": {"type": "string", "maxLength": 40, "description": "The request."},
                "note": note,
            }
        return s.build(
            [
                s.FakeTool(
                    "approve_request",
                    self.approve,
                    description="Approve a pending request.",
                    input_schema=obj(props, list(props)),
                    annotations=WRITE,
                )
            ],
            validate=True,
        )


def test_a_request_id_is_not_taken_for_an_idempotency_key() -> None:
    report = check(Approvals().server(), allow_writes=True)
    assert not found(report, KEY_REUSE), report.findings


def test_a_key_described_as_an_idempotency_key_reused_with_other_arguments_is_reported() -> None:
    (finding,) = found(check(Approvals(keyed=True).server(), allow_writes=True), KEY_REUSE)
    assert finding.tool == "approve_request"
    assert finding.severity == "error"


def test_a_reuse_refused_in_a_disguised_failure_is_no_acceptance() -> None:
    report = check(Approvals(keyed=True, disguise=True).server(), allow_writes=True)
    assert not found(report, KEY_REUSE), report.findings
    assert found(report, DISGUISED)  # the disguise is reported where it belongs


# -- 3. FastMCP 1.x's {"result": "<JSON text>"} is unwrapped -------------------------------------------


def colours(*, fastmcp: bool) -> Any:
    answer = wrapped if fastmcp else s.ok

    async def handler(args: dict[str, Any]) -> Any:
        if args["name"] != "sky":
            return answer({"error": True, "code": "not_found", "message": f"no colour for {args['name']!r}"})
        return answer({"name": "sky", "colour": "blue"})

    name = {"type": "string", "minLength": 1, "maxLength": 50, "description": "The thing's name."}
    return s.build(
        [
            s.FakeTool(
                "get_colour_by_name",
                handler,
                input_schema=obj({"name": name}, ["name"]),
                annotations={"readOnlyHint": True},
            )
        ],
        validate=True,
    )


def test_a_wrapped_error_object_is_a_disguised_success_as_the_plain_one_is() -> None:
    plain = found(
        check(colours(fastmcp=False), tool_arguments={"get_colour_by_name": {"name": "sky"}}), DISGUISED
    )
    wrapped_report = check(colours(fastmcp=True), tool_arguments={"get_colour_by_name": {"name": "sky"}})
    unwrapped = found(wrapped_report, DISGUISED)
    assert [f.severity for f in unwrapped] == [f.severity for f in plain] == ["error"]


def test_json_text_inside_structured_content_is_reported_and_the_object_itself_is_not() -> None:
    options: dict[str, Any] = {"tool_arguments": {"get_colour_by_name": {"name": "sky"}}}
    (finding,) = found(check(colours(fastmcp=True), **options), JSON_IN_TEXT)
    assert finding.severity == "warning"
    assert "'result'" in finding.message
    assert not found(check(colours(fastmcp=False), **options), JSON_IN_TEXT)


def test_a_formatter_answering_the_json_text_it_was_sent_is_not_json_in_text() -> None:
    async def pretty(args: dict[str, Any]) -> Any:
        return wrapped(json.loads(args["data"]))

    data = {"type": "string", "minLength": 1, "maxLength": 200, "description": "JSON text to format."}
    server = s.build(
        [
            s.FakeTool(
                "format_json",
                pretty,
                input_schema=obj({"data": data}, ["data"]),
                annotations={"readOnlyHint": True},
            )
        ],
        validate=True,
    )
    assert not found(check(server, tool_arguments={"format_json": {"data": '{"a": 1}'}}), JSON_IN_TEXT)


# -- 4. lost writes: concurrent creates all acknowledged, fewer items appear ------------------------------

CONCURRENT = "idempotency.concurrent-duplicates"


class Plans:
    """create_plan adds an item with a fresh id. Flaw "racy": a read-modify-write with a pause inside, so
    concurrent calls overwrite each other; "dedupe": the same title answers the first item (idempotent)."""

    def __init__(self, flaw: str = "") -> None:
        self.flaw = flaw
        self.items: list[dict[str, Any]] = []
        self.next_id = 1

    async def create(self, args: dict[str, Any]) -> Any:
        if self.flaw == "dedupe":
            same = next((i for i in self.items if i["title"] == args["title"]), None)
            if same is not None:
                return s.ok({"created": same["id"]})
        item_id = f"plan-{self.next_id}"
        self.next_id += 1
        read = list(self.items)
        if self.flaw == "racy":
            await anyio.sleep(0.05)  # the others read the same list meanwhile
        self.items = [*read, {"id": item_id, "title": args["title"]}]
        return s.ok({"created": item_id})

    async def list_plans(self, args: dict[str, Any]) -> Any:
        return s.ok({"plans": self.items})

    def server(self) -> Any:
        title = {"type": "string", "minLength": 1, "maxLength": 50, "description": "The plan's title."}
        return s.build(
            [
                s.FakeTool(
                    "create_plan",
                    self.create,
                    description="Create a plan.",
                    input_schema=obj({"title": title}, ["title"]),
                    annotations=WRITE,
                ),
                s.FakeTool(
                    "list_plans",
                    self.list_plans,
                    description="List the plans.",
                    input_schema=obj({}, []),
                    annotations={"readOnlyHint": True},
                ),
            ],
            validate=True,
        )


PLANS: dict[str, Any] = {"allow_writes": True, "observers": [Observer("list_plans", {})]}


def test_concurrent_creates_acknowledged_but_lost_are_reported() -> None:
    (finding,) = found(check(Plans("racy").server(), **PLANS), CONCURRENT)
    assert finding.severity == "error"
    assert "writes were lost" in finding.message
    assert "only 1 item(s) appeared" in finding.message


def test_concurrent_creates_that_all_land_are_duplicates_not_lost_writes() -> None:
    (finding,) = found(check(Plans().server(), **PLANS), CONCURRENT)
    assert "writes were lost" not in finding.message
    assert "added 8" in finding.message
    assert not found(check(Plans("dedupe").server(), **PLANS), CONCURRENT)


# -- 5. a retried delete answered as a disguised "not found" ----------------------------------------------

RETRY = "idempotency.delete-retry-refused"


class Notes:
    """delete_note(id). The retry of a done delete answers: "error-object" {"error": true, "code":
    "not_found"} (FastMCP-wrapped), "status" {"status": "not_found"}, or soundly "already deleted"."""

    def __init__(self, retry: str) -> None:
        self.retry = retry
        self.notes = {i: {"id": i, "body": f"note {i}"} for i in (1, 2, 3)}
        self.deleted: set[int] = set()

    async def delete(self, args: dict[str, Any]) -> Any:
        note_id = args["id"]
        if note_id in self.notes:
            del self.notes[note_id]
            self.deleted.add(note_id)
            return s.ok({"deleted": note_id})
        if note_id in self.deleted and self.retry == "error-object":
            return wrapped({"error": True, "code": "not_found", "message": f"note {note_id}"})
        if note_id in self.deleted and self.retry == "status":
            return s.ok({"status": "not_found", "id": note_id})
        if note_id in self.deleted:
            return s.ok({"status": "already deleted", "id": note_id})
        return s.tool_error(f"Note {note_id} does not exist. Check the id with list_notes; do not retry.")

    async def list_notes(self, args: dict[str, Any]) -> Any:
        return s.ok({"notes": sorted(self.notes.values(), key=lambda n: n["id"])})

    def server(self) -> Any:
        note_id = {"type": "integer", "minimum": 1, "description": "The note's id."}
        return s.build(
            [
                s.FakeTool(
                    "delete_note",
                    self.delete,
                    description="Delete a note.",
                    input_schema=obj({"id": note_id}, ["id"]),
                    annotations={**WRITE, "destructiveHint": True},
                ),
                s.FakeTool(
                    "list_notes",
                    self.list_notes,
                    description="List the notes.",
                    input_schema=obj({}, []),
                    annotations={"readOnlyHint": True},
                ),
            ],
            validate=True,
        )


NOTES: dict[str, Any] = {
    "allow_writes": True,
    "observers": [Observer("list_notes", {})],
    "tool_arguments": {"delete_note": {"id": 2}},
}


def test_a_retried_delete_answered_as_a_disguised_not_found_is_reported() -> None:
    for retry in ("error-object", "status"):
        (finding,) = found(check(Notes(retry).server(), **NOTES), RETRY)
        assert finding.severity == "warning"
        assert "in disguise" in finding.message, retry


def test_a_retried_delete_answered_already_deleted_is_not() -> None:
    assert not found(check(Notes("already").server(), **NOTES), RETRY)


# -- 6. a path outside every folder given, accepted and answered back (not read) --------------------------

CONFINED = "auth.path-not-confined"


class Projects:
    """register_project(name, path) records a folder (an upsert) and answers it resolved. Flawed: any
    existing folder; sound: only folders inside its own root, the rest refused."""

    def __init__(self, root: Path, *, confined: bool) -> None:
        self.root, self.confined = root.resolve(), confined
        self.projects: dict[str, str] = {}

    async def register(self, args: dict[str, Any]) -> Any:
        path = Path(await anyio.Path(args["path"]).resolve())
        if not await anyio.Path(path).is_dir():
            return s.tool_error(f"Folder {args['path']} does not exist.")
        if self.confined and not path.is_relative_to(self.root):
            return s.tool_error(f"The path must be inside {self.root}; do not retry with this path.")
        self.projects[args["name"]] = str(path)
        return s.ok({"registered": args["name"], "path": str(path)})

    def server(self) -> Any:
        name = {"type": "string", "minLength": 1, "maxLength": 40, "description": "The project's name."}
        path = {"type": "string", "maxLength": 500, "description": "The project's folder, absolute."}
        return s.build(
            [
                s.FakeTool(
                    "register_project",
                    self.register,
                    description="Register a project folder by name.",
                    input_schema=obj({"name": name, "path": path}, ["name", "path"]),
                    annotations=WRITE,
                )
            ],
            validate=True,
        )


def test_an_outside_path_registered_and_answered_back_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    options: dict[str, Any] = {
        "allow_writes": True,
        "tool_arguments": {"register_project": {"name": "p", "path": str(tmp_path / "repo")}},
    }
    (finding,) = found(check(Projects(tmp_path, confined=False).server(), **options), CONFINED)
    assert finding.severity == "warning"
    assert "answered it back" in finding.message
    assert not found(check(Projects(tmp_path, confined=True).server(), **options), CONFINED)
