"""Hand judgments of the hold-out run (docs/holdout/out/), and the hand-found defects of defects.md.
Builds judgments.json in the corpus format, scored by docs/corpus/score.py:
    python3 judge.py > judgments.json && python3 ../corpus/score.py out judgments.json
defects found_by 'hand' are the ones of defects.md (written before the checker ran); found_by 'checker' are
defects first seen in a finding and then confirmed by hand: they count for precision, never for recall."""
import json

D: dict[str, list[dict]] = {}
def d(server, id, category, found_by="hand"):
    D.setdefault(server, []).append(dict(id=id, category=category, found_by=found_by))

# defects.md, mcp-server-spreadsheet
for i, c in [(1, "auth"), (2, "auth"), (3, "auth"), (4, "schema"), (5, "schema"), (6, "schema"), (7, "output"),
             (8, "output"), (9, "protocol"), (10, "errors"), (11, "errors"), (12, "errors"), (13, "errors"),
             (14, "errors"), (15, "errors"), (16, "errors"), (17, "idempotency"), (18, "output")]:
    d("spreadsheet", f"ss-{i}", c)
# confirmed by hand after the checker showed them (not in defects.md; precision only)
d("spreadsheet", "ss-c1", "errors", "checker")       # string "12" accepted for integer row/count/column (lax coercion)
d("spreadsheet", "ss-c2", "idempotency", "checker")  # a retried delete_rows/delete_columns deletes the next row/column
d("spreadsheet", "ss-c3", "idempotency", "checker")  # a retried add_sheet/copy_sheet makes "WP1"/"SalesCopy1"; delete_sheet retry fails
d("spreadsheet", "ss-c4", "errors", "checker")       # sql_query has no time bound: a recursive CTE got no answer in 10 s
d("spreadsheet", "ss-c5", "idempotency", "checker")  # insert_columns: a retry inserts another column (same class as ss-17)
d("spreadsheet", "ss-c6", "errors", "checker")       # delete_columns past the last column answers "Deleted 1 columns" (ss-11's twin)
# defects.md, mcp-kb
for i, c in [(1, "errors"), (2, "errors"), (3, "errors"), (4, "errors"), (5, "auth"), (6, "idempotency"),
             (7, "idempotency"), (8, "output"), (9, "output"), (10, "schema"), (11, "schema"), (12, "errors")]:
    d("kb", f"kb-{i}", c)
d("kb", "kb-c1", "errors", "checker")  # search: string "12" accepted for integer limit
d("kb", "kb-c2", "schema", "checker")  # strings without maxLength, tag arrays without maxItems

# defects.md, mcp-todo
for i, c in [(1, "errors"), (2, "errors"), (3, "protocol"), (4, "errors"), (5, "errors"), (6, "idempotency"),
             (7, "schema"), (8, "schema"), (9, "output"), (10, "errors"), (11, "errors")]:
    d("todo", f"td-{i}", c)
d("todo", "td-c1", "output", "checker")  # a 1 MB invalid enum value is echoed whole in the validation error
d("todo", "td-c2", "errors", "checker")  # rejections of the nullable (anyOf) fields: "is not valid under any of the given schemas"
d("todo", "td-c3", "errors", "checker")  # type rejections do not name the argument ("'12' is not of type 'integer'")
d("todo", "td-c4", "schema", "checker")  # tags arrays without maxItems, name without maxLength

J: dict[str, list[dict]] = {}
def j(server, rule, tools, verdict, defect, reason, field=None):
    for tool in tools.split() or [None]:
        J.setdefault(server, []).append(dict(rule=rule, tool=tool, field=field, verdict=verdict, defect=defect, reason=reason))

SS_ALL = ("add_sheet append_rows clear_range copy_range copy_sheet copy_workbook create_workbook_file delete_columns "
          "delete_rows delete_sheet describe_table get_sheet_dimensions insert_columns insert_rows list_sheets list_workbooks "
          "read_cell read_range read_sheet rename_sheet search_sheet sql_execute sql_query write_cell write_range")
