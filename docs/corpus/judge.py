"""Judgments of every warning/error finding of the base run (checker at 8f823ed), of the merged checker's run
(out-after/), of the recall run (out-recall/) and of the run after the hold-out detections (out-after-holdout/),
made by hand.
Builds judgments.json: python3 judge.py > judgments.json"""
import json
from defects import D

J = {}
def j(server, rule, tools, verdict, defect, reason, field=None):
    for tool in tools.split() or [None]:  # "" for a finding about the whole server (no tool)
        J.setdefault(server, []).append(dict(rule=rule, tool=tool, field=field, verdict=verdict, defect=defect, reason=reason))

NOANN_READ = ("the tool is a read; it 'may write' only because it has no annotations, which schema.no-annotations "
              "already reports. The advice (declare idempotentHint or take a key) is wrong for a read: the fix is readOnlyHint. "
              "Cause: rules/schema.py write_not_idempotent treats every tool without readOnlyHint as a write.")

# calculator
s = "calculator"
j(s, "errors.leak", "calculate", "TP", "calc-4", "pydantic dump for {} and for expression:12.", field="a validation-library dump")
j(s, "errors.no-retry-advice", "calculate", "TP", "calc-5", "no error says whether to retry.")
j(s, "schema.no-annotations", "calculate", "TP", "calc-3", "no annotations at all.")
j(s, "schema.open-object", "calculate", "TP", "calc-1", "unknown argument precision ignored by hand.")
j(s, "schema.param-description", "calculate", "TP", "calc-2", "expression has no description of its grammar.")
j(s, "schema.unbounded-string", "calculate", "TP", "calc-2", "no maxLength.")
j(s, "schema.write-not-idempotent", "calculate", "FP", None, "calculate is a pure computation. " + NOANN_READ)

# sequential thinking
s = "seqthinking"
j(s, "errors.malformed-accepted", "sequentialthinking", "TP", "st-2", "string '12' accepted for an integer (coerced).", field="thoughtNumber")
j(s, "errors.malformed-accepted", "sequentialthinking", "TP", "st-2", "string '12' accepted for an integer.", field="totalThoughts")
j(s, "errors.malformed-accepted", "sequentialthinking", "TP", "st-2", "string '12' accepted for an integer.", field="revisesThought")
j(s, "errors.malformed-accepted", "sequentialthinking", "TP", "st-2", "string '12' accepted for an integer.", field="branchFromThought")
j(s, "errors.malformed-accepted", "sequentialthinking", "TP", "st-3", "additionalProperties:false advertised, wireproof_unknown_argument accepted.", field="an unknown argument")
j(s, "errors.expected-not-stated", "sequentialthinking", "TP", "st-5", "'Invalid input at nextThoughtNeeded' for a missing field says nothing about what is expected.")
j(s, "errors.no-retry-advice", "sequentialthinking", "TP", "st-5", "no retry advice.")
j(s, "errors.valid-rejected", "sequentialthinking", "TP", "st-6", "the schema allows any string for isRevision/needsMoreThoughts ($ref to [boolean,string]); the server accepts only 'true'/'false'.")
j(s, "output.list-without-paging", "sequentialthinking", "FP", None,
  "FP: not a listing; the outputSchema's 'branches' is the list of branch ids of this session (a handful). Cause: rules/output.py _returns_list is true for any array property of outputSchema.")
j(s, "schema.unbounded-string", "sequentialthinking", "TP", "st-4", "thought and branchId unbounded.")

# sqlite
s = "sqlite"
j(s, "errors.disguised-success", "create_table describe_table read_query write_query", "TP", "sq-1", "'Error: ...'/'Database error: ...' with isError false.")
j(s, "idempotency.concurrent-duplicates", "write_query", "TP", "sq-5", "INSERT; the observer saw extra rows.")
j(s, "idempotency.repeat-duplicates", "write_query", "TP", "sq-5", "INSERT twice, two rows.")
j(s, "errors.expected-not-stated", "append_insight create_table describe_table read_query write_query", "FP", None,
  "FP: 'Input validation error: 12345 is not of type 'string'' does state what is expected (a string). Cause: rules/errors.py _EXPECTED_WORDS has no 'of type' / 'is not of type'.")
j(s, "errors.field-not-named", "append_insight create_table describe_table read_query write_query", "TP", "sq-11", "the type error does not name the argument.")
j(s, "errors.no-retry-advice", "append_insight create_table describe_table read_query write_query", "TP", "sq-10", "no retry advice.")
j(s, "schema.no-annotations", "append_insight create_table describe_table list_tables read_query write_query", "TP", "sq-2", "no annotations.")
j(s, "schema.open-object", "append_insight create_table describe_table list_tables read_query write_query", "TP", "sq-3", "unknown argument limit ignored by hand.")
j(s, "schema.unbounded-string", "append_insight create_table describe_table read_query write_query", "TP", "sq-4", "no maxLength.")
j(s, "schema.write-not-idempotent", "write_query", "TP", "sq-5", "a write, duplicates.")
j(s, "schema.write-not-idempotent", "append_insight", "TP", "sq-6", "a write, duplicates.")
j(s, "schema.write-not-idempotent", "create_table", "TP", "sq-2", "a write without any annotation (a repeat fails 'already exists', disguised as success).")
j(s, "schema.write-not-idempotent", "describe_table list_tables read_query", "FP", None, NOANN_READ)

# duckdb
s = "duckdb"
j(s, "errors.disguised-success", "query", "TP", "dk-1", "'Database error: ...' with isError false.")
j(s, "errors.leak", "query", "FP", None,
  "FP: the tool's input is raw SQL; DuckDB's parser error ('syntax error at or near ... LINE 1: ...') points into the caller's own query and is exactly what the agent needs to fix it. Cause: rules/errors.py _LEAKS 'a database error' matches 'syntax error at or near' in any tool. The failure itself is a TP of errors.disguised-success.",
  field="a database error")
