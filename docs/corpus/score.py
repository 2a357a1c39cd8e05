#!/usr/bin/env python3
"""Score a corpus run: score.py OUTDIR [JUDGMENTS]

Reads OUTDIR/<server>.json (wireproof check JSON reports) and judgments.json (beside this script unless given).
A finding is matched to a judgment by (rule, tool, field), never by message text; field is the parameter,
the broken argument or the leak kind that the message names, else null. Prints precision (warning+error, and
error only) and recall of the hand-found defects, per server and per category, and lists every warning/error
finding that has no judgment yet (new findings to judge by hand). Exit 0 always.
"""
from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

_FIELD = [
    re.compile(r"^Parameter (\S+?)[ .]"),
    re.compile(r"^A call breaking (\S+) \("),
    re.compile(r"^A call breaking (an unknown argument)"),
    re.compile(r"^An answer contains (.+?)\.$"),
    re.compile(r"^The same key with a different (\S+) "),
]
CATEGORIES = ("schema", "errors", "auth", "idempotency", "output", "protocol")


def field_of(message: str) -> str | None:
    for pattern in _FIELD:
        m = pattern.search(message)
        if m:
            return m.group(1)
    return None


def key(rule: str, tool: str | None, field: str | None) -> tuple[str, str, str]:
    return (rule, tool or "", field or "")


def pct(num: int, den: int) -> str:
    return f"{100 * num / den:.0f}% ({num}/{den})" if den else "n/a"


def main() -> int:
    out = Path(sys.argv[1])
    jpath = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).with_name("judgments.json")
    judgments = json.loads(jpath.read_text())
    rows = []
    unjudged = []
    tot = defaultdict(lambda: defaultdict(int))  # scope -> counter
    for server, j in judgments["servers"].items():
        report_path = out / f"{server}.json"
        if not report_path.exists():
            rows.append((server, "no report", "", "", ""))
            continue
        report = json.loads(report_path.read_text())
        verdicts = {key(f["rule"], f["tool"], f["field"]): f for f in j["findings"]}
        seen_keys: set[tuple[str, str, str]] = set()
        found_defects: set[str] = set()
        c = defaultdict(int)
        for f in report["findings"]:
            if f["severity"] not in ("warning", "error"):
                continue
            k = key(f["rule"], f["tool"], field_of(f["message"]))
            if k in seen_keys:  # the same finding twice in one report counts once
                continue
            seen_keys.add(k)
            v = verdicts.get(k)
            if v is None:
                unjudged.append((server, f["severity"], k, f["message"][:120]))
                c["unjudged"] += 1
                continue
            tp = v["verdict"] == "TP"
            c["tp" if tp else "fp"] += 1
            if f["severity"] == "error":
                c["etp" if tp else "efp"] += 1
            cat = f["category"]
            tot[cat]["tp" if tp else "fp"] += 1
            if tp and v.get("defect"):
                ds = v["defect"] if isinstance(v["defect"], list) else [v["defect"]]
                found_defects.update(ds)
        defects = [d for d in j["defects"] if d.get("found_by", "hand") == "hand"]
        hit = [d for d in defects if d["id"] in found_defects]
        for d in defects:
            tot[d["category"]]["defects"] += 1
            tot[d["category"]]["found"] += d["id"] in found_defects
        missed = [d["id"] for d in defects if d["id"] not in found_defects]
        for name in ("tp", "fp", "etp", "efp", "unjudged"):
            tot["all"][name] += c[name]
        tot["all"]["defects"] += len(defects)
        tot["all"]["found"] += len(hit)
        rows.append(
            (
                server,
                pct(c["tp"], c["tp"] + c["fp"]),
                pct(c["etp"], c["etp"] + c["efp"]),
                pct(len(hit), len(defects)),
                ", ".join(missed) or "-",
            )
        )
    print("| server | precision (warning+error) | precision (error) | recall | missed defects |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    a = tot["all"]
    print(
        f"| **all** | {pct(a['tp'], a['tp'] + a['fp'])} | {pct(a['etp'], a['etp'] + a['efp'])} "
        f"| {pct(a['found'], a['defects'])} | |"
    )
    print()
    print("| category | precision (warning+error) | recall |")
    print("| --- | --- | --- |")
    for cat in CATEGORIES:
        t = tot[cat]
        print(f"| {cat} | {pct(t['tp'], t['tp'] + t['fp'])} | {pct(t['found'], t['defects'])} |")
    print()
    if unjudged:
        print(f"{len(unjudged)} finding(s) without a judgment (judge them by hand, add them to judgments.json):")
        for server, sev, (rule, tool, fld), msg in unjudged:
            print(f"  {server}: {sev} {rule} tool={tool or '-'} field={fld or '-'}: {msg}")
    else:
        print("Every warning/error finding has a judgment.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
