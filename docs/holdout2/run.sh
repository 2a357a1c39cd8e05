#!/usr/bin/env bash
# Run wireproof check on the second hold-out's servers: run.sh WIREPROOF_BIN OUTDIR [at|tm|fss|fss-stdio ...]
# Servers installed under $HOLDOUT2 (default /work/holdout2), see README.md. Fresh seeded state before each run
# (state.sh NAME seed); nothing leaves 127.0.0.1. fss is checked over Streamable HTTP on 127.0.0.1:18766 (no
# credential: it has none), fss-stdio the same server over stdio; both without weather and fetch_url (internet).
set -u
WP=${1:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
OUT=${2:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
HOLDOUT2=${HOLDOUT2:-/work/holdout2}
STATE=/tmp/holdout2/state
PORT=${PORT:-18766}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
[ $# -gt 0 ] && SERVERS=("$@") || SERVERS=(at tm fss)
FSS_TOOLS=()
for t in calculate get_server_time random_number analyze_text echo hash_text base64_encode base64_decode uuid_generate \
         password_generate json_format regex_match convert_units note_add note_list note_get note_update note_delete; do
  FSS_TOOLS+=(--tool "$t")
done
for s in "${SERVERS[@]}"; do
  t0=$(date +%s)
  case $s in
    at)
      HOLDOUT2=$HOLDOUT2 "$HERE/state.sh" at seed
      (cd "$STATE/at" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/at.toml" \
        --env "AGENT_TOOLKIT_HOME=$STATE/at/home" -- "$HOLDOUT2/agent-toolkit/bin/agent-toolkit-mcp-server" \
        > "$OUT/$s.txt" 2> "$OUT/$s.stderr") ;;
    tm)
      HOLDOUT2=$HOLDOUT2 "$HERE/state.sh" tm seed
      (cd "$STATE/tm" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/tm.toml" \
        --env "TASK_MANAGER_FILE_PATH=$STATE/tm/tasks.json" \
        -- node "$HOLDOUT2/npm/node_modules/@kazuph/mcp-taskmanager/dist/index.js" > "$OUT/$s.txt" 2> "$OUT/$s.stderr") ;;
    fss)
      HOLDOUT2=$HOLDOUT2 "$HERE/state.sh" fss seed
      (cd "$STATE/fss" && MCP_NOTES_DB=$STATE/fss/notes.db MCP_TELEMETRY_DB=$STATE/fss/telemetry.db \
        exec "$HOLDOUT2/fss/bin/sample-mcp-server" --transport http --host 127.0.0.1 --port "$PORT" > "$STATE/fss/server.log" 2>&1) &
      SERVER=$!
      for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/mcp" && break; sleep 0.2; done
      (cd "$STATE/fss" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/fss.toml" \
        "${FSS_TOOLS[@]}" "http://127.0.0.1:$PORT/mcp" > "$OUT/$s.txt" 2> "$OUT/$s.stderr")
      rc=$?
      kill "$SERVER"; wait "$SERVER" 2>/dev/null
      (exit $rc) ;;
    fss-stdio)
      HOLDOUT2=$HOLDOUT2 "$HERE/state.sh" fss seed
      (cd "$STATE/fss" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/fss.toml" \
        "${FSS_TOOLS[@]}" --env "MCP_NOTES_DB=$STATE/fss/notes.db" --env "MCP_TELEMETRY_DB=$STATE/fss/telemetry.db" \
        -- "$HOLDOUT2/fss/bin/sample-mcp-server" --transport stdio > "$OUT/$s.txt" 2> "$OUT/$s.stderr") ;;
    *) echo "unknown server $s" >&2; exit 2 ;;
  esac
  echo "$s exit=$? wall=$(( $(date +%s) - t0 ))s"
done
