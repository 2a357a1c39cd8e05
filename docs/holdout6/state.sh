#!/usr/bin/env bash
# Fresh throw-away state for the sixth hold-out's servers: state.sh tr|ex|cr
# Everything lives under /tmp/holdout6/state/NAME; the servers are installed under /work/holdout6.
# tr (tryll-dataset-builder-mcp): DATA_DIR=$STATE/tr/data (one JSON file per project, *.history.json beside it),
#    HOME=$STATE/tr/home; empty (the server creates the folder).
# ex (iflow-mcp-expense-tracker): it keeps expenses.db in tempfile.gettempdir(), so TMPDIR=$STATE/ex/tmp; empty
#    (created on start).
# cr (mcp-cronos): CRONOS_DIARIO_PATH=$STATE/cr/diario (markdown files per day), HOME=$STATE/cr/home (no cronos.toml).
set -eu
STATE=/tmp/holdout6/state
case ${1:-} in
  tr) rm -rf "$STATE/tr" && mkdir -p "$STATE/tr/data" "$STATE/tr/home" ;;
  ex) rm -rf "$STATE/ex" && mkdir -p "$STATE/ex/tmp" ;;
  cr) rm -rf "$STATE/cr" && mkdir -p "$STATE/cr/diario" "$STATE/cr/home" ;;
  *) echo "unknown server ${1:-}" >&2; exit 2 ;;
esac