j(s, "idempotency.concurrent-duplicates", "query", "TP", "dk-6", "INSERT concurrent, extra rows seen by the observer.")
j(s, "idempotency.repeat-duplicates", "query", "TP", "dk-6", "INSERT twice, two rows.")
j(s, "errors.expected-not-stated", "query", "FP", None, "FP: 'is not of type 'string'' states the expected type. Cause: _EXPECTED_WORDS.")
j(s, "errors.field-not-named", "query", "TP", "dk-9", "the type error does not name 'query'.")
j(s, "errors.no-retry-advice", "query", "TP", "dk-8", "no retry advice.")
j(s, "schema.no-annotations", "query", "TP", "dk-2", "no annotations.")
j(s, "schema.open-object", "query", "TP", "dk-3", "unknown argument ignored by hand.")
j(s, "schema.unbounded-string", "query", "TP", "dk-4", "no maxLength.")
j(s, "schema.vague-name", "query", "TP", "dk-10", "'query' alone does not say it runs any SQL on DuckDB.")
j(s, "schema.write-not-idempotent", "query", "TP", "dk-6", "it writes (INSERT) and duplicates.")

# alchemy
s = "alchemy"
j(s, "errors.disguised-success", "execute_query", "TP", "al-4", "SQL failure with isError false.")
j(s, "errors.leak", "execute_query filter_table_names schema_definitions", "TP", "al-5", "pydantic dump.", field="a validation-library dump")
j(s, "errors.leak", "execute_query", "TP", "al-4", "the raw SQLAlchemy exception: class (sqlite3.ProgrammingError), the SQL echo and the library's help URL, not a message about the query.", field="a database error")
j(s, "idempotency.concurrent-duplicates", "execute_query", "TP", "al-7", "INSERT concurrent, extra rows.")
j(s, "idempotency.repeat-duplicates", "execute_query", "TP", "al-7", "INSERT twice, two rows.")
j(s, "errors.no-retry-advice", "execute_query filter_table_names schema_definitions", "TP", "al-8", "no retry advice.")
j(s, "schema.no-annotations", "all_table_names execute_query filter_table_names schema_definitions", "TP", "al-1", "no annotations.")
j(s, "schema.open-object", "all_table_names execute_query filter_table_names schema_definitions", "TP", "al-2", "unknown argument ignored by hand.")
j(s, "schema.param-description", "execute_query filter_table_names schema_definitions", "TP", "al-3", "no descriptions.")
j(s, "schema.unbounded-array", "schema_definitions", "TP", "al-3", "no maxItems.")
j(s, "schema.unbounded-string", "execute_query filter_table_names", "TP", "al-3", "no maxLength.")
j(s, "schema.write-not-idempotent", "execute_query", "TP", "al-7", "it writes and duplicates.")
j(s, "schema.write-not-idempotent", "all_table_names filter_table_names schema_definitions", "FP", None, NOANN_READ)

# filesystem
s = "filesystem"
FS_ALL = "create_directory directory_tree edit_file get_file_info list_directory list_directory_with_sizes move_file read_file read_media_file read_multiple_files read_text_file search_files write_file"
j(s, "errors.malformed-accepted", FS_ALL, "TP", "fs-1", "additionalProperties:false advertised, wireproof_unknown_argument accepted.", field="an unknown argument")
j(s, "idempotency.concurrent-duplicates", "edit_file", "TP", "fs-6", "each call appends another y; the observer saw it.")
j(s, "idempotency.repeat-duplicates", "edit_file", "TP", "fs-6", "the repeat applied the edit again.")
j(s, "output.over-budget", "directory_tree search_files", "TP", "fs-4", "195 KB / 138 KB answers for 1500 files, no paging.")
j(s, "output.over-budget", "list_directory_with_sizes", "TP", "fs-8", "the 1 MB invalid enum value is echoed whole in the error text.")
j(s, "errors.no-retry-advice", "create_directory directory_tree edit_file get_file_info list_directory list_directory_with_sizes read_file read_media_file read_multiple_files read_text_file search_files write_file", "TP", "fs-3", "no retry advice.")
j(s, "output.list-without-paging", "read_media_file", "FP", None,
  "FP: the outputSchema array is the content blocks of the ONE file asked for, not a listing. Cause: rules/output.py _returns_list is true for any array property.")
j(s, "schema.open-object", "list_allowed_directories", "TP", "fs-1", "the empty schema has no additionalProperties:false.")
j(s, "schema.param-description", "create_directory directory_tree edit_file get_file_info list_directory list_directory_with_sizes move_file read_file read_media_file read_text_file search_files write_file", "TP", "fs-7", "no descriptions.")
j(s, "schema.unbounded-array", "directory_tree edit_file read_multiple_files search_files", "TP", "fs-7", "no maxItems.")
j(s, "schema.unbounded-string", "create_directory directory_tree edit_file get_file_info list_directory list_directory_with_sizes move_file read_file read_media_file read_text_file search_files write_file", "TP", "fs-7", "no maxLength.")
j(s, "schema.write-not-idempotent", "edit_file", "TP", "fs-6", "applies again on repeat.")
j(s, "schema.write-not-idempotent", "move_file", "TP", "fs-9", "a repeat fails instead of returning the first result.")

