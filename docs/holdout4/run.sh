#!/usr/bin/env bash
# Run wireproof check on the fourth hold-out's servers: run.sh WIREPROOF_BIN OUTDIR [kb|cu|cv|sh ...]
# Servers installed under $HOLDOUT4 (default /work/holdout4), see README.md. Before each run: fresh state (phase 1's
# state.sh NAME), then the seed the configs name: kb through the server's own save/relate (seed/kb.jsonl, sent with
# docs/corpus/probe.py of the checker's checkout and the python of WIREPROOF_BIN's venv), sh by writing
# seed/sh-tasks.json as DATA_DIR/tasks.json; cv's CSV files come from state.sh, cu has no state.
# Everything is stdio; nothing listens on a port. Safety: md5 of /etc/passwd, shadow, group before, md5sum -c after.
set -u
WP=${1:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
OUT=${2:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
HOLDOUT4=${HOLDOUT4:-/work/holdout4}
STATE=/tmp/holdout4/state
PY=$(dirname "$WP")/python
PROBE=$(cd "$(dirname "$WP")/../.." && pwd)/docs/corpus/probe.py
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
[ $# -gt 0 ] && SERVERS=("$@") || SERVERS=(kb cu cv sh)
md5sum /etc/passwd /etc/shadow /etc/group > /tmp/etc-h4j.md5
SH_ENV=(--env "DATA_DIR=$STATE/sh/data" --env TEMPLATES_USE=en --env ENABLE_GUI=false)
for s in "${SERVERS[@]}"; do
  t0=$(date +%s)
  "$HERE/state.sh" "$s"
  case $s in
    kb)
      (cd "$STATE/kb" && "$PY" "$PROBE" --env "DB_PATH=$STATE/kb/kb.db" "$HERE/seed/kb.jsonl" \
        -- "$HOLDOUT4/mcp-kb-sqlite/bin/mcp-kb-sqlite" > "$STATE/kb.seed.out" 2>&1)
      (cd "$STATE/kb" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/kb.toml" \
        --env "DB_PATH=$STATE/kb/kb.db" \
        -- "$HOLDOUT4/mcp-kb-sqlite/bin/mcp-kb-sqlite" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    cu)
      (cd "$STATE/cu" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/cu.toml" \
        -- "$HOLDOUT4/mcp-gnu-units/bin/mcp-gnu-units" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    cv)
      (cd "$STATE/cv" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/cv.toml" \
        -- "$HOLDOUT4/mcp-csv-database/bin/mcp-csv-database" "$STATE/cv/data" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    sh)
      cp "$HERE/seed/sh-tasks.json" "$STATE/sh/data/tasks.json"
      (cd "$STATE/sh" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/sh.toml" \
        "${SH_ENV[@]}" \
        -- node "$HOLDOUT4/npm/node_modules/mcp-shrimp-task-manager/dist/index.js" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    *) echo "unknown server $s" >&2; exit 2 ;;
  esac
  echo "$s exit=$? wall=$(( $(date +%s) - t0 ))s"
done
md5sum -c /tmp/etc-h4j.md5
