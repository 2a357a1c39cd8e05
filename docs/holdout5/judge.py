"""Hand judgments of the fifth hold-out's check run (out/, main 331d0ae), and the defects of defects.md.

Builds judgments.json in the corpus format, scored by docs/corpus/score.py:
    python3 judge.py > judgments.json && python3 /work/main/docs/corpus/score.py out judgments.json
defects found_by 'hand' are the ones of defects.md (committed in 0aff2b5 at 15:38:46 UTC before any check of these
servers); found_by 'checker' are defects first seen in a finding and judged real by hand: they count for precision,
never for recall. A judgment is keyed by (rule, tool, field) as score.py matches them.
"""

import json

D: dict[str, list[dict]] = {}


def d(server: str, ident: str, category: str, found_by: str = "hand") -> None:
    D.setdefault(server, []).append({"id": ident, "category": category, "found_by": found_by})


MK_CATS = {1: "errors", 2: "errors", 3: "errors", 4: "errors", 5: "errors", 6: "protocol", 7: "errors", 8: "schema",
           9: "idempotency", 10: "schema", 11: "schema", 12: "output", 13: "output", 14: "output", 15: "auth",
           16: "auth"}  # fmt: skip
for i, c in MK_CATS.items():
    d("mk", f"mk-{i}", c)
d("mk", "mk-c1", "idempotency", "checker")  # restore_checkpoint repeated: another session with copies of every item
d("mk", "mk-c2", "errors", "checker")  # wrong-typed arguments crash the handler: JS TypeError text as JSON-RPC -32603
d("mk", "mk-c3", "errors", "checker")  # no type validation at all: 12345 for strings, "yes" for booleans, query missing
d("mk", "mk-c4", "schema", "checker")  # free strings and arrays of the read/session tools without maxLength/maxItems
d("mk", "mk-c5", "errors", "checker")  # context_search {query: ""} answers every item (session 8)
d("mk", "mk-c6", "schema", "checker")  # createdAfter/createdBefore "ISO date" typed string with no format (session 9)
d("mk", "mk-c7", "errors", "checker")  # no error says retryable/terminal (session 9: disguised failures graded)

TD_CATS = {1: "errors", 2: "errors", 3: "errors", 4: "idempotency", 5: "idempotency", 6: "errors", 7: "schema",
           8: "schema", 9: "errors", 10: "schema", 11: "output", 12: "errors", 13: "auth"}  # fmt: skip
for i, c in TD_CATS.items():
    d("td", f"td-{i}", c)
d("td", "td-c1", "errors", "checker")  # include_completed "yes" taken as true (pydantic lax mode)
d("td", "td-c2", "errors", "checker")  # no error says retryable/terminal
d("td", "td-c3", "protocol", "checker")  # unknown tool answered as an isError result, not JSON-RPC -32602
d("td", "td-c4", "schema", "checker")  # no parameter has a description; projects/contexts without maxItems

BT_CATS = {1: "auth", 2: "errors", 3: "errors", 4: "errors", 5: "errors", 6: "errors", 7: "idempotency", 8: "schema",
           9: "schema", 10: "schema", 11: "output", 12: "output", 13: "auth"}  # fmt: skip
for i, c in BT_CATS.items():
    d("bt", f"bt-{i}", c)
d("bt", "bt-c1", "errors", "checker")  # no error says retryable/terminal
d("bt", "bt-c2", "protocol", "checker")  # unknown tool answered as an isError result

J: dict[str, list[dict]] = {}


def j(server: str, rule: str, tools: str, verdict: str, defect, reason: str, field: str | None = None) -> None:
    for tool in tools.split() or [None]:
        J.setdefault(server, []).append(
            {"rule": rule, "tool": tool, "field": field, "verdict": verdict, "defect": defect, "reason": reason}
        )


UNKNOWN_TOOL = "spec: an unknown tool is a JSON-RPC error (-32602); judged TP as in docs/holdout3 and holdout4."
NO_RETRY = "no error is typed retryable/terminal/auth; the hand list did not name it (checker-found)."

# ---------------------------------------------------------------- mk
s = "mk"
MK_ALL = ("context_session_start context_session_list context_save context_get context_search context_status "
          "context_checkpoint context_restore_checkpoint")  # fmt: skip
j(s, "auth.path-not-confined", "context_session_start", "TP", "mk-15",
  "projectDir outside every given folder accepted and echoed back: mk-15 (/etc taken by hand).")  # fmt: skip
j(s, "errors.disguised-success", "context_save", "TP", "mk-1",
  "'Failed to save context item: Key cannot be null or undefined' with isError false.")  # fmt: skip
