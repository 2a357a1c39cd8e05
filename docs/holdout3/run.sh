#!/usr/bin/env bash
# Run wireproof check on the third hold-out's servers: run.sh WIREPROOF_BIN OUTDIR [fq|td|ps ...]
# Servers installed under $HOLDOUT3 (default /work/holdout3), see README.md. Fresh seeded state before each run
# (state.sh NAME seed); everything is stdio, and ps's side HTTP server listens on MCP_HTTP_PORT (18777) only.
set -u
WP=${1:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
OUT=${2:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
HOLDOUT3=${HOLDOUT3:-/work/holdout3}
STATE=/tmp/holdout3/state
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
[ $# -gt 0 ] && SERVERS=("$@") || SERVERS=(fq td ps)
for s in "${SERVERS[@]}"; do
  t0=$(date +%s)
  "$HERE/state.sh" "$s" seed
  case $s in
    fq)
      (cd "$STATE/fq" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/fq.toml" \
        -- "$HOLDOUT3/fastmcp-sqlite/bin/fastmcp-sqlite" --db "$STATE/fq/main.db" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    td)
      (cd "$STATE/td/ws" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/td.toml" \
        --env "WORKSPACE_FOLDER_PATHS=$STATE/td/ws" \
        -- "$HOLDOUT3/iflow-mcp-claude-todo-emulator/bin/claude-todo-emulator" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    ps)
      (cd "$STATE/ps" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/ps.toml" \
        --env "MCP_HTTP_PORT=18777" \
        -- node "$HOLDOUT3/npm/node_modules/@pollinations/mcp-server-sqlite/dist/index.js" "$STATE/ps/main.db" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    *) echo "unknown server $s" >&2; exit 2 ;;
  esac
  echo "$s exit=$? wall=$(( $(date +%s) - t0 ))s"
done