# mcp-sqlite (npm)
s = "mcp-sqlite-npm"
j(s, "errors.malformed-accepted", "create_record delete_records get_table_schema query read_records update_records", "TP", "ms-2", "additionalProperties:false advertised, unknown argument accepted.", field="an unknown argument")
j(s, "idempotency.concurrent-duplicates", "create_record", "TP", "ms-5", "insertedId grew; observer saw extra rows.")
j(s, "idempotency.repeat-duplicates", "create_record", "TP", "ms-5", "two rows.")
j(s, "errors.no-retry-advice", "create_record delete_records get_table_schema query read_records update_records", "TP", "ms-7", "no retry advice.")
j(s, "schema.no-annotations", "create_record db_info delete_records get_table_schema list_tables query read_records update_records", "TP", "ms-1", "no annotations.")
j(s, "schema.open-object", "db_info list_tables", "TP", "ms-2", "empty schemas without additionalProperties:false.")
j(s, "schema.param-description", "create_record delete_records get_table_schema query read_records update_records", "TP", "ms-8", "no descriptions.")
j(s, "schema.unbounded-array", "query", "TP", "ms-8", "values without maxItems.")
j(s, "schema.unbounded-string", "create_record delete_records get_table_schema query read_records update_records", "TP", "ms-8", "no maxLength.")
j(s, "schema.vague-name", "query", "TP", "ms-10", "'query' does not say it runs raw SQL.")
j(s, "schema.write-not-idempotent", "create_record", "TP", "ms-5", "duplicates.")
j(s, "schema.write-not-idempotent", "query", "TP", "ms-9", "runs writes without a key.")
j(s, "schema.write-not-idempotent", "update_records delete_records", "TP", "ms-1", "writes (idempotent in effect) that declare no idempotentHint: literally true; the fix is the annotation.")
j(s, "schema.write-not-idempotent", "db_info get_table_schema list_tables read_records", "FP", None, NOANN_READ)

# executeautomation database-server
s = "ea-database"
EA_Q = "alter_table create_table export_query read_query write_query"
j(s, "errors.malformed-accepted", "append_insight", "TP", "ea-1", "insight:12345 accepted (no validation).", field="insight")
j(s, "errors.malformed-accepted", "drop_table", "TP", ["ea-2", "ea-3"], "confirm:'yes' accepted and the table dropped; confirm missing answered isError false with success:false.", field="confirm")
j(s, "idempotency.concurrent-duplicates", "append_insight", "TP", "ea-7", "duplicates seen by list_insights.")
j(s, "idempotency.concurrent-duplicates", "write_query", "TP", "ea-6", "duplicates seen by read_query.")
j(s, "idempotency.repeat-duplicates", "append_insight", "TP", "ea-7", "two insights.")
j(s, "idempotency.repeat-duplicates", "write_query", "TP", "ea-6", "two rows.")
j(s, "errors.expected-not-stated", EA_Q + " describe_table", "TP", "ea-1", "'Cannot read properties of undefined (reading 'trim')' / table_name:12345 taken as a name: nothing says a string is expected.")
j(s, "errors.field-not-named", EA_Q + " describe_table", "TP", "ea-1", "the JavaScript TypeError does not name the argument (describe_table: 12345 -> \"Table '12345' does not exist\").")
j(s, "errors.no-retry-advice", EA_Q + " append_insight describe_table", "TP", "ea-9", "no retry advice.")
EA_ALL = "alter_table append_insight create_table describe_table drop_table export_query list_insights list_tables read_query write_query"
j(s, "schema.no-annotations", EA_ALL, "TP", "ea-4", "no annotations.")
j(s, "schema.open-object", EA_ALL, "TP", "ea-5", "unknown argument ignored by hand.")
j(s, "schema.param-description", "alter_table append_insight create_table describe_table drop_table export_query read_query write_query", "TP", "ea-10", "no descriptions.")
j(s, "schema.unbounded-string", "alter_table append_insight create_table describe_table drop_table export_query read_query write_query", "TP", "ea-10", "no maxLength.")
j(s, "schema.write-not-idempotent", "write_query", "TP", "ea-6", "duplicates.")
j(s, "schema.write-not-idempotent", "append_insight", "TP", "ea-7", "duplicates.")
j(s, "schema.write-not-idempotent", "alter_table create_table drop_table", "TP", "ea-4", "writes without annotations or key.")
j(s, "schema.write-not-idempotent", "describe_table export_query list_insights list_tables read_query", "FP", None, NOANN_READ)

# postgres
s = "postgres"
j(s, "errors.validation-as-protocol-error", "query", "TP", ["pg-3", "pg-4"], "sql:12345 -> JSON-RPC error -32603 'A query must have either text or a name': a protocol error, and the pg driver's words.")
j(s, "schema.no-annotations", "query", "TP", "pg-5", "no annotations although described read-only.")
j(s, "schema.open-object", "query", "TP", "pg-6", "unknown argument ignored by hand.")
j(s, "schema.param-description", "query", "TP", "pg-6", "sql undescribed.")
j(s, "schema.unbounded-string", "query", "TP", "pg-6", "no maxLength.")
j(s, "schema.vague-name", "query", "TP", "pg-9", "'query' alone.")
j(s, "schema.write-not-idempotent", "query", "FP", None, "described and meant as a read-only query; " + NOANN_READ + " (It can in fact write through 'COMMIT; ...' - pg-1 - but the checker never tried that; this finding is about keys, not about that escape.)")

