#!/usr/bin/env bash
# hand/h.sh tr|ex|cr CALLS.jsonl: one probe.py session on the current state (no reset)
P=/work/main/.venv/bin/python; D=/work/main/docs; S=/tmp/holdout6/state; s=$1; f=$2
case $s in
  tr) cd $S/tr && exec $P $D/corpus/probe.py --env DATA_DIR=$S/tr/data --env HOME=$S/tr/home "$f" -- node /work/holdout6/npm/node_modules/tryll-dataset-builder-mcp/index.js ;;
  ex) cd $S/ex && exec $P $D/corpus/probe.py --env TMPDIR=$S/ex/tmp "$f" -- /work/holdout6/expense/bin/mcp-expense-tracker ;;
  cr) cd $S/cr && exec $P $D/corpus/probe.py --env CRONOS_DIARIO_PATH=$S/cr/diario --env HOME=$S/cr/home "$f" -- /work/holdout6/cronos/bin/mcp-cronos ;;
esac
