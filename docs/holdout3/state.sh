#!/usr/bin/env bash
# Fresh throw-away state for the third hold-out's servers: state.sh fq|td|ps [seed]
# Everything lives under /tmp/holdout3/state; the servers are installed under $HOLDOUT3 (/work/holdout3).
# fq (fastmcp-sqlite) and ps (@pollinations/mcp-server-sqlite) get a SQLite file with two small tables;
# td (claude-todo-emulator) gets a workspace folder (WORKSPACE_FOLDER_PATHS) and, with "seed", a .mcp-todos.json
# holding two todos with known ids. Both databases are always seeded (the same data): a query tool needs tables.
set -eu
STATE=/tmp/holdout3/state
SEED=${2:-}
mkdb() {
  python3 - "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
CREATE TABLE notes(id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE, body TEXT, created TEXT DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE tags(id INTEGER PRIMARY KEY, note_id INTEGER REFERENCES notes(id), tag TEXT);
CREATE INDEX tags_note ON tags(note_id);
""")
c.executemany("INSERT INTO notes(title, body) VALUES (?, ?)", [(f"note {i}", f"body of note {i}, " + "x" * (i % 50)) for i in range(1, 501)])
c.executemany("INSERT INTO tags(note_id, tag) VALUES (?, ?)", [(i, f"t{i % 7}") for i in range(1, 501)])
c.commit()
PY
}
case $1 in
  fq) rm -rf "$STATE/fq" && mkdir -p "$STATE/fq" && mkdb "$STATE/fq/main.db" ;;
  ps) rm -rf "$STATE/ps" && mkdir -p "$STATE/ps" && mkdb "$STATE/ps/main.db" ;;
  td) rm -rf "$STATE/td" && mkdir -p "$STATE/td/ws"
      if [ "$SEED" = seed ]; then
        cat > "$STATE/td/ws/.mcp-todos.json" <<'JSON'
{"lastModified": "2026-12-01T10:00:00", "todos": [
 {"id": "wp-1", "content": "first seeded todo", "status": "pending", "priority": "high", "created_at": "2026-12-01T10:00:00", "updated_at": "2026-12-01T10:00:00", "metadata": null},
 {"id": "wp-2", "content": "second seeded todo", "status": "completed", "priority": "low", "created_at": "2026-12-01T10:00:00", "updated_at": "2026-12-01T10:00:00", "metadata": null}]}
JSON
      fi ;;
  *) echo "unknown server $1" >&2; exit 2 ;;
esac