s = "spreadsheet"
j(s, "errors.crash", "sql_query", "TP", ["ss-9", "ss-c4"], "the never-ending recursive CTE got no answer in 10 s and the same "
  "session then did not answer tools/list either (error, not info: survived_hang false): the server is blocked by one "
  "slow call (ss-9, by hand via search_sheet); and sql_query has no statement time limit (ss-c4).")
j(s, "errors.expected-not-stated", "insert_rows", "FP", None, "FP: the pydantic dump says 'Input should be a valid list' for each item: the expected type is stated (the dump itself is ss-15).")
j(s, "errors.leak", SS_ALL, "TP", "ss-15", "pydantic dump with model name and library URL for a missing argument.", field="a validation-library dump")
for fld in ("column", "count", "row"):
    j(s, "errors.malformed-accepted", "delete_columns insert_columns delete_rows insert_rows", "TP", "ss-c1",
      f"string '12' accepted for integer {fld} and acted on (e.g. 'Deleted 12 columns'); not in the hand list.", field=fld)
# the warning-level count=-1 finding has the same (rule, tool, field) key as the '12' one above: score.py counts the key once.
j(s, "errors.no-retry-advice", SS_ALL, "TP", "ss-16", "no error says whether to retry.")
j(s, "errors.not-repairable", "copy_workbook create_workbook_file", "FP", None,
  "FP: the error names the missing argument (source/file); the repaired call was refused with 'File already exists' / "
  "'Destination already exists' because the sample call had created it (seen in a trace: every repair "
  "call reused the sample path), a correct refusal that names the cause.")
j(s, "idempotency.concurrent-duplicates", "append_rows insert_rows sql_execute", "TP", "ss-17", "the same append/insert made extra rows.")
j(s, "idempotency.repeat-duplicates", "append_rows insert_rows sql_execute", "TP", "ss-17", "an identical repeat made a second row.")
j(s, "idempotency.concurrent-duplicates", "add_sheet copy_sheet", "TP", "ss-c3", "each call made a new sheet WP1..WP9: a retry duplicates.")
j(s, "idempotency.repeat-duplicates", "add_sheet copy_sheet", "TP", "ss-c3", "a repeat made sheet 'WP1' / 'SalesCopy1'.")
j(s, "idempotency.concurrent-duplicates", "delete_rows delete_columns", "TP", "ss-c2", "a retried positional delete removes the next row/column.")
j(s, "idempotency.repeat-duplicates", "delete_rows delete_columns", "TP", "ss-c2", "a repeat deleted another row/column.")
j(s, "idempotency.concurrent-duplicates", "insert_columns", "TP", "ss-c5", "each call inserted a column.")
j(s, "idempotency.repeat-duplicates", "insert_columns", "TP", "ss-c5", "a repeat inserted another column.")
j(s, "output.list-without-paging", "read_sheet", "TP", "ss-7", "the whole sheet in one answer (1.1 MB by hand).")
j(s, "output.list-without-paging", "sql_query", "TP", "ss-8", "1,000 generated rows in one list; no LIMIT/cursor (3.5 MB by hand).")
j(s, "output.list-without-paging", "list_sheets", "FP", None, "FP: the sheet names of one workbook; small by nature, paging them would not help an agent.")
j(s, "output.over-budget", "sql_query", "TP", "ss-8", "54 KB answer to a generated query.")
j(s, "schema.no-annotations", SS_ALL, "TP", "ss-4", "no annotations at all.")
j(s, "schema.open-object", SS_ALL, "TP", "ss-5", "unknown argument ignored by hand.")
j(s, "schema.param-type", "write_cell", "TP", "ss-6", "value has no type at all.", field="value")
j(s, "schema.unbounded-array", "append_rows insert_rows write_range", "TP", "ss-6", "row arrays without maxItems (ss-6: the array schema gaps).")
j(s, "schema.unbounded-number", "delete_columns delete_rows insert_columns insert_rows", "TP", "ss-6", "count has no minimum; -1 accepted ('Deleted -1 columns').", field="count")
j(s, "schema.unbounded-string", SS_ALL, "TP", "ss-6", "no maxLength.")
j(s, "schema.write-not-idempotent", "append_rows insert_rows sql_execute", "TP", "ss-17", "a write that duplicates on repeat.")
j(s, "schema.write-not-idempotent", "add_sheet copy_sheet", "TP", "ss-c3", "a write that makes another sheet on repeat.")
j(s, "schema.write-not-idempotent", "delete_rows delete_columns", "TP", "ss-c2", "a positional delete: a repeat deletes more.")
j(s, "schema.write-not-idempotent", "insert_columns", "TP", "ss-c5", "a repeat inserts another column.")
j(s, "schema.write-not-idempotent", "delete_sheet", "TP", "ss-c3", "a retried delete fails 'Sheet not found' instead of repeating the first answer.")

