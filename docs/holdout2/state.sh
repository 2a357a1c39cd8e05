#!/usr/bin/env bash
# Fresh throw-away state for the second hold-out's servers: state.sh at|tm|fss
# Everything lives under /tmp/holdout2/state; the servers are installed under $HOLDOUT2 (/work/holdout2).
set -eu
STATE=/tmp/holdout2/state
case $1 in
  at)   # agent-toolkit-mcp-server: AGENT_TOOLKIT_HOME=$STATE/at (notes on disk, SQLite db); repo/ is a folder to register as a project
    rm -rf "$STATE/at" && mkdir -p "$STATE/at/home" "$STATE/at/repo" && echo "hello" > "$STATE/at/repo/README.md" ;;
  tm)   # @kazuph/mcp-taskmanager: TASK_MANAGER_FILE_PATH=$STATE/tm/tasks.json
    rm -rf "$STATE/tm" && mkdir -p "$STATE/tm" ;;
  fss)  # fastmcp-sample-server: run from $STATE/fss (its notes SQLite file)
    rm -rf "$STATE/fss" && mkdir -p "$STATE/fss" ;;
  *) echo "unknown $1" >&2; exit 2 ;;
esac
