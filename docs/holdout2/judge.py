"""Hand judgments of the second hold-out's check runs (out/), and the hand-found defects of defects.md.

Builds judgments.json in the corpus format, scored by docs/corpus/score.py:
    python3 judge.py > judgments.json && python3 ../corpus/score.py out judgments.json
defects found_by 'hand' are the ones of defects.md (committed in 18a41ea before any check of these servers);
found_by 'checker' are defects first seen in a finding and then confirmed by hand (hand/*-c.jsonl): they count
for precision, never for recall. A judgment is keyed by (rule, tool, field) as score.py matches them.
"""

import json

D: dict[str, list[dict]] = {}


def d(server: str, ident: str, category: str, found_by: str = "hand") -> None:
    D.setdefault(server, []).append({"id": ident, "category": category, "found_by": found_by})


# defects.md, agent-toolkit-mcp-server (report name "at")
AT_CATS = {1: "errors", 2: "errors", 3: "schema", 4: "schema", 5: "errors", 6: "errors", 7: "errors",
           8: "idempotency", 9: "idempotency", 10: "auth", 11: "auth", 12: "output", 13: "output", 14: "output",
           15: "errors", 16: "errors", 17: "errors", 18: "errors", 19: "errors", 20: "schema", 21: "errors",
           22: "protocol"}  # fmt: skip
for i, c in AT_CATS.items():
    d("at", f"at-{i}", c)
# "12" accepted for integers, "yes" for booleans (pydantic lax mode; hand/at-c.jsonl)
d("at", "at-c1", "errors", "checker")
# a 10,000-character project name: raw [Errno 36] with the state path, and the failed register still registers (at-c.jsonl)
d("at", "at-c2", "errors", "checker")

# defects.md, @kazuph/mcp-taskmanager ("tm")
TM_CATS = {1: "errors", 2: "errors", 3: "schema", 4: "schema", 5: "schema", 6: "idempotency", 7: "idempotency",
           8: "errors", 9: "auth", 10: "errors", 11: "output", 12: "output", 13: "errors", 14: "idempotency",
           15: "idempotency", 16: "protocol"}  # fmt: skip
for i, c in TM_CATS.items():
    d("tm", f"tm-{i}", c)

# defects.md, fastmcp-sample-server ("fss")
FS_CATS = {1: "errors", 2: "errors", 3: "errors", 4: "schema", 5: "schema", 6: "errors", 7: "errors",
           8: "idempotency", 9: "output", 10: "errors", 11: "errors", 12: "errors", 13: "errors", 14: "auth",
           15: "protocol", 16: "protocol"}  # fmt: skip
for i, c in FS_CATS.items():
    d("fss", f"fs-{i}", c)
# json_format of 10,000 '[': raw "maximum recursion depth exceeded" (hand/fss-c.jsonl)
d("fss", "fs-c1", "errors", "checker")
# "12" accepted for integers/numbers, "yes" for booleans (lax mode; hand/fss-c.jsonl)
d("fss", "fs-c2", "errors", "checker")
# free-text strings with no maxLength where nothing bounds them (tools/list)
d("fss", "fs-c3", "schema", "checker")

J: dict[str, list[dict]] = {}


def j(
    server: str, rule: str, tools: str, verdict: str, defect, reason: str, field: str | None = None
) -> None:
    for tool in tools.split() or [None]:
        J.setdefault(server, []).append(
            {
                "rule": rule,
                "tool": tool,
                "field": field,
                "verdict": verdict,
                "defect": defect,
                "reason": reason,
            }
        )


