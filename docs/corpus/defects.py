"""Hand-found defects (written BEFORE the checker ran). Emitted into judgments.json by build_judgments.py."""
D = {}
def d(server, id, category, tool, description, evidence):
    D.setdefault(server, []).append(dict(id=id, category=category, tool=tool, description=description, evidence=evidence))

# ---- mcp-server-calculator 0.2.1 (PyPI, mcp 1.x FastMCP) ----
s = "calculator"
d(s, "calc-1", "schema", "calculate", "Unknown arguments silently ignored (no additionalProperties:false).",
  'calculate {"expression":"2+2","precision":3} -> isError false, "4"')
d(s, "calc-2", "schema", "calculate", "expression is a bare string: no maxLength, pattern or description of the accepted grammar.",
  'inputSchema expression = {"type":"string"}')
d(s, "calc-3", "schema", "calculate", "No annotations: a pure computation is not marked readOnlyHint/idempotentHint, so clients must treat it as a write.",
  "tools/list: no annotations")
d(s, "calc-4", "errors", "calculate", "Validation errors are raw pydantic dumps with the internal model name and library URL.",
  'calculate {} -> "Error executing tool calculate: 1 validation error for calculateArguments ... https://errors.pydantic.dev/2.14/v/missing"')
d(s, "calc-5", "errors", "calculate", "No error says whether to retry; no machine-readable error type.",
  'calculate {"expression":"1/0"} -> "Error executing tool calculate: division by zero"')
d(s, "calc-6", "errors", "calculate", "Unsupported input answered with a Python AST dump (internals), not what is supported.",
  "calculate {\"expression\":\"'a'<'b'\"} -> \"Unsupported operation: Compare(left=Constant(value='a'), ops=[Lt()], comparators=[Constant(value='b')])\"")
d(s, "calc-7", "errors", "calculate", "Syntax errors do not name the field nor say what is expected.",
  'calculate {"expression":"2+"} -> "Error executing tool calculate: invalid syntax (<unknown>, line 1)"')
d(s, "calc-8", "output", "calculate", "Output size unbounded: string repetition returns 200 KB in one answer.",
  "calculate {\"expression\":\"'x'*200000\"} -> isError false, 200000 characters")

# ---- mcp-server-sqlite 2025.4.25 (PyPI, mcp 1.x low-level Server) ----
s = "sqlite"
d(s, "sq-1", "errors", "*", "Every failure is answered with isError:false (\"Error: ...\"/\"Database error: ...\") - failures disguised as success.",
  'read_query {"query":"SELECT * FROM nosuch"} -> isError false, "Database error: no such table: nosuch"; read_query {"query":"DELETE FROM t"} -> isError false, "Error: Only SELECT queries are allowed for read_query"')
d(s, "sq-2", "schema", "*", "No annotations at all: read_query, list_tables, describe_table are not readOnlyHint; writes have no idempotent/destructive hints.",
  "tools/list: no annotations")
d(s, "sq-3", "schema", "*", "Unknown arguments silently ignored (no additionalProperties:false).",
  'read_query {"query":"SELECT 1","limit":1} -> isError false')
d(s, "sq-4", "schema", "*", "query/table_name/insight are bare strings without maxLength or pattern.",
  'inputSchema query = {"type":"string","description":"SELECT SQL query to execute"}')
d(s, "sq-5", "idempotency", "write_query", "INSERT twice makes two rows; no idempotency key, not annotated.",
  "write_query INSERT INTO t (name) VALUES ('a') twice -> affected_rows 1 twice; SELECT shows ids 1 and 2")
d(s, "sq-6", "idempotency", "append_insight", "The same insight twice is appended twice; no key.",
  'append_insight {"insight":"x"} twice -> "Insight added to memo" twice')
d(s, "sq-7", "output", "read_query", "No limit or paging: a SELECT returns every row, as a Python repr string, unstructured.",
  "read_query SELECT * FROM t -> \"[{'id': 1, 'name': 'a'}, ...]\" (no limit parameter, no structuredContent)")
d(s, "sq-8", "errors", "describe_table", "A missing table is answered with an empty success, not a not-found error.",
  'describe_table {"table_name":"nosuch"} -> isError false, "[]"')
d(s, "sq-9", "protocol", "(unknown tool)", "An unknown tool name is answered with isError:false \"Error: Missing arguments\" instead of an error.",
  'tools/call nosuchtool {} -> isError false, "Error: Missing arguments"')
