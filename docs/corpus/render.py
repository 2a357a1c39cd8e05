"""Render the per-server tables of docs/third-party.md's corpus section from judgments.json and a run's reports.
usage: render.py OUTDIR > tables.md"""
import json, sys
from collections import OrderedDict
sys.path.insert(0, __import__("os").path.dirname(__file__))
from score import field_of, key

out = sys.argv[1]
J = json.load(open(__import__("os").path.join(__import__("os").path.dirname(__file__), "judgments.json")))
for server, j in J["servers"].items():
    r = json.load(open(f"{out}/{server}.json"))
    sev = {}
    found = {}
    for f in r["findings"]:
        if f["severity"] in ("warning", "error"):
            k = key(f["rule"], f["tool"], field_of(f["message"]))
            sev[k] = f["severity"]
    for v in j["findings"]:
        k = key(v["rule"], v["tool"], v["field"])
        if k in sev and v["verdict"] == "TP" and v["defect"]:
            for d in (v["defect"] if isinstance(v["defect"], list) else [v["defect"]]):
                found.setdefault(d, set()).add(v["rule"])
    print(f"#### {server}: hand-found defects\n")
    print("| id | category | tool | defect | evidence (call → answer) | found by |")
    print("| --- | --- | --- | --- | --- | --- |")
    for d in j["defects"]:
        by = ", ".join(f"`{x}`" for x in sorted(found.get(d["id"], ()))) or "**missed**"
        if d["found_by"] == "checker":
            seen = d.get("seen", "the checker's call trace")
            by += (" (first seen in this finding" if d["id"] in found else f" (no finding in this run; first seen in {seen}") + "; not counted for recall)"
        ev = d["evidence"].replace("|", "\\|").replace("\n", " ")
        desc = d["description"].replace("|", "\\|")
        print(f"| {d['id']} | {d['category']} | {d['tool']} | {desc} | `{ev}` | {by} |")
    print(f"\n#### {server}: findings (warning and error) and verdicts\n")
    print("| rule | sev | field | tools | verdict | defect | reason |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    groups = OrderedDict()
    for v in j["findings"]:
        k = key(v["rule"], v["tool"], v["field"])
        if k not in sev:
            continue
        g = (v["rule"], sev[k], v["field"] or "", v["verdict"], json.dumps(v["defect"]), v["reason"])
        groups.setdefault(g, []).append(v["tool"])
    for (rule, s, fld, verdict, defect, reason), tools in groups.items():
        d = json.loads(defect)
        d = ", ".join(d) if isinstance(d, list) else (d or "-")
        vv = verdict if verdict == "TP" else "**FP**"
        print(f"| `{rule}` | {s} | {fld or '-'} | {', '.join(tools)} ({len(tools)}) | {vv} | {d} | {reason.replace('|', '/')} |")
    print()