# ---------------------------------------------------------------- agent-toolkit
s = "at"
AT_NOTES = (
    "note_list note_tags_list note_read note_find note_tail note_write note_rename note_add_tags "
    "note_remove_tags note_append note_append_section note_edit note_clear note_delete note_archive note_search"
)
AT_TODOS = (
    "todo_create todo_list todo_get todo_update todo_complete todo_delete todo_add_tag todo_remove_tag "
    "todo_tags_list todo_add_blocker todo_remove_blocker todo_lock todo_unlock todo_transfer todo_set_blockers "
    "todo_comment_add todo_comment_list todo_comment_edit todo_comment_delete"
)
AT_TIMERS = (
    "timer_set timer_list timer_cancel timer_pause timer_resume timer_fired timer_ack fire_when_idle_all "
    "fire_when_idle_any idle_watch_list idle_watch_cancel"
)
AT_PROJECTS = (
    "project_register project_list project_get project_update project_remove project_resolve "
    "project_doc_list project_doc_read project_doc_write project_doc_delete"
)
AT_TEMPLATES = "template_create template_list template_get template_update template_delete template_render"
AT_ALL = " ".join([AT_NOTES, AT_TODOS, AT_TIMERS, AT_PROJECTS, AT_TEMPLATES])
# writes that make a new item or add content on every call (at-8)
AT_DUP = "todo_create todo_comment_add timer_set fire_when_idle_all fire_when_idle_any note_append note_append_section"
# writes that set a value: a repeat stores the same data; only the updated timestamp / the note revision moves
AT_SET = (
    "note_write note_add_tags note_remove_tags note_edit note_clear project_update project_doc_write "
    "template_update todo_update todo_complete todo_add_tag todo_remove_tag todo_add_blocker todo_remove_blocker "
    "todo_set_blockers todo_lock todo_unlock todo_comment_edit"
)
AT_DELETES = "note_delete project_remove project_doc_delete template_delete todo_delete todo_comment_delete timer_cancel idle_watch_cancel"
AT_READS = (
    "note_list note_tags_list note_read note_find note_tail note_search todo_list todo_get todo_tags_list "
    "todo_comment_list timer_list timer_fired idle_watch_list project_list project_get project_resolve "
    "project_doc_list project_doc_read template_list template_get template_render"
)

j(
    s,
    "errors.leak",
    AT_ALL,
    "TP",
    "at-2",
    "pydantic dump with the model name and the library URL for a missing or mistyped argument.",
    field="a validation-library dump",
)
j(
    s,
    "errors.no-retry-advice",
    AT_ALL,
    "TP",
    "at-2",
    "the errors it counted (the pydantic dumps, isError true) say nothing about retrying (at-2). Not credited to "
    "at-1: the disguised refusals were not seen as errors at all (no rule fired on them).",
)
for fld in (
    "ack",
    "fire_in_seconds",
    "include_paused",
    "line_end",
    "line_start",
    "lines",
    "recurring_seconds",
):
    tool = {
        "ack": "timer_fired",
        "fire_in_seconds": "timer_set",
        "include_paused": "timer_list",
        "line_end": "note_edit",
        "line_start": "note_edit",
        "lines": "note_tail",
        "recurring_seconds": "timer_set",
    }[fld]
    j(
        s,
        "errors.malformed-accepted",
        tool,
        "TP",
        "at-c1",
        f"'12'/'yes' accepted for the integer/boolean {fld} and acted on (lax coercion; by hand: timer_set fire_in_seconds '12' made a timer). Not in the hand list.",
        field=fld,
    )