j(s, "errors.failure-as-protocol-error", "context_session_list", "TP", "mk-6",
  "limit 1.5 -> JSON-RPC -32603 'datatype mismatch' (the SQLite driver's text), as limit 1e20 by hand.")  # fmt: skip
j(s, "errors.failure-as-protocol-error", "context_get context_search", "TP", "mk-c2",
  "nested arrays in channels / a number for createdAfter crash the handler: JSON-RPC -32603, not an isError result.")  # fmt: skip
j(s, "errors.leak", "context_checkpoint", "TP", "mk-6",
  "checkpoint without name -> JSON-RPC 'NOT NULL constraint failed: checkpoints.name': SQLite's text as a protocol "
  "error, the family of mk-6.", "a raw database message")  # fmt: skip
j(s, "errors.leak", "context_get context_search context_session_start", "TP", "mk-c2",
  "'channels.map is not a function', 'query.replace is not a function', 'branch.trim is not a function': JavaScript "
  "TypeErrors of handlers that never validate types.", "an interpreter message")  # fmt: skip
for fld in ("category", "channel", "includeMetadata"):
    j(s, "errors.malformed-accepted", "context_get context_save context_search" if fld != "includeMetadata" else
      "context_get context_search", "TP", "mk-c3", f"{fld} of the wrong type accepted: no type validation.", fld)  # fmt: skip
for tool, fld in (("context_session_start", "defaultChannel"), ("context_session_start", "description"),
                  ("context_checkpoint", "description"), ("context_checkpoint", "includeFiles"),
                  ("context_checkpoint", "includeGitStatus"), ("context_get", "key"), ("context_checkpoint", "name"),
                  ("context_save", "priority"), ("context_save", "private"), ("context_session_start", "projectDir"),
                  ("context_search", "relativeTime"), ("context_restore_checkpoint", "restoreFiles"),
                  ("context_search", "searchIn"), ("context_search", "query")):  # fmt: skip
    j(s, "errors.malformed-accepted", tool, "TP", "mk-c3",
      f"{fld} broken (wrong type, or the required query missing: 'Found 37 results for \"undefined\"') and answered "
      "a success: the server validates no types.", fld)  # fmt: skip
j(s, "errors.malformed-accepted", "context_get context_search context_session_list", "TP", "mk-3",
  "limit '12' (and -1 by hand) accepted though the description promises a validation error.", "limit")  # fmt: skip
j(s, "errors.malformed-accepted", "context_get context_search", "TP", "mk-3",
  "offset '12' / -1 accepted though the description promises a validation error.", "offset")  # fmt: skip
j(s, "errors.malformed-accepted", "context_get context_search", "TP", "mk-2",
  "sort outside its enum accepted: the schema's enums are not enforced (mk-2).", "sort")  # fmt: skip
j(s, "errors.malformed-accepted", "context_get context_search", "TP", "mk-4",
  "sessionId 12345 answered with the items of the current session, as an unknown sessionId by hand (mk-4).",
  "sessionId")  # fmt: skip
j(s, "errors.malformed-accepted", "context_session_start", "TP", "mk-7",
  "continueFrom 12345 ignored and a fresh session made, as an unknown id by hand (mk-7).", "continueFrom")  # fmt: skip
j(s, "errors.malformed-accepted", "context_restore_checkpoint", "TP", "mk-1",
  "checkpointId 12345 / name 12345 -> 'No checkpoint found' with isError false: refused, but in disguise (mk-1).",
  "checkpointId")  # fmt: skip
j(s, "errors.malformed-accepted", "context_restore_checkpoint", "TP", "mk-1",
  "name 12345 -> 'No checkpoint found' with isError false (mk-1).", "name")  # fmt: skip
j(s, "errors.not-repairable", "context_get context_search context_session_start", "TP", "mk-c2",
  "the rejections are JavaScript TypeErrors ('query.replace is not a function'): no field, no expected value.")  # fmt: skip
j(s, "errors.validation-as-protocol-error", "context_get context_search context_session_start", "TP", "mk-c2",
  "wrong-typed arguments crash into JSON-RPC -32603 instead of an isError result.")  # fmt: skip
j(s, "errors.validation-as-protocol-error", "context_checkpoint", "TP", "mk-6",
  "a missing name is answered as JSON-RPC -32603 with SQLite's NOT NULL text (mk-6's family).")  # fmt: skip
j(s, "idempotency.concurrent-duplicates", "context_session_start", "TP", "mk-9",
  "every identical session_start makes another session (mk-9).")  # fmt: skip
