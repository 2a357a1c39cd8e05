#!/usr/bin/env bash
# hand/h.sh xl|cv|ca CALLS.jsonl: one probe.py session on the current state (no reset); servers run as nobody (setpriv)
P=/work/main/.venv/bin/python; D=/work/main/docs; S=/tmp/holdout7/state; s=$1; f=$2
HD=$(cd "$(dirname "$0")" && pwd)
NB="setpriv --reuid=65534 --regid=65534 --clear-groups --"
# cvs: csv-editor with session ids carried between calls (hand/probe_sid.py)
if [ "$s" = cvs ]; then cd $S/cv && exec $P $HD/probe_sid.py --env HOME=$S/cv/home --env TMPDIR=$S/cv/tmp "$f" -- $NB /work/holdout7/csv/bin/csv-editor; fi
case $s in
  xl) cd $S/xl && exec $P $D/corpus/probe.py --env HOME=$S/xl/home "$f" -- $NB node /work/holdout7/npm/node_modules/@negokaz/excel-mcp-server/dist/launcher.js ;;
  cv) cd $S/cv && exec $P $D/corpus/probe.py --env HOME=$S/cv/home --env TMPDIR=$S/cv/tmp "$f" -- $NB /work/holdout7/csv/bin/csv-editor ;;
  ca) cd $S/ca && exec $P $D/corpus/probe.py --env HOME=$S/ca/home "$f" -- $NB node /work/holdout7/npm/node_modules/@coo-quack/calc-mcp/dist/index.js ;;
esac
