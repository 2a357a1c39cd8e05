"""Read-only must mean read-only: readOnlyHint tools are caught writing, and nothing destructive is sent blind.

The query fixtures are real stdio servers over a real SQLite file (tests/check/sqlite_query_server.py):
one "read-only by rollback" (COMMIT; escapes it), one that runs anything, one really read-only.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.check import servers as s
from tests.check.test_rules import OBSERVE, Notes, check
from wireproof.check import CheckOptions, Observer, Report, Target, run_check

ROOT = Path(__file__).resolve().parents[2]
ESCAPE = "idempotency.read-only-escape"
CONFINED = "auth.path-not-confined"
COVERED = {ESCAPE}
"""The non-auth rules this file makes fire (test_rules.py checks every rule fires somewhere; auth.path-not-confined fires below)."""


def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
        db.execute("INSERT INTO products (name) VALUES ('pen'), ('ink')")
    return path


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def check_sqlite(mode: str, path: Path, **options: Any) -> Report:
    target = Target(
        command=(sys.executable, "-m", "tests.check.sqlite_query_server", mode, str(path)), cwd=str(ROOT)
    )
    return anyio.run(run_check, target, CheckOptions(timeout=20, concurrency=1, **options))


def escapes(report: Report) -> dict[str, str]:
    return {
        f.message.split(" it ", 1)[1].split(":")[0]: f.severity for f in report.findings if f.rule == ESCAPE
    }


def test_a_query_tool_read_only_by_rollback_is_caught_writing_after_commit(tmp_path: Path) -> None:
    path = shop(tmp_path)
    found = escapes(check_sqlite("flawed", path, allow_writes=True))
    assert found["created a table after COMMIT; (escaping a read-only transaction)"] == "error"
    assert found["attached a database file after COMMIT;"] == "error"
    assert "created a table" not in found  # rolled back: the plain CREATE left nothing, and is not blamed
    assert tables(path) == {"products", "users"}  # what the probe created, it dropped again


def test_a_query_tool_that_runs_anything_is_caught_writing_and_reading_outside_its_scope(
    tmp_path: Path,
) -> None:
    path = shop(tmp_path)
    found = escapes(check_sqlite("anything", path, allow_writes=True))
    assert found["created a table"] == "error"
    assert found["read a database file outside its scope (ATTACH)"] == "error"
    # with --allow-writes (a test account) the destructive injection is sent and this server obeys it
    assert not {t for t in tables(path) if t.startswith("wireproof")}


def test_a_really_read_only_query_tool_has_no_escape_and_no_finding(tmp_path: Path) -> None:
    path = shop(tmp_path)
    report = check_sqlite("sound", path, allow_writes=True)
    assert report.count("warning") == 0, [(f.rule, f.message) for f in report.findings]
    assert tables(path) == {"products", "users"}


def test_a_select_only_guard_is_caught_by_duckdb_file_functions_and_a_stacked_copy(tmp_path: Path) -> None:
    """The guard refuses what does not start with SELECT, so only the DuckDB-dialect attempts prove it."""
    path = shop(tmp_path)
    found = escapes(check_sqlite("select-guard", path, allow_writes=True))
    assert found["read a host file outside its scope"] == "error"
    assert found["wrote a host file with COPY … TO stacked after a SELECT"] == "error"
    # the bare and COMMIT; forms start with no SELECT: refused, and not blamed
    assert "created a table" not in found
    assert "wrote a host file with COPY … TO" not in found
    assert not {t for t in tables(path) if t.startswith("wireproof")}


def test_without_allow_writes_nothing_destructive_reaches_a_read_only_tool(tmp_path: Path) -> None:
    path = shop(tmp_path)
    report = check_sqlite("anything", path)  # splices names into its SQL: DROP TABLE users would run
    assert not [f for f in report.findings if f.rule == ESCAPE]
    assert tables(path) == {"products", "users"}
    assert next(t for t in report.tools if t.name == "run_read_only_query").calls > 0


def test_the_escape_probes_are_sent_only_with_allow_writes() -> None:
    from wireproof.check.generate import DESTRUCTIVE_STRINGS, awkward_cases

    schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 99}}}
    blind = {c.arguments.get("name") for c in awkward_cases(schema)}
    allowed = {c.arguments.get("name") for c in awkward_cases(schema, destructive=True)}
    assert not set(DESTRUCTIVE_STRINGS.values()) & blind
    assert set(DESTRUCTIVE_STRINGS.values()) <= allowed


# -- idempotency.read-only-writes with observers alone ------------------------------------------------------


def test_the_read_only_effect_check_needs_observers_only_not_allow_writes() -> None:
    notes = Notes(read_only_append=True)
    report = check(notes.server(), observers=OBSERVE["observers"])
    assert [f.tool for f in report.findings if f.rule == "idempotency.read-only-writes"] == ["peek_notes"]
    assert all(t.calls == 0 for t in report.tools if t.name == "add_note")  # the write stays uncalled


def ticking_clock() -> Callable[[dict[str, Any]], Any]:
    ticks = {"n": 0}

    async def now(args: dict[str, Any]) -> Any:
        ticks["n"] += 1
        return s.ok({"tick": ticks["n"]})

    return now


@pytest.mark.parametrize("allow_writes", [False, True])
def test_an_observer_whose_answer_moves_by_itself_does_not_make_a_read_only_tool_a_liar(
    allow_writes: bool,
) -> None:
    empty = {"type": "object", "properties": {}, "additionalProperties": False}
    server = s.build(
        [
            s.FakeTool("get_colour_by_name", s.strict_colour),
            s.FakeTool("get_clock_tick", ticking_clock(), description="The clock.", input_schema=empty),
        ]
    )
    report = check(server, observers=[Observer("get_clock_tick", {})], allow_writes=allow_writes)
    assert "idempotency.read-only-writes" not in {f.rule for f in report.findings}


@pytest.mark.parametrize("allow_writes", [False, True])
def test_a_sound_read_only_tool_under_steady_observers_is_quiet(allow_writes: bool) -> None:
    report = check(Notes().server(), observers=OBSERVE["observers"], allow_writes=allow_writes)
    assert "idempotency.read-only-writes" not in {f.rule for f in report.findings}


def test_a_search_tool_that_lists_earlier_queries_is_no_escape() -> None:
    history: list[str] = []
    schema = {
        "type": "object",
        "properties": {"query": {"type": "string", "description": "Search query.", "maxLength": 500}},
        "required": ["query"],
        "additionalProperties": False,
    }

    async def search(args: dict[str, Any]) -> Any:
        answer = s.ok({"recent_searches": list(history)})  # what was searched before, not this query
        history.append(str(args.get("query")))
        return answer

    server = s.build([s.FakeTool("search_notes", search, input_schema=schema)], validate=True)
    report = check(server, allow_writes=True)
    assert not [f for f in report.findings if f.rule == ESCAPE], [f.message for f in report.findings]
    assert next(t for t in report.tools if t.name == "search_notes").calls > 20


# -- auth.path-not-confined: a file tool reading beyond the roots it was given --------------------------------


def check_files(mode: str, *root: Path, **options: Any) -> Report:
    command = (sys.executable, "-m", "tests.check.file_server", mode, *map(str, root))
    return anyio.run(
        run_check, Target(command=command, cwd=str(ROOT)), CheckOptions(timeout=20, concurrency=1, **options)
    )


def path_reads(report: Report) -> dict[str, str]:
    return {f.tool or "": f.severity for f in report.findings if f.rule == CONFINED}


def test_a_file_tool_given_a_root_that_reads_a_planted_file_outside_it_is_an_error(tmp_path: Path) -> None:
    # read-only tools are probed without --allow-writes: reading a planted file changes nothing
    report = check_files("unconfined", tmp_path)
    assert path_reads(report) == {"read_text_file": "error", "list_folder": "error"}
    (listing,) = [f for f in report.findings if f.rule == CONFINED and f.tool == "list_folder"]
    assert "read a folder" in listing.message  # the planted file's unique name, in a listing of its folder


def test_a_parse_error_that_quotes_the_first_bytes_of_a_planted_file_proves_the_read(tmp_path: Path) -> None:
    # Hold-out 6 (tr-7): import_json json_path read /etc/passwd, and said only "Unexpected token 'r',
    # \"root:x:0:0\"... is not valid JSON". The planted token opens with 10 characters of its own.
    report = check_files("quotes-prefix", tmp_path)
    assert path_reads(report)["read_text_file"] == "error"


def test_a_file_tool_given_no_root_that_reads_a_planted_file_is_only_a_warning() -> None:
    assert path_reads(check_files("unconfined")) == {"read_text_file": "warning", "list_folder": "warning"}


def test_a_prefix_guard_is_left_by_traversal_from_a_configured_relative_path(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    config = {"read_text_file": {"path": "notes.txt"}, "list_folder": {"directory": "."}}
    report = check_files("prefix", tmp_path, tool_arguments=config)
    assert path_reads(report) == {"read_text_file": "error", "list_folder": "error"}
    assert all("by ../ traversal" in f.message for f in report.findings if f.rule == CONFINED)


def test_a_listing_that_shows_only_its_kind_of_file_still_shows_the_plant(tmp_path: Path) -> None:
    (tmp_path / "sales.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    config = {
        "list_folder": {"directory": str(tmp_path)},
        "read_text_file": {"path": str(tmp_path / "sales.csv")},
    }
    report = check_files("csv-only", tmp_path, tool_arguments=config)
    assert (
        path_reads(report)["list_folder"] == "error"
    )  # the planted folder holds a .csv, as the sample's does


def test_a_file_tool_confined_to_its_root_is_quiet(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    config = {"read_text_file": {"path": "notes.txt"}, "list_folder": {"directory": "."}}
    report = check_files("confined", tmp_path, tool_arguments=config, allow_writes=True)
    assert path_reads(report) == {}
    assert len([c for c in report.tools if c.calls]) == 2
    assert report.count("warning") == 0, [(f.rule, f.message) for f in report.findings]


def test_a_query_tool_read_only_in_its_description_only_is_held_to_it(tmp_path: Path) -> None:
    report = check_sqlite("described", shop(tmp_path), allow_writes=True)
    messages = [f.message for f in report.findings if f.rule == ESCAPE]
    assert any(
        m.startswith("Described as read-only, but through sql it created a table after COMMIT;")
        for m in messages
    )


def test_a_path_tool_only_described_read_only_is_not_called_without_allow_writes() -> None:
    # the description is no readOnlyHint: without --allow-writes the tool may write, so it is never called
    called: list[dict[str, Any]] = []

    async def read_file(args: dict[str, Any]) -> Any:
        called.append(args)
        return s.ok({"text": "hello"})

    schema = {
        "type": "object",
        "properties": {"path": {"type": "string", "description": "The file.", "maxLength": 4096}},
        "required": ["path"],
        "additionalProperties": False,
    }
    tool = s.FakeTool(
        "read_file", read_file, description="Read-only: read a file.", input_schema=schema, annotations=None
    )
    check(s.build([tool]))
    assert called == []
    check(s.build([tool]), allow_writes=True)
    assert any(str(a.get("path", "")).startswith(tempfile.gettempdir()) for a in called), called


def test_a_write_tool_that_removes_the_planted_folder_does_not_stop_the_check() -> None:
    removed: list[str] = []

    async def clear_folder(args: dict[str, Any]) -> Any:
        folder = Path(str(args.get("directory", "")))
        if folder.name.startswith("wireproof-check-") and folder.parent == Path(tempfile.gettempdir()):
            shutil.rmtree(folder)  # only the checker's own temp folder: nothing else is touched
            removed.append(str(folder))
        return s.ok({"cleared": str(folder)})

    schema = {
        "type": "object",
        "properties": {"directory": {"type": "string", "description": "The folder.", "maxLength": 4096}},
        "required": ["directory"],
        "additionalProperties": False,
    }
    tool = s.FakeTool("clear_folder", clear_folder, description="Empty a folder.", input_schema=schema)
    tool.annotations = {"readOnlyHint": False, "destructiveHint": True}
    report = check(s.build([tool]), allow_writes=True)
    assert removed  # the probe gave it the planted folder, and the next attempt planted it again
    assert next(t for t in report.tools if t.name == "clear_folder").calls > 2


def test_a_server_started_by_its_scripts_absolute_path_was_given_no_root(tmp_path: Path) -> None:
    # python /abs/launch.py: the script is a file, no folder the server was told to stay in
    launch = tmp_path / "launch.py"
    launch.write_text(
        f"import runpy, sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "runpy.run_module('tests.check.file_server', run_name='__main__')\n",
        encoding="utf-8",
    )
    command = (sys.executable, str(launch), "unconfined")
    report = anyio.run(
        run_check, Target(command=command, cwd=str(ROOT)), CheckOptions(timeout=20, concurrency=1)
    )
    assert path_reads(report) == {"read_text_file": "warning", "list_folder": "warning"}


def test_the_planted_folder_is_open_to_a_server_running_as_another_user(tmp_path: Path) -> None:
    # Hold-out 6 ran tryll as nobody: a 0700 temp folder made import_json answer EACCES, which looked confined.
    from wireproof.check.probes import paths

    folder = tmp_path / "plant"
    folder.mkdir(mode=0o700)
    plan = paths._plan(str(folder), "path", {"path": "/srv/notes/a.txt"}, ("/srv/notes",))
    assert plan is not None
    assert folder.stat().st_mode & 0o7777 == 0o1777  # sticky, like /tmp: no other user replaces the plant
