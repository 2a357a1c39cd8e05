#!/usr/bin/env bash
# Re-run the wireproof check corpus: run.sh WIREPROOF_BIN OUTDIR [SERVER...]
# Servers are installed outside the repo: Python ones in $CORPUS/venv (mcp 2.x) and $CORPUS/venv1 (mcp 1.x,
# for servers written against the 1.x API), npm ones under $CORPUS/npm. Throw-away state is recreated in
# $STATE before each server's run; nothing reaches beyond 127.0.0.1 (no server here touches the network).
set -u
WP=${1:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
OUT=${2:?usage: run.sh WIREPROOF_BIN OUTDIR [SERVER...]}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=${CORPUS:-/work/corpus}
CONFIGS=${CONFIGS:-$HERE/configs}
STATE=/tmp/wireproof-corpus/state        # the configs name this path
NM=$CORPUS/npm/node_modules
PY1=$CORPUS/venv1/bin
PY2=$CORPUS/venv/bin
mkdir -p "$OUT"
ALL=(calculator sqlite duckdb alchemy filesystem seqthinking mcp-sqlite-npm ea-database postgres knowledge-graph)
PGPORT=${PGPORT:-54329}
[ $# -gt 0 ] && SERVERS=("$@") || SERVERS=("${ALL[@]}")

sqlite_table() {  # sqlite_table DB: table t(id, name) with two rows
  "$PY2/python" -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(\"CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t (name) VALUES ('a'),('b');\"); c.commit()" "$1"
}

fresh_state() {
  [ -d "$STATE/pg" ] && "$HERE/pg.sh" stop "$STATE/pg"
  rm -rf "$STATE" && mkdir -p "$STATE"
  case $1 in
    sqlite) sqlite_table "$STATE/sqlite.db" ;;
    duckdb) "$PY1/python" -c "import duckdb,sys; c=duckdb.connect(sys.argv[1]); c.execute(\"CREATE TABLE t (id INTEGER, name VARCHAR)\"); c.execute(\"INSERT INTO t VALUES (1,'a'),(2,'b')\"); c.close()" "$STATE/duck.db" ;;
    alchemy) sqlite_table "$STATE/alchemy.db" ;;
    mcp-sqlite-npm) sqlite_table "$STATE/ms.db" ;;
    ea-database) sqlite_table "$STATE/ea.db"; "$PY2/python" -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE wp_t (id INTEGER)'); c.commit()" "$STATE/ea.db" ;;
    postgres) "$HERE/pg.sh" start "$STATE/pg" "$PGPORT" ;;
    knowledge-graph) mkdir -p "$STATE/kg" ;;
    filesystem)
      mkdir -p "$STATE/fs/sub"; echo hello > "$STATE/fs/a.txt"; printf x > "$STATE/fs/e.txt"; echo m > "$STATE/fs/m.txt"
      "$PY2/python" -c "import sys; [open(f'{sys.argv[1]}/f{i:04d}.txt','w').write('x') for i in range(1500)]" "$STATE/fs/sub" ;;
  esac
}

check() {  # check NAME [wireproof options] -- COMMAND...   (NOCONFIG=1: drop the --config FILE pair)
  local name=$1; shift
  if [ -n "${NOCONFIG:-}" ]; then
    local args=() skip=""
    for a in "$@"; do
      if [ -n "$skip" ]; then skip=""; continue; fi
      if [ "$a" = "--config" ]; then skip=1; continue; fi
      args+=("$a")
    done
    set -- "${args[@]}"
  fi
  fresh_state "$name"
  local t0=$(date +%s.%N)
  if [ -n "${TRACE:-}" ]; then  # the same check, with every call dumped to $name.calls.jsonl (trace.py)
    WP_TRACE="$OUT/$name.calls.jsonl" "$(dirname "$WP")/python" "$HERE/trace.py" check --no-progress --output "$OUT/$name.json" "$@" > "$OUT/$name.txt" 2> "$OUT/$name.stderr"
  else
    "$WP" check --no-progress --output "$OUT/$name.json" "$@" > "$OUT/$name.txt" 2> "$OUT/$name.stderr"
  fi
  local rc=$?
  echo "$name exit=$rc wall=$(echo "$(date +%s.%N) - $t0" | bc)s"
}

for s in "${SERVERS[@]}"; do
  case $s in
    calculator) check calculator --allow-writes --config "$CONFIGS/calculator.toml" -- "$PY1/mcp-server-calculator" ;;
    sqlite) check sqlite --allow-writes --config "$CONFIGS/sqlite.toml" -- "$PY1/mcp-server-sqlite" --db-path "$STATE/sqlite.db" ;;
    duckdb) check duckdb --allow-writes --config "$CONFIGS/duckdb.toml" -- "$PY1/mcp-server-duckdb" --db-path "$STATE/duck.db" ;;
    alchemy) check alchemy --allow-writes --config "$CONFIGS/alchemy.toml" --env "DB_URL=sqlite:///$STATE/alchemy.db" -- "$PY2/mcp-alchemy" ;;
    filesystem) check filesystem --allow-writes --config "$CONFIGS/filesystem.toml" -- node "$NM/@modelcontextprotocol/server-filesystem/dist/index.js" "$STATE/fs" ;;
    seqthinking) check seqthinking --allow-writes -- node "$NM/@modelcontextprotocol/server-sequential-thinking/dist/index.js" ;;
    mcp-sqlite-npm) check mcp-sqlite-npm --allow-writes --config "$CONFIGS/mcp-sqlite-npm.toml" -- node "$NM/mcp-sqlite/mcp-sqlite-server.js" "$STATE/ms.db" ;;
    ea-database) check ea-database --allow-writes --config "$CONFIGS/ea-database.toml" -- node "$NM/@executeautomation/database-server/dist/src/index.js" "$STATE/ea.db" ;;
    postgres) check postgres --allow-writes --config "$CONFIGS/postgres.toml" -- node "$NM/@modelcontextprotocol/server-postgres/dist/index.js" "postgresql://postgres@127.0.0.1:$PGPORT/postgres"
      "$HERE/pg.sh" stop "$STATE/pg" ;;
    knowledge-graph) check knowledge-graph --allow-writes --config "$CONFIGS/knowledge-graph.toml" -- node "$NM/@itseasy21/mcp-knowledge-graph/dist/index.js" --memory-path "$STATE/kg/memory.jsonl" ;;
    *) echo "unknown server $s" >&2; exit 2 ;;
  esac
done