j(
    s,
    "errors.malformed-accepted",
    "note_append note_clear note_delete note_edit note_rename note_write project_doc_delete project_doc_write",
    "TP",
    "at-c1",
    "'12' coerced to the integer expected_revision (the server then compared revision 12).",
    field="expected_revision",
)
j(
    s,
    "errors.malformed-accepted",
    "note_list note_find note_search",
    "TP",
    ["at-c1", "at-6"],
    "'12' coerced to integer (error level, at-c1); -1 accepted and reinterpreted (warning level, same key: note_list "
    "answers the last note, note_find stops after one hit, note_search clamps to 1: at-6).",
    field="limit",
)
j(
    s,
    "errors.malformed-accepted",
    "note_list",
    "TP",
    ["at-c1", "at-6"],
    "'12' coerced (at-c1); offset -1 answers the last note (at-6).",
    field="offset",
)
j(
    s,
    "idempotency.repeat-duplicates",
    AT_DUP,
    "TP",
    "at-8",
    "a repeat made a second todo/comment/timer/watch or appended the text again.",
)
j(
    s,
    "idempotency.concurrent-duplicates",
    AT_DUP,
    "TP",
    "at-8",
    "eight concurrent identical calls made eight items / eight appends.",
)
j(
    s,
    "idempotency.repeat-duplicates",
    AT_SET,
    "FP",
    None,
    "FP: the repeat stores the same value again; what the observers saw move is bookkeeping only (the todo's updated "
    "timestamp, the note's revision counter), not a second effect on the data.",
)
j(
    s,
    "idempotency.concurrent-duplicates",
    AT_SET,
    "FP",
    None,
    "FP: as for repeat-duplicates: the same value set again; only the updated timestamp / revision moved.",
)
j(
    s,
    "output.over-budget",
    "idle_watch_list timer_list todo_list",
    "TP",
    "at-14",
    "73 KB after the checker's own writes: the lists have no limit or cursor.",
)
j(
    s,
    "schema.date-without-format",
    "timer_set",
    "TP",
    "at-4",
    "fire_at is ISO 8601 by its description, a plain string by its schema.",
    field="fire_at",
)
j(s, "schema.no-annotations", AT_ALL, "TP", "at-20", "no annotations at all.")
j(
    s,
    "schema.open-object",
    AT_ALL,
    "TP",
    "at-3",
    "unknown arguments are dropped silently (by hand: note_read projct, todo_create status).",
)
j(
    s,
    "schema.param-description",
    " ".join(t for t in AT_ALL.split() if t != "idle_watch_list"),
    "TP",
    "at-4",
    "no parameter has a description.",
)
j(
    s,
    "schema.unbounded-number",
    "note_list note_find note_search",
    "TP",
    ["at-4", "at-6"],
    "limit unbounded; -5 accepted by hand.",
    field="limit",
)
j(
    s,
    "schema.unbounded-number",
    "note_list",
    "TP",
    ["at-4", "at-6"],
    "offset unbounded; -1 accepted by hand.",
    field="offset",
)
j(s, "schema.unbounded-string", AT_ALL, "TP", "at-4", "no string has a maxLength (or a pattern for the ids).")
j(s, "schema.write-not-idempotent", AT_DUP, "TP", "at-8", "a write that duplicates on repeat, with no key.")
j(
    s,
    "schema.write-not-idempotent",
    AT_SET,
    "TP",
    "at-20",
    "a write, idempotent in effect but not declared so (idempotentHint missing: at-20).",
)
j(
    s,
    "schema.write-not-idempotent",
    AT_DELETES,
    "TP",
    "at-9",
    "a delete whose retry is answered not_found, undeclared.",
)
j(
    s,
    "schema.write-not-idempotent",
    AT_READS,
    "FP",
    None,
    "FP: a read (it writes nothing); the fix is readOnlyHint, already schema.no-annotations (at-20).",
)

# ---------------------------------------------------------------- taskmanager
s = "tm"
TM_ALL = (
    "request_planning get_next_task mark_task_done approve_task_completion approve_request_completion "
    "open_task_details list_requests add_tasks_to_request update_task delete_task"
)
TM_ARGS = " ".join(t for t in TM_ALL.split() if t != "list_requests")
j(
    s,
    "errors.disguised-success",
    TM_ARGS,
    "TP",
    "tm-1",
    "'Request not found' / 'Task not found' as status error with isError false.",
)
j(
    s,
    "errors.no-retry-advice",
    TM_ARGS,
    "TP",
    "tm-2",
    "the zod dumps and the disguised errors say nothing about retrying.",
)
j(
    s,
    "idempotency.repeat-duplicates",
    "request_planning add_tasks_to_request",
    "TP",
    "tm-6",
    "a repeat planned a second request / added the tasks again.",
)
j(
    s,
    "idempotency.concurrent-duplicates",
    "request_planning add_tasks_to_request",
    "TP",
    "tm-6",
    "concurrent identical calls made one request each.",
)
j(
    s,
    "idempotency.key-reuse-accepted",
    "approve_task_completion delete_task mark_task_done update_task",
    "FP",
    None,
    "FP: the tool has no idempotency key; the checker took requestId for one, gave it a generated value, and the "
    "'success' was {status: error, 'Request not found'} (a disguised failure, tm-1, already reported).",
    field="taskId",
)
j(
    s,
    "output.list-without-paging",
    "list_requests",
    "TP",
    "tm-11",
    "every request in one answer, no limit or cursor.",
)
j(s, "schema.no-annotations", TM_ALL, "TP", "tm-5", "no annotations at all.")
j(
    s,
    "schema.open-object",
    TM_ALL,
    "TP",
    "tm-3",
    "unknown arguments stripped silently (by hand: priority, titel).",
)
j(s, "schema.param-description", TM_ARGS, "TP", "tm-4", "no parameter has a description.")
j(
    s,
    "schema.unbounded-array",
    "request_planning add_tasks_to_request",
    "TP",
    "tm-4",
    "tasks without minItems/maxItems (0 and 3,000 accepted by hand).",
)
j(s, "schema.unbounded-string", TM_ARGS, "TP", "tm-4", "no maxLength, no pattern for the req-N/task-N ids.")
j(
    s,
    "schema.write-not-idempotent",
    "request_planning add_tasks_to_request",
    "TP",
    "tm-6",
    "a write that duplicates on repeat.",
)
j(
    s,
    "schema.write-not-idempotent",
    "open_task_details get_next_task list_requests",
    "FP",
    None,
    "FP: a read; the fix is readOnlyHint, already schema.no-annotations (tm-5).",
)