d(s, "sq-10", "errors", "*", "No error says whether to retry.", 'read_query {} -> "Input validation error: \'query\' is a required property"')

# ---- mcp-server-duckdb 1.1.0 (PyPI, mcp 1.x low-level Server) ----
s = "duckdb"
d(s, "dk-1", "errors", "query", "Failures answered with isError:false (\"Database error: ...\", \"Error: ...\").",
  'query {"query":"SELECT * FROM nosuch"} -> isError false, "Database error: Catalog Error: Table with name nosuch does not exist!..."')
d(s, "dk-2", "schema", "query", "No annotations (one tool does reads and writes; no readOnlyHint/destructiveHint).", "tools/list: no annotations")
d(s, "dk-3", "schema", "query", "Unknown arguments silently ignored.", 'query {"query":"SELECT 1","limit":1} -> isError false')
d(s, "dk-4", "schema", "query", "query is a bare string without maxLength.", 'inputSchema query = {"type":"string"}')
d(s, "dk-5", "output", "query", "No limit or paging; SELECT * FROM range(100000) returns every row (about 1 MB) as a Python repr.",
  'query {"query":"SELECT * FROM range(100000)"} -> isError false, "[(0,), (1,), ..." ')
d(s, "dk-6", "idempotency", "query", "INSERT twice makes two rows; no key.", "query INSERT INTO t VALUES (1,'a') twice -> two rows")
d(s, "dk-7", "errors", "query", "Empty query answered with a Python internal error.",
  'query {"query":""} -> isError false, "Error: \'NoneType\' object has no attribute \'fetchall\'"')
d(s, "dk-8", "errors", "query", "No error says whether to retry.", 'query {} -> "Input validation error: \'query\' is a required property"')

# ---- mcp-alchemy 2026.10.15 (PyPI, mcp 2.x MCPServer) ----
s = "alchemy"
d(s, "al-1", "schema", "*", "No annotations: all_table_names, filter_table_names, schema_definitions are reads but not readOnlyHint.", "tools/list: no annotations")
d(s, "al-2", "schema", "*", "Unknown arguments silently ignored.", 'execute_query {"query":"SELECT 1","limit":1} -> isError false')
d(s, "al-3", "schema", "*", "Strings and arrays unbounded; parameters q, query, params, table_names undescribed.", "inputSchema q = {\"title\":\"Q\",\"type\":\"string\"}")
d(s, "al-4", "errors", "execute_query", "SQL failures answered with isError:false and the raw SQLAlchemy exception (class names, SQL, library URL).",
  'execute_query {"query":"SELECT * FROM nosuch"} -> isError false, "Error: (sqlite3.OperationalError) no such table: nosuch\\n[SQL: ...]\\n(Background on this error at: https://sqlalche.me/e/20/e3q8)"')
d(s, "al-5", "errors", "*", "Validation errors are raw pydantic dumps.", 'execute_query {} -> "1 validation error for execute_queryArguments ... errors.pydantic.dev"')
d(s, "al-6", "errors", "schema_definitions", "A missing table gives a bare error with no message at all.",
  'schema_definitions {"table_names":["nosuch"]} -> isError true, "Error executing tool schema_definitions"')
d(s, "al-7", "idempotency", "execute_query", "INSERT twice makes two rows; no key.", 'execute_query INSERT ... params {"n":"a"} twice -> "Success: 1 rows affected" twice')
d(s, "al-8", "errors", "*", "No error says whether to retry.", "every error text")
d(s, "al-9", "output", "execute_query", "No limit/cursor: results are cut at 4000 characters (said so in the text: 'output truncated'), no way to get the next page.",
  "execute_query on 5000 rows -> 'Result: showing first N rows (output truncated)'")

# ---- @modelcontextprotocol/server-filesystem 2026.8.31 (npm, TypeScript SDK) ----
s = "filesystem"
d(s, "fs-1", "schema", "*", "additionalProperties:false is advertised but unknown arguments are accepted (zod strips them): the schema is not the contract.",
  'read_text_file {"path":".../a.txt","foo":1} -> isError false, "hello"')
d(s, "fs-2", "schema", "read_text_file", "head/tail are 'number' with no minimum and no integer type; head:-1 returns an empty success, head:1.5 is accepted.",
  'read_text_file {"path":".../a.txt","head":-1} -> isError false, ""')
