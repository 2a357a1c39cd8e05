"""Hand judgments of the seventh hold-out's check run (out/, checker at main 1b2a0c9), and the defects of defects.md.

Builds judgments.json in the corpus format, scored by docs/corpus/score.py:
    python3 judge.py > judgments.json && python3 /work/main/docs/corpus/score.py out judgments.json
defects found_by 'hand' are the ones of defects.md (committed in 26211c2 at 18:04:26 UTC before any check of these
servers); found_by 'checker' are defects first seen in a finding and judged real by hand: they count for precision,
never for recall. A judgment is keyed by (rule, tool, field) as score.py matches them.

Each judgment was made by hand on the evidence the report quotes (call and answer), on docs/rules.md (of the checker's
commit) and, where named, on the phase-1 answers in hand/. Rules that fire on many tools with one cause are judged once
per (rule, field) and expanded to the tools the report names (J_RULE): every tool of such a rule was read in the
report; an exception is judged per tool first (J_TOOL wins). The script fails if a warning/error key of out/ has no
judgment.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for p in (HERE.parent / "corpus", Path("/work/main/docs/corpus")):  # docs/holdout7 beside docs/corpus, or main
    if (p / "score.py").exists():
        sys.path.insert(0, str(p))
        break
from score import field_of  # noqa: E402  (the same field extraction as the scorer)

D: dict[str, list[dict]] = {}


def d(server: str, ident: str, category: str, found_by: str = "hand") -> None:
    D.setdefault(server, []).append({"id": ident, "category": category, "found_by": found_by})


XL_CATS = {1: "schema", 2: "errors", 3: "auth", 4: "errors", 5: "errors", 6: "errors", 7: "errors", 8: "errors",
           9: "errors", 10: "schema", 11: "idempotency", 12: "idempotency", 13: "output", 14: "output",
           15: "errors", 16: "auth"}  # fmt: skip
CV_CATS = {1: "errors", 2: "schema", 3: "errors", 4: "auth", 5: "auth", 6: "errors", 7: "errors", 8: "errors",
           9: "errors", 10: "errors", 11: "schema", 12: "schema", 13: "schema", 14: "idempotency",
           15: "idempotency", 16: "idempotency", 17: "errors", 18: "protocol", 19: "auth"}  # fmt: skip
CA_CATS = {1: "schema", 2: "schema", 3: "schema", 4: "errors", 5: "errors", 6: "errors", 7: "errors", 8: "output",
           9: "output", 10: "errors", 11: "protocol"}  # fmt: skip
for srv, cats in (("xl", XL_CATS), ("cv", CV_CATS), ("ca", CA_CATS)):
    for i, c in cats.items():
        d(srv, f"{srv}-{i}", c)
d("xl", "xl-c1", "output", "checker")  # describe_sheets lists every sheet and paging range, no limit
d("xl", "xl-c2", "schema", "checker")  # values / styles arrays without maxItems
d("cv", "cv-c1", "output", "checker")  # an error that repeats a 10,000-character argument whole (40,825 bytes)
d("cv", "cv-c2", "output", "checker")  # list_sessions: no paging, 51,800 bytes for 54 sessions
d("cv", "cv-c3", "errors", "checker")  # has_header "yes" taken as true
d("cv", "cv-c4", "schema", "checker")  # strings and arrays without maxLength / maxItems
d("cv", "cv-c5", "idempotency", "checker")  # undo/redo: a retry undoes again, no key (hand/cv-c6, after the run)
d("ca", "ca-c1", "errors", "checker")  # "Invalid input at value": a wrong type on an anyOf parameter, nothing expected
d("ca", "ca-c2", "output", "checker")  # encoding "" answered with no content at all

# (server, rule, field) -> verdict, defect(s), reason: for every tool the report names under that rule and field
J_RULE: dict[tuple[str, str, str], tuple[str, object, str]] = {}
# (server, rule, tool, field) -> verdict, defect(s), reason: wins over J_RULE
J_TOOL: dict[tuple[str, str, str, str], tuple[str, object, str]] = {}


def r(server, rule, verdict, defect, reason, field=""):
    J_RULE[(server, rule, field)] = (verdict, defect, reason)


def t(server, rule, tools, verdict, defect, reason, field=""):
    for tool in tools.split() or [""]:
        J_TOOL[(server, rule, tool, field)] = (verdict, defect, reason)


UNKNOWN_TOOL = "spec: an unknown tool is a JSON-RPC error (-32602); judged TP as in docs/holdout3-6."
READ_AS_WRITE = ("a read (no state changes) treated as a write for want of a correct readOnlyHint; the fix is the "
                 "hint ({d}), not idempotentHint or a key: FP as holdout6's cronos_cerca.")  # fmt: skip
IDEMPOTENT_BY_NATURE = ("a write whose identical repeat leaves the same state ({how}); the missing declaration is "
                        "the annotation ({d}), not a duplicate risk: FP as holdout6's rollback.")  # fmt: skip

# ---------------------------------------------------------------- xl
s = "xl"
r(s, "auth.writes-without-credential", "TP", "xl-16",
  "stdio, no credential in the environment, and excel_copy_sheet ran as a success for an unauthenticated caller: "
  "no principal, no read-only mode (xl-16).")  # fmt: skip
r(s, "errors.expected-not-stated", "TP", "xl-9",
  "fileAbsolutePath 12345 answered \"Path '12345' is not absolute\" (doubled with the $first pseudo-field): the "
  "type wanted (a string, an absolute path) is not stated (xl-9).")  # fmt: skip
r(s, "errors.failure-as-protocol-error", "TP", "xl-2",
  "schema-valid calls on the checker's planted .xlsx (not a zip) and on the workbook answered JSON-RPC -32603 "
  "'zip: not a valid zip file': every file failure is a protocol error, not an isError result (xl-2). Partly the "
  "checker's own doing: its 8 concurrent copy_sheet calls left book.xlsx corrupt (xl-12; the state after the run "
  "fails Python's zipfile, 'Bad magic number for central directory'), so later valid calls failed too.")  # fmt: skip
r(s, "errors.validation-as-protocol-error", "TP", "xl-2",
  "the calls got JSON-RPC -32603 'zip: not a valid zip file': the answer is a failure sent as a protocol error "
  "(xl-2). Partial: the cause shown is not the invalid argument but the workbook the checker's concurrent writes had "
  "corrupted (xl-12); by hand a wrong-typed argument is an isError result ('Invalid argument: …').")  # fmt: skip
r(s, "errors.no-retry-advice", "TP", "xl-15", "no error is typed retryable/terminal: 'Invalid argument: …' (xl-15).")
t(s, "errors.not-repairable", "excel_read_sheet", "TP", "xl-9",
  "'Path '12345' is not absolute' names the field but not what to send (xl-9).")
t(s, "errors.not-repairable", "excel_copy_sheet", "TP", "xl-9",
  "partial: 0 of 6 is inflated: the repairer did add fileAbsolutePath, and the repaired call failed on the workbook "
  "the checker's concurrent copy_sheet calls had corrupted (xl-12); the non-repairable rejections that remain are "
  "the 'Path '12345' is not absolute' kind (xl-9).")  # fmt: skip
t(s, "output.list-without-paging", "excel_describe_sheets", "TP", "xl-c1",
  "describe_sheets returns every sheet with every paging range (big.xlsx: 3 ranges for 300 rows; a 100k-row sheet "
  "would list 1,000) and takes no limit: checker-found (xl-13 is about read_sheet).")  # fmt: skip
r(s, "schema.open-object", "TP", "xl-10", "no additionalProperties: false; bogus accepted by hand (xl-10).")
t(s, "schema.open-object", "excel_format_range", "TP", "xl-10",
  "the style object (inside anyOf) sets no additionalProperties: false (xl-10); the message's 'declares no "
  "properties' is inexact (it declares border, fill, font, numFmt, …).", "styles[][]")  # fmt: skip
r(s, "schema.unbounded-array", "TP", "xl-c2", "values / styles without maxItems; not in the hand list (checker-found).")
r(s, "schema.unbounded-string", "TP", "xl-10",
  "sheet and table names without maxLength though the server refuses sheet names over 31 characters (only in "
  "errors, xl-10); path and range without maxLength too.")  # fmt: skip
t(s, "schema.write-not-idempotent", "excel_create_table", "TP", "xl-11",
  "a create whose retry fails ('the same name table already exists', xl-11) and takes no key.")
t(s, "schema.write-not-idempotent", "excel_describe_sheets excel_read_sheet", "FP", None,
  READ_AS_WRITE.format(d="xl-1: mcp-go's defaults say readOnlyHint false, destructiveHint true on these reads; "
                         "the checker believed them instead of flagging them"))  # fmt: skip
t(s, "schema.write-not-idempotent", "excel_write_to_sheet excel_format_range", "FP", None,
  IDEMPOTENT_BY_NATURE.format(how="the same values or styles written to the same cells", d="xl-1: idempotentHint "
                              "false is declared, wrongly"))  # fmt: skip

# ---------------------------------------------------------------- cv
s = "cv"
r(s, "auth.path-not-confined", "TP", "cv-4",
  "load_csv read the checker's planted file outside the server's folders by absolute path (cv-4: "
  "/tmp/holdout7/outside/notes.txt by hand).")  # fmt: skip
r(s, "errors.disguised-success", "TP", "cv-1",
  "'Invalid session or no data loaded' / 'Session not found' / 'File not found' with isError false and "
  "\"success\": false (cv-1).")  # fmt: skip
r(s, "errors.leak", "TP", "cv-9",
  "pydantic dumps with a URL for a missing, unknown or wrong-typed argument ('1 validation error for "
  "call[add_column] … https://errors.pydantic.dev/…'; the argument-less tools for an unknown argument) (cv-9).",
  "a validation-library dump")  # fmt: skip
r(s, "errors.leak", "TP", "cv-9",
  "'[Errno 36] File name too long: '/tmp/holdout7/state/cv/[[[…'': the OS error with the resolved path (cv-9: "
  "'[Errno 13] Permission denied: '/root/x.csv'' by hand).", "an OS error string with a path")  # fmt: skip
r(s, "errors.malformed-accepted", "TP", "cv-c3",
  "has_header \"yes\" (a boolean parameter) loaded as a success (pydantic's lax coercion): bad input accepted; "
  "this instance is not in cv-6's list (checker-found).", "has_header")  # fmt: skip
r(s, "errors.no-retry-advice", "TP", "cv-17", "no error is typed retryable/terminal (cv-17).")
for tool in ("load_csv", "load_csv_from_content"):
    for rule in ("idempotency.concurrent-duplicates", "idempotency.repeat-duplicates"):
        t(s, rule, tool, "TP", "cv-14",
          "every identical load makes another session (list_sessions grows): cv-14 (6 concurrent → 6 by hand).")
r(s, "idempotency.writes-not-durable", "TP", "cv-16",
  "a second instance shows none of the first's sessions: sessions live only in memory (cv-16).")
t(s, "output.list-without-paging", "list_sessions", "TP", "cv-c2",
  "list_sessions grows with every load (cv-14) and takes no limit or cursor; not in the hand list (checker-found).")
t(s, "output.over-budget", "list_sessions", "TP", "cv-c2",
  "51,800 bytes for 54 sessions the checker's loads left behind (cv-14): the unpaged list (checker-found).")
t(s, "output.over-budget", "load_csv", "TP", "cv-c1",
  "the error repeats the 10,000-character path whole, twice ('Invalid file path: Error validating path: [Errno 36] "
  "… '…[[[['): 40,825 bytes for one refusal (checker-found).")  # fmt: skip
t(s, "protocol.unknown-tool-as-result", "", "TP", "cv-18", UNKNOWN_TOOL + " isError 'Unknown tool: …' (cv-18).")
r(s, "schema.no-annotations", "TP", "cv-12", "no annotations on any of the 39 tools (cv-12).")
r(s, "schema.open-object", "TP", "cv-11", "conditions[] and rules[] items are open objects (cv-11).", "conditions[]")
r(s, "schema.open-object", "TP", "cv-11", "conditions[] and rules[] items are open objects (cv-11).", "rules[]")
r(s, "schema.param-description", "TP", "cv-11", "not one parameter has a description (cv-11).")
r(s, "schema.param-type", "TP", "cv-11",
  "value has no type at all (cv-11: the parameters say nothing; `value` untyped was not named by hand).", "value")
r(s, "schema.unbounded-array", "TP", "cv-c4", "arrays without maxItems; not in the hand list (checker-found).")
r(s, "schema.unbounded-string", "TP", "cv-c4", "strings without maxLength; not in the hand list (checker-found).")
r(s, "schema.unbounded-number", "TP", "cv-11", "limit and max_backups without bounds (cv-11 names both).", "limit")
r(s, "schema.unbounded-number", "TP", "cv-11", "limit and max_backups without bounds (cv-11 names both).",
  "max_backups")
t(s, "schema.write-not-idempotent", "load_csv load_csv_from_content", "TP", "cv-14",
  "a new session on every identical call, no key (cv-14).")
t(s, "schema.write-not-idempotent", "add_column close_session rename_columns remove_columns", "TP", "cv-15",
  "the retry of a write that succeeded is refused ('Column … already exists', 'Session not found', 'Columns not "
  "found'): not idempotent, no key (cv-15; rename/remove refuse a missing column as by hand).")  # fmt: skip
t(s, "schema.write-not-idempotent", "undo redo", "TP", "cv-c5",
  "a retried undo steps back again (hand/cv-c6, after the run: three undos, each 'Undid operation: add_column', "
  "move the data 11 → 9 → 9 → 4 columns); no key: checker-found.")  # fmt: skip
t(s, "schema.write-not-idempotent",
  "filter_rows sort_data select_columns fill_missing_values remove_duplicates change_column_type update_column "
  "clear_history configure_auto_save disable_auto_save export_csv export_history trigger_manual_save "
  "restore_to_operation", "FP", None,
  IDEMPOTENT_BY_NATURE.format(how="the same filter, sort, selection, fill, type, replacement, setting, export or "
                              "restore point applied again", d="cv-12"))  # fmt: skip
t(s, "schema.write-not-idempotent",
  "check_data_quality detect_outliers get_auto_save_status group_by_aggregate health_check profile_data "
  "validate_schema", "FP", None, READ_AS_WRITE.format(d="cv-12: no annotations"))  # fmt: skip

# ---------------------------------------------------------------- ca
s = "ca"
r(s, "errors.no-retry-advice", "TP", "ca-10", "'Error: …' / 'MCP error -32602: …' with no retryable/terminal type (ca-10).")
t(s, "errors.expected-not-stated", "base", "TP", "ca-c1",
  "value [\"not\",\"an\",\"object\"] answered 'Invalid input at value': the anyOf (string or number) is not "
  "stated; not in the hand list (checker-found).")  # fmt: skip
for tool in ("base64 char_info count cron_parse diff encode format_validate hash jwt_decode regex".split()):
    t(s, "errors.expected-not-stated", tool, "FP", None,
      "the rejection quoted says what is expected: 'Input too long (max: 1000000 chars) at input' (the limit and "
      "the field); the rule does not read '(max: N chars)'.")  # fmt: skip
for tool in ("color convert date datetime ip".split()):
    t(s, "errors.expected-not-stated", tool, "FP", None,
      "the rejection quoted states the expectation: 'Invalid option: expected one of \"…\"|\"…\" at action' or "
      "'Too big: expected string to have <=64 characters at from'.")  # fmt: skip
r(s, "errors.field-not-named", "FP", None,
  "the quoted rejections name the field at their end, zod's way: '… at from', '… at to', '… at action', '… at key'; "
  "the rule does not read the trailing 'at NAME'.")  # fmt: skip
r(s, "errors.not-repairable", "FP", None,
  "the errors name the field and the expected values ('expected one of \"diff\"|… at action', 'expected string to "
  "have <=256 characters at color'); the repairer misread them (it set date/datetime/ip to the action's value and "
  "color to 258 characters).")  # fmt: skip
t(s, "errors.disguised-success", "format_validate", "FP", None,
  "{\"valid\": false, \"error\": …} is the validation verdict on the input (the tool's job), not a failed call.")
t(s, "output.empty-answer", "base64 encode", "TP", "ca-c2",
  "encoding \"\" answered isError false with no content at all: the model cannot tell an empty result from a broken "
  "call (as holdout6's ex-9); not in the hand list (checker-found).")  # fmt: skip
t(s, "output.json-in-text", "cron_parse", "TP", "ca-9", "JSON in text, no structuredContent, no outputSchema (ca-9).")
t(s, "output.over-budget", "char_info", "TP", "ca-8",
  "2,980,082 bytes for 10,000 characters (ca-8: 2,600,002 characters by hand).")
t(s, "protocol.unknown-tool-as-result", "", "TP", "ca-11", UNKNOWN_TOOL + " (ca-11).")
r(s, "schema.no-annotations", "TP", "ca-1", "no annotations on the 21 tools (ca-1).")
r(s, "schema.open-object", "TP", "ca-3", "no additionalProperties: false; bogus accepted by hand (ca-3).")
for fld in ("date", "datetime"):
    r(s, "schema.date-without-format", "TP", "ca-3", f"{fld} typed string, 'ISO8601' only in prose (ca-3).", fld)
for fld in ("timezone", "fromTimezone"):
    r(s, "schema.date-without-format", "FP", None,
      f"{fld} is an IANA zone name, not a date: no JSON-Schema format fits it (the fix would be a pattern or enum, "
      "noted in ca-3, but the finding's diagnosis is wrong).", fld)  # fmt: skip
r(s, "schema.enum-in-prose", "FP", None,
  "color takes free values (#hex, rgb(…), hsl(…), named colours): the prose lists forms, not an enumerable set; "
  "'(r | g | b)' is read out of 'rgb(r,g,b)'.", "color")  # fmt: skip
t(s, "schema.unbounded-string", "regex", "TP", "ca-3",
  "flags without maxLength or pattern (ca-3: 'regex flags without a pattern'); replacement unbounded too.")
t(s, "schema.write-not-idempotent", "random", "FP", None,
  "random writes nothing: it is a read whose answer is meant to differ; the missing declaration is readOnlyHint "
  "(ca-1: no annotations).")  # fmt: skip

# ---------------------------------------------------------------- session 10 (not blind: out-s10, main after the
# hold-out's FP fixes, configs-s10: cv's session tools reached through [[setup]]; judged by the lead, 2026-12-04)
S10 = "session 10 (not blind): "
d("xl", "xl-c3", "errors", "checker")  # string parameters take numbers, a required member may be left out
d("cv", "cv-c6", "output", "checker")  # get_history answers 81 KB
d("ca", "ca-c3", "errors", "checker")  # count on a schema-valid maximal input does not answer within 10 s
for tool, fld in (("excel_copy_sheet", "dstSheetName"), ("excel_copy_sheet", "srcSheetName"),
                  ("excel_format_range", "sheetName"), ("excel_write_to_sheet", "sheetName"),
                  ("excel_write_to_sheet", "newSheet")):  # fmt: skip
    t("xl", "errors.malformed-accepted", tool, "TP", "xl-c3",
      S10 + f"{fld} broken (12345 for a sheet name, or the required newSheet left out) and answered a success "
      "('Sheet [Notes] copied to [12345]'): mcp-go's handlers take what they are given; checker-found.", fld)  # fmt: skip
t("xl", "errors.empty-value-accepted", "excel_create_table", "TP", "xl-10",
  S10 + "tableName '' answered 'Table [] created.': the missing minLength of xl-10, shown.")
t("xl", "errors.field-not-named", "excel_read_sheet", "FP", None,
  S10 + "'range is outside of used range: A1:C4 is not within A1:C3' is about the sheet's state after the checker's "
  "writes (the sample's range no longer fits), not about the argument the call broke (AFP-4's kind).")  # fmt: skip
t("xl", "schema.json-in-string", "excel_read_sheet", "FP", None,
  S10 + "range is a cell range ('A1:C10'); '[default: first paging range]' was read as an object literal (fixed: "
  "only braces are a literal now).", "range")  # fmt: skip
for fld in ("enabled", "index", "normalize", "sort", "ascending"):
    t("cv", "errors.malformed-accepted", "configure_auto_save export_csv get_value_counts", "TP", "cv-c3",
      S10 + f"{fld}: 'yes' (or another wrong type) taken for a boolean, pydantic's lax mode, as has_header (cv-c3).",
      fld)  # fmt: skip
t("cv", "auth.writes-without-credential", "", "TP", "cv-19",
  S10 + "with a live session the writes succeed (clear_history, remove_duplicates, …) for whoever starts the server: "
  "cv-19, missed blind because no write succeeded.")  # fmt: skip
t("cv", "errors.leak", "add_column", "TP", "cv-9",
  S10 + "'Formula evaluation failed: name 'price' is not defined': Python's NameError from eval (cv-9's internals).",
  "an interpreter message")  # fmt: skip
for tool, fld in (("configure_auto_save", "interval_seconds"), ("configure_auto_save", "max_backups"),
                  ("get_history", "limit")):  # fmt: skip
    t("cv", "errors.malformed-accepted", tool, "TP", "cv-6",
      S10 + f"{fld} -1 answered a success: bad input accepted, as top_n -5 by hand (cv-6).", fld)
t("cv", "output.over-budget", "get_history", "TP", "cv-c6",
  S10 + "81,199 bytes of history for a few operations on a 4-row session: no paging or projection; checker-found.")
t("ca", "errors.crash", "count", "TP", "ca-c3",
  S10 + "text at its maxLength (the repairer's fix) got no answer within 10 s: schema-valid input blocks the server "
  "(as ca-7's regex does); checker-found.")  # fmt: skip
t("ca", "output.over-budget", "base64", "TP", "ca-8", S10 + "1,333,415 bytes for a schema-valid input (ca-8).")
t("ca", "output.over-budget", "encode", "TP", "ca-8",
  S10 + "1,000,079 bytes: the encoded maximal input (ca-8); the finding's diagnosis (an error repeating its input) "
  "is wrong, the size is real: partial.")  # fmt: skip
t("ca", "errors.valid-rejected", "cron_parse", "TP", "ca-3",
  S10 + "timezone 'example' (schema: any string) refused 'Must be a valid IANA timezone identifier': the format "
  "lives in prose only (ca-3).")  # fmt: skip

t("xl", "auth.path-not-confined", "excel_describe_sheets excel_read_sheet", "TP", "xl-3",
  S10 + "a copy of the sample workbook planted in the checker's temp folder, outside the state folder, answered "
  "like the sample (its sheets, its cells) by absolute path: xl-3 (any workbook on the machine, by hand).")  # fmt: skip
t("xl", "idempotency.retry-refused", "excel_create_table", "TP", "xl-11",
  S10 + "the retry of a create that succeeded: JSON-RPC -32603 'the same name table already exists' (xl-11).")

t("ca", "errors.crash", "regex", "TP", "ca-7",
  S10 + "(a|a)*$ against 30 a's and '!', after (a+)+$ was refused: no answer within 10 s, and the session then did "
  "not answer tools/list either: the event loop blocked, ca-7.")  # fmt: skip

# ---------------------------------------------------------------- expand and check
J: dict[str, list[dict]] = {}
ids = {srv: {x["id"] for x in v} for srv, v in D.items()}
MISSING: list = []
RUNS = sys.argv[1:] or ["out"]  # session 10 (not blind): python3 judge.py out out-s10 > judgments.json
for server in ("xl", "cv", "ca"):
    reports = [HERE / run / f"{server}.json" for run in RUNS if (HERE / run / f"{server}.json").exists()]
    findings = [f for report in reports for f in json.loads(report.read_text())["findings"]]
    seen: set = set()
    for f in findings:
        if f["severity"] not in ("warning", "error"):
            continue
        tool, fld = f["tool"] or "", field_of(f["message"]) or ""
        k = (f["rule"], tool, fld)
        if k in seen:
            continue
        seen.add(k)
        v = J_TOOL.get((server, f["rule"], tool, fld)) or J_RULE.get((server, f["rule"], fld))
        if v is None:
            MISSING.append((server, k, f["severity"], f["message"][:160], (f["evidence"].get("answer") or "")[:200]))
            continue
        verdict, defect, reason = v
        ds = defect if isinstance(defect, list) else [defect] if defect else []
        assert all(x in ids[server] for x in ds), (server, k, ds)
        assert (verdict == "TP") == bool(ds), (server, k)
        J.setdefault(server, []).append(
            {"rule": f["rule"], "tool": tool or None, "field": fld or None, "verdict": verdict, "defect": defect,
             "reason": reason})  # fmt: skip
for m in MISSING:
    print("no judgment:", *m, file=sys.stderr)
assert not MISSING, f"{len(MISSING)} warning/error keys without a judgment"
out = {
    "about": "Hand judgments of the seventh hold-out (docs/holdout7/README.md); format of docs/corpus/judgments.json.",
    "checker": "/work/wt/ho7/.venv/bin/wireproof (a fixed worktree of main at 1b2a0c98b4ed2e8dd6b96cc9d62ef973f2c2c0a1)",
    "servers": {srv: {"defects": D[srv], "findings": J.get(srv, [])} for srv in ("xl", "cv", "ca")},
}
print(json.dumps(out, indent=1, ensure_ascii=False))
