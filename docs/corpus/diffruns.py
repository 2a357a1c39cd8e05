#!/usr/bin/env python3
"""Compare two runs' findings: diffruns.py OLDDIR NEWDIR [SERVER...]
A finding is keyed as score.py keys it, (rule, tool, field); prints per server the keys only in OLD, only in NEW,
and those whose worst severity changed (info findings too, marked), and the call counts of both runs (from TRACE=1 dumps, where there are any)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from score import field_of

RANK = {"info": 0, "warning": 1, "error": 2}


def keys(report: dict) -> dict[tuple[str, str, str], str]:
    out: dict[tuple[str, str, str], str] = {}
    for f in report["findings"]:
        k = (f["rule"], f["tool"] or "", field_of(f["message"]) or "")
        if k not in out or RANK[f["severity"]] > RANK[out[k]]:
            out[k] = f["severity"]
    return out


def calls(out: Path, name: str) -> str:  # the trace's line count (run.sh with TRACE=1), else "?"
    trace = out / f"{name}.calls.jsonl"
    return str(sum(1 for _ in trace.open())) if trace.exists() else "?"


def main() -> int:
    old, new = Path(sys.argv[1]), Path(sys.argv[2])
    names = sys.argv[3:] or sorted(p.stem for p in new.glob("*.json"))
    for name in names:
        po, pn = old / f"{name}.json", new / f"{name}.json"
        if not po.exists() or not pn.exists():
            print(f"## {name}: missing {'old' if not po.exists() else 'new'} report")
            continue
        ro, rn = json.loads(po.read_text()), json.loads(pn.read_text())
        ko, kn = keys(ro), keys(rn)
        print(f"## {name}: {len(ko)} -> {len(kn)} keys; calls {calls(old, name)} -> {calls(new, name)}")
        for k in sorted(ko.keys() - kn.keys()):
            print(f"  - {ko[k]:7} {k}")
        for k in sorted(kn.keys() - ko.keys()):
            print(f"  + {kn[k]:7} {k}")
        for k in sorted(ko.keys() & kn.keys()):
            if ko[k] != kn[k]:
                print(f"  ~ {ko[k]} -> {kn[k]} {k}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
