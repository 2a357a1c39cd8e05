#!/usr/bin/env bash
# Run wireproof check on the sixth hold-out's servers: run.sh WIREPROOF_BIN OUTDIR [tr|ex|cr ...]
# Servers installed under $HOLDOUT6 (default /work/holdout6), see README.md. Before each run: fresh state (phase 1's
# state.sh NAME), then the seed the configs name, sent through the server's own tools (seed/NAME.jsonl, with
# docs/corpus/probe.py of the checker's checkout and the python of WIREPROOF_BIN's venv). Everything is stdio.
# tr joins raw project names into file paths (defects tr-6, tr-7: it reads, writes and deletes *.json outside its
# folder), so it runs as the unprivileged user nobody (setpriv), its state owned by nobody: a probe's path can reach
# nothing that user cannot write. connect_session, parse_url and batch_parse_urls reach the network: left out with --tool.
# Safety: md5 of /etc/passwd, shadow, group before the first run, md5sum -c after the last.
set -u
WP=${1:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
OUT=${2:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
HOLDOUT6=${HOLDOUT6:-/work/holdout6}
STATE=/tmp/holdout6/state
PY=$(dirname "$WP")/python
PROBE=$(cd "$(dirname "$WP")/../.." && pwd)/docs/corpus/probe.py
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
[ $# -gt 0 ] && SERVERS=("$@") || SERVERS=(tr ex cr)
md5sum /etc/passwd /etc/shadow /etc/group > /tmp/etc6.md5
TR_ENV=(--env "DATA_DIR=$STATE/tr/data" --env "HOME=$STATE/tr/home")
TR=(setpriv --reuid=65534 --regid=65534 --clear-groups -- node "$HOLDOUT6/npm/node_modules/tryll-dataset-builder-mcp/index.js")
TR_TOOLS=()
for t in disconnect_session create_project list_projects delete_project get_project_stats create_category list_categories \
  rename_category delete_category add_chunk bulk_add_chunks get_chunk update_chunk delete_chunk duplicate_chunk move_chunk \
  search_chunks export_project import_json bulk_update_metadata merge_projects export_category get_history get_commit rollback; do
  TR_TOOLS+=(--tool "$t")
done
EX_ENV=(--env "TMPDIR=$STATE/ex/tmp")
EX=("$HOLDOUT6/expense/bin/mcp-expense-tracker")
CR_ENV=(--env "CRONOS_DIARIO_PATH=$STATE/cr/diario" --env "HOME=$STATE/cr/home")
CR=("$HOLDOUT6/cronos/bin/mcp-cronos")
for s in "${SERVERS[@]}"; do
  t0=$(date +%s)
  "$HERE/state.sh" "$s"
  case $s in
    tr)
      chown -R 65534:65534 "$STATE/tr"
      (cd "$STATE/tr" && "$PY" "$PROBE" "${TR_ENV[@]}" "$HERE/seed/tr.jsonl" -- "${TR[@]}" > "$STATE/tr.seed.out" 2>&1)
      (cd "$STATE/tr" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/tr.toml" \
        "${TR_TOOLS[@]}" "${TR_ENV[@]}" -- "${TR[@]}" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    ex)
      (cd "$STATE/ex" && "$PY" "$PROBE" "${EX_ENV[@]}" "$HERE/seed/ex.jsonl" -- "${EX[@]}" > "$STATE/ex.seed.out" 2>&1)
      (cd "$STATE/ex" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/ex.toml" \
        "${EX_ENV[@]}" -- "${EX[@]}" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    cr)
      (cd "$STATE/cr" && "$PY" "$PROBE" "${CR_ENV[@]}" "$HERE/seed/cr.jsonl" -- "${CR[@]}" > "$STATE/cr.seed.out" 2>&1)
      (cd "$STATE/cr" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/cr.toml" \
        "${CR_ENV[@]}" -- "${CR[@]}" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    *) echo "unknown server $s" >&2; exit 2 ;;
  esac
  echo "$s exit=$? wall=$(( $(date +%s) - t0 ))s"
done
md5sum -c /tmp/etc6.md5
