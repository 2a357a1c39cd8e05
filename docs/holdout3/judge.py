"""Hand judgments of the third hold-out's check run (out/, snapshot of main 072f690), and the defects of defects.md.

Builds judgments.json in the corpus format, scored by docs/corpus/score.py:
    python3 judge.py > judgments.json && python3 ../corpus/score.py out judgments.json
defects found_by 'hand' are the ones of defects.md (committed in 7be2d41 before any check of these servers);
found_by 'checker' are defects first seen in a finding and judged real by hand: they count for precision, never
for recall. A judgment is keyed by (rule, tool, field) as score.py matches them.
"""

import json

D: dict[str, list[dict]] = {}


def d(server: str, ident: str, category: str, found_by: str = "hand") -> None:
    D.setdefault(server, []).append({"id": ident, "category": category, "found_by": found_by})


FQ_CATS = {1: "auth", 2: "auth", 3: "protocol", 4: "errors", 5: "errors", 6: "errors", 7: "errors", 8: "errors",
           9: "errors", 10: "errors", 11: "schema", 12: "schema", 13: "schema", 14: "schema", 15: "errors",
           16: "idempotency", 17: "auth", 18: "auth", 19: "errors", 20: "schema", 21: "output", 22: "output"}  # fmt: skip
for i, c in FQ_CATS.items():
    d("fq", f"fq-{i}", c)
d("fq", "fq-c1", "errors", "checker")  # "12" for an integer, "yes" for a boolean accepted (pydantic lax mode)
d("fq", "fq-c2", "schema", "checker")  # sql / db strings without maxLength
d("fq", "fq-c3", "schema", "checker")  # the name "query" says nothing of SQL
d("fq", "fq-c4", "protocol", "checker")  # unknown tool answered as a tool result, not JSON-RPC -32602

TD_CATS = {1: "schema", 2: "errors", 3: "errors", 4: "errors", 5: "errors", 6: "errors", 7: "schema", 8: "schema",
           9: "output", 10: "schema", 11: "schema", 12: "auth", 13: "idempotency"}  # fmt: skip
for i, c in TD_CATS.items():
    d("td", f"td-{i}", c)
d("td", "td-c1", "protocol", "checker")  # unknown tool answered as a tool result

PS_CATS = {1: "errors", 2: "errors", 3: "errors", 4: "auth", 5: "schema", 6: "schema", 7: "idempotency",
           8: "idempotency", 9: "idempotency", 10: "schema", 11: "errors", 12: "output", 13: "auth", 14: "errors",
           15: "auth", 16: "schema", 17: "errors", 18: "output"}  # fmt: skip
for i, c in PS_CATS.items():
    d("ps", f"ps-{i}", c)
d("ps", "ps-c1", "protocol", "checker")  # unknown tool answered as a tool result
d("ps", "ps-c2", "schema", "checker")  # query / description / filepath strings without maxLength

J: dict[str, list[dict]] = {}


def j(server: str, rule: str, tools: str, verdict: str, defect, reason: str, field: str | None = None) -> None:
    for tool in tools.split() or [None]:
        J.setdefault(server, []).append(
            {"rule": rule, "tool": tool, "field": field, "verdict": verdict, "defect": defect, "reason": reason}
        )


FQ_ALL = "schema query export_query table_info explain list_databases"
FQ_READS = "schema table_info explain list_databases"
s = "fq"
j(s, "auth.path-not-confined", "export_query", "TP", "fq-2", "writes a file at any absolute path, read-only server.")
j(s, "auth.path-not-confined", "list_databases", "TP", "fq-18", "lists any folder on disk; nothing confines the paths.")
j(s, "errors.disguised-success", "query", "TP", "fq-4", "'SQLite OperationalError…'/'Error: …' with isError false.")
j(s, "errors.disguised-success", "table_info", "TP", "fq-6", "'Error: Table or view … does not exist' isError false.")
j(s, "errors.disguised-success", "explain", "TP", "fq-7", "'Explain … Error' isError false.")
j(s, "errors.disguised-success", "export_query", "TP", "fq-8", "'Error: …' isError false.")
j(s, "errors.disguised-success", "list_databases", "TP", "fq-9", "'Error: Directory not found' isError false.")
j(s, "errors.disguised-success", "schema", "TP", "fq-5", "'Error resolving database: …' isError false.")
j(s, "errors.leak", FQ_ALL, "TP", "fq-10", "raw pydantic dump with its URL.", "a validation-library dump")
j(s, "errors.malformed-accepted", "query", "TP", "fq-c1", '"12" accepted for an integer (lax).', "cell_max_chars")
j(s, "errors.malformed-accepted", "query", "TP", "fq-c1", '"yes" accepted for a boolean (lax).', "readonly")
j(s, "errors.no-retry-advice", FQ_ALL, "TP", "fq-15", "no error is typed retryable/terminal.")
j(s, "idempotency.concurrent-duplicates", FQ_ALL, "FP", None,
  "FP: the query observer's answer carries '**Execution Time:** 1.09 ms', different on every call (hand/fq-c.out); "
  "these calls (reads, and an export that rewrites the same file) make no second effect.")  # fmt: skip
j(s, "idempotency.repeat-duplicates", "explain list_databases query schema", "FP", None,
  "FP: the same volatile 'Execution Time' in the observer's answer (hand/fq-c.out); reads.")  # fmt: skip