d(s, "fs-3", "errors", "*", "No error says whether to retry.", 'read_text_file nosuch -> "ENOENT: no such file or directory, open ..."')
d(s, "fs-4", "output", "list_directory", "Listings have no limit or paging: 1500 entries come back whole (also directory_tree, search_files, list_directory_with_sizes).",
  "list_directory sub (1500 files) -> 1500 lines in one answer; directory_tree the whole tree as JSON")
d(s, "fs-5", "errors", "read_multiple_files", "A partial failure is answered isError:false with the error buried in the text.",
  'read_multiple_files ["a.txt","nosuch"] -> isError false, "...nosuch: Error - ENOENT..."')
d(s, "fs-6", "idempotency", "edit_file", "edit_file repeated applies the edit again (x -> xy -> xyy); no key (it is annotated idempotentHint:false, truthfully).",
  'edit_file edits [{"oldText":"x","newText":"xy"}] twice -> two diffs, file now "xyy"')
d(s, "fs-7", "schema", "*", "Parameters path, content, source, destination, excludePatterns undescribed; strings unbounded.", "inputSchema path = {\"type\":\"string\"}")

# ---- @modelcontextprotocol/server-sequential-thinking 2026.8.31 (npm, TypeScript SDK) ----
s = "seqthinking"
d(s, "st-1", "idempotency", "sequentialthinking", "Annotated readOnlyHint:true and idempotentHint:true, but every call appends to the in-memory history: an identical repeat changes thoughtHistoryLength 1 -> 2.",
  'sequentialthinking {"thought":"a","nextThoughtNeeded":true,"thoughtNumber":1,"totalThoughts":3} twice -> thoughtHistoryLength 1 then 2')
d(s, "st-2", "errors", "sequentialthinking", "A string where the schema says integer is accepted (coerced).",
  'thoughtNumber:"2" -> isError false, thoughtNumber 2')
d(s, "st-3", "schema", "sequentialthinking", "additionalProperties:false advertised, unknown argument accepted.", '{"...","extra":1} -> isError false')
d(s, "st-4", "schema", "sequentialthinking", "thought and branchId unbounded strings (empty thought accepted).", '{"thought":""...} -> isError false')
d(s, "st-5", "errors", "sequentialthinking", "No error says whether to retry; a missing field is reported as 'received nan'.",
  '{} -> "Required at thought\\nExpected number, received nan at thoughtNumber..."')

# ---- mcp-sqlite 1.0.9 (npm, TypeScript SDK) ----
s = "mcp-sqlite-npm"
d(s, "ms-1", "schema", "*", "No annotations on any of the 8 tools (reads not readOnlyHint, delete_records not destructiveHint).", "tools/list: no annotations")
d(s, "ms-2", "schema", "read_records", "additionalProperties:false advertised, unknown argument accepted.", 'read_records {"table":"t","extra":1} -> isError false')
d(s, "ms-3", "schema", "read_records", "limit/offset are 'number' with no minimum/integer; limit:-1 returns every row.",
  'read_records {"table":"t","limit":-1} -> all rows')
d(s, "ms-4", "output", "query", "query and read_records (without limit) return every row; no default limit, no cursor.",
  "query on 5000 rows -> 5000 objects in one answer")
d(s, "ms-5", "idempotency", "create_record", "create_record twice makes two rows; no key.", 'create_record {"table":"t","data":{"name":"a"}} twice -> insertedId 1, then 2')
d(s, "ms-6", "errors", "delete_records", "Empty conditions answered with a raw SQLite error instead of a validation message.",
  'delete_records {"table":"t","conditions":{}} -> "Error deleting records: SQLITE_ERROR: incomplete input"')
d(s, "ms-7", "errors", "*", "No error says whether to retry.", 'read_records nosuch -> "Error reading records: Table \\"nosuch\\" does not exist"')
d(s, "ms-8", "schema", "*", "No parameter descriptions; strings unbounded.", 'inputSchema sql = {"type":"string"}')
d(s, "ms-9", "idempotency", "query", "query runs writes too (INSERT via sql) with no key.", 'query {"sql":"CREATE TABLE ..."} -> "[]" success')

# ---- @executeautomation/database-server 1.1.0 (npm, TypeScript SDK 1.x) ----
s = "ea-database"
d(s, "ea-1", "errors", "*", "No input validation: a missing or wrong-typed argument reaches the code and comes back as a JavaScript TypeError.",
  'read_query {} -> "SQL Error: Cannot read properties of undefined (reading \'trim\')"; read_query {"query":12} -> "SQL Error: query.trim is not a function"')
