"""Hand judgments of the fourth hold-out's check run (out/, snapshot of main 54ac0f7), and the defects of defects.md.

Builds judgments.json in the corpus format, scored by docs/corpus/score.py:
    python3 judge.py > judgments.json && python3 ../corpus/score.py out judgments.json
defects found_by 'hand' are the ones of defects.md (committed in 64bf915 before any check of these servers);
found_by 'checker' are defects first seen in a finding and judged real by hand: they count for precision, never
for recall. A judgment is keyed by (rule, tool, field) as score.py matches them; one key may stand for two findings
of different severity (errors.malformed-accepted on a count: the type probe "12" at error, the -1 probe at warning).
"""

import json

D: dict[str, list[dict]] = {}


def d(server: str, ident: str, category: str, found_by: str = "hand") -> None:
    D.setdefault(server, []).append({"id": ident, "category": category, "found_by": found_by})


KB_CATS = {1: "errors", 2: "errors", 3: "errors", 4: "errors", 5: "schema", 6: "output", 7: "schema", 8: "schema",
           9: "schema", 10: "schema", 11: "schema", 12: "output", 13: "output", 14: "idempotency",
           15: "idempotency", 16: "idempotency", 17: "errors", 18: "auth"}  # fmt: skip
for i, c in KB_CATS.items():
    d("kb", f"kb-{i}", c)
d("kb", "kb-c1", "errors", "checker")  # "12" for an integer, "yes" for a boolean accepted (pydantic lax mode)
d("kb", "kb-c2", "errors", "checker")  # an id of 10^30 answered 'Error executing tool X' and nothing else
d("kb", "kb-c3", "protocol", "checker")  # unknown tool answered as an isError result, not JSON-RPC -32602
d("kb", "kb-c4", "schema", "checker")  # no parameter has a description in the schema
d("kb", "kb-c5", "schema", "checker")  # search query, replace old_string/new_string without maxLength
d("kb", "kb-c6", "errors", "checker")  # search offset 10^30: "Search failed: OverflowError: …" with isError false

CU_CATS = {1: "protocol", 2: "errors", 3: "errors", 4: "errors", 5: "schema", 6: "schema", 7: "errors", 8: "output",
           9: "output", 10: "output", 11: "schema", 12: "schema"}  # fmt: skip
for i, c in CU_CATS.items():
    d("cu", f"cu-{i}", c)
d("cu", "cu-c1", "protocol", "checker")  # convert_to_si and define_unit also hang (and block the server) on 9**9**9**9
d("cu", "cu-c2", "protocol", "checker")  # unknown tool answered as an isError result
d("cu", "cu-c3", "schema", "checker")  # expression strings without maxLength

CV_CATS = {1: "protocol", 2: "protocol", 3: "errors", 4: "errors", 5: "errors", 6: "errors", 7: "errors", 8: "errors",
           9: "schema", 10: "schema", 11: "output", 12: "output", 13: "output", 14: "output", 15: "auth", 16: "auth",
           17: "auth", 18: "idempotency", 19: "idempotency", 20: "schema", 21: "schema", 22: "schema"}  # fmt: skip
for i, c in CV_CATS.items():
    d("cv", f"cv-{i}", c)
d("cv", "cv-c1", "errors", "checker")  # "yes" accepted for the boolean include_header (pydantic lax mode)
d("cv", "cv-c2", "protocol", "checker")  # unknown tool answered as an isError result
d("cv", "cv-c3", "schema", "checker")  # folder_path/table_prefix/backup_path undescribed and without maxLength

SH_CATS = {1: "errors", 2: "errors", 3: "errors", 4: "errors", 5: "errors", 6: "errors", 7: "schema", 8: "schema",
           9: "schema", 10: "schema", 11: "schema", 12: "schema", 13: "schema", 14: "schema", 15: "schema",
           16: "idempotency", 17: "idempotency", 18: "idempotency", 19: "idempotency", 20: "output", 21: "output",
           22: "auth"}  # fmt: skip
for i, c in SH_CATS.items():
    d("sh", f"sh-{i}", c)
d("sh", "sh-c1", "protocol", "checker")  # an unknown tool answered isError false ("Error occurred: Tool … does not exist")
d("sh", "sh-c2", "schema", "checker")  # array parameters without maxItems (process_thought tags…, update_task dependencies)
d("sh", "sh-c3", "schema", "checker")  # free strings without maxLength

