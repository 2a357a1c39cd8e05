#!/usr/bin/env bash
# Fresh throw-away state for the fourth hold-out's servers: state.sh kb|cu|cv|sh
# Everything lives under /tmp/holdout4/state/NAME; the servers are installed under /work/holdout4.
# kb (mcp-kb-sqlite): an empty folder; the server creates kb.db there (DB_PATH=$STATE/kb/kb.db).
# cu (mcp-gnu-units): an empty folder (the server has no files; the working directory only).
# cv (mcp-csv-database): a folder data/ with two CSV files (notes.csv 500 rows, tags.csv 500 rows) and an empty out/.
# sh (mcp-shrimp-task-manager): an empty DATA_DIR ($STATE/sh/data).
set -eu
STATE=/tmp/holdout4/state
case ${1:-} in
  kb) rm -rf "$STATE/kb" && mkdir -p "$STATE/kb" ;;
  cu) rm -rf "$STATE/cu" && mkdir -p "$STATE/cu" ;;
  cv) rm -rf "$STATE/cv" && mkdir -p "$STATE/cv/data" "$STATE/cv/out"
      python3 - "$STATE/cv/data" <<'PY'
import csv, sys
d = sys.argv[1]
with open(f"{d}/notes.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["id", "title", "body", "score"])
    for i in range(1, 501):
        w.writerow([i, f"note {i}", f"body of note {i}, " + "x" * (i % 50), "" if i % 10 == 0 else i % 17])
with open(f"{d}/tags.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["id", "note_id", "tag"])
    for i in range(1, 501):
        w.writerow([i, i, f"t{i % 7}"])
PY
      ;;
  sh) rm -rf "$STATE/sh" && mkdir -p "$STATE/sh/data" ;;
  *) echo "unknown server ${1:-}" >&2; exit 2 ;;
esac
