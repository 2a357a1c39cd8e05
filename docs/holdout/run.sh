#!/usr/bin/env bash
# Run wireproof check on the hold-out servers: run.sh WIREPROOF_BIN OUTDIR [spreadsheet|kb ...]
# Servers installed under $HOLDOUT (default /work/holdout), each in its own venv:
#   python3 -m venv $HOLDOUT/mcp-server-spreadsheet && $HOLDOUT/mcp-server-spreadsheet/bin/pip install mcp-server-spreadsheet==0.3.3
#   python3 -m venv $HOLDOUT/mcp-kb && $HOLDOUT/mcp-kb/bin/pip install mcp-kb==0.4.5 "mcp<2"
#   python3 -m venv $HOLDOUT/mcp-todo && $HOLDOUT/mcp-todo/bin/pip install mcp-todo==0.0.4 "mcp<2"
# Fresh throw-away state under /tmp/holdout/state before each run (state.sh); nothing leaves 127.0.0.1.
# TRACE=1 also dumps every call to OUTDIR/NAME.calls.jsonl (../corpus/trace.py), as the corpus's run.sh does.
set -u
WP=${1:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
OUT=${2:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
HOLDOUT=${HOLDOUT:-/work/holdout}
STATE=/tmp/holdout/state
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)   # absolute: each check runs in its state folder
wp() {  # wp NAME ARGS...: wireproof ARGS, or the same through trace.py when TRACE is set
  local name=$1; shift
  if [ -n "${TRACE:-}" ]; then
    WP_TRACE="$OUT/$name.calls.jsonl" "$(dirname "$WP")/python" "$HERE/../corpus/trace.py" "$@"
  else
    "$WP" "$@"
  fi
}
[ $# -gt 0 ] && SERVERS=("$@") || SERVERS=(spreadsheet kb)
for s in "${SERVERS[@]}"; do
  [ "$s" = spreadsheet-noroot ] || HOLDOUT=$HOLDOUT "$HERE/state.sh" "$s"
  t0=$(date +%s)
  case $s in
    spreadsheet) (cd "$STATE/ss" && wp "$s" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/spreadsheet.toml" \
        --env "MCP_SPREADSHEET_ROOT=$STATE/ss" -- "$HOLDOUT/mcp-server-spreadsheet/bin/mcp-server-spreadsheet" > "$OUT/$s.txt" 2> "$OUT/$s.stderr") ;;
    spreadsheet-noroot)  # the default deployment: MCP_SPREADSHEET_ROOT unset (ss-1); same config and state
      HOLDOUT=$HOLDOUT "$HERE/state.sh" spreadsheet
      (cd "$STATE/ss" && wp "$s" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/spreadsheet.toml" \
        -- "$HOLDOUT/mcp-server-spreadsheet/bin/mcp-server-spreadsheet" > "$OUT/$s.txt" 2> "$OUT/$s.stderr") ;;
    kb) (cd "$STATE/kb" && wp "$s" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/kb.toml" \
        -- "$HOLDOUT/mcp-kb/bin/mcp-kb" --root "$STATE/kb" --no-ui --project wp > "$OUT/$s.txt" 2> "$OUT/$s.stderr") ;;
    todo) (cd "$STATE/todo" && wp "$s" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$HERE/configs/todo.toml" \
        --env "HOME=$STATE/todo" -- "$HOLDOUT/mcp-todo/bin/mcp-todo" > "$OUT/$s.txt" 2> /dev/null) ;;
    *) echo "unknown server $s" >&2; exit 2 ;;
  esac
  echo "$s exit=$? wall=$(( $(date +%s) - t0 ))s"
done