J: dict[str, list[dict]] = {}


def j(server: str, rule: str, tools: str, verdict: str, defect, reason: str, field: str | None = None) -> None:
    for tool in tools.split() or [None]:
        J.setdefault(server, []).append(
            {"rule": rule, "tool": tool, "field": field, "verdict": verdict, "defect": defect, "reason": reason}
        )


UNKNOWN_TOOL = "spec: an unknown tool is a JSON-RPC error (-32602); judged TP as in docs/holdout3 (a judgment call)."

# ---------------------------------------------------------------- kb
s = "kb"
KB_ALL = "save get search list list_namespaces relate get_relations replace delete"
j(s, "errors.disguised-success", "replace", "TP", "kb-1", "'Error: old_string not found in id=2' with isError false.")
j(s, "errors.disguised-success", "save", "TP", "kb-1",
  "the repeated sample save -> 'Error: proj/a/k3 already exists (id=4)…' with isError false.")  # fmt: skip
j(s, "errors.expected-not-stated", "delete get get_relations list relate replace", "TP", "kb-c2",
  "an integer of 10^30 (id/from_id/offset) -> isError true 'Error executing tool X' and nothing else: no word of "
  "what is wrong (an integer too large for SQLite, swallowed by the SDK).")  # fmt: skip
j(s, "errors.leak", KB_ALL, "TP", "kb-3", "raw pydantic dump with its errors.pydantic.dev URL.",
  "a validation-library dump")  # fmt: skip
j(s, "errors.malformed-accepted", "list search", "TP", ["kb-5", "kb-c1"],
  "limit:-1 run as 'everything' (no minimum: kb-5), and limit:'12' taken as 12 (lax: kb-c1).", "limit")  # fmt: skip
j(s, "errors.malformed-accepted", "list search", "TP", ["kb-5", "kb-c1"],
  "offset:-1 run (no minimum: kb-5), and offset:'12' taken as 12 (lax: kb-c1).", "offset")  # fmt: skip
for tool in ("delete", "get", "get_relations", "replace"):
    j(s, "errors.malformed-accepted", tool, "TP", "kb-c1", "id:'12' taken as the integer 12 (pydantic lax mode).", "id")
j(s, "errors.malformed-accepted", "relate", "TP", "kb-c1", "from_id:'12' taken as 12 (lax).", "from_id")
j(s, "errors.malformed-accepted", "relate", "TP", "kb-c1", "to_id:'12' taken as 12 (lax).", "to_id")
j(s, "errors.malformed-accepted", "get", "TP", "kb-c1", "include_data:'yes' taken as true (lax).", "include_data")
j(s, "errors.malformed-accepted", "replace", "TP", "kb-c1", "replace_all:'yes' taken as true (lax).", "replace_all")
j(s, "errors.no-retry-advice", KB_ALL, "TP", "kb-4", "no error is typed retryable/terminal.")
j(s, "idempotency.repeat-duplicates", "replace", "TP", "kb-14",
  "replace 'second body' -> 'second body, edited' applies again on the repeat (the old string is still inside).")  # fmt: skip
j(s, "idempotency.concurrent-duplicates", "replace", "TP", "kb-14",
  "the repeat after the concurrent calls replaced once more: the same non-idempotent replace (kb-14); it does not "
  "show the lost updates of kb-15.")  # fmt: skip
j(s, "idempotency.delete-retry-refused", "delete", "TP", "kb-1",
  "delete {id:3} then the retry -> 'Not found: id=3' with isError false: the failure-as-success of kb-1 (delete 999).")  # fmt: skip
j(s, "protocol.unknown-tool-as-result", "", "TP", "kb-c3", UNKNOWN_TOOL)
j(s, "schema.no-annotations", KB_ALL, "TP", "kb-10", "no annotations on any tool.")
j(s, "schema.param-description", "delete get get_relations list relate replace save search", "TP", "kb-c4",
  "no parameter carries a description in the schema (only the tool docstrings talk about some).")  # fmt: skip
