#!/usr/bin/env bash
# Fresh throw-away state for the fifth hold-out's servers: state.sh mk|td|bt
# Everything lives under /tmp/holdout5/state/NAME; the servers are installed under /work/holdout5.
# mk (mcp-memory-keeper): DATA_DIR=$STATE/mk/data (context.db created there), HOME=$STATE/mk/home (no config file).
# td (todo-txt-mcp): $STATE/td/todo.txt with three tasks (the file path is the positional argument).
# bt (bibtex-file-mcp): $STATE/bt/refs.bib with three entries; the server has no state of its own.
set -eu
STATE=/tmp/holdout5/state
case ${1:-} in
  mk) rm -rf "$STATE/mk" && mkdir -p "$STATE/mk/data" "$STATE/mk/home" ;;
  td) rm -rf "$STATE/td" && mkdir -p "$STATE/td"
      printf '%s\n' "(A) 2026-12-01 Call the plumber +house @phone" "2026-12-02 Write the report +work due:2026-12-10" \
        "x 2026-12-02 2026-12-01 Buy milk @shop" > "$STATE/td/todo.txt" ;;
  bt) rm -rf "$STATE/bt" && mkdir -p "$STATE/bt/out"
      cat > "$STATE/bt/refs.bib" <<'BIB'
@article{knuth1984,
  author = {Donald E. Knuth},
  title = {Literate Programming},
  journal = {The Computer Journal},
  year = {1984},
  volume = {27},
  pages = {97--111}
}

@book{lamport1994,
  author = {Leslie Lamport},
  title = {LaTeX: A Document Preparation System},
  publisher = {Addison-Wesley},
  year = {1994}
}

@inproceedings{dijkstra1968,
  author = {Edsger W. Dijkstra},
  title = {Go To Statement Considered Harmful},
  booktitle = {Communications of the ACM},
  year = {1968}
}
BIB
      ;;
  *) echo "unknown server ${1:-}" >&2; exit 2 ;;
esac
