#!/usr/bin/env bash
# Run wireproof check on the fifth hold-out's servers: run.sh WIREPROOF_BIN OUTDIR [mk|td|bt ...]
# Servers installed under $HOLDOUT5 (default /work/holdout5), see README.md. Before each run: fresh state (phase 1's
# state.sh NAME), then the seed the configs name: mk through the server's own tools (seed/mk.jsonl, sent with
# docs/corpus/probe.py of the checker's checkout and the python of WIREPROOF_BIN's venv); bt gets an empty out/sel.bib;
# td's todo.txt comes from state.sh. Everything is stdio. Safety: md5 of /etc/passwd, shadow, group before, -c after.
set -u
WP=${1:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
OUT=${2:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
HOLDOUT5=${HOLDOUT5:-/work/holdout5}
STATE=/tmp/holdout5/state
PY=$(dirname "$WP")/python
PROBE=$(cd "$(dirname "$WP")/../.." && pwd)/docs/corpus/probe.py
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
[ $# -gt 0 ] && SERVERS=("$@") || SERVERS=(mk td bt)
md5sum /etc/passwd /etc/shadow /etc/group > /tmp/etc5.md5
MK_ENV=(--env "DATA_DIR=$STATE/mk/data" --env "HOME=$STATE/mk/home" --env TOOL_PROFILE=minimal)
MK=(node "$HOLDOUT5/npm/node_modules/mcp-memory-keeper/dist/index.js")
for s in "${SERVERS[@]}"; do
  t0=$(date +%s)
  "$HERE/state.sh" "$s"
  case $s in
    mk)
      (cd "$STATE/mk" && "$PY" "$PROBE" "${MK_ENV[@]}" "$HERE/seed/mk.jsonl" -- "${MK[@]}" > "$STATE/mk.seed.out" 2>&1)
      (cd "$STATE/mk" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/mk.toml" \
        "${MK_ENV[@]}" -- "${MK[@]}" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    td)
      (cd "$STATE/td" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/td.toml" \
        -- "$HOLDOUT5/todo-txt/bin/todo-txt-mcp" "$STATE/td/todo.txt" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    bt)
      : > "$STATE/bt/out/sel.bib"
      (cd "$STATE/bt" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/bt.toml" \
        -- "$HOLDOUT5/bibtex/bin/bibtex-file-mcp" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    *) echo "unknown server $s" >&2; exit 2 ;;
  esac
  echo "$s exit=$? wall=$(( $(date +%s) - t0 ))s"
done
md5sum -c /tmp/etc5.md5
