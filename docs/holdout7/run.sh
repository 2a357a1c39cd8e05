#!/usr/bin/env bash
# Run wireproof check on the seventh hold-out's servers: run.sh WIREPROOF_BIN OUTDIR [xl|cv|ca ...]
# Servers installed under $HOLDOUT7 (default /work/holdout7), see README.md. Before each run: fresh state (phase 1's
# state.sh NAME), then the seed the configs name, sent through the server's own tools (seed/NAME.jsonl, with
# docs/corpus/probe.py of the checker's checkout and the python of WIREPROOF_BIN's venv). Everything is stdio.
# xl and cv take any absolute path (defects xl-3, cv-4: they read and write files outside their folders), so every
# server runs as the unprivileged user nobody (setpriv), its state owned by nobody (state.sh): a probe's path can reach
# nothing that user cannot write. cv's load_csv_from_url reaches the network: left out with --tool.
# Safety: /tmp/etc7.md5 (md5 of /etc/passwd, shadow, group) was written before the first hand run; md5sum -c after the
# last check run.
set -u
WP=${1:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
OUT=${2:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
HOLDOUT7=${HOLDOUT7:-/work/holdout7}
CONFIGS=${CONFIGS:-$HERE/configs}   # another folder of configs for a later, not-blind run (configs-s10)
STATE=/tmp/holdout7/state
PY=$(dirname "$WP")/python
PROBE=$(cd "$(dirname "$WP")/../.." && pwd)/docs/corpus/probe.py
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
[ $# -gt 0 ] && SERVERS=("$@") || SERVERS=(xl cv ca)
[ -f /tmp/etc7.md5 ] || md5sum /etc/passwd /etc/shadow /etc/group > /tmp/etc7.md5
NB=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
XL_ENV=(--env "HOME=$STATE/xl/home")
XL=("${NB[@]}" node "$HOLDOUT7/npm/node_modules/@negokaz/excel-mcp-server/dist/launcher.js")
CV_ENV=(--env "HOME=$STATE/cv/home" --env "TMPDIR=$STATE/cv/tmp")
CV=("${NB[@]}" "$HOLDOUT7/csv/bin/csv-editor")
CV_TOOLS=()
for t in health_check get_server_info load_csv load_csv_from_content export_csv get_session_info list_sessions \
  close_session filter_rows sort_data select_columns rename_columns add_column remove_columns change_column_type \
  fill_missing_values remove_duplicates update_column get_statistics get_column_statistics get_correlation_matrix \
  group_by_aggregate get_value_counts detect_outliers profile_data validate_schema check_data_quality find_anomalies \
  configure_auto_save disable_auto_save get_auto_save_status trigger_manual_save undo redo get_history \
  restore_to_operation clear_history export_history; do
  case " ${CV_SKIP:-} " in *" $t "*) continue ;; esac   # CV_SKIP="close_session": left out of a later run
  CV_TOOLS+=(--tool "$t")
done
CA_ENV=(--env "HOME=$STATE/ca/home")
CA=("${NB[@]}" node "$HOLDOUT7/npm/node_modules/@coo-quack/calc-mcp/dist/index.js")
for s in "${SERVERS[@]}"; do
  t0=$(date +%s)
  "$HERE/state.sh" "$s"
  case $s in
    xl)
      (cd "$STATE/xl" && "$PY" "$PROBE" "${XL_ENV[@]}" "$HERE/seed/xl.jsonl" -- "${XL[@]}" > "$STATE/xl.seed.out" 2>&1)
      (cd "$STATE/xl" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$CONFIGS/xl.toml" \
        "${XL_ENV[@]}" -- "${XL[@]}" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    cv)
      (cd "$STATE/cv" && "$PY" "$PROBE" "${CV_ENV[@]}" "$HERE/seed/cv.jsonl" -- "${CV[@]}" > "$STATE/cv.seed.out" 2>&1)
      (cd "$STATE/cv" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$CONFIGS/cv.toml" \
        "${CV_TOOLS[@]}" "${CV_ENV[@]}" -- "${CV[@]}" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    ca)
      (cd "$STATE/ca" && "$PY" "$PROBE" "${CA_ENV[@]}" "$HERE/seed/ca.jsonl" -- "${CA[@]}" > "$STATE/ca.seed.out" 2>&1)
      (cd "$STATE/ca" && "$WP" check --no-progress --output "$OUT/$s.json" --allow-writes --config "$CONFIGS/ca.toml" \
        "${CA_ENV[@]}" -- "${CA[@]}" > "$OUT/$s.txt" 2> "$STATE/$s.stderr") ;;
    *) echo "unknown server $s" >&2; exit 2 ;;
  esac
  echo "$s exit=$? wall=$(( $(date +%s) - t0 ))s"
done
md5sum -c /tmp/etc7.md5