j(s, "schema.unbounded-array", "save", "TP", "kb-11", "tags without maxItems (5,000 tags accepted).")
j(s, "schema.unbounded-number", "list search", "TP", "kb-5", "limit: no minimum/maximum.", "limit")
j(s, "schema.unbounded-number", "list search", "TP", "kb-5", "offset: no minimum.", "offset")
j(s, "schema.unbounded-string", "replace search", "TP", "kb-c5", "old_string/new_string/query without maxLength.")
j(s, "schema.write-not-idempotent", "replace", "TP", "kb-14", "a write that applies again on repeat, no key.")
j(s, "schema.write-not-idempotent", "get get_relations", "FP", None,
  "FP: a read; the fix is readOnlyHint, already schema.no-annotations (kb-10).")  # fmt: skip

# ---------------------------------------------------------------- cu
s = "cu"
CU_ALL = "info find_units convert convert_to_si define_unit list_prefixes"
j(s, "errors.crash", "convert", "TP", "cu-1",
  "from_expr '9**9**9**9': no answer in 10 s; the engine has no time limit (cu-1: m^99999999 blocks the server).")  # fmt: skip
j(s, "errors.crash", "convert_to_si define_unit", "TP", "cu-c1",
  "'9**9**9**9' hangs this tool too, and the server stays blocked (hand/cu-c.out, after the run): the same engine "
  "weakness as cu-1 through another tool, not in the hand list.")  # fmt: skip
j(s, "errors.leak", "convert convert_to_si", "FP", None,
  "FP: 'division by zero in unit expression' is the server's own message (engine/number.py raises it with that "
  "text), plain and to the point; no interpreter internals.", "an interpreter message")  # fmt: skip
j(s, "errors.malformed-accepted", "find_units", "TP", "cu-6", "limit:'12' accepted as 12 though the schema says integer.",
  "limit")  # fmt: skip
j(s, "errors.no-retry-advice", "convert convert_to_si define_unit find_units", "TP", "cu-3",
  "no error says retryable/terminal.")  # fmt: skip
j(s, "output.json-in-text", "find_units list_prefixes", "TP", "cu-10", "JSON objects as text only, no structuredContent.")
j(s, "protocol.unknown-tool-as-result", "", "TP", "cu-c2", UNKNOWN_TOOL)
for tool, fld in (("convert_to_si", "expr"), ("convert", "from_expr"), ("convert", "to_expr"), ("define_unit", "name"),
                  ("find_units", "query")):  # fmt: skip
    j(s, "schema.enum-in-prose", tool, "FP", None,
      "FP: a free unit expression/name/search text; the quoted words are examples ('kW*hour', 'horsepower'), not a "
      "closed list of values.", fld)  # fmt: skip
j(s, "schema.no-annotations", CU_ALL, "TP", "cu-11", "six pure reads without readOnlyHint.")
j(s, "schema.open-object", CU_ALL, "TP", "cu-5", "no additionalProperties: false; unknown arguments run.")
j(s, "schema.unbounded-string", "convert convert_to_si define_unit find_units", "TP", "cu-c3",
  "expression strings without maxLength (a long exponent tower hangs the engine).")  # fmt: skip

# ---------------------------------------------------------------- cv
s = "cv"
CV_ALL = ("get_database_schema list_loaded_tables load_csv_folder execute_sql_query get_table_info create_index "
          "backup_database export_table_to_csv get_query_plan clear_database get_column_stats find_duplicates "
          "analyze_missing_data get_data_summary")  # fmt: skip
CV_TABLE = ("analyze_missing_data create_index execute_sql_query export_table_to_csv find_duplicates get_column_stats "
            "get_data_summary get_query_plan get_table_info")  # fmt: skip
CV_READS = ("analyze_missing_data find_duplicates get_column_stats get_data_summary get_database_schema get_query_plan "
            "get_table_info list_loaded_tables")  # fmt: skip
j(s, "auth.path-not-confined", "load_csv_folder", "TP", "cv-17",
  "loaded a planted folder outside the data folder it was started with: any folder on disk is read.")  # fmt: skip
j(s, "errors.crash", "execute_sql_query", "TP", "cv-2",
  "a recursive query: no answer in 10 s (cv-2: an expensive query blocks the server, no time limit).")  # fmt: skip
j(s, "errors.disguised-success", "analyze_missing_data export_table_to_csv find_duplicates get_column_stats "
  "get_data_summary backup_database execute_sql_query get_query_plan load_csv_folder", "TP", "cv-3",
  "'Error: No database loaded…', 'Error creating backup…', {\"status\":\"error\",…} with isError false.")  # fmt: skip