# ---------------------------------------------------------------- fastmcp-sample-server
s = "fss"
FS_ALL = (
    "calculate get_server_time random_number analyze_text echo hash_text base64_encode base64_decode "
    "uuid_generate password_generate json_format regex_match convert_units note_add note_list note_get "
    "note_update note_delete"
)
j(
    s,
    "auth.origin-not-checked",
    "",
    "TP",
    "fs-15",
    "a foreign Origin is served (by hand with curl: HTTP 200, a session id).",
)
j(
    s,
    "errors.disguised-success",
    "base64_decode calculate convert_units hash_text json_format note_add note_get "
    "note_update password_generate random_number regex_match uuid_generate",
    "TP",
    "fs-1",
    "'Error: …' strings and {error: …} dicts with isError false.",
)
j(
    s,
    "errors.leak",
    FS_ALL,
    "TP",
    "fs-2",
    "pydantic dump with the library URL.",
    field="a validation-library dump",
)
j(
    s,
    "errors.leak",
    "json_format",
    "TP",
    "fs-c1",
    "10,000 '[' gave the raw 'maximum recursion depth exceeded while decoding a JSON array' (confirmed by hand); "
    "the same class as fs-3 (raw exception text) on a tool the hand review did not break.",
    field="an interpreter message",
)
for fld, tools in [
    ("count", "uuid_generate"),
    ("ignore_case", "regex_match"),
    ("length", "password_generate"),
    ("max_val", "random_number"),
    ("min_val", "random_number"),
    ("multiline", "regex_match"),
    ("note_id", "note_delete note_get note_update"),
    ("sort_keys", "json_format"),
    ("url_safe", "base64_decode base64_encode"),
    ("use_digits", "password_generate"),
    ("use_symbols", "password_generate"),
    ("use_uppercase", "password_generate"),
    ("value", "convert_units"),
]:
    j(
        s,
        "errors.malformed-accepted",
        tools,
        "TP",
        "fs-c2",
        f"'12'/'yes' accepted for the integer/number/boolean {fld} and acted on (by hand: uuid_generate count '3' made 3). Not in the hand list.",
        field=fld,
    )