j(s, "idempotency.repeat-duplicates", "context_session_start", "TP", "mk-9", "a repeat makes a second session (mk-9).")
j(s, "idempotency.concurrent-duplicates", "context_restore_checkpoint", "TP", "mk-c1",
  "each restore of seed-cp makes another session with copies of the checkpoint's items (context_search later answered "
  "note-a 12 times); not in the hand list, which saw only the session switch (mk-8).")  # fmt: skip
j(s, "idempotency.repeat-duplicates", "context_restore_checkpoint", "TP", "mk-c1",
  "a repeated restore makes a second session with a second copy of every item.")  # fmt: skip
j(s, "idempotency.concurrent-duplicates", "context_save", "FP", None,
  "FP: context_save upserts on the key (hand/mk-c1.out: after two identical saves context_get shows one item, same "
  "value); only the row's surrogate id changes (INSERT OR REPLACE). Bookkeeping, not a second item.")  # fmt: skip
j(s, "idempotency.repeat-duplicates", "context_save", "FP", None,
  "FP: as above, one item per key after the repeat; the observer diff saw only the new row id.")  # fmt: skip
j(s, "output.over-budget", "context_save", "FP", None,
  "FP: a 1 MB error only because it repeats the checker's own oversized category value (holdout4 judged the echo FP).")  # fmt: skip
j(s, "schema.no-annotations", MK_ALL, "TP", "mk-11", "no annotations on any tool.")
j(s, "schema.open-object", MK_ALL, "TP", "mk-10", "no additionalProperties: false; unknown arguments dropped.")
j(s, "schema.unbounded-array", "context_get context_search", "TP", "mk-c4",
  "channels/priorities/searchIn without maxItems (the hand list named only key/value and the counts).")  # fmt: skip
j(s, "schema.unbounded-number", "context_get context_search context_session_list", "TP", "mk-11",
  "limit typed number, no minimum/maximum.", "limit")  # fmt: skip
j(s, "schema.unbounded-number", "context_get context_search", "TP", "mk-11", "offset typed number, no minimum.", "offset")
j(s, "schema.unbounded-string", "context_save", "TP", "mk-11", "key/value/channel without maxLength (300,000 chars taken).")
j(s, "schema.unbounded-string", "context_checkpoint context_get context_restore_checkpoint context_search "
  "context_session_start", "TP", "mk-c4", "free strings without maxLength.")  # fmt: skip
j(s, "schema.write-not-idempotent", "context_checkpoint context_restore_checkpoint context_session_start", "TP", "mk-9",
  "writes that make a new checkpoint/session on every repeat, no key (mk-9).")  # fmt: skip
j(s, "schema.write-not-idempotent", "context_save", "FP", None,
  "FP: an upsert on the natural key (one item per key after repeats); the missing hint is schema.no-annotations.")  # fmt: skip
j(s, "schema.write-not-idempotent", "context_session_list", "FP", None,
  "FP: a read; the fix is readOnlyHint, already schema.no-annotations (mk-11).")  # fmt: skip

# ---------------------------------------------------------------- td
s = "td"
TD_ALL = ("list_todos get_todo search_todos filter_by_priority filter_by_project filter_by_context get_statistics "
          "add_todo complete_todo update_todo delete_todo reload_todos")  # fmt: skip
j(s, "errors.disguised-success", "add_todo complete_todo delete_todo get_todo update_todo", "TP", "td-1",
  "{\"error\": \"Todo with ID … not found\"} / the priority refusal with isError false.")  # fmt: skip
j(s, "errors.leak", "add_todo complete_todo delete_todo filter_by_context filter_by_priority filter_by_project "
  "get_todo search_todos update_todo", "TP", "td-2", "raw pydantic dump with its errors.pydantic.dev URL.",
  "a validation-library dump")  # fmt: skip
j(s, "errors.malformed-accepted", "filter_by_context filter_by_priority filter_by_project list_todos search_todos",
  "TP", "td-c1", "include_completed 'yes' taken as true (pydantic lax mode).", "include_completed")  # fmt: skip
j(s, "errors.no-retry-advice", "add_todo complete_todo delete_todo filter_by_context filter_by_priority "
  "filter_by_project get_todo search_todos update_todo", "TP", "td-c2", NO_RETRY)  # fmt: skip
j(s, "idempotency.concurrent-duplicates", "add_todo", "TP", "td-4", "8 concurrent identical adds stored many todos.")
j(s, "idempotency.repeat-duplicates", "add_todo", "TP", "td-4", "the repeat adds a second identical todo.")
j(s, "idempotency.delete-retry-refused", "delete_todo", "TP", "td-6",
  "delete then retry -> {\"error\": \"Todo with ID '0' not found\"} (isError false): td-6.")  # fmt: skip