# knowledge graph
s = "knowledge-graph"
j(s, "errors.malformed-accepted", "delete_entities", "TP", "kg-2", "{} and entityNames:'not-a-list' answered 'Entities deleted successfully'.", field="entityNames")
j(s, "errors.malformed-accepted", "delete_relations", "TP", "kg-2", "{} and relations:'not-a-list' answered success.", field="relations")
j(s, "errors.malformed-accepted", "open_nodes", "TP", "kg-2", "{} and names:'not-a-list' answered an empty graph.", field="names")
j(s, "errors.malformed-accepted", "search_nodes", "TP", "kg-2", "{} and query:12345 answered an empty graph.", field="query")
j(s, "errors.validation-as-protocol-error", "add_observations create_entities create_relations delete_observations update_entities update_relations", "TP", ["kg-1", "kg-2"], "JSON-RPC -32603 with a JavaScript TypeError ('Cannot read properties of undefined (reading 'filter')').")
KG_ALL = "add_observations create_entities create_relations delete_entities delete_observations delete_relations open_nodes read_graph search_nodes update_entities update_relations"
j(s, "schema.no-annotations", KG_ALL, "TP", "kg-3", "no annotations.")
j(s, "schema.open-object", KG_ALL, "TP", "kg-4", "unknown argument ignored by hand.")
j(s, "schema.param-description", "add_observations create_entities create_relations delete_observations update_entities update_relations", "TP", "kg-11", "top-level arrays undescribed.")
j(s, "schema.unbounded-array", "add_observations create_entities create_relations delete_entities delete_observations delete_relations open_nodes update_entities update_relations", "TP", "kg-8", "no maxItems.")
j(s, "schema.unbounded-string", "search_nodes", "TP", "kg-8", "no maxLength.")
j(s, "schema.write-not-idempotent", "update_entities", "TP", "kg-5", "each identical repeat bumps version.")
j(s, "schema.write-not-idempotent", "add_observations create_entities create_relations delete_entities delete_observations delete_relations update_relations", "TP", "kg-3", "writes without annotations (they deduplicate, so the fix is idempotentHint: true) - literally true.")
j(s, "schema.write-not-idempotent", "open_nodes read_graph search_nodes", "FP", None, NOANN_READ)

# findings that appear only in the runs without --config (out-noconfig)
j("alchemy", "errors.crash", "schema_definitions", "TP", "al-10", "8 concurrent calls with a missing table: no answer within 10 s; reproduced by hand.")
j("filesystem", "errors.expected-not-stated", "edit_file", "FP", None,
  "FP: the graded call broke only the unknown argument (which the server ignores); its rejection 'Could not find exact match for edit: example' is about the file's content (the placeholder file had been rewritten by the write probes), not about that argument. The first report's FP-3 again: the baseline succeeded earlier, but the state changed before the violation call.")
j("filesystem", "errors.field-not-named", "edit_file", "FP", None, "FP: the same call and cause as errors.expected-not-stated on edit_file.")

# ---- the merged checker's run (out-after/, main after issues 11/12): its new findings, judged by hand ----
# Evidence: the exact call and answer in out-after/*.json, the schema, the server's source, and hand calls with
# probe.py on fresh state (the endless-query and exponent calls each followed by a cheap call to see whether the
# server still answers).
HANG_FP = ("FP: not a hang of the server. The checker's query (WITH RECURSIVE ... with no end) never finishes on any "
           "database without a statement time limit; by hand the server answered the next call at once ({after}) - "
           "only the abandoned query runs on ({burn}). The rule's rationale ('no input may take the server down or "
           "hang it') does not hold. Cause: rules/errors.py crash reports every timeout of the expensive call as "
           "errors.crash without checking that the server still answers.")
WEDGED = "the server is wedged, not just slow: by hand the next cheap call ({after}) got no answer either"
s = "calculator"
j(s, "errors.crash", "calculate", "TP", "calc-9", "9**9**9**9 is computed with unbounded integers; " + WEDGED.format(after="2+3") + ".")
s = "sqlite"
j(s, "errors.crash", "write_query", "TP", "sq-13", "the endless recursive query runs in the event loop; " + WEDGED.format(after="read_query SELECT 1") + ".")
j(s, "errors.leak", "describe_table", "TP", "sq-12",
  "table_name is pasted into PRAGMA table_info(...) unquoted; the syntax error is about SQL the server built ('my table' fails the same way by hand).",
  field="a raw database message")
s = "duckdb"
j(s, "errors.crash", "query", "TP", "dk-11", "no statement time limit, no cancellation; " + WEDGED.format(after="SELECT 1") + ".")
s = "alchemy"
j(s, "errors.crash", "execute_query", "FP", None,
  HANG_FP.format(after="execute_query SELECT 1 -> '1 rows'", burn="in an abandoned worker thread at 85% CPU"))
j(s, "errors.leak", "execute_query", "TP", "al-4", "the raw SQLAlchemy exception ends with the library's help URL (sqlalche.me/e/20/cd3x).",
  field="a library's error page")
j(s, "errors.leak", "execute_query", "TP", "al-4", "the raw SQLAlchemy exception names the driver's class (sqlite3.ProgrammingError).",
  field="a database driver message")
j(s, "errors.leak", "execute_query", "FP", None,
  "FP (misnamed): '[SQL: INSERT INTO t (name) VALUES (?)]' is the caller's own statement (sent as VALUES (:n)) compiled by "
  "SQLAlchemy to the driver's placeholder style, not SQL of the server. The dump itself is al-4, reported by the error-level "
  "'a library's error page' finding of the same answer. Cause: rules/errors.py _LEAKS 'the server's own SQL' takes bind "
  "placeholders as proof that the server wrote the statement, which is false for a SQL tool that takes parameters.",
  field="the server's own SQL")
s = "filesystem"
j(s, "errors.no-retry-advice", "move_file", "TP", "fs-3", "no retry advice (as on the other 12 tools).")
FS_MOVE = ("the move had already been made by the writes probe (m.txt -> m2.txt), so every later move_file fails "
           "'Destination already exists' whatever the call broke")
j(s, "errors.expected-not-stated", "move_file", "FP", None,
  "FP: the graded call broke only the unknown argument (which the server strips); the rejection is about state: " + FS_MOVE +
  ". The first report's FP-3 class (the baseline succeeded earlier, the state changed before the violation call).")
