#!/usr/bin/env bash
# hand/cv-4.sh: fresh cv state; data.csv before, hand/cv-4.jsonl (load, 6 edits, one undo), data.csv after
cd "$(dirname "$0")/.." && ./state.sh cv; F=/tmp/holdout7/state/cv/files/data.csv
echo "== data.csv before:"; cat $F; stat -c '%y %s bytes' $F
hand/h.sh cvs "$PWD/hand/cv-4.jsonl"
echo "== data.csv after (no export, no save was asked):"; cat $F; stat -c '%y %s bytes' $F