KB_ALL = "add_tags append_file create_file delete list_files_by_tags read_file regex_replace remove_tags search"
s = "kb"
j(s, "errors.leak", KB_ALL, "TP", "kb-2", "pydantic dump for a missing argument.", field="a validation-library dump")
j(s, "errors.leak", "list_files_by_tags", "TP", "kb-3", "'TagMatchResult' object is not subscriptable: the crash on any match.", field="an interpreter message")
j(s, "errors.malformed-accepted", "search", "TP", "kb-c1", "string '12' accepted for integer limit; not in the hand list.", field="limit")
j(s, "idempotency.concurrent-duplicates", "append_file", "TP", "kb-7", "appends again.")
j(s, "idempotency.repeat-duplicates", "append_file", "TP", "kb-7", "appends twice.")
j(s, "errors.no-retry-advice", KB_ALL, "TP", "kb-12", "no error says whether to retry.")
j(s, "errors.not-repairable", "list_files_by_tags", "FP", None,
  "FP as stated: 'Field required ... tags' names the argument; all four repaired calls then failed on the kb-3 crash "
  "(seen in a trace, docs/corpus/trace.py), so the cause is kb-3 (already reported by errors.leak), not an unteaching error.")
j(s, "schema.no-annotations", KB_ALL + " documentation overview", "TP", "kb-10", "no annotations at all.")
j(s, "schema.open-object", KB_ALL + " documentation overview", "TP", "kb-11", "unknown argument ignored by hand.")
j(s, "schema.param-description", KB_ALL, "TP", "kb-10", "no parameter has a description.")
j(s, "schema.unbounded-array", "add_tags append_file create_file list_files_by_tags remove_tags", "TP", "kb-c2", "tags without maxItems; not in the hand list.")
j(s, "schema.unbounded-number", "search", "TP", "kb-10", "limit has no bounds (0 refused only at run time, 1,000,000 accepted).", field="limit")
j(s, "schema.unbounded-string", "add_tags append_file create_file delete read_file regex_replace remove_tags search", "TP", "kb-c2", "no maxLength; not in the hand list.")
j(s, "schema.write-not-idempotent", "append_file", "TP", "kb-7", "appends again on repeat.")
j(s, "schema.write-not-idempotent", "add_tags remove_tags", "TP", "kb-10",
  "a set merge/removal, idempotent by behaviour: the missing idempotentHint is the fix the rule asks for (kb-10), not a duplicate.")
j(s, "schema.write-not-idempotent", "search", "FP", None, "FP: search is a read; the fix is readOnlyHint, which schema.no-annotations already reports.")

