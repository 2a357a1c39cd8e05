"""Writes the three big hand-call files (at-2, fss-2, tm-3), whose payloads are too large to keep in git.

usage: python3 hand/gen.py   (from docs/holdout2; overwrites hand/at-2.jsonl, hand/fss-2.jsonl, hand/tm-3.jsonl)
"""

import json
from pathlib import Path

HERE = Path(__file__).parent


def write(name: str, calls: list[dict]) -> None:
    (HERE / name).write_text("".join(json.dumps(c) + "\n" for c in calls))


def at2() -> list[dict]:
    big = "\n".join(f"line {i:06d} {'x' * 60}" for i in range(30000))  # 2.2 MB note
    calls = [
        {"tool": "note_write", "args": {"name": "big", "content": big}},
        {"tool": "note_read", "args": {"name": "big"}},
        {"tool": "note_find", "args": {"name": "big", "query": "line", "limit": 100000}},
        {"tool": "note_list", "args": {"limit": 0}},
    ]
    calls += [{"tool": "todo_create", "args": {"text": f"todo {i} " + "y" * 2000}} for i in range(3)]
    calls += [
        {"tool": "todo_list", "args": {"status": "all"}},
        {"tool": "todo_comment_add", "args": {"todo_id": "nope", "body": "c"}},
        {"tool": "note_write", "args": {"name": "n1", "content": "a", "tags": "t1"}},
        {"tool": "note_write", "args": {"name": "n1", "content": "b", "tags": ""}},
        {"tool": "note_read", "args": {"name": "n1"}},
        {
            "tool": "note_write",
            "args": {"name": "n2", "content": "---\nrevision: 7\narchived: true\n---\nbody"},
        },
        {"tool": "note_list", "args": {}},
        {"tool": "note_read", "args": {"name": "n2"}},
        {"tool": "note_rename", "args": {"name": "n1", "new_name": "???"}},
        {"tool": "note_edit", "args": {"name": "n1", "content": "x", "section": "Nope"}},
        {"tool": "note_search", "args": {"query": "body OR a", "project": "nope"}},
        {"tool": "todo_create", "args": {"text": "lockme"}},
    ]
    return calls


def fss2() -> list[dict]:
    calls = [{"tool": "note_add", "args": {"title": f"big {i}", "body": "w" * 99000}} for i in range(30)]
    calls += [
        {"tool": "note_list", "args": {}},
        {"tool": "note_list", "args": {"limit": 0}},
        {"tool": "note_list", "args": {"limit": 2}},
        {"tool": "note_list", "args": {"limit": 100000}},
        {"tool": "note_add", "args": {"title": "x" * 201}},
        {"tool": "note_add", "args": {"title": "pct", "body": "100% sure"}},
        {"tool": "note_list", "args": {"search": "%", "limit": 3}},
        {"tool": "note_update", "args": {"note_id": 1, "title": None, "body": None}},
    ]
    return calls


def tm3() -> list[dict]:
    tasks = [{"title": f"task {i}", "description": "description " + "z" * 200} for i in range(3000)]
    return [
        {"tool": "request_planning", "args": {"originalRequest": "big", "tasks": tasks}},
        {"tool": "get_next_task", "args": {"requestId": "req-1"}},
        {"tool": "mark_task_done", "args": {"requestId": "req-1", "taskId": "task-1"}},
        {"tool": "update_task", "args": {"requestId": "req-1", "taskId": "task-2", "title": "x"}},
    ]


write("at-2.jsonl", at2())
write("fss-2.jsonl", fss2())
write("tm-3.jsonl", tm3())