j(s, "errors.field-not-named", "move_file", "FP", None, "FP: the same call and cause as errors.expected-not-stated on move_file.")
j(s, "errors.not-repairable", "move_file", "FP", None,
  "FP: the errors are repairable ('Invalid arguments for tool move_file: Required at source' names the argument and says it is "
  "required; the repairer did add source), but the repaired calls fail because " + FS_MOVE + ". Cause: the repair rate counts "
  "a repaired call that fails for another reason (state: 'already exists') as not repaired; it should count the repair as "
  "good when the new error no longer concerns the argument the first one named, or replay the repair on fresh state.")
s = "mcp-sqlite-npm"
j(s, "errors.crash", "query", "TP", "ms-12", "the endless query holds the one connection; " + WEDGED.format(after="query SELECT 1") + ".")
j(s, "errors.leak", "delete_records", "TP", "ms-6", "conditions:{} -> 'SQLITE_ERROR: incomplete input' about SQL the server built.",
  field="a database driver message")
j(s, "errors.leak", "create_record update_records", "TP", "ms-11", "data:{} -> a raw SQLite syntax error about the SQL the server built from the object.",
  field="a database driver message")
j(s, "errors.leak", "create_record update_records", "TP", "ms-11", "data:{} -> 'near \")\"' / 'near \"WHERE\"': syntax errors in SQL the caller never wrote.",
  field="a raw database message")
j(s, "errors.leak", "read_records", "TP", "ms-3",
  "limit:1.5 is schema-valid (limit is 'number', no integer type: ms-3), is pasted into LIMIT 1.5 and answered 'SQLITE_MISMATCH: datatype mismatch', "
  "which names neither limit nor that an integer is needed.", field="a database driver message")
SQL_TOOL_CODE = ("FP: the tool's input is raw SQL, and the answer is SQLite's own word on the caller's own statement ({what}); "
                 "SQLITE_{code} is SQLite's documented result code (sqlite3.h), which the node sqlite3 driver puts before "
                 "SQLite's message - not an internal of the server. Cause: rules/errors.py _LEAKS 'a database driver message' "
                 "matches \\bSQLITE_[A-Z]+\\b, and _DATABASE_KINDS (what a query tool's error may carry) lacks that kind.")
j(s, "errors.leak", "query", "FP", None,
  SQL_TOOL_CODE.format(what="values:[\"example\"] for a query with no placeholder -> 'column index out of range'", code="RANGE"),
  field="a database driver message")
s = "ea-database"
j(s, "errors.disguised-success", "drop_table", "TP", "ea-3", "confirm missing -> isError false, {\"success\": false, \"message\": \"Safety confirmation required...\"}.")
j(s, "errors.expected-not-stated", "drop_table", "TP", "ea-1", "table_name:12345 taken as a name ('Table '12345' does not exist'): nothing says a string is expected.")
j(s, "errors.field-not-named", "drop_table", "TP", "ea-1", "the same answer does not name table_name as the wrong argument.")
j(s, "errors.no-retry-advice", "drop_table", "TP", "ea-9", "no retry advice.")
j(s, "errors.leak", "alter_table read_query write_query create_table export_query", "TP", "ea-1",
  "{} reaches the code: 'Cannot read properties of undefined (reading 'trim')' is the JavaScript runtime's TypeError, not a message about the missing query (ea-1's own evidence).",
  field="an interpreter message")
j(s, "errors.leak", "alter_table", "FP", None,
  SQL_TOOL_CODE.format(what="the sample ALTER TABLE repeated -> 'duplicate column name: c2'", code="ERROR"), field="a database driver message")
j(s, "errors.leak", "create_table", "FP", None,
  SQL_TOOL_CODE.format(what="the sample CREATE TABLE repeated -> 'table wp_new already exists'", code="ERROR"), field="a database driver message")
j(s, "errors.not-repairable", "alter_table create_table read_query write_query", "TP", "ea-1",
  "{} -> the TypeError names no argument and states nothing to send: no agent can repair from it.")
j(s, "errors.not-repairable", "drop_table", "TP", "ea-1",
  "table_name:12345 -> 'Table '12345' does not exist': neither the argument nor its type is said; only 'Table name is required' was repairable.")
s = "postgres"
j(s, "errors.crash", "query", "FP", None,
  HANG_FP.format(after="query SELECT 1 -> [{one: 1}]", burn="in the PostgreSQL backend, still active 41 s after the client and the server had gone"))
j(s, "idempotency.read-only-escape", "query", "TP", "pg-1", "COMMIT; CREATE TABLE ... ran: the table exists afterwards, the read-only transaction was escaped.")
j(s, "protocol.invalid-result", "query", "TP", "pg-2", "the multi-statement answer has a text content item without text; the official client refuses it.")
j(s, "errors.failure-as-protocol-error", "query", "TP", "pg-3", "SQL failures (relation does not exist) come back as JSON-RPC -32603, not isError results.")
j(s, "errors.not-repairable", "query", "TP", "pg-4", "sql:12345 -> the pg driver's 'A query must have either text or a name': names neither sql nor a string.")
s = "knowledge-graph"
j(s, "errors.failure-as-protocol-error", "update_entities update_relations", "TP", "kg-1",
  "'Entity with name wp-entity not found' / 'Relation not found' for schema-valid calls come back as JSON-RPC -32603 (the entity had been deleted by earlier probes; the channel is the defect).")
j(s, "errors.failure-as-protocol-error", "search_nodes", "TP", ["kg-1", "kg-12"],
  "schema-valid searches fail with a TypeError as JSON-RPC -32603: an entity saved without entityType by an earlier invalid call poisons every later search (reproduced by hand).")
j(s, "errors.failure-as-protocol-error", "add_observations delete_observations", "FP", None,
  "FP (misnamed): the one call counted as schema-valid is the expensive probe, an array nested 100 deep, whose items are "
  "arrays where the schema requires objects {entityName, contents} / {entityName, observations}: an invalid call, already "
  "reported for these tools by errors.validation-as-protocol-error (TP, kg-1/kg-2). Cause: generate.py expensive_case's "
  "deep-nesting value ignores the items schema, and the rule takes every expensive call as schema-valid; fix: check the call "
  "against the input schema before counting it (or nest inside an item of the right type).")