j(s, "errors.disguised-success", "get_database_schema", "TP", "cv-3",
  "{\"status\":\"error\",\"message\":\"No database loaded…\"} with isError false: cv-3's convention, on one more tool.")  # fmt: skip
j(s, "errors.leak", "export_table_to_csv", "TP", "cv-6",
  "\"Execution failed on sql 'SELECT * FROM \\\"notes\\\"'\": pandas' internal SQL in the message.", "SQL text")  # fmt: skip
j(s, "errors.leak", "export_table_to_csv", "TP", "cv-6", "pandas/SQLite 'Execution failed on sql … no such table'.",
  "a raw database message")  # fmt: skip
j(s, "errors.leak", "create_index get_table_info", "TP", "cv-4", "\"name 'ET' is not defined\": a Python NameError.",
  "an interpreter message")  # fmt: skip
j(s, "errors.leak", "analyze_missing_data backup_database create_index execute_sql_query export_table_to_csv "
  "find_duplicates get_column_stats get_data_summary get_query_plan get_table_info load_csv_folder", "TP", "cv-5",
  "raw pydantic dump with its URL.", "a validation-library dump")  # fmt: skip
j(s, "errors.malformed-accepted", "export_table_to_csv", "TP", "cv-c1", "include_header:'yes' taken as true (lax).",
  "include_header")  # fmt: skip
j(s, "errors.no-retry-advice", "analyze_missing_data backup_database create_index execute_sql_query "
  "export_table_to_csv find_duplicates get_column_stats get_data_summary get_query_plan get_table_info "
  "load_csv_folder", "TP", "cv-8", "no error says retryable/terminal.")  # fmt: skip
VOLATILE = ("FP: both observers' answers open with \"function_results_id\", a random id new on every call "
            "(hand/cv-c.out: two identical list_loaded_tables calls with nothing between differ only there); ")
CV_IDEM = ("analyze_missing_data backup_database clear_database execute_sql_query export_table_to_csv find_duplicates "
           "get_column_stats get_data_summary get_database_schema get_query_plan list_loaded_tables load_csv_folder")
for rule in ("idempotency.concurrent-duplicates", "idempotency.repeat-duplicates"):
    j(s, rule, CV_READS, "FP", None, VOLATILE + "these are reads.")
    j(s, rule, "execute_sql_query", "FP", None,
      VOLATILE + "the sample is a SELECT, which makes no effect (the real duplicate, cv-18, needs an INSERT; not sent).")
    j(s, rule, "clear_database", "FP", None, VOLATILE + "a second clear removes 0 tables: no second effect.")
    j(s, rule, "backup_database export_table_to_csv", "FP", None,
      VOLATILE + "a repeat rewrites the same file: no second effect.")  # fmt: skip
    j(s, rule, "load_csv_folder", "FP", None,
      VOLATILE + "the same tables are reloaded; the leftover temp copy a reload leaves (cv-17) is not what the "
      "observers saw.")  # fmt: skip
j(s, "output.json-in-text", "clear_database execute_sql_query get_database_schema list_loaded_tables load_csv_folder",
  "TP", "cv-14", "structuredContent is {'result': '<JSON text>'}.")  # fmt: skip
j(s, "output.over-budget", "export_table_to_csv", "FP", None,
  "FP: 40 KB only because the error echoes the checker's own 10,000-character table name (twice in the text, again "
  "in structuredContent); the tool's answers are otherwise one line.")  # fmt: skip
j(s, "protocol.unknown-tool-as-result", "", "TP", "cv-c2", UNKNOWN_TOOL)
j(s, "schema.no-annotations", CV_ALL, "TP", "cv-22", "no annotations on any tool.")
j(s, "schema.open-object", CV_ALL, "TP", "cv-9", "no additionalProperties: false; unknown arguments run.")
j(s, "schema.param-description", CV_TABLE, "TP", "cv-21", "query/table_name (and the rest) undescribed in the schema.")
j(s, "schema.param-description", "load_csv_folder backup_database", "TP", "cv-c3",
  "folder_path/table_prefix/backup_path undescribed in the schema (only in the docstring).")  # fmt: skip