d(s, "ea-2", "errors", "drop_table", "confirm:\"yes\" (a string where boolean is required) is accepted and the table is DROPPED.",
  'drop_table {"table_name":"t","confirm":"yes"} -> isError false, "Table \'t\' dropped successfully"')
d(s, "ea-3", "errors", "drop_table", "confirm:false answered isError:false with success:false - a refusal disguised as success.",
  'drop_table {"table_name":"t","confirm":false} -> isError false, {"success":false,"message":"Safety confirmation required..."}')
d(s, "ea-4", "schema", "*", "No annotations on any tool (read_query/list_tables not readOnlyHint; drop_table not destructiveHint).", "tools/list: no annotations")
d(s, "ea-5", "schema", "*", "Unknown arguments silently ignored.", 'read_query {"query":"SELECT 1","x":1} -> isError false')
d(s, "ea-6", "idempotency", "write_query", "INSERT twice makes two rows; no key.", "write_query INSERT twice -> affected_rows 1 twice")
d(s, "ea-7", "idempotency", "append_insight", "The same insight twice is stored twice (persisted in table mcp_insights).", 'append_insight {"insight":"x"} twice -> list_insights shows ids 1 and 2')
d(s, "ea-8", "output", "read_query", "No limit or paging on read_query, export_query, list_insights.", "read_query SELECT * FROM t -> every row")
d(s, "ea-9", "errors", "*", "No error says whether to retry.", '"SQL Error: SQLITE_ERROR: no such table: nosuch"')
d(s, "ea-10", "schema", "*", "No parameter descriptions; strings unbounded.", 'inputSchema query = {"type":"string"}')

# ---- defects first seen in a checker finding and confirmed by hand afterwards (found_by = "checker";
# ---- they count for precision, never for recall) ----
def c(server, id, category, tool, description, evidence):
    d(server, id, category, tool, description, evidence)
    D[server][-1]["found_by"] = "checker"

c("seqthinking", "st-6", "schema", "sequentialthinking", "nextThoughtNeeded/isRevision/needsMoreThoughts are typed [boolean, string] (isRevision via $ref) but only \"true\"/\"false\" strings are accepted: the schema should be boolean or an enum.",
  'isRevision:"example" -> isError true, "Expected boolean or \\"true\\"/\\"false\\" string, received \\"example\\" at isRevision"')
c("sqlite", "sq-11", "errors", "*", "Type errors do not name the argument (jsonschema's message without the path).",
  'read_query {"query":12345} -> "Input validation error: 12345 is not of type \'string\'"')
c("duckdb", "dk-9", "errors", "query", "Type errors do not name the argument.", 'query {"query":12345} -> "Input validation error: 12345 is not of type \'string\'"')
c("duckdb", "dk-10", "schema", "query", "The one tool is called just \"query\": the name does not say it runs arbitrary SQL (reads and writes) on DuckDB.", "tools/list")
c("mcp-sqlite-npm", "ms-10", "schema", "query", "The tool name \"query\" does not say it runs raw SQL, writes included.", "tools/list")
c("filesystem", "fs-8", "output", "list_directory_with_sizes", "A rejected enum value is echoed whole in the error: a 1 MB sortBy gives a 1 MB error answer.",
  'list_directory_with_sizes {"path":...,"sortBy":"x"*1048576} -> isError true, 1,048,817 bytes')
c("filesystem", "fs-9", "idempotency", "move_file", "A repeated move fails (\"Destination already exists\") instead of returning the first result, so a retry after a lost answer looks like a failure.",
  'move_file m.txt -> m2.txt twice -> second: isError true, "Destination already exists: .../m2.txt"')

# ---- added in phase 1, second batch (hand-probed before the checker ran on them) ----
# ---- @modelcontextprotocol/server-postgres 0.6.2 (npm, TypeScript SDK, protocol 2024-11-05) ----
s = "postgres"
d(s, "pg-1", "auth", "query", "The 'read-only' query tool is not read-only: a multi-statement query COMMITs the READ ONLY transaction and then writes (least privilege broken; the server connects with whatever rights the URL has).",
  'query {"sql":"COMMIT; INSERT INTO t (name) VALUES (\'escaped\')"} -> then SELECT * FROM t shows the row "escaped"')
