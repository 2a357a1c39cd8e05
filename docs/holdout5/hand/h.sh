#!/usr/bin/env bash
# hand/h.sh mk|td|bt CALLS.jsonl: one probe.py session on the current state (no reset)
P=/work/main/.venv/bin/python; D=/work/main/docs; S=/tmp/holdout5/state; s=$1; f=$2
case $s in
  mk) cd $S/mk && exec $P $D/corpus/probe.py --env DATA_DIR=$S/mk/data --env HOME=$S/mk/home --env TOOL_PROFILE=minimal "$f" -- node /work/holdout5/npm/node_modules/mcp-memory-keeper/dist/index.js ;;
  td) cd $S/td && exec $P $D/corpus/probe.py "$f" -- /work/holdout5/todo-txt/bin/todo-txt-mcp $S/td/todo.txt ;;
  bt) cd $S/bt && exec $P $D/corpus/probe.py "$f" -- /work/holdout5/bibtex/bin/bibtex-file-mcp ;;
esac