j(s, "schema.unbounded-number", "execute_sql_query", "TP", "cv-10", "limit: no minimum/maximum.", "limit")
j(s, "schema.unbounded-string", CV_TABLE, "TP", "cv-21", "query/table_name without lengths (cv-21: 'no lengths').")
j(s, "schema.unbounded-string", "load_csv_folder backup_database", "TP", "cv-c3", "path strings without maxLength.")
j(s, "schema.write-not-idempotent", "execute_sql_query", "TP", "cv-18", "runs INSERTs that duplicate, no key.")
j(s, "schema.write-not-idempotent", "clear_database create_index backup_database export_table_to_csv load_csv_folder",
  "TP", "cv-22", "writes that declare nothing (no destructiveHint/idempotentHint: cv-22).")  # fmt: skip
j(s, "schema.write-not-idempotent", CV_READS, "FP", None,
  "FP: a read; the fix is readOnlyHint, already schema.no-annotations (cv-22).")  # fmt: skip

# ---------------------------------------------------------------- sh
s = "sh"
SH_ALL = ("plan_task analyze_task reflect_task split_tasks list_tasks execute_task verify_task delete_task "
          "clear_all_tasks update_task query_task get_task_detail process_thought init_project_rules research_mode")
j(s, "errors.disguised-success", "analyze_task clear_all_tasks delete_task execute_task get_task_detail list_tasks "
  "plan_task process_thought query_task reflect_task research_mode split_tasks update_task verify_task", "TP", "sh-1",
  "a missing required argument -> 'Error occurred: Invalid arguments for tool …' with isError false.")  # fmt: skip
j(s, "errors.malformed-accepted", "analyze_task clear_all_tasks execute_task init_project_rules list_tasks plan_task "
  "process_thought query_task reflect_task research_mode split_tasks", "TP", "sh-8",
  "an unknown argument accepted and run, though the schema says additionalProperties: false.",
  "an unknown argument")  # fmt: skip
j(s, "idempotency.repeat-duplicates", "split_tasks", "TP", "sh-16", "a repeated append stores task E twice.")
j(s, "idempotency.concurrent-duplicates", "split_tasks", "TP", "sh-16",
  "the repeat after the concurrent appends stored one more task E: no key (sh-16); the report does not show the "
  "lost updates of sh-17.")  # fmt: skip
j(s, "output.over-budget", "list_tasks split_tasks", "FP", None,
  "FP: 2 MB only because the zod error echoes the checker's own 1 MB status/updateMode string (twice); the listing "
  "that is really too big (sh-20, 64 tasks) was not measured.")  # fmt: skip
j(s, "protocol.unknown-tool-accepted", "", "TP", "sh-c1",
  "wireproof_no_such_tool -> 'Error occurred: Tool … does not exist' with isError false.")  # fmt: skip
j(s, "schema.no-annotations", SH_ALL, "TP", "sh-14", "no annotations on any tool.")
j(s, "schema.unbounded-array", "process_thought update_task", "TP", "sh-c2", "arrays without maxItems.")
j(s, "schema.unbounded-string", "analyze_task get_task_detail plan_task process_thought query_task reflect_task "
  "research_mode split_tasks update_task verify_task", "TP", "sh-c3", "free strings without maxLength.")  # fmt: skip
j(s, "schema.write-not-idempotent", "split_tasks", "TP", "sh-16", "an append that duplicates, no key.")
j(s, "schema.write-not-idempotent", "verify_task", "TP", "sh-19", "a retried verify fails instead of the first result.")
j(s, "schema.write-not-idempotent", "delete_task update_task", "TP", "sh-14",
  "writes that declare neither destructiveHint nor idempotentHint (sh-14).")  # fmt: skip
j(s, "schema.write-not-idempotent", "get_task_detail query_task", "FP", None,
  "FP: a read; the fix is readOnlyHint, already schema.no-annotations (sh-14).")  # fmt: skip

# After the scored run: main's checker after the fixes built on this hold-out (README "After"), not blind.
d("cv", "cv-c4", "errors", "checker")  # the table name is pasted into the server's own SQL unquoted
j("cv", "errors.leak", "find_duplicates get_column_stats", "TP", "cv-c4",
  "checker-found (after): table_name 'wireproof-name-…-here' answered 'near \"-\": syntax error' (isError false): the "
  "name is pasted into the server's own SQL unquoted, and SQLite's own message comes back (as holdout3's ps-10).",
  "a raw database message")  # fmt: skip