d(s, "pg-2", "protocol", "query", "A multi-statement query yields an invalid CallToolResult (a text content item without text): the official client raises a pydantic ValidationError.",
  'query {"sql":"COMMIT; INSERT ..."} -> client: "12 validation errors for CallToolResult content.0.TextContent.text Field required"')
d(s, "pg-3", "errors", "query", "Every failure is a JSON-RPC error (the model never sees it as a tool result), e.g. SQL errors.",
  'query {"sql":"SELECT * FROM nosuch"} -> JSON-RPC error: relation "nosuch" does not exist')
d(s, "pg-4", "errors", "query", "No input validation: a missing or wrong-typed sql reaches the pg driver, whose message names neither the field nor what is expected.",
  'query {} -> JSON-RPC error "Client was passed a null or undefined query"; query {"sql":12} -> "A query must have either text or a name. Supplying neither is unsupported."')
d(s, "pg-5", "schema", "query", "No annotations: described as 'Run a read-only SQL query' but not readOnlyHint.", "tools/list: no annotations")
d(s, "pg-6", "schema", "query", "sql is not required, has no description and no maxLength; unknown arguments ignored.",
  'inputSchema {"type":"object","properties":{"sql":{"type":"string"}}}; query {"sql":"SELECT 1","x":1} -> success')
d(s, "pg-7", "output", "query", "No limit or paging: SELECT generate_series(1,20000) returns 20,000 objects.", 'query {"sql":"SELECT generate_series(1,20000) AS n"} -> 20000 rows')
d(s, "pg-8", "errors", "query", "No error says whether to retry.", '"cannot execute INSERT in a read-only transaction"')

# ---- @itseasy21/mcp-knowledge-graph 1.0.7 (npm, TypeScript SDK, protocol 2024-11-05) ----
s = "knowledge-graph"
d(s, "kg-1", "errors", "*", "Every failure is thrown as a JSON-RPC error, not an isError tool result.",
  'add_observations {"observations":[{"entityName":"nosuch","contents":["o2"]}]} -> JSON-RPC error "Entity with name nosuch not found"')
d(s, "kg-2", "errors", "*", "No input validation: missing/wrong-typed arguments come back as JavaScript TypeErrors.",
  'create_entities {} -> "Cannot read properties of undefined (reading \'filter\')"; search_nodes {"query":12} -> "query.toLowerCase is not a function"')
d(s, "kg-3", "schema", "*", "No annotations on any of the 11 tools.", "tools/list: no annotations")
d(s, "kg-4", "schema", "*", "Unknown arguments silently ignored; no additionalProperties:false (top level or nested).", 'search_nodes {"query":"e","limit":1} -> success')
d(s, "kg-5", "idempotency", "update_entities", "An identical update repeated bumps version 2 -> 3 and rewrites createdAt: each retry is a new version; no key.",
  'update_entities {"entities":[{"name":"e1","entityType":"t2"}]} twice -> version 2, then 3')
d(s, "kg-6", "errors", "create_relations", "A relation to a missing entity is answered as created, but is not in the graph afterwards (a success that did nothing).",
  'create_relations [{"from":"e1","to":"nosuch","relationType":"r"}] -> returned as created; read_graph -> relations []')
d(s, "kg-7", "output", "read_graph", "read_graph and search_nodes return everything, no limit or paging.", "read_graph -> the whole graph")
d(s, "kg-8", "schema", "*", "Strings and arrays unbounded (entities, names, query...).", 'search_nodes query = {"type":"string"}')
d(s, "kg-9", "errors", "*", "No error says whether to retry.", '"Entity with name nosuch not found"')
c("postgres", "pg-9", "schema", "query", "The tool is called just \"query\".", "tools/list")
c("knowledge-graph", "kg-10", "idempotency", "create_relations", "Eight concurrent identical writes corrupt the store: one of the concurrent create_relations answered the relation as newly created (a duplicate), memory.jsonl was left unparseable, and from then on EVERY call of every tool fails.",
  'checker trace (out-base/knowledge-graph.calls.jsonl): create_relations write-concurrent #8 -> created again; write-after-concurrent and every later call -> JSON-RPC error "Unexpected non-whitespace character after JSON at position 128"')