j(s, "errors.validation-as-protocol-error", "delete_entities delete_relations open_nodes search_nodes", "TP", ["kg-1", "kg-2"],
  "{} -> JSON-RPC -32603 with a JavaScript TypeError ('Cannot read properties of undefined (reading 'includes')').")
KG_TOOLS10 = "add_observations create_entities create_relations delete_entities delete_observations delete_relations open_nodes search_nodes update_entities update_relations"
j(s, "errors.leak", KG_TOOLS10, "TP", "kg-2",
  "{} -> 'Cannot read properties of undefined (reading 'filter'/'map'/...)': the runtime's TypeError passed through, naming the code's method, not the missing argument (kg-2's own evidence).",
  field="an interpreter message")
j(s, "errors.not-repairable", KG_TOOLS10, "TP", "kg-2", "the TypeErrors name no argument and nothing to send: no agent can repair from them.")

# ---- the recall run (out-recall/, branch recall: the detections for the false negatives), its new findings ----
# Evidence: the exact call and answer in out-recall/*.json (every finding names them), the schema, and the server's
# source. A finding is matched to a hand-found defect only when its call and answer show that defect.
GREW = "as an observer, its list grew with the writes (the finding's evidence: the list's length before and after) and the tool takes no limit or cursor"
LONG = "the checker's read of 1,000 generated rows (WITH RECURSIVE ... WHERE n < 1000) came back as 1,000 items in one answer; the tool takes no limit, cursor or row cap"
s = "sqlite"
j(s, "protocol.unknown-tool-accepted", "", "TP", "sq-9", "wireproof_no_such_tool {} -> isError false, 'Error: Missing arguments' (server.py handle_call_tool turns every exception into a text result), sq-9's own evidence.")
j(s, "errors.miss-answered-empty", "describe_table", "TP", "sq-8", "describe_table {table_name: wireproof_does_not_exist_7f3a} -> isError false, '[]': PRAGMA table_info of a missing table is empty, answered as if the table had no columns (sq-8).")
j(s, "output.list-without-paging", "read_query", "TP", "sq-7", "read_query 'SELECT * FROM t': " + GREW + "; the answer is the Python repr of every row (sq-7).")
j(s, "output.list-without-paging", "list_tables", "TP", "sq-14", "list_tables: " + GREW + "; every table name in one answer.")
s = "duckdb"
j(s, "protocol.unknown-tool-accepted", "", "TP", "dk-12", "wireproof_no_such_tool {} -> isError false, 'Error: Missing arguments' (server.py line 136; an unknown name with arguments -> 'Error: Unknown tool', isError false).")
j(s, "errors.leak", "query", "TP", "dk-7", "query {query: ''} -> isError false, \"Error: 'NoneType' object has no attribute 'fetchall'\": execute('') returns None and the AttributeError is passed through (dk-7's own evidence).", field="an interpreter message")
j(s, "output.list-without-paging", "query", "TP", "dk-5", "query: " + LONG + ", as the repr [(1,), (2,), ...] (dk-5).")
s = "alchemy"
j(s, "errors.expected-not-stated", "schema_definitions", "TP", "al-6", "schema_definitions {table_names: ['t', 'wireproof_does_not_exist_7f3a']} -> isError true, 'Error executing tool schema_definitions' and nothing else (al-6's own answer).")
j(s, "output.truncated-without-cursor", "execute_query", "TP", "al-9", "execute_query on 1,000 generated rows -> '... Result: showing first 248 rows (output truncated)'; the tool takes query and params only, no way to read row 249 (al-9).")
s = "filesystem"
j(s, "errors.disguised-success", "read_multiple_files", "TP", "fs-5", "read_multiple_files {paths: [a.txt, wireproof_does_not_exist_7f3a]} -> isError false, '...wireproof_does_not_exist_7f3a: Error - ENOENT: no such file or directory' (fs-5).")
for tool in ("read_file", "read_text_file"):
    for fld in ("head", "tail"):
        j(s, "errors.malformed-accepted", tool, "TP", "fs-2", f"{tool} {{path: a.txt, {fld}: -1}} -> isError false, content '': a negative line count is run, not refused (fs-2).", field=fld)
        j(s, "schema.unbounded-number", tool, "TP", "fs-2", f"{fld} is {{type: number}} with no minimum and no integer type (fs-2; read_file is the deprecated alias of read_text_file, the same schema).", field=fld)
s = "seqthinking"
j(s, "idempotency.read-only-keeps-state", "sequentialthinking", "TP", "st-1", "annotated readOnlyHint/idempotentHint, but the identical call twice in a row -> thoughtHistoryLength 1, then 2 (st-1).")
s = "mcp-sqlite-npm"
j(s, "errors.malformed-accepted", "read_records", "TP", "ms-3", "read_records {table: t, limit: -1} -> every row (SQLite's LIMIT -1), isError false (ms-3).", field="limit")
j(s, "errors.malformed-accepted", "read_records", "TP", "ms-3", "read_records {table: t, offset: -1} -> every row, isError false: a negative offset is run (SQLite treats it as 0), not refused (ms-3: no minimum).", field="offset")
j(s, "schema.unbounded-number", "read_records", "TP", "ms-3", "limit is {type: number}: no minimum, no maximum, not integer (ms-3).", field="limit")
j(s, "schema.unbounded-number", "read_records", "TP", "ms-3", "offset is {type: number}: no minimum, not integer (ms-3).", field="offset")
j(s, "output.list-without-paging", "query", "TP", "ms-4", "query: " + LONG + " (ms-4).")
s = "ea-database"
j(s, "output.list-without-paging", "read_query", "TP", "ea-8", "read_query 'SELECT * FROM t': " + GREW + " (ea-8).")
j(s, "output.list-without-paging", "list_insights", "TP", "ea-8", "list_insights: " + GREW + " (append_insight adds one; ea-8 names list_insights).")
s = "postgres"
j(s, "output.list-without-paging", "query", "TP", "pg-7", "query: " + LONG + " as JSON objects (pg-7).")
s = "knowledge-graph"
j(s, "output.list-without-paging", "read_graph", "TP", "kg-7", "read_graph: " + GREW + "; the whole graph in one answer (kg-7).")