j(s, "output.list-without-paging", "list_todos", "TP", "td-11", "no limit or cursor; 400,383 characters by hand.")
j(s, "output.over-budget", "filter_by_project list_todos search_todos", "TP", "td-11",
  "~430 KB answers once the store held a big todo: no paging, no size budget (td-11).")  # fmt: skip
j(s, "output.over-budget", "get_todo", "TP", "td-11",
  "get of the grown todo answered 416,710 bytes: no size budget on an item (td-11: a 200,000-char todo accepted).")  # fmt: skip
j(s, "output.over-budget", "add_todo", "FP", None,
  "FP: the add's answer is large only because it echoes the checker's own 104,000-character text (as holdout4's echo).")  # fmt: skip
j(s, "output.over-budget", "complete_todo delete_todo update_todo", "FP", None,
  "FP: a not-found error that repeats the checker's own 10,000-character todo_id (the echo, as in holdout4).")  # fmt: skip
j(s, "protocol.unknown-tool-as-result", "", "TP", "td-c3", UNKNOWN_TOOL)
j(s, "schema.no-annotations", TD_ALL, "TP", "td-10", "no annotations on any tool.")
j(s, "schema.open-object", TD_ALL, "TP", "td-10", "no additionalProperties: false (bogus accepted by hand).")
j(s, "schema.param-description", "add_todo complete_todo delete_todo filter_by_context filter_by_priority "
  "filter_by_project get_todo list_todos search_todos update_todo", "TP", "td-c4",
  "no parameter carries a description (only the docstrings talk about them).")  # fmt: skip
j(s, "schema.unbounded-array", "add_todo update_todo", "TP", "td-c4", "projects/contexts without maxItems.")
j(s, "schema.unbounded-string", "add_todo complete_todo delete_todo filter_by_context filter_by_priority "
  "filter_by_project get_todo search_todos update_todo", "TP", "td-10", "no maxLength (td-10).")  # fmt: skip
j(s, "schema.write-not-idempotent", "add_todo", "TP", "td-4", "an append with no key: repeats add duplicates.")

# ---------------------------------------------------------------- bt
s = "bt"
BT_ALL = "read_bibtex_file get_bibtex_entry write_bibtex_entries"
j(s, "auth.path-not-confined", "read_bibtex_file", "TP", "bt-1", "a planted file outside every folder read back: bt-1.")
j(s, "errors.leak", BT_ALL, "TP", "bt-3", "raw pydantic dump with its URL.", "a validation-library dump")
j(s, "errors.malformed-accepted", "read_bibtex_file", "TP", "bt-9", "show_details 'yes' accepted (lax).", "show_details")
j(s, "errors.no-retry-advice", BT_ALL, "TP", "bt-c1", NO_RETRY)
j(s, "idempotency.concurrent-duplicates", "write_bibtex_entries", "TP", "bt-7",
  "the default append writes the entries again on every call (hand: 6 concurrent -> entry7 six times).")  # fmt: skip
j(s, "idempotency.repeat-duplicates", "write_bibtex_entries", "TP", "bt-7", "the repeat appends the entries again.")
j(s, "protocol.unknown-tool-as-result", "", "TP", "bt-c2", UNKNOWN_TOOL)
j(s, "schema.no-annotations", BT_ALL, "TP", "bt-9", "no annotations.")
j(s, "schema.open-object", BT_ALL, "TP", "bt-9", "no additionalProperties: false.")
j(s, "schema.param-description", BT_ALL, "TP", "bt-9", "no parameter descriptions.")
j(s, "schema.unbounded-array", "write_bibtex_entries", "TP", "bt-9", "keys without maxItems.")
j(s, "schema.unbounded-string", BT_ALL, "TP", "bt-9", "paths and key without maxLength.")
j(s, "schema.write-not-idempotent", "write_bibtex_entries", "TP", "bt-7", "append with no key: repeats duplicate entries.")

# session 8 (2026-12-03; not blind: built on the misses of this hold-out and of hold-out 4)
S8 = "session 8: "
NOAUTH = (S8 + "the server, started with no credential in its environment, ran the writes probe's {tools} as "
          "successes: no principal, no scopes: {defect}.")
j("mk", "auth.writes-without-credential", "", "TP", "mk-16",
  NOAUTH.format(tools="context_restore_checkpoint, context_save and the other writes", defect="mk-16"))