j("cv", "errors.leak", "analyze_missing_data get_data_summary", "TP", "cv-3",
  "table_name '' answered SQLite's own 'no such table: ' (isError false): the driver's message, cv-3.",
  "a raw database message")  # fmt: skip
j("sh", "errors.leak", "analyze_task clear_all_tasks delete_task execute_task get_task_detail list_tasks plan_task "
  "process_thought query_task reflect_task research_mode split_tasks update_task verify_task", "TP", "sh-2",
  "after: the zod issue list ([{\"code\": \"invalid_type\", …, \"path\": [\"taskId\"]}]) answered whole: sh-2.",
  "a validation-library dump")  # fmt: skip
j("sh", "schema.write-not-idempotent", "research_mode", "FP", None,
  "after: research_mode only returns prompt text (sh-13); no write to declare.")  # fmt: skip
j("cv", "errors.query-rows-dropped", "execute_sql_query", "TP", "cv-13",
  "after: the 1,000-row WITH RECURSIVE read answered 'WITH executed successfully', rows_affected -1, no rows: "
  "cv-13 (rows of any statement not starting with SELECT are discarded).")  # fmt: skip
j("cv", "errors.query-rows-dropped", "get_query_plan", "FP", None,
  "after: a plan tool answers the plan, not the rows (the rule now skips plan/explain tools).")  # fmt: skip

# session 6 (2026-12-03, main after 33b8b7b; not blind: built after the hold-out was scored)
j("cu", "output.cut-at-limit", "find_units", "TP", "cu-8",
  "session 6: find_units {query: meter, limit: 10} answered 10 with 'count': 10 while limit=500 answered 21: the "
  "count is the page size and nothing says more exist; no offset or cursor: cu-8.")  # fmt: skip
j("cu", "output.over-budget", "find_units", "TP", "cu-9",
  "session 6: find_units {query: 'e', limit: 500} answered 100,466 bytes (~25k tokens) in one answer: cu-9.")  # fmt: skip
j("cv", "errors.empty-statement-accepted", "execute_sql_query", "TP", "cv-7",
  "session 6: execute_sql_query {query: ''} answered 'UNKNOWN executed successfully', status success: cv-7.")  # fmt: skip

# session 7 (2026-12-03, main 331d0ae and before; not blind: built on this hold-out's misses)
S7 = "session 7: "
j("cv", "auth.path-not-confined", "backup_database export_table_to_csv", "TP", "cv-16",
  S7 + "the output path given a new file in the checker's temp folder: 'backed up successfully to: /tmp/wireproof-"
  "check-…/wireproof-written-….db', 'exported successfully … (500 rows)', and the file appeared, though the server "
  "was given only its data folder: cv-16.")  # fmt: skip
j("cv", "errors.miss-answered-empty", "get_data_summary", "TP", "cv-3",
  S7 + "get_data_summary {table_name: wireproof_does_not_exist_7f3a} -> 'Error generating data summary: no such "
  "table: …' with isError false: cv-3.")  # fmt: skip
j("kb", "errors.disguised-success", "search", "TP", "kb-2",
  S7 + "search {query: 'SELECT COUNT(*) FROM …'} -> 'Search failed: OperationalError: fts5: syntax error near "
  "\"*\"' with isError false: kb-2.")  # fmt: skip
j("kb", "errors.leak", "search", "TP", "kb-2", S7 + "the same answer: the driver's exception class and FTS5's words.",
  field="a database driver message")
j("kb", "errors.leak", "search", "TP", "kb-c6",
  S7 + "search {query: hello, offset: 10^30} -> 'Search failed: OverflowError: Python int too large to convert to "
  "SQLite INTEGER' with isError false: the interpreter's words (checker-found).", field="an interpreter message")
j("kb", "errors.miss-answered-empty", "get", "TP", "kb-1",
  S7 + "get {id: 987654321} -> 'Not found: id=987654321' with isError false (FastMCP's {'result': …}): kb-1.")
j("kb", "errors.miss-answered-empty", "get_relations", "TP", "kb-17",
  S7 + "get_relations {id: 987654321} -> 'No relations found for id=987654321' with isError false: kb-17.")