# ---- the run after the hold-out detections (branches effects and reach merged into main, 2026-12-02;
# ---- out-after-holdout/): its new warning/error findings, judged from the finding's call and answer and the trace ----
s = "ea-database"
j(s, "idempotency.delete-retry-refused", "drop_table", "TP", "ea-11",
  "drop_table {table_name: wp_t, confirm: true} -> 'dropped successfully'; the identical retry -> isError true \"Error "
  "dropping table: Table 'wp_t' does not exist\" (trace: write-first, then write-repeat): the move_file shape (fs-9) "
  "on a delete; the rule's advice (answer the retry as already deleted) fits.")
s = "filesystem"
FS_PUBLIC = ("FP: the path is the caller's own allowed directory, which the user gave on the server's command line and the "
             "server publishes to every caller (list_allowed_directories; its tools ask for paths inside it, absolute ones "
             "included), so naming it tells the caller nothing hidden; and Node's 'ENOENT: no such file or directory, "
             "open <path>' names the cause and the resolved path, which an agent can act on (the hand review saw these "
             "errors, fs-3's evidence, and judged only the missing retry advice). Cause: rules/errors.py leak "
             "(the OS-error and absolute-path kinds) does not look at whether the folder is the one the server announces.")
j(s, "errors.leak", "create_directory directory_tree get_file_info list_directory list_directory_with_sizes read_file "
  "read_media_file read_multiple_files read_text_file search_files", "FP", None, FS_PUBLIC, field="an OS error string with a path")
j(s, "errors.leak", "get_file_info read_file read_media_file read_text_file", "FP", None, FS_PUBLIC)
j(s, "errors.leak", "write_file", "TP", "fs-10",
  "write_file {path: '', content: wp} -> \"EISDIR: illegal operation on a directory, rename "
  "'/tmp/wireproof-corpus/state/fs.<hex>.tmp' -> '/tmp/wireproof-corpus/state/fs'\": the raw error names the server's own "
  "temp file, which it wrote beside the allowed directory, outside it (the hold-out's ss-14 shape: an internal temp name).",
  field="an OS error string with a path")
OLD_PROTOCOL = ("FP: the server negotiates protocol 2024-11-05, which has neither outputSchema nor structuredContent "
                "(both came with 2025-06-18), so JSON in a text block is the only way it can answer and the advice "
                "('declare an outputSchema and return structuredContent') cannot be followed at the protocol it speaks. "
                "Cause: rules/output.py json_in_text does not look at the negotiated protocol version; below 2025-06-18 "
                "it should be silent (or say 'upgrade the SDK/protocol', which is another finding).")
s = "ea-database"
j(s, "output.json-in-text", "describe_table export_query list_insights list_tables read_query", "FP", None, OLD_PROTOCOL)
s = "postgres"
j(s, "output.json-in-text", "query", "FP", None, OLD_PROTOCOL)
s = "mcp-sqlite-npm"
j(s, "output.json-in-text", "get_table_schema query read_records", "TP", "ms-13",
  "protocol 2025-11-25, no outputSchema: rows and column lists come back as a JSON array in a text block only "
  "(read_records 13 rows, 721 bytes), no structuredContent (the hold-out's ss-18/td-9 shape).")
# main 6bbedb9 (branch precision merged, 06:00): one new key
s = "filesystem"
j(s, "output.json-in-text", "directory_tree", "TP", "fs-11",
  "directory_tree {path: .../sub} -> structuredContent {content: '<the JSON tree as a string>'}: the tree is JSON text "
  "wrapped in a string field, so a client reading structuredContent must re-parse it (1,500 entries here).")
# the knowledge graph's memory.jsonl is corrupted by the concurrent probe in some runs only (kg-10: a race in the
# server's unlocked rewrite of the file; seen in out-base/ and in 1 of 7 runs on 2026-12-02); from then on every call fails
s = "knowledge-graph"
j(s, "errors.failure-as-protocol-error", "create_entities create_relations delete_entities delete_relations open_nodes read_graph", "TP", ["kg-1", "kg-10"],
  "in a run where the concurrent create_relations calls left memory.jsonl unparseable (kg-10), every later schema-valid "
  "call fails 'Unexpected non-whitespace character after JSON at position 128' as JSON-RPC -32603, not as an isError "
  "result (kg-1): both true; the finding does not say the store broke.")

# the run on main d22cf49 (2026-12-02, session 3: errprobe's edge probes, the timing bookkeeping, the safe ../ value)
UNKNOWN_TOOL = ("checker-found, not in the hand list: tools/call of a tool that is not listed is answered as an isError "
                "tool result; every spec revision lists an unknown tool among the JSON-RPC errors (-32602). Judged as "
                "docs/holdout2 and docs/holdout3 judged it.")
for s in ("alchemy", "calculator", "ea-database", "filesystem", "mcp-sqlite-npm", "seqthinking"):
    j(s, "protocol.unknown-tool-as-result", "", "TP", None, UNKNOWN_TOOL)
j("calculator", "errors.leak", "calculate", "TP", None,
  "checker-found: '1/0' answers the raw Python exception text 'Error executing tool calculate: division by zero'.",
  field="an interpreter message")