c("knowledge-graph", "kg-11", "schema", "*", "The top-level array parameters (entities, relations, observations, deletions) have no description.", "tools/list")
c("alchemy", "al-10", "errors", "schema_definitions", "Concurrent calls with a missing table hang: of 8 concurrent schema_definitions {table_names:[\"example\"]}, one answers after 11 s and seven get no answer within 15 s (one at a time, the same call fails at once).",
  "checker run without config: errors.crash, 'timeout: no answer within 10 s' on write-concurrent calls; by hand (docs/corpus/conc.py, 8 concurrent calls on one session): 11.35 s, then 7 x no answer in 15 s")

D["alchemy"][-1]["seen"] = "the run without --config (errors.crash)"

# ---- defects first seen in a finding of the merged checker's run (out-after/, 2026-12-01) and confirmed by hand
# ---- with docs/corpus/probe.py on fresh state (found_by = "checker": precision only, never recall) ----
c("calculator", "calc-9", "errors", "calculate", "A short exponent tower is evaluated with unbounded integers: the server computes forever and answers no later call (one 10-character expression takes the session down).",
  'calculate {"expression":"9**9**9**9"} -> no answer in 20 s; then calculate {"expression":"2+3"} -> no answer in 20 s')
D["calculator"][-1]["seen"] = "the merged checker's run (errors.crash)"
c("sqlite", "sq-12", "errors", "describe_table", "table_name is pasted unquoted into PRAGMA table_info(...) (server.py line 326): a name with a space or symbol is answered with a raw SQLite syntax error about SQL the caller never wrote (disguised as success, sq-1), and a table really named \"my table\" cannot be described.",
  'describe_table {"table_name":"my table"} -> isError false, "Database error: near \\"table\\": syntax error"')
D["sqlite"][-1]["seen"] = "the merged checker's run (errors.leak)"
c("sqlite", "sq-13", "errors", "write_query", "No statement time limit and no cancellation: a never-ending query runs in the event loop, so the server answers no later call of any tool.",
  'write_query {"query":"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"} -> no answer in 20 s; then read_query {"query":"SELECT 1"} -> no answer in 20 s')
D["sqlite"][-1]["seen"] = "the merged checker's run (errors.crash)"
c("duckdb", "dk-11", "errors", "query", "No statement time limit and no cancellation: a never-ending query blocks the server, which answers no later call.",
  'query {"query":"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"} -> no answer in 20 s; then query {"query":"SELECT 1"} -> no answer in 20 s')
D["duckdb"][-1]["seen"] = "the merged checker's run (errors.crash)"
c("mcp-sqlite-npm", "ms-11", "errors", "create_record", "An empty data object (schema-valid) on create_record/update_records is answered with a raw SQLite syntax error about the SQL the server built, not 'data needs at least one column'.",
  'create_record {"table":"t","data":{}} -> "Error creating record: SQLITE_ERROR: near \\")\\": syntax error"; update_records {"table":"t","data":{},"conditions":{"id":1}} -> "Error updating records: SQLITE_ERROR: near \\"WHERE\\": syntax error"')
D["mcp-sqlite-npm"][-1]["seen"] = "the merged checker's run (errors.leak)"
c("mcp-sqlite-npm", "ms-12", "errors", "query", "No statement time limit and no cancellation: a never-ending query holds the one database connection, so every later call of every tool waits behind it.",
  'query {"sql":"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"} -> no answer in 20 s; then query {"sql":"SELECT 1"} -> no answer in 20 s')
D["mcp-sqlite-npm"][-1]["seen"] = "the merged checker's run (errors.crash)"
c("knowledge-graph", "kg-12", "errors", "search_nodes", "One invalid write poisons the store: an entity without entityType (required by the schema, not checked, kg-2) is saved, and from then on every search_nodes whose query matches no earlier entity's name fails with a TypeError, for every caller.",
  'create_entities {"entities":[{"name":"e2","observations":[]}]} -> success; search_nodes {"query":"zz"} -> JSON-RPC error "Cannot read properties of undefined (reading \'toLowerCase\')"')
D["knowledge-graph"][-1]["seen"] = "the merged checker's run (errors.failure-as-protocol-error)"

# ---- defects first seen in a finding of the recall run (out-recall/, branch recall, 2026-12-02) and confirmed
# ---- against the server's source (found_by = "checker": precision only, never recall) ----
c("sqlite", "sq-14", "output", "list_tables", "list_tables answers every table name in one answer, with no limit or cursor: the list grows with the data (create_table adds to it).",
  'list_tables {} -> [{\'name\': \'t\'}] before the create_table writes probe, [{\'name\': \'t\'}, {\'name\': \'wp_t\'}] after')