TD_ALL = "task_create task_delete task_get task_list task_update"
s = "todo"
j(s, "errors.disguised-success", "task_update", "TP", "td-1", "'Error: Task with ID 1 not found' with isError false.")
j(s, "idempotency.concurrent-duplicates", "task_create", "TP", "td-6", "each create makes a task.")
j(s, "idempotency.repeat-duplicates", "task_create", "TP", "td-6", "a repeat made task 2.")
j(s, "output.over-budget", "task_list", "TP", "td-c1", "the 1 MB invalid orderby value is echoed whole in the error (the corpus judged the same on list_directory_with_sizes a TP).")
j(s, "protocol.unknown-tool-accepted", "", "TP", "td-3", "'Error: Unknown tool' with isError false.")
j(s, "errors.expected-not-stated", "task_create task_update task_list", "TP", "td-c2",
  "most rejections are of the nullable anyOf fields: 'is not valid under any of the given schemas' says nothing of what is expected.")
j(s, "errors.expected-not-stated", "task_get task_delete", "FP", None, "FP: the only field is id; \"'12' is not of type 'integer'\" states the expected type (the corpus's _EXPECTED_WORDS FP).")
j(s, "errors.field-not-named", TD_ALL, "TP", "td-c3", "jsonschema's messages do not name the argument.")
j(s, "errors.no-retry-advice", TD_ALL, "TP", "td-10", "no error says whether to retry.")
j(s, "errors.not-repairable", TD_ALL, "TP", "td-c3", "the rejections name neither the field nor, for anyOf fields, the type: a repair has to guess.")
j(s, "schema.no-annotations", TD_ALL, "TP", "td-7", "no annotations at all.")
j(s, "schema.open-object", TD_ALL, "TP", "td-8", "unknown argument ignored by hand.")
j(s, "schema.param-description", TD_ALL, "TP", "td-7", "no parameter has a description.")
j(s, "schema.unbounded-array", "task_create task_list task_update", "TP", "td-c4", "tags without maxItems; not in the hand list.")
j(s, "schema.unbounded-number", "task_list", "TP", "td-7", "limit has no minimum (-1, 0 accepted by hand).", field="limit")
j(s, "schema.unbounded-string", "task_create", "TP", "td-c4", "name without maxLength; not in the hand list (td-7 names the missing minLength).")
j(s, "schema.write-not-idempotent", "task_create", "TP", "td-6", "a create that duplicates.")

# ---- the run after the hold-out detections (branches effects and reach merged into main, 2026-12-02;
# ---- reports in out-after/, traces from TRACE=1 run.sh). Judged from the exact call and answer in each finding,
# ---- the trace of the calls before it, and the server's source. NB: these detections were built against this
# ---- hold-out's misses, so from here on the hold-out is tuned: its recall is no blind figure.
NOANN_READ = ("FP: a read (it lists/returns data and changes nothing); the fix is readOnlyHint, which schema.no-annotations "
              "already reports. Before the effects probe this was the info form ('all 11 identical calls gave one answer "
              "that is data'); the effects probe's own observer snapshots, taken after other tools' writes, now make the "
              "observers look moved to rules/schema.py _pure_evidence, so the warning came back.")
s = "spreadsheet"
j(s, "idempotency.read-only-escape", "sql_query", "TP", "ss-3",
  "'SELECT 1; COPY (SELECT ...) TO <checker temp file>' -> isError false [{\"Count\": 1}] and the file appeared: the "
  "'read-only' sql_query runs a stacked statement after its SELECT (ss-3's own evidence, by hand 'SELECT 1; COPY ... TO').")
j(s, "errors.no-op-acknowledged", "delete_rows", "TP", "ss-11",
  "delete_rows {row: 987654321, count: 1} -> isError false 'Deleted 1 rows starting at row 987654321', read_sheet and "
  "list_sheets unchanged: a delete past the last row reported as done (ss-11: row 500 on a 5-row sheet).")
j(s, "errors.no-op-acknowledged", "delete_columns", "TP", "ss-c6",
  "delete_columns {column: 987654321, count: 1} -> isError false 'Deleted 1 columns at column 987654321', observers "
  "unchanged: the same no-op success as ss-11 on the column twin (server.py delete_columns calls openpyxl "
  "delete_cols without a bound check); not in the hand list, which named delete_rows only.")
