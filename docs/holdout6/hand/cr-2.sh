#!/usr/bin/env bash
# hand/cr-2.sh: fresh cr state, the diary made a git repository with a local bare remote (all under /tmp/holdout6),
# then hand/cr-2.jsonl through h.sh; prints the remote's log afterwards (does scrivi_fine_giornata commit and push?).
set -u
S=/tmp/holdout6/state/cr; cd "$(dirname "$0")/.."
./state.sh cr
printf '[user]\n\tname = holdout6\n\temail = holdout6@127.0.0.1\n' > $S/home/.gitconfig
git init -q --bare $S/remote.git
(cd $S/diario && HOME=$S/home git init -q -b main && echo "# diario" > README.md && HOME=$S/home git add -A && HOME=$S/home git commit -qm init && HOME=$S/home git remote add origin $S/remote.git && HOME=$S/home git push -q -u origin main)
echo "remote before:"; git --git-dir=$S/remote.git log --oneline main
hand/h.sh cr "$PWD/hand/cr-2.jsonl"
echo "remote after:"; git --git-dir=$S/remote.git log --oneline --stat main | head -30
