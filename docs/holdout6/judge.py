"""Hand judgments of the sixth hold-out's check run (out/, main 9ae5dcc), and the defects of defects.md.

Builds judgments.json in the corpus format, scored by docs/corpus/score.py:
    python3 judge.py > judgments.json && python3 /work/main/docs/corpus/score.py out judgments.json
defects found_by 'hand' are the ones of defects.md (committed in 7ca5c10 at 17:38:08 UTC before any check of these
servers); found_by 'checker' are defects first seen in a finding and judged real by hand: they count for precision,
never for recall. A judgment is keyed by (rule, tool, field) as score.py matches them.

Each judgment below was made by hand on the evidence the report quotes (call and answer) and, where named, on the
phase-1 answers in hand/. Rules that fire on many tools with one cause are judged once per (rule, field) and expanded
to the tools the report names (J_RULE): every tool of such a rule was read in the report, and an exception, where
there is one, is judged per tool first (J_TOOL wins). The script fails if a warning/error key of out/ has no judgment.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for p in (HERE.parent / "corpus", Path("/work/main/docs/corpus")):  # docs/holdout6 beside docs/corpus, or main
    if (p / "score.py").exists():
        sys.path.insert(0, str(p))
        break
from score import field_of  # noqa: E402  (the same field extraction as the scorer)

D: dict[str, list[dict]] = {}


def d(server: str, ident: str, category: str, found_by: str = "hand") -> None:
    D.setdefault(server, []).append({"id": ident, "category": category, "found_by": found_by})


TR_CATS = {1: "errors", 2: "errors", 3: "schema", 4: "errors", 5: "errors", 6: "auth", 7: "auth", 8: "idempotency",
           9: "idempotency", 10: "schema", 11: "errors", 12: "output", 13: "errors", 14: "schema", 15: "errors",
           16: "schema", 17: "errors", 18: "auth", 19: "protocol", 20: "output"}  # fmt: skip
EX_CATS = {1: "schema", 2: "errors", 3: "errors", 4: "errors", 5: "errors", 6: "idempotency", 7: "schema",
           8: "output", 9: "output", 10: "output", 11: "errors", 12: "idempotency", 13: "schema", 14: "errors",
           15: "auth", 16: "protocol", 17: "errors"}  # fmt: skip
CR_CATS = {1: "errors", 2: "errors", 3: "errors", 4: "idempotency", 5: "schema", 6: "schema", 7: "schema",
           8: "errors", 9: "errors", 10: "output", 11: "output", 12: "errors", 13: "errors", 14: "idempotency",
           15: "schema", 16: "errors", 17: "errors", 18: "auth", 19: "protocol", 20: "output"}  # fmt: skip
for srv, cats in (("tr", TR_CATS), ("ex", EX_CATS), ("cr", CR_CATS)):
    for i, c in cats.items():
        d(srv, f"{srv}-{i}", c)
d("tr", "tr-c1", "errors", "checker")  # a required argument missing answered as a success (bulk_update_metadata)
d("tr", "tr-c2", "errors", "checker")  # update_chunk with nothing to change answered "updated"
d("tr", "tr-c3", "schema", "checker")  # strings and arrays without maxLength/maxItems
d("cr", "cr-c1", "schema", "checker")  # strings and arrays without maxLength/maxItems; max_risultati without maximum
d("cr", "cr-c2", "errors", "checker")  # the SDK's validation errors name no field: "12345 is not of type 'string'"
d("cr", "cr-c3", "output", "checker")  # a write answering its 100 KB input whole (session 9)

# (server, rule, field) -> verdict, defect(s), reason: for every tool the report names under that rule and field
J_RULE: dict[tuple[str, str, str], tuple[str, object, str]] = {}
# (server, rule, tool, field) -> verdict, defect(s), reason: wins over J_RULE
J_TOOL: dict[tuple[str, str, str, str], tuple[str, object, str]] = {}


def r(server, rule, verdict, defect, reason, field=""):
    J_RULE[(server, rule, field)] = (verdict, defect, reason)


def t(server, rule, tools, verdict, defect, reason, field=""):
    for tool in tools.split() or [""]:
        J_TOOL[(server, rule, tool, field)] = (verdict, defect, reason)


UNKNOWN_TOOL = "spec: an unknown tool is a JSON-RPC error (-32602); judged TP as in docs/holdout3-5."
NO_RETRY = "no error is typed retryable/terminal/auth: {d}."
NOAUTH = "stdio, no credential in the environment, and the writes probe's {w} ran as successes: no principal: {d}."

# ---------------------------------------------------------------- tr
s = "tr"
r(s, "auth.writes-without-credential", "TP", "tr-18",
  NOAUTH.format(w="delete_category, delete_chunk, delete_project, …", d="tr-18"))  # fmt: skip
for rule in ("errors.expected-not-stated", "errors.field-not-named", "errors.not-repairable"):
    r(s, rule, "TP", "tr-1",
      "the rejections are JavaScript TypeErrors or 'Project \"undefined\" not found' for a missing argument "
      "('Cannot read properties of undefined (reading 'toLowerCase')'): no field, no expected value (tr-1).")  # fmt: skip
r(s, "errors.leak", "TP", "tr-1",
  "'Cannot read properties of undefined (reading …)', 'name.toLowerCase is not a function', "
  "'updates.newId.trim is not a function': interpreter messages naming internal variables (tr-1).",
  "an interpreter message")  # fmt: skip
r(s, "errors.no-retry-advice", "TP", "tr-17", NO_RETRY.format(d="tr-17"))
t(s, "errors.malformed-accepted", "bulk_add_chunks", "TP", "tr-4",
  "chunks 'not-a-list' iterated character by character: 'added 0, errors 10', isError false (tr-4).", "chunks")  # fmt: skip
t(s, "errors.malformed-accepted", "export_project", "TP", "tr-4",
  "save_to_file 'yes' taken as true and the file written (tr-4, the same call by hand).", "save_to_file")  # fmt: skip
t(s, "errors.malformed-accepted", "import_json", "TP", "tr-4",
  "json_path 12345 silently ignored (data given): a wrong type answered as a success, no validation (tr-4).",
  "json_path")  # fmt: skip
for fld in ("license", "metadata", "page_title", "source"):
    t(s, "errors.malformed-accepted", "update_chunk", "TP", "tr-4",
      f"{fld} of the wrong type (12345, a list) stored and answered 'updated': no type validation (tr-4).", fld)
t(s, "errors.malformed-accepted", "update_chunk", "TP", "tr-2",
  "text 12345 stored as the chunk's text and answered 'updated': the write that by hand (tr-2, via add_chunk) broke "
  "every later search_chunks of the project; the checker saw the acceptance, its observers (export_project, "
  "list_projects) do not read text as a string, so not the poisoning.", "text")  # fmt: skip
t(s, "errors.malformed-accepted", "bulk_update_metadata", "TP", "tr-c1",
  "without the required field: 'updated 20', a custom field named undefined added to 20 chunks; not in the hand list "
  "(tr-15 is the empty field name).", "field")  # fmt: skip
t(s, "errors.malformed-accepted", "bulk_update_metadata", "TP", "tr-c1",
  "without the required value: 'updated 20', every chunk's license set to undefined (dropped from the JSON): a "
  "silent wipe answered as a success (checker-found).", "value")  # fmt: skip
t(s, "errors.malformed-accepted", "get_history", "TP", "tr-11",
  "get_history {} answered [] as for an unknown project: the same false empty as tr-11.", "project")  # fmt: skip
t(s, "errors.miss-answered-empty", "get_history", "TP", "tr-11",
  "project wireproof_does_not_exist_7f3a answered [] (tr-11).")
t(s, "errors.no-op-acknowledged", "update_chunk", "TP", "tr-c2",
  "update_chunk {project, id} with nothing to change answered {'updated': 'creeper'}; seen by hand (tr.jsonl, zombie) "
  "but not listed: checker-found.")  # fmt: skip
t(s, "idempotency.concurrent-duplicates", "duplicate_chunk", "TP", "tr-8",
  "every call makes another copy (creeper_copy_9 …): tr-8, 6 concurrent by hand.")
t(s, "idempotency.repeat-duplicates", "duplicate_chunk", "TP", "tr-8", "the repeat makes creeper_copy_1 (tr-8).")
t(s, "idempotency.delete-retry-refused", "delete_category delete_chunk delete_project", "TP", "tr-9",
  "the retried delete answered isError 'not found' (hand: delete_chunk zombie_copy, delete_project other, "
  "delete_category Gear twice each, tr-9's retry-answered-as-failure).")  # fmt: skip
r(s, "output.json-in-text", "TP", "tr-20", "JSON.stringify(result, null, 2) as text, no structuredContent (tr-20).")
t(s, "output.list-without-paging", "export_project list_projects", "TP", "tr-12",
  "no limit, cursor or size budget (tr-12: export_project 211,421 characters by hand).")  # fmt: skip
t(s, "output.over-budget", "get_chunk", "TP", "tr-12",
  "the growth probe's ~100 KB text read back whole through get_chunk (107,047 bytes): no size budget on an item, "
  "tr-12 (200,169 characters by hand).")  # fmt: skip
r(s, "protocol.unknown-tool-as-result", "TP", "tr-19", UNKNOWN_TOOL)
r(s, "schema.no-annotations", "TP", "tr-14", "none of the tools has annotations (tr-14).")
for fld in ("", "chunks[]", "data[]"):
    r(s, "schema.open-object", "TP", "tr-3", "no additionalProperties: false; bogus accepted by hand (tr-3).", fld)
r(s, "schema.unbounded-array", "TP", "tr-c3", "chunks/data without maxItems; not in the hand list (checker-found).")
r(s, "schema.unbounded-string", "TP", "tr-c3",
  "no string has maxLength (a 200,000-character text and a 10,000-character id were taken by hand; the hand list "
  "named the answers, tr-12, not the schema).")  # fmt: skip
t(s, "schema.write-not-idempotent", "duplicate_chunk", "TP", "tr-8", "a write that copies again on every repeat (tr-8).")
t(s, "schema.write-not-idempotent", "rollback", "FP", None,
  "FP: rollback restores one commit's snapshot, the same state on a repeat; it never ran here (no commit exists, "
  "tr-10), and the missing hint is schema.no-annotations (tr-14).")  # fmt: skip

# ---------------------------------------------------------------- ex
s = "ex"
r(s, "auth.writes-without-credential", "TP", "ex-15", NOAUTH.format(w="add_expense", d="ex-15"))
r(s, "errors.disguised-success", "TP", "ex-4",
  "{'status': 'error', 'message': 'Database error: Error binding parameter 2: type 'dict' is not supported'} with "
  "isError false (ex-4).")  # fmt: skip
r(s, "errors.leak", "TP", "ex-5", "raw pydantic dump with its errors.pydantic.dev URL (ex-5).",
  "a validation-library dump")
r(s, "errors.no-retry-advice", "TP", "ex-14", NO_RETRY.format(d="ex-14"))
t(s, "idempotency.concurrent-duplicates", "add_expense", "TP", "ex-6", "every concurrent add books a row (ex-6).")
t(s, "idempotency.repeat-duplicates", "add_expense", "TP", "ex-6", "the repeat books the expense again (ex-6).")
r(s, "output.json-in-text", "TP", "ex-10", "the list answers are JSON text without structuredContent (ex-10).")
t(s, "output.list-without-paging", "list_expenses", "TP", "ex-8", "no limit, no cursor: 167,402 characters by hand (ex-8).")
r(s, "protocol.unknown-tool-as-result", "TP", "ex-16", UNKNOWN_TOOL)
r(s, "schema.no-annotations", "TP", "ex-13", "no annotations (ex-13).")
r(s, "schema.param-description", "TP", "ex-1", "no parameter has a description (ex-1).")
for fld in ("amount", "category", "date", "end_date", "note", "start_date", "subcategory"):
    r(s, "schema.param-type", "TP", "ex-1", f"{fld} untyped ({{}} or only a default): ex-1.", fld)
t(s, "schema.write-not-idempotent", "add_expense", "TP", "ex-6", "an append with no key: repeats book duplicates (ex-6).")

# ---------------------------------------------------------------- cr
s = "cr"
ERRORE = ("'not a date' refused only as {'errore': 'Formato data non valido …'} with isError false: a failure "
          "answered as a success, in Italian (cr-1). The finding's diagnosis (the date ignored) is wrong, the "
          "answer it flags is the defect.")  # fmt: skip
HALF = ("data_inizio 'not a date' without data_fine silently dropped: the answer covers the last N days as if no "
        "date had been given (cr-8, the half range read as today/ultimi_giorni by hand).")  # fmt: skip
for tool in ("cronos_aggiungi_a_progetto cronos_aggiungi_entry cronos_consolida_diario cronos_fine_giornata "
             "cronos_imposta_bloccanti cronos_leggi_diario cronos_leggi_todo cronos_prepara_domani "
             "cronos_riassunto_standup cronos_scrivi_fine_giornata cronos_settimana").split():  # fmt: skip
    t(s, "errors.malformed-accepted", tool, "TP", "cr-1", ERRORE)
for tool in ("cronos_audit_progetti cronos_cerca cronos_igiene cronos_lista_progetti cronos_progetto "
             "cronos_riferimento cronos_statistiche").split():  # fmt: skip
    t(s, "errors.malformed-accepted", tool, "TP", "cr-8", HALF)
for fld in ("max_problemi", "max_progetti", "max_voci"):
    r(s, "errors.malformed-accepted", "TP", "cr-9",
      f"{fld} -1 taken ('troncato': true, an empty timeline): no minimum (cr-9, max_progetti -1 by hand).", fld)
for rule in ("errors.expected-not-stated", "errors.field-not-named", "errors.not-repairable"):
    r(s, rule, "TP", "cr-c2",
      "the mcp SDK's jsonschema check answers 'Input validation error: 12345 is not of type 'string'' with no field "
      "name, and the Italian {'errore': …} answers name none either; seen by hand (cr.out) but not listed: "
      "checker-found.")  # fmt: skip
r(s, "errors.no-retry-advice", "TP", "cr-17", NO_RETRY.format(d="cr-17"))
t(s, "idempotency.concurrent-duplicates", "cronos_aggiungi_entry", "TP", "cr-4",
  "concurrent identical entries all appended (cr-4: 6 copies of '### Conc' by hand).")  # fmt: skip
t(s, "idempotency.repeat-duplicates", "cronos_aggiungi_entry cronos_aggiungi_a_progetto", "TP", "cr-4",
  "the repeat appends the entry / the H4 phase again (cr-4).")  # fmt: skip
t(s, "idempotency.repeat-duplicates", "cronos_prepara_domani", "TP", "cr-14",
  "the repeat rewrites todo.md and replaces todo.bak.md (the observer's leggi_todo moved): each call shifts the one "
  "backup, so repeats lose the plan before (cr-14).")  # fmt: skip
r(s, "output.json-in-text", "TP", "cr-20", "json.dumps(result, indent=2) as text, no structuredContent (cr-20).")
t(s, "output.list-without-paging", "cronos_leggi_diario", "TP", "cr-10",
  "no limit or cursor on the days read: 2,002,955 characters for ultimi_giorni 100000 by hand (cr-10).")  # fmt: skip
r(s, "protocol.unknown-tool-accepted", "TP", "cr-19", "{'errore': \"Tool '…' non riconosciuto\"} with isError false (cr-19).")
r(s, "schema.no-annotations", "TP", "cr-6", "no annotations on any of the 19 tools (cr-6).")
r(s, "schema.open-object", "TP", "cr-7", "no additionalProperties: false; bogus accepted by hand (cr-7).")
r(s, "schema.unbounded-array", "TP", "cr-c1", "tipo without maxItems (checker-found; harmless with its 3-value enum).")
for fld in ("max_problemi", "max_progetti", "max_voci"):
    r(s, "schema.unbounded-number", "TP", "cr-9", f"{fld} with no minimum: -1 taken (cr-9).", fld)
r(s, "schema.unbounded-number", "TP", "cr-c1", "max_risultati has minimum 1 but no maximum (checker-found).",
  "max_risultati")
r(s, "schema.unbounded-string", "TP", "cr-c1",
  "no string has maxLength (a 200,000-character contenuto taken by hand, cr-11 named the answers): checker-found.")  # fmt: skip
t(s, "schema.write-not-idempotent", "cronos_aggiungi_entry cronos_aggiungi_a_progetto", "TP", "cr-4",
  "appends with no key: repeats duplicate (cr-4).")  # fmt: skip
t(s, "schema.write-not-idempotent", "cronos_prepara_domani", "TP", "cr-14",
  "overwrites todo.md and its one backup on every call, no key (cr-14).")  # fmt: skip
t(s, "schema.write-not-idempotent", "cronos_cerca", "FP", None,
  "FP: cronos_cerca is a search (a read); its answer moved only because the checker's writes added entries. The fix "
  "is readOnlyHint, already schema.no-annotations (cr-6).")  # fmt: skip

# ---------------------------------------------------------------- session 8 (not blind: after the fixes built on
# this hold-out's misses; run /tmp/h6_1 = out-s8)
S8 = "session 8 (not blind): "
for tool in ("cronos_aggiungi_a_progetto cronos_aggiungi_entry cronos_audit_progetti cronos_cerca "
             "cronos_consolida_diario cronos_fine_giornata cronos_igiene cronos_imposta_bloccanti cronos_leggi_diario "
             "cronos_leggi_todo cronos_lista_mese cronos_lista_progetti cronos_prepara_domani cronos_progetto "
             "cronos_riassunto_standup cronos_riferimento cronos_scrivi_fine_giornata cronos_settimana "
             "cronos_statistiche").split():  # fmt: skip
    t(s, "errors.disguised-success", tool, "TP", "cr-1",
      S8 + "{'errore': 'Formato data non valido …' / 'Python int too large …' / 'Mese non valido …'} with isError "
      "false: the Italian error member now reads as error: cr-1.")  # fmt: skip
for tool in ("cronos_audit_progetti cronos_cerca cronos_igiene cronos_lista_mese cronos_lista_progetti "
             "cronos_progetto cronos_riferimento cronos_statistiche").split():  # fmt: skip
    t(s, "errors.leak", tool, "TP", "cr-2",
      S8 + "{'errore': 'Python int too large to convert to C int'} / 'year -1 is out of range': the interpreter's "
      "exception text as the answer, now judged as the failure it is: cr-2.", "an interpreter message")  # fmt: skip
t(s, "errors.empty-search-accepted", "cronos_cerca", "TP", "cr-16",
  S8 + "cronos_cerca {query: ''} answered every entry of the period: cr-16.")
t(s, "auth.writes-without-credential", "", "TP", "cr-18",
  S8 + "cronos_aggiungi_entry and the other Italian-named writes ran with no credential: cr-18.")
t("tr", "errors.empty-search-accepted", "search_chunks", "TP", "tr-13",
  S8 + "search_chunks {project, query: ''} answered every chunk of the project: tr-13.")

t("ex", "errors.malformed-accepted", "add_expense", "TP", "ex-2",
  S8 + "add_expense {date: 'not a date', …} answered 'Expense added successfully': the untyped date is stored as "
  "given: ex-2.")  # fmt: skip
t("ex", "errors.malformed-accepted", "list_expenses summarize", "TP", "ex-3",
  S8 + "start_date 'not a date' answered an empty success ('no expenses'), not a refusal: ex-3.")

# ---------------------------------------------------------------- session 10 (not blind: run out-s10)
S10 = "session 10 (not blind): "
t("tr", "errors.name-changed-silently", "create_project", "TP", "tr-16",
  S10 + "'../wireproof-name-…-up' answered as created under '..wireproof-name-…-up': '/' stripped without a word, "
  "as '../escape' became '..escape' by hand (tr-16).")  # fmt: skip
# ---------------------------------------------------------------- session 9 (not blind: after the fixes built on
# this hold-out's misses; run out-s9)
S9 = "session 9 (not blind): "
for tool in ("delete_project get_project_stats list_categories search_chunks").split():
    t("tr", "auth.name-not-confined", tool, "TP", "tr-6",
      S9 + "'../data/<the checker's project>' (up and back into DATA_DIR) answered like the plain name (a delete: "
      "the file gone), '../<missing folder>/<name>' not: the raw name is joined into the path, as tr-6 found "
      "by hand with '../victim'.")  # fmt: skip
t("tr", "output.over-budget", "export_project export_category", "TP", "tr-12",
  S9 + "after the growth probe's ~105 KB chunk, export_project / export_category answered every chunk whole "
  "(111,593 / 110,700 bytes): no paging, no budget: tr-12.")  # fmt: skip
t("tr", "output.over-budget", "bulk_update_metadata", "TP", "tr-12",
  S9 + "the growth probe's ~105 KB metadata value answered back whole (106,911 bytes, a warning: the size is the "
  "checker's, but a write should answer a summary): no budget on any answer, tr-12.")  # fmt: skip
t(s, "output.over-budget", "cronos_aggiungi_entry", "TP", "cr-c3",
  S9 + "the growth probe's ~105 KB descrizione answered back whole (107,129 bytes, a warning): a write that answers "
  "its whole input; not cr-11 (the large answers of reads), so checker-found.")  # fmt: skip
t("tr", "auth.path-not-confined", "import_json", "TP", "tr-7",
  S9 + "json_path given the checker's planted file outside DATA_DIR: 'Unexpected token 'w', \"we08e1e0e8\"... is "
  "not valid JSON' quotes its first ten characters, unique to the plant: the file was read (tr-7: /etc/passwd "
  "by hand).")  # fmt: skip
t("tr", "errors.empty-value-accepted", "bulk_update_metadata", "TP", "tr-15",
  S9 + "bulk_update_metadata {project: wiki, field: '', value: 'CC0'} answered 'updated 20': tr-15.")
for tool in ("cronos_aggiungi_a_progetto", "cronos_aggiungi_entry"):
    t(s, "errors.empty-value-accepted", tool, "TP", "cr-12",
      S9 + "progetto '' written and answered successo true: cr-12 (empty progetto written).")
# Every date-without-format finding of cr in out-s9 is on data, data_inizio or data_fine (asserted): one judgment.
for f in json.loads((HERE / "out-s9" / "cr.json").read_text())["findings"]:
    if f["rule"] == "schema.date-without-format":
        param = field_of(f["message"]) or ""
        assert param in ("data", "data_inizio", "data_fine"), f
        t(s, "schema.date-without-format", f["tool"], "TP", "cr-15",
          S9 + "data / data_inizio / data_fine typed string, the format only in the description ('YYYY-MM-DD'): "
          "cr-15.", param)  # fmt: skip
for tool in ("list_expenses", "summarize"):
    t("ex", "output.empty-answer", tool, "TP", "ex-9",
      S9 + "an empty range or filter answered isError false with no content at all (no text, no "
      "structuredContent): ex-9.")  # fmt: skip

# ---------------------------------------------------------------- expand and check
J: dict[str, list[dict]] = {}
ids = {srv: {x["id"] for x in v} for srv, v in D.items()}
for server in ("tr", "ex", "cr"):
    # the blind run (out/) and the later, not blind ones: every key any of them holds is judged
    runs = [HERE / run / f"{server}.json" for run in ("out", "out-s8", "out-s9", "out-s10") if (HERE / run / f"{server}.json").exists()]
    findings = [f for path in runs for f in json.loads(path.read_text())["findings"]]
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
        assert v is not None, ("no judgment", server, k, f["message"][:100])
        verdict, defect, reason = v
        ds = defect if isinstance(defect, list) else [defect] if defect else []
        assert all(x in ids[server] for x in ds), (server, k, ds)
        assert (verdict == "TP") == bool(ds), (server, k)
        J.setdefault(server, []).append(
            {"rule": f["rule"], "tool": tool or None, "field": fld or None, "verdict": verdict, "defect": defect,
             "reason": reason})  # fmt: skip
out = {
    "about": "Hand judgments of the sixth hold-out (docs/holdout6/README.md); format of docs/corpus/judgments.json.",
    "checker": "/work/main/.venv/bin/wireproof (main at 9ae5dcce5ace6eb43e52bd4782e1f7b937674d17)",
    "servers": {srv: {"defects": D[srv], "findings": J.get(srv, [])} for srv in ("tr", "ex", "cr")},
}
print(json.dumps(out, indent=1, ensure_ascii=False))