j("kb", "idempotency.retry-refused", "save", "TP", "kb-16",
  S7 + "the identical retry of a save -> 'Error: proj/a/k3 already exists (id=4) — pass id=4 to update it', "
  "isError false: kb-16.")  # fmt: skip
j("sh", "idempotency.concurrent-writes-lost", "split_tasks", "TP", "sh-17",
  S7 + "6 concurrent split_tasks append, each a distinct name inside tasksRaw, all answered the splitting text; "
  "list_tasks shows 1 of them, while two made one after the other both show: sh-17.")  # fmt: skip

# session 8 (2026-12-03; not blind: built on the misses of this hold-out and of hold-out 5)
S8 = "session 8: "
NOAUTH = (S8 + "the server, started with no credential in its environment, ran the writes probe's {tools} as "
          "successes: no principal, no scopes: {defect}.")
j("kb", "auth.writes-without-credential", "", "TP", "kb-18", NOAUTH.format(tools="delete and replace", defect="kb-18"))
j("sh", "auth.writes-without-credential", "", "TP", "sh-22", NOAUTH.format(tools="clear_all_tasks", defect="sh-22"))
j("cv", "auth.writes-without-credential", "", "TP", "cv-15",
  NOAUTH.format(tools="clear_database (and execute_sql_query's writes)", defect="cv-15"))
j("cu", "auth.writes-without-credential", "", "FP", None,
  S8 + "the first run named convert and convert_to_si: conversions, writes only for want of readOnlyHint; fixed "
  "(only tools named for a write count), gone from the final run.")  # fmt: skip
j("cv", "output.prose-records", "", "TP", "cv-14",
  S8 + "get_column_stats, find_duplicates, analyze_missing_data, get_data_summary answer '=== Column Statistics "
  "===' reports of 'Total rows: 500' lines inside {'result': …}: cv-14.")  # fmt: skip
j("sh", "output.prose-records", "", "TP", "sh-21",
  S8 + "five tools answer Markdown reports ('label: value' lines), no structuredContent: sh-21.")
j("sh", "schema.mixed-language", "", "TP", "sh-7",
  S8 + "tool descriptions in English, plan_task.description and the other parameters described in Traditional "
  "Chinese: sh-7.")  # fmt: skip

# session 9 (2026-12-04; not blind)
S9 = "session 9: "
j("sh", "errors.no-retry-advice", SH_ALL.replace("init_project_rules", ""),
  "TP", "sh-6",
  S9 + "every failure is answered isError false ('參數格式錯誤…', 'Error: …'), and none says whether to retry: the "
  "grading now reads failures disguised as successes: sh-6.")  # fmt: skip

# session 10 (2026-12-04; not blind: run out-s10)
S10 = "session 10: "
j("sh", "schema.json-in-string", "split_tasks", "TP", "sh-9",
  S10 + "tasksRaw, typed string, described with the example \"[{name: '…', description: '…'}]\": a JSON array of "
  "task objects packed into a string, its structure only in prose (sh-9).", "tasksRaw")  # fmt: skip

j("kb", "output.prose-records", "", "TP", "kb-13",
  S10 + "get ('id=1 | proj/a/k1  tags=[...]  created: …  updated: …') and list (rows of cells a pipe apart) answer "
  "records as prose inside {\"result\": \"…\"}: kb-13.")  # fmt: skip
j("cv", "protocol.stdout-not-json", "", "TP", "cv-1",
  S10 + "started with stdin at EOF (PYTHONUNBUFFERED=1), it wrote its banner and the load result as pretty JSON "
  "to stdout, 38 lines that are no message: cv-1 (hand/cv-stdout.out).")  # fmt: skip

j("kb", "errors.search-wildcards-unescaped", "list", "TP", "kb-9",
  S10 + "ns '%' (a prefix filter) answered entries of other namespaces, none of them holding a '%', while a literal "
  "that cannot occur answered 'No entries found.': the prefix is an unescaped LIKE pattern, kb-9.")  # fmt: skip

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
    "about": "Hand judgments of the fourth hold-out (docs/holdout4/README.md); format of docs/corpus/judgments.json.",
    "checker": "/work/snap4/.venv/bin/wireproof (editable install of a detached worktree of main at 54ac0f7)",
    "servers": {srv: {"defects": D[srv], "findings": J.get(srv, [])} for srv in D},
}
print(json.dumps(out, indent=1, ensure_ascii=False))
