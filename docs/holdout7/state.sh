#!/usr/bin/env bash
# Fresh throw-away state for the seventh hold-out's servers: state.sh xl|cv|ca
# Everything lives under /tmp/holdout7/state/NAME (owned by nobody, 65534); the servers are installed under /work/holdout7.
# xl (@negokaz/excel-mcp-server): takes absolute paths; the workbooks live in $STATE/xl/books; book.xlsx is made with
#    openpyxl (from the cv venv): sheet "Sales" A1:C4 (header + 3 rows), sheet "Notes" A1 "hello". HOME=$STATE/xl/home.
# cv (csv-mcp-server, module csv_editor): sessions in memory; files in $STATE/cv/files (data.csv: 4 rows, id,name,price,qty),
#    HOME=$STATE/cv/home, TMPDIR=$STATE/cv/tmp, cwd $STATE/cv.
# ca (@coo-quack/calc-mcp): no state of its own; HOME=$STATE/ca/home, cwd $STATE/ca.
set -eu
STATE=/tmp/holdout7/state
case ${1:-} in
  xl) rm -rf "$STATE/xl" && mkdir -p "$STATE/xl/books" "$STATE/xl/home"
      /work/holdout7/csv/bin/python - "$STATE/xl/books/book.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Sales"
for row in [["item", "qty", "price"], ["apple", 3, 1.5], ["pear", 5, 2.25], ["plum", 7, 0.75]]:
    ws.append(row)
wb.create_sheet("Notes")["A1"] = "hello"
wb.save(sys.argv[1])
PY
      ;;
  cv) rm -rf "$STATE/cv" && mkdir -p "$STATE/cv/files" "$STATE/cv/home" "$STATE/cv/tmp"
      printf 'id,name,price,qty\n1,apple,1.5,3\n2,pear,2.25,5\n3,plum,0.75,7\n4,fig,3.0,1\n' > "$STATE/cv/files/data.csv" ;;
  ca) rm -rf "$STATE/ca" && mkdir -p "$STATE/ca/home" ;;
  *) echo "unknown server ${1:-}" >&2; exit 2 ;;
esac
chown -R 65534:65534 "$STATE/${1}"