j(s, "errors.write-not-reflected", "rename_sheet", "TP", "ss-10",
  "rename_sheet {old_name: Other2, new_name: Sales} onto the existing sheet Sales -> isError false 'Sales'; list_sheets "
  "then shows 'Sales1': the answer names a sheet that was not stored (ss-10's own evidence).")
j(s, "errors.write-not-reflected", "write_cell", "TP", "ss-12",
  "write_cell {cell: D1, value: '007341'} -> 'Wrote to D1'; read_sheet then shows the number 7341: text that looks "
  "numeric stored as a number (ss-12: '007' read back as 7).")
j(s, "errors.not-repairable", "sql_execute", "FP", None,
  "FP: the rejection names the missing argument ('file Field required'); every repaired call was then refused "
  "\"Sheet 'Sales' has no headers at row 1\" because the checker's own earlier writes (hostile insert_rows/delete_rows "
  "row 0 and -1, accepted by the server, and the round-trip writes) had emptied the Sales sheet's first row (trace "
  "purposes hostile/repair, in that order): a correct refusal about the data, not an error that does not teach. "
  "In the run at 345c12d the same repairs succeeded ('affected_rows: 1').")
s = "kb"
j(s, "idempotency.delete-retry-refused", "delete", "TP", "kb-6",
  "delete {path: wp.md} -> 'Marked wp_DELETE_.md as deleted'; the identical retry -> isError true \"File 'wp.md' does "
  "not exist\": a retrying agent is told its delete failed (kb-6's own first half).")
j(s, "errors.write-not-reflected", "append_file", "FP",
  None, "FP: 'content was sent as 007; the observers now show 007007' is a correct append. The trace: create_file's "
  "round trip had just written wp.md with content '007', then append_file's round trip appended '007' to it. "
  "Cause: rules/effects.py _differences reads the appended copy of the digits as a numeric rename suffix (_SUFFIX).")
j(s, "schema.write-not-idempotent", "list_files_by_tags", "FP", None, NOANN_READ)
s = "todo"
j(s, "schema.write-not-idempotent", "task_list", "FP", None, NOANN_READ)
j(s, "errors.miss-answered-empty", "task_get", "TP", "td-2",
  "task_get {id: 987654321} -> isError false 'Task not found' (td-2's own evidence: a miss answered as a success).")
j(s, "errors.no-op-acknowledged", "task_update", "TP", "td-11",
  "task_update {id: 1} with no field to change -> isError false 'Task 1 updated successfully', task_list unchanged (td-11).")
j(s, "errors.write-not-reflected", "task_create", "TP", "td-4",
  "task_create {..., status: 'none'} -> 'Task created successfully'; task_list shows the new task with status 'active': "
  "the status sent is ignored (td-4).")
j(s, "errors.write-poisons-reads", "task_create", "TP", "td-5",
  "task_create {due_date: 'tomorrow'} -> created; the task_list observer then fails \"Error: time data 'tomorrow' does "
  "not match format '%Y-%m-%d'\" (td-5: one bad date breaks the list for everyone).")

ids = {s: {x["id"] for x in v} for s, v in D.items()}
for server, v in J.items():
    for f in v:
        ds = f["defect"] if isinstance(f["defect"], list) else [f["defect"]] if f["defect"] else []
        assert all(x in ids[server] for x in ds), (server, f)
out = {"about": "Hand judgments of the hold-out (docs/holdout/README.md); format of docs/corpus/judgments.json.",
       "checker": "/work/main/.venv/bin/wireproof (editable) at main db71afa, HEAD when the runs started (02:30 UTC)",
       "servers": {s: {"defects": D[s], "findings": J.get(s, [])} for s in D}}
print(json.dumps(out, indent=1, ensure_ascii=False))