j(
    s,
    "errors.malformed-accepted",
    "note_list",
    "TP",
    ["fs-c2", "fs-6"],
    "'12' coerced (fs-c2); -1 silently clamped to 1 (fs-6).",
    field="limit",
)
j(s, "errors.no-retry-advice", FS_ALL, "TP", "fs-1", "no error says whether to retry.")
j(s, "idempotency.repeat-duplicates", "note_add", "TP", "fs-8", "a repeat added a second note.")
j(
    s,
    "output.list-without-paging",
    "note_list",
    "TP",
    "fs-9",
    "a limit (clamped to 500) but no offset or cursor: the notes past it cannot be read.",
)
j(
    s,
    "idempotency.concurrent-duplicates",
    "note_add",
    "TP",
    "fs-8",
    "eight concurrent calls added eight notes.",
)
j(
    s,
    "schema.enum-in-prose",
    "hash_text",
    "TP",
    "fs-4",
    "the algorithms are listed in the description only.",
    field="algorithm",
)
j(s, "schema.no-annotations", FS_ALL, "TP", "fs-5", "no annotations at all.")
j(
    s,
    "schema.param-description",
    "analyze_text base64_decode base64_encode calculate convert_units echo json_format "
    "note_add note_delete note_get note_list note_update password_generate random_number regex_match",
    "TP",
    "fs-4",
    "parameters without a description.",
)
j(
    s,
    "schema.unbounded-number",
    "uuid_generate",
    "TP",
    "fs-4",
    "count is 1-100 in the code and the prose, unbounded in the schema.",
    field="count",
)
j(
    s,
    "schema.unbounded-number",
    "note_list",
    "TP",
    ["fs-4", "fs-6"],
    "limit is clamped to 1-500 by the code, unbounded in the schema.",
    field="limit",
)
j(
    s,
    "schema.unbounded-number",
    "random_number",
    "FP",
    None,
    "FP: max_val is the top of a random range, not a count; any integer above min_val is valid.",
    field="max_val",
)
j(
    s,
    "schema.unbounded-string",
    "note_add regex_match",
    "TP",
    "fs-4",
    "the code caps title/body (200 / 100,000) and pattern/text (1 KB / 1 MB); the schema does not.",
)
j(
    s,
    "schema.unbounded-string",
    "analyze_text base64_decode base64_encode calculate convert_units echo hash_text json_format",
    "TP",
    "fs-c3",
    "free text with no maxLength and no cap in the code either; not in the hand list.",
)
j(s, "schema.write-not-idempotent", "note_add", "TP", "fs-8", "a create that duplicates.")
j(
    s,
    "schema.write-not-idempotent",
    "password_generate random_number uuid_generate",
    "FP",
    None,
    "FP: a generator with no side effect (nothing is stored); the fix is readOnlyHint, already schema.no-annotations (fs-5).",
)

# ---------------------------------------------------------------- findings new in the run of 3eaa382 (not in out-before/)
s = "at"
j(
    s,
    "errors.leak",
    "project_get project_register",
    "TP",
    "at-c2",
    "a 10,000-character name answers the raw '[Errno 36] File name too long: /tmp/holdout2/state/at/home/projects/…' "
    "(the server's state path); by hand the failed project_register still registered the project, and project_get of it "
    "fails the same way. Not in the hand list.",
    field="an OS error string with a path",
)
j(
    s,
    "errors.leak",
    "project_resolve",
    "FP",
    None,
    "FP: returning the absolute path is what project_resolve is for, and the root it names is the one the caller "
    "registered (here the checker's own planted path, set by its project_update call), not the server's storage.",
)
j(
    s,
    "errors.malformed-accepted",
    "note_edit",
    "FP",
    None,
    "FP: line_start 0 was refused ('provide either section or line_start+line_end'), not acted on; the refusal has "
    "isError false (at-1), which no rule reports on this server.",
)
j(
    s,
    "schema.write-not-idempotent",
    "project_register",
    "TP",
    "at-20",
    "a write that refuses a duplicate name (the retry is answered 'conflict'), not declared idempotent.",
)
s = "tm"
j(
    s,
    "output.json-in-text",
    "list_requests",
    "TP",
    "tm-12",
    "JSON in text only, no structuredContent or outputSchema.",
)
j(
    s,
    "errors.no-op-acknowledged",
    "update_task",
    "TP",
    "tm-8",
    "'Task task-3 has been updated.' for a call with nothing to change.",
)

ids = {srv: {x["id"] for x in v} for srv, v in D.items()}
for server, v in J.items():
    for f in v:
        ds = f["defect"] if isinstance(f["defect"], list) else [f["defect"]] if f["defect"] else []
        assert all(x in ids[server] for x in ds), (server, f)
out = {
    "about": "Hand judgments of the second hold-out (docs/holdout2/README.md); format of docs/corpus/judgments.json.",
    "checker": "/work/main/.venv/bin/wireproof (editable install of /work/main); the commit is in README.md",
    "servers": {srv: {"defects": D[srv], "findings": J.get(srv, [])} for srv in D},
}
print(json.dumps(out, indent=1, ensure_ascii=False))
