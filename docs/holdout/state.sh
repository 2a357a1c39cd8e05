#!/usr/bin/env bash
# Fresh throw-away state for the hold-out servers: state.sh spreadsheet|kb|todo
# Everything lives under /tmp/holdout/state; servers are installed under $HOLDOUT (/work/holdout).
set -eu
HOLDOUT=${HOLDOUT:-/work/holdout}
STATE=/tmp/holdout/state
case $1 in
  spreadsheet)
    rm -rf "$STATE/ss" && mkdir -p "$STATE/ss"
    "$HOLDOUT/mcp-server-spreadsheet/bin/python" - "$STATE/ss" <<'PY'
import sys, openpyxl
d = sys.argv[1]
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Sales"
ws.append(["name", "revenue"]); ws.append(["a", 10]); ws.append(["b", 20])
wb.create_sheet("Other").append(["x", "y"])
wb.save(f"{d}/book.xlsx")
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Big"
ws.append(["id", "text"])
for i in range(20000): ws.append([i, "row %05d " % i + "x" * 40])
wb.save(f"{d}/big.xlsx")
open(f"{d}/t.csv", "w").write("name,revenue\na,10\nb,20\n")
PY
    ;;
  kb)
    rm -rf "$STATE/kb" && mkdir -p "$STATE/kb" ;;
  todo)  # mcp-todo keeps its config and tasks under $HOME: the server is run with HOME=$STATE/todo
    rm -rf "$STATE/todo" && mkdir -p "$STATE/todo" ;;
  *) echo "unknown $1" >&2; exit 2 ;;
esac