j(s, "protocol.unknown-tool-as-result", "", "TP", "fq-c4", "spec: an unknown tool is a JSON-RPC error (-32602).")
j(s, "schema.no-annotations", FQ_ALL, "TP", "fq-20", "no annotations at all.")
j(s, "schema.open-object", FQ_ALL, "TP", "fq-11", "no additionalProperties: false; unknown arguments run.")
j(s, "schema.unbounded-array", "query explain export_query", "TP", "fq-14", "params: an untyped, unbounded union.")
j(s, "schema.unbounded-string", FQ_ALL, "TP", "fq-c2", "sql/db/table/directory without maxLength.")
j(s, "schema.vague-name", "query", "TP", "fq-c3", "'query' names no object; among several servers it says nothing.")
j(s, "schema.write-not-idempotent", "query", "TP", "fq-16", "writes with readonly:false, repeats apply twice.")
j(s, "schema.write-not-idempotent", "explain list_databases schema", "FP", None,
  "FP: a read; the fix is readOnlyHint, already schema.no-annotations (fq-20).")  # fmt: skip
j(s, "schema.write-not-idempotent", "table_info", "FP", None,
  "FP (seen only after the timing fix, /tmp run of 6a344ee): a read; the fix is readOnlyHint (fq-20).")  # fmt: skip
j(s, "schema.write-not-idempotent", "export_query", "FP", None,
  "FP (seen only after the timing fix): a repeated export overwrites the same file, no second effect.")  # fmt: skip

s = "td"
j(s, "errors.leak", "TodoRead TodoWrite", "TP", "td-3", "raw pydantic dump.", "a validation-library dump")
j(s, "errors.no-retry-advice", "TodoRead TodoWrite", "TP", "td-6", "no retryable/terminal type.")
j(s, "protocol.unknown-tool-as-result", "", "TP", "td-c1", "spec: an unknown tool is a JSON-RPC error (-32602).")
j(s, "schema.no-annotations", "TodoRead TodoWrite", "TP", "td-11", "no annotations.")
j(s, "schema.unbounded-array", "TodoWrite", "TP", "td-8", "todos without maxItems (and items without bounds).")
j(s, "schema.write-not-idempotent", "TodoWrite", "TP", "td-11",
  "a full replacement, idempotent in effect but not declared so (annotations missing: td-11).")  # fmt: skip

s = "ps"
PS_ALL = "execute_query list_tables save_database execute_query_with_url create_view"
j(s, "auth.path-not-confined", "save_database", "TP", "ps-15", "copies the database to any path.")
j(s, "errors.disguised-success", "execute_query", "TP", "ps-1", "'Error executing query: …' isError false.")
j(s, "errors.disguised-success", "execute_query_with_url", "TP", "ps-2", "'Error: Only SELECT…' isError false.")
j(s, "errors.disguised-success", "create_view", "TP", "ps-3", "'Error: View definition must be…' isError false.")
j(s, "errors.leak", "create_view", "TP", "ps-10",
  "SQLITE_ERROR near '-' for a name with a dash: the name is pasted into SQL unquoted and the driver error is "
  "all the agent gets.", "a database driver message")  # fmt: skip
j(s, "errors.leak", "execute_query", "FP", None,
  "FP: the agent wrote the SQL; SQLite's own message ('no such table', 'syntax error') is the right feedback.",
  "a database driver message")  # fmt: skip
j(s, "errors.no-retry-advice", "create_view execute_query execute_query_with_url save_database", "TP", "ps-17",
  "no retryable/terminal type.")  # fmt: skip
j(s, "output.json-in-text", "list_tables", "TP", "ps-18", "JSON in text, no structuredContent.")
j(s, "protocol.unknown-tool-as-result", "", "TP", "ps-c1", "spec: an unknown tool is a JSON-RPC error (-32602).")
j(s, "schema.no-annotations", PS_ALL, "TP", "ps-16", "no annotations.")
j(s, "schema.open-object", PS_ALL, "TP", "ps-6", "unknown arguments accepted.")
j(s, "schema.param-description", "execute_query", "TP", "ps-5", "query, read_only undescribed.")
j(s, "schema.tool-description", PS_ALL, "TP", "ps-5", "no tool has a description.")
j(s, "schema.unbounded-string", "create_view", "TP", "ps-10", "name pasted into SQL with no pattern or bound.")
j(s, "schema.unbounded-string", "execute_query execute_query_with_url save_database", "TP", "ps-c2",
  "query/description/filepath without maxLength.")  # fmt: skip
j(s, "schema.write-not-idempotent", "execute_query", "TP", "ps-7", "an INSERT duplicates on repeat.")
j(s, "schema.write-not-idempotent", "save_database", "TP", "ps-16",
  "a copy, idempotent in effect but undeclared (annotations missing: ps-16).")  # fmt: skip
j(s, "schema.write-not-idempotent", "execute_query_with_url", "FP", None,
  "FP: SELECT only (it refuses anything else); the fix is readOnlyHint, already schema.no-annotations (ps-16).")  # fmt: skip

ids = {srv: {x["id"] for x in v} for srv, v in D.items()}
for server, v in J.items():
    for f in v:
        ds = f["defect"] if isinstance(f["defect"], list) else [f["defect"]] if f["defect"] else []
        assert all(x in ids[server] for x in ds), (server, f)
out = {
    "about": "Hand judgments of the third hold-out (docs/holdout3/README.md); format of docs/corpus/judgments.json.",
    "checker": "/work/snap3/.venv/bin/wireproof (editable install of a detached worktree of main at 072f690)",
    "servers": {srv: {"defects": D[srv], "findings": J.get(srv, [])} for srv in D},
}
print(json.dumps(out, indent=1, ensure_ascii=False))