KG_ITEMS = ("the items declare properties but not additionalProperties: false; a misspelt member of an item is "
            "dropped silently (zod strips unknown keys).")
# the run on main fc074c7 (2026-12-02, session 4): open objects nested in parameters are linted
j("knowledge-graph", "schema.open-object", "add_observations", "TP", "kg-4", KG_ITEMS, field="observations[]")
j("knowledge-graph", "schema.open-object", "create_entities update_entities", "TP", "kg-4", KG_ITEMS, field="entities[]")
j("knowledge-graph", "schema.open-object", "create_relations delete_relations update_relations", "TP", "kg-4", KG_ITEMS,
  field="relations[]")
j("knowledge-graph", "schema.open-object", "delete_observations", "TP", "kg-4", KG_ITEMS, field="deletions[]")

# the run on main of 2026-12-03 (session 5): the multi-statement edge probe
j("mcp-sqlite-npm", "errors.statement-dropped", "query", "TP", None,
  "checker-found: query {sql: \"SELECT 'wireproof_first_7f3a' AS wireproof_first; SELECT 'wireproof_second_7f3a' AS "
  "wireproof_second\"} -> isError false, [{wireproof_first: 'wireproof_first_7f3a'}] only: the server runs SQL with "
  "node-sqlite3's db.all (mcp-sqlite-server.js:24), which runs the first statement and drops the rest without a word.")

# the run on main of 2026-12-03 (session 6): the empty-statement edge probe
EMPTY = ("checker-found: an empty statement ({arg}: '') answered isError false, {answer}: an agent whose query came out "
         "empty is told it ran (refuse it: minLength 1, or an error saying the statement is empty).")
j("alchemy", "errors.empty-statement-accepted", "execute_query", "TP", None,
  EMPTY.format(arg="query", answer="'Success: -1 rows affected'"))
j("postgres", "errors.empty-statement-accepted", "query", "TP", None,
  EMPTY.format(arg="sql", answer="'[]', the answer of a read that matched nothing"))
j("sqlite", "errors.empty-statement-accepted", "write_query", "TP", None,
  EMPTY.format(arg="query", answer="'[]'"))

# the run on main of 2026-12-03 (session 7): idempotency.retry-refused, and the state-moved baseline (AFP-4 fixed:
# errors.expected-not-stated, errors.field-not-named, errors.not-repairable on move_file are gone; so is
# errors.not-repairable on ea-database drop_table, a TP of ea-1 whose other keys still find it)
RETRY = ("a retried create refused because its own first call's effect is there ({said}): the agent that did not see "
         "the first answer is told its write failed; the defect the schema.write-not-idempotent key of the same tool "
         "names ({defect}).")
j("filesystem", "idempotency.retry-refused", "move_file", "TP", "fs-9",
  RETRY.format(said="'Destination already exists'", defect="fs-9"))
j("sqlite", "idempotency.retry-refused", "create_table", "TP", "sq-2",
  RETRY.format(said="'Database error: table wp_t already exists', isError false", defect="sq-2"))
j("ea-database", "idempotency.retry-refused", "alter_table create_table", "TP", "ea-4",
  RETRY.format(said="'SQLITE_ERROR: duplicate column name: c2', 'table wp_new already exists'", defect="ea-4"))

# session 8 (2026-12-03): auth.writes-without-credential, one finding a server (tool null). Judged TP where the
# server ran writes named for one with no credential given: the defects sq-15, fs-12, kg-13, ms-14, ea-12 (found_by
# checker). The first run of the rule also named calculator's calculate, alchemy's all_table_names/execute_query and
# the query tools of duckdb and postgres: writes only for want of readOnlyHint (postgres runs every query read-only):
# FPs, fixed before this run by counting only tools named for a write (tests/check/test_rules_unauthenticated.py).
NOAUTH_J = "the writes probe's first call of {tools} ran with no credential in the environment: {defect}."
for server, ident, tools in [
    ("sqlite", "sq-15", "write_query, create_table, append_insight"),
    ("filesystem", "fs-12", "write_file, edit_file, move_file, create_directory"),
    ("knowledge-graph", "kg-13", "delete_entities, create_entities and the other writes"),
    ("mcp-sqlite-npm", "ms-14", "delete_records, update_records, create_record"),
    ("ea-database", "ea-12", "drop_table, alter_table, create_table"),
]:
    j(server, "auth.writes-without-credential", "", "TP", ident, NOAUTH_J.format(tools=tools, defect=ident))

j("filesystem", "output.over-budget", "read_file", "TP", "fs-13",
  "session 8: the growth probe wrote ~105 KB to w.txt through write_file and read it back by the same path: "
  "read_file answered 210,850 bytes, nothing bounds a read: fs-13 (checker-found).")

out = {
    "about": "Hand judgments for the wireproof check corpus (docs/third-party.md, 'Corpus of 2026-12-01'). "
    "defects: found by hand before the checker ran (found_by 'hand'), or first seen in a finding and confirmed by hand "
    "(found_by 'checker', never counted for recall). findings: one per (rule, tool, field) of a warning/error finding; "
    "field is what the message names (parameter, broken argument, leak kind) or null; see score.py field_of.",
    "checker_commit": "8f823ed",
    "servers": {},
}
for server, defects in D.items():
    for d in defects:
        d.setdefault("found_by", "hand")
    out["servers"][server] = {"defects": defects, "findings": J.get(server, [])}
ids = {server: {d["id"] for d in v["defects"]} for server, v in out["servers"].items()}
for server, v in out["servers"].items():
    for f in v["findings"]:
        ds = f["defect"] if isinstance(f["defect"], list) else [f["defect"]] if f["defect"] else []
        assert all(x in ids[server] for x in ds), (server, f)
print(json.dumps(out, indent=1, ensure_ascii=False))
