#!/usr/bin/env bash
# Fresh throw-away state for the second hold-out's servers: state.sh at|tm|fss [seed]
# Everything lives under /tmp/holdout2/state; the servers are installed under $HOLDOUT2 (/work/holdout2).
# With "seed" (used by run.sh for the checks), each store also gets one item of every kind with a known id,
# so that the checker's sample arguments (configs/*.toml) name things that exist. The hand calls ran unseeded.
set -eu
HOLDOUT2=${HOLDOUT2:-/work/holdout2}
PY=${PY:-/work/main/.venv/bin/python}
HERE=$(cd "$(dirname "$0")" && pwd)
STATE=/tmp/holdout2/state
SEED=${2:-}
case $1 in
  at)   # agent-toolkit-mcp-server: AGENT_TOOLKIT_HOME=$STATE/at/home (notes on disk, SQLite db); repo/ is a folder to register as a project
    rm -rf "$STATE/at" && mkdir -p "$STATE/at/home" "$STATE/at/repo" && echo "hello" > "$STATE/at/repo/README.md"
    if [ "$SEED" = seed ]; then  # one item per destructive tool, so that one tool's probes do not remove another's
      "$PY" "$HERE/../corpus/probe.py" --env "AGENT_TOOLKIT_HOME=$STATE/at/home" - -- "$HOLDOUT2/agent-toolkit/bin/agent-toolkit-mcp-server" > /dev/null 2>&1 <<JSONL
{"tool": "note_write", "args": {"name": "wp", "content": "# WP\n## Section\nwp line one\nwp line two\n", "tags": "wp"}}
{"tool": "note_write", "args": {"name": "wp-rename", "content": "# WP rename\n"}}
{"tool": "note_write", "args": {"name": "wp-delete", "content": "# WP delete\n"}}
{"tool": "note_write", "args": {"name": "wp-clear", "content": "# WP clear\n"}}
{"tool": "note_write", "args": {"name": "wp-archive", "content": "# WP archive\n"}}
{"tool": "project_register", "args": {"name": "wp", "path": "$STATE/at/repo", "description": "wp project"}}
{"tool": "project_register", "args": {"name": "wp-remove", "path": "$STATE/at/repo", "description": "wp project to remove"}}
{"tool": "project_doc_write", "args": {"project": "wp", "name": "wpdoc", "content": "# WP doc\n"}}
{"tool": "project_doc_write", "args": {"project": "wp", "name": "wpdoc-delete", "content": "# WP doc to delete\n"}}
{"tool": "todo_create", "args": {"text": "wp todo", "tags": "wp"}}
{"tool": "todo_create", "args": {"text": "wp blocker"}}
{"tool": "todo_create", "args": {"text": "wp delete"}}
{"tool": "todo_create", "args": {"text": "wp lock"}}
{"tool": "todo_create", "args": {"text": "wp complete"}}
{"tool": "template_create", "args": {"name": "wp-tpl", "template": "Hello {who}", "tags": "wp"}}
{"tool": "template_create", "args": {"name": "wp-tpl-delete", "template": "Bye {who}"}}
{"tool": "timer_set", "args": {"name": "wp-timer", "fire_in_seconds": 86400, "message": "wp"}}
{"tool": "timer_set", "args": {"name": "wp-timer-cancel", "fire_in_seconds": 86400, "message": "wp"}}
{"tool": "fire_when_idle_any", "args": {"name": "wp-watch", "todo_ids": "placeholder"}}
JSONL
      "$PY" - "$STATE/at/home/data.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for text, new in [("wp todo", "wptodo"), ("wp blocker", "wpblocker"), ("wp delete", "wpdelete"), ("wp lock", "wplock"),
                  ("wp complete", "wpcomplete")]:
    c.execute("UPDATE todos SET id = ? WHERE text = ?", (new, text))
for cid, body in [("wpcomment", "wp comment"), ("wpcomment-delete", "wp comment to delete")]:
    c.execute("INSERT INTO todo_comments(id, todo_id, body, created, updated) VALUES (?, 'wptodo', ?, "
              "'2026-12-02T00:00:00+00:00', '2026-12-02T00:00:00+00:00')", (cid, body))
c.execute("UPDATE timers SET id = 'wptimer' WHERE name = 'wp-timer'")
c.execute("UPDATE timers SET id = 'wptimer-cancel' WHERE name = 'wp-timer-cancel'")
c.execute("UPDATE idle_watches SET id = 'wpwatch', todo_ids = '[\"wptodo\"]'")
c.execute("UPDATE prompt_templates SET id = 'wptpl' WHERE name = 'wp-tpl'")
c.execute("UPDATE prompt_templates SET id = 'wptpl-delete' WHERE name = 'wp-tpl-delete'")
c.commit()
PY
    fi ;;
  tm)   # @kazuph/mcp-taskmanager: TASK_MANAGER_FILE_PATH=$STATE/tm/tasks.json
    rm -rf "$STATE/tm" && mkdir -p "$STATE/tm"
    if [ "$SEED" = seed ]; then  # req-1 with task-1 (done, not approved) and task-2 (open); req-2 with task-3 and task-4 (open)
      cat > "$STATE/tm/tasks.json" <<'JSON'
{"requests": [
 {"requestId": "req-1", "originalRequest": "wp request", "splitDetails": "wp request", "completed": false, "tasks": [
  {"id": "task-1", "title": "wp task one", "description": "wp first", "done": true, "approved": false, "completedDetails": "wp done"},
  {"id": "task-2", "title": "wp task two", "description": "wp second", "done": false, "approved": false, "completedDetails": ""}]},
 {"requestId": "req-2", "originalRequest": "wp other", "splitDetails": "wp other", "completed": false, "tasks": [
  {"id": "task-3", "title": "wp task three", "description": "wp third", "done": false, "approved": false, "completedDetails": ""},
  {"id": "task-4", "title": "wp task four", "description": "wp to delete", "done": false, "approved": false, "completedDetails": ""}]}
]}
JSON
    fi ;;
  fss)  # fastmcp-sample-server: MCP_NOTES_DB=$STATE/fss/notes.db, MCP_TELEMETRY_DB=$STATE/fss/telemetry.db
    rm -rf "$STATE/fss" && mkdir -p "$STATE/fss"
    if [ "$SEED" = seed ]; then  # notes 1 and 2 (2 for note_delete)
      "$PY" - "$STATE/fss/notes.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, body TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
                "CREATE INDEX idx_notes_updated_at ON notes(updated_at DESC);")
for title in ("wp note", "wp note to delete"):
    c.execute("INSERT INTO notes(title, body, created_at, updated_at) VALUES (?, 'wp body', '2026-12-02T00:00:00+00:00', "
              "'2026-12-02T00:00:00+00:00')", (title,))
c.commit()
PY
    fi ;;
  *) echo "unknown $1" >&2; exit 2 ;;
esac