D["sqlite"][-1]["seen"] = "the recall run (output.list-without-paging)"
c("duckdb", "dk-12", "protocol", "(unknown tool)", "A call of a tool that does not exist is answered isError:false: with no arguments \"Error: Missing arguments\", with some \"Error: Unknown tool: NAME\" (server.py handle_call_tool: every exception becomes a plain text result).",
  'tools/call wireproof_no_such_tool {} -> isError false, "Error: Missing arguments"')
D["duckdb"][-1]["seen"] = "the recall run (protocol.unknown-tool-accepted)"

# ---- defects first seen in a finding of the run after the hold-out detections (out-after-holdout/, 2026-12-02)
# ---- and confirmed against the trace and the server's source (found_by = "checker": precision only) ----
c("ea-database", "ea-11", "idempotency", "drop_table", "A retried drop_table of a table the first call dropped is refused as an error (\"Table 'wp_t' does not exist\", isError true): a retry after a lost answer looks like a failed drop (the shape of fs-9 and of the hold-out's kb-6).",
  'drop_table {"table_name":"wp_t","confirm":true} -> success:true "dropped successfully"; the identical retry -> isError true, "Error dropping table: Table \'wp_t\' does not exist"')
D["ea-database"][-1]["seen"] = "the run after the hold-out detections (idempotency.delete-retry-refused)"
c("filesystem", "fs-10", "errors", "write_file", "write_file of the allowed directory itself (path \"\") answers the raw Node error with the server's internal temp file name, a file it had written beside the allowed directory, outside it.",
  'write_file {"path":"","content":"wp"} -> isError true, "EISDIR: illegal operation on a directory, rename \'/tmp/wireproof-corpus/state/fs.5a9b….tmp\' -> \'/tmp/wireproof-corpus/state/fs\'"')
D["filesystem"][-1]["seen"] = "the run after the hold-out detections (errors.leak, OS error string)"
c("mcp-sqlite-npm", "ms-13", "output", "read_records", "Row sets and column lists are answered as a JSON array in a text block only: no outputSchema and no structuredContent, although the server speaks protocol 2025-11-25 (also query, get_table_schema).",
  'read_records {"table":"t"} -> isError false, text "[{\\"id\\":1,...}]", structuredContent absent; tools/list: no outputSchema')
D["mcp-sqlite-npm"][-1]["seen"] = "the run after the hold-out detections (output.json-in-text)"
c("filesystem", "fs-11", "output", "directory_tree", "directory_tree's structuredContent is {content: <the JSON tree as a string>}: the structure is JSON text in a string field, not the tree itself.",
  'directory_tree {"path":".../sub"} -> structuredContent {"content": "[{\\"name\\": \\"f0000.txt\\", ...}]"}')
D["filesystem"][-1]["seen"] = "the run on main 6bbedb9 (output.json-in-text, wrapped JSON)"
# session 8: auth.writes-without-credential (a stdio server started with no credential runs writes that destroy)
NOAUTH = ("Writes that destroy are served to whoever starts the server: no credential is read from the environment, "
          "no principal, no scopes, no read-only mode (MISSION property 1; the hold-out judges counted the same on five "
          "of seven servers).")
for server, ident, tools in [
    ("sqlite", "sq-15", "write_query create_table append_insight"),
    ("filesystem", "fs-12", "write_file edit_file move_file create_directory"),
    ("knowledge-graph", "kg-13", "delete_entities delete_observations delete_relations create_entities"),
    ("mcp-sqlite-npm", "ms-14", "delete_records update_records create_record query"),
    ("ea-database", "ea-12", "drop_table alter_table create_table write_query"),
]:
    c(server, ident, "auth", tools, NOAUTH, "wireproof check --allow-writes with no --env credential: the writes probe's "
      "first call of each named tool answered as a success")
    D[server][-1]["seen"] = "session 8 (auth.writes-without-credential)"
c("filesystem", "fs-13", "output", "read_file", "read_file answers a file whole, however large: head and tail exist, but nothing bounds the default read and no answer says more is left.",
  "growth probe: write_file w.txt with ~105 KB, then read_file {path: w.txt} -> 210,850 bytes (text and structuredContent)")
D["filesystem"][-1]["seen"] = "session 8 (the growth probe aims read_file at the written path)"