j("td", "auth.writes-without-credential", "", "TP", "td-13", NOAUTH.format(tools="delete_todo, add_todo", defect="td-13"))
j("bt", "auth.writes-without-credential", "", "TP", "bt-13", NOAUTH.format(tools="write_bibtex_entries", defect="bt-13"))
j("mk", "errors.malformed-accepted", "context_get context_search", "TP", "mk-5",
  S8 + "createdAfter 'not a date' (and keyPattern '(unclosed') answered 'No matching context found', isError "
  "false: a false empty: mk-5.")  # fmt: skip
j("bt", "errors.miss-answered-empty", "get_bibtex_entry", "TP", "bt-4",
  S8 + "key wireproof_does_not_exist_7f3a -> '未找到key … 的条目' (not found) with isError false: bt-4.")
j("mk", "output.prose-records", "", "TP", "mk-14",
  S8 + "six of eight tools answer 'Saved: k1 / Category: … / Priority: …' prose, no structuredContent: mk-14.")
j("bt", "output.prose-records", "", "TP", "bt-12",
  S8 + "get_bibtex_entry and read_bibtex_file answer 'Key: … / Type: … / author: …' prose inside {'result': …}: "
  "bt-12.")  # fmt: skip
j("bt", "schema.mixed-language", "", "TP", "bt-10",
  S8 + "tool descriptions in English, write_bibtex_entries answers '成功追加 … 个条目' in Chinese: bt-10.")

j("td", "idempotency.write-damages-others", "add_todo", "TP", "td-5",
  S8 + "after add_todo, list_todos {include_completed: true} no longer lists the completed 'Buy milk @shop' (id 2): "
  "the save moved it to done.txt, its line with @shop appended again (by hand, /tmp/td_probe); an item the add did "
  "not name is gone from the list: td-5.")  # fmt: skip
j("td", "schema.unstable-ids", "reload_todos", "TP", "td-7",
  S8 + "after reload_todos the todos added in this process are listed under line indices, not the UUIDs add_todo "
  "answered ('086b8ec7-…' is now '12'): an agent holding an id cannot find its todo: td-7.")  # fmt: skip

j("mk", "output.over-budget", "context_get", "TP", "mk-12",
  S8 + "the growth probe saved a ~105 KB value under note-c through context_save, and context_get {key: note-c} "
  "answered it whole, 107,675 bytes (~26,900 tokens): no size budget on an item: mk-12.")  # fmt: skip

j("td", "errors.empty-search-accepted", "search_todos", "TP", "td-12",
  S8 + "search_todos {query: ''} answered every todo: td-12.")
j("mk", "errors.empty-search-accepted", "context_search", "TP", "mk-c5",
  S8 + "context_search {query: ''} answered the stored items as matches (the same defect as td-12; not in the hand "
  "list: checker-found).")  # fmt: skip

# session 9 (2026-12-04; not blind)
S9 = "session 9: "
for param in ("createdAfter", "createdBefore"):
    j("mk", "schema.date-without-format", "context_get context_search", "TP", "mk-c6",
      S9 + f"{param} is described 'ISO date - items created after/before this time', typed string with no format: "
      "the date lint now reads a date described as one; not in the hand list (mk-5 is the malformed date answered "
      "empty): checker-found.", param)  # fmt: skip

j("mk", "errors.no-retry-advice", "context_save", "TP", "mk-c7",
  S9 + "the failures are disguised ('Failed to save context item: Key cannot be null or undefined', isError false) "
  "and none says whether to retry: as td-c2 and bt-c1, checker-found.")
j("td", "errors.empty-value-accepted", "add_todo", "TP", "td-3",
  S9 + "add_todo {text: ''} answered as added: the empty todo td-3 found by hand (which then broke every load).")

ids = {srv: {x["id"] for x in v} for srv, v in D.items()}
keys: set = set()
for server, v in J.items():
    for f in v:
        ds = f["defect"] if isinstance(f["defect"], list) else [f["defect"]] if f["defect"] else []
        assert all(x in ids[server] for x in ds), (server, f)
        assert (f["verdict"] == "TP") == bool(ds), (server, f)
        k = (server, f["rule"], f["tool"], f["field"])
        assert k not in keys, k
        keys.add(k)
out = {
    "about": "Hand judgments of the fifth hold-out (docs/holdout5/README.md); format of docs/corpus/judgments.json.",
    "checker": "/work/main/.venv/bin/wireproof (main at 331d0ae24dbd563bc169dfd10e1d1d7838d8dbda)",
    "servers": {srv: {"defects": D[srv], "findings": J.get(srv, [])} for srv in D},
}
print(json.dumps(out, indent=1, ensure_ascii=False))
