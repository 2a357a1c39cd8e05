"""Group a report's warning/error findings by (rule, field, severity) for judging: show.py OUTDIR SERVER [RULE_PREFIX]
Prints the tools of each group and one example (message, call, answer, note)."""

import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "corpus"))
from score import field_of

out, server = sys.argv[1], sys.argv[2]
prefix = sys.argv[3] if len(sys.argv) > 3 else ""
report = json.loads((Path(out) / f"{server}.json").read_text())
groups: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
for f in report["findings"]:
    if f["severity"] in ("warning", "error") and f["rule"].startswith(prefix):
        groups[(f["rule"], field_of(f["message"]) or "-", f["severity"])].append(f)
for (rule, fld, sev), fs in sorted(groups.items()):
    tools = sorted({f["tool"] or "-" for f in fs})
    f = fs[0]
    ev = f.get("evidence") or {}
    print(f"== {sev} {rule} field={fld} ({len(tools)} tools): {' '.join(tools)}")
    print("   msg:", f["message"][:400])
    call = ev.get("call")
    if call and call.get("method") != "tools/list":
        print("   call:", json.dumps(call)[:300])
        print("   ans:", (ev.get("answer") or "")[:300].replace("\n", " "))
    if ev.get("note"):
        print("   note:", str(ev.get("note"))[:300])
