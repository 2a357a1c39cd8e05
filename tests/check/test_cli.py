"""``wireproof check`` as a user runs it: real subprocesses over stdio, exit codes and report files."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
WIREPROOF = [sys.executable, "-m", "wireproof.cli"]
REPORT_SCHEMA = json.loads((ROOT / "docs" / "report-schema.json").read_text(encoding="utf-8"))


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WIREPROOF, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False
    )


@pytest.fixture(scope="module")
def helpdesk_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "helpdesk.db"
    subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", "--db", str(path), "--seed", "300", "--seed-only"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return path


def test_helpdesk_over_stdio_is_clean_and_writes_every_report(helpdesk_db: Path, tmp_path: Path) -> None:
    outputs = {
        fmt: tmp_path / f"report{ext}"
        for fmt, ext in [
            ("json", ".json"),
            ("junit", ".xml"),
            ("sarif", ".sarif"),
            ("markdown", ".md"),
            ("html", ".html"),
        ]
    }
    args = [arg for path in outputs.values() for arg in ("--output", str(path))]
    done = run(
        "check",
        "--fail-on",
        "warning",
        *args,
        "--",
        sys.executable,
        "-m",
        "helpdesk.cli",
        "--db",
        str(helpdesk_db),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(outputs["json"].read_text())
    assert list(Draft202012Validator(REPORT_SCHEMA).iter_errors(report)) == []
    assert report["findings"] == []
    # Read-only, without a credential variable: writes and auth were not exercised, so not scored.
    assert report["scores"]["idempotency"] is None
    assert report["scores"]["auth"] is None
    assert {report["scores"][c] for c in ("schema", "errors", "output", "protocol")} == {100}
    categories = report["coverage"]["categories"]
    assert "--allow-writes against a test account" in categories["idempotency"]["to_test_the_rest"]
    assert "--auth-env" in categories["auth"]["to_test_the_rest"]
    assert report["coverage"]["writes"] == "not exercised"
    assert set(report["coverage"]["tools"]["skipped"]) == {
        t["name"] for t in report["tools"] if not t["read_only"]
    }
    assert report["server"]["name"] == "helpdesk"
    assert report["server"]["transport"] == "stdio"
    assert {"list_tickets_by_date", "get_ticket", "search_tickets", "add_ticket_comment"} <= {
        t["name"] for t in report["tools"]
    }
    assert all(t["calls"] > 0 for t in report["tools"] if t["read_only"])
    ET.fromstring(outputs["junit"].read_text())
    assert json.loads(outputs["sarif"].read_text())["version"] == "2.1.0"
    assert "helpdesk" in outputs["markdown"].read_text()
    assert "<html" in outputs["html"].read_text().lower()
    assert "No findings." in done.stdout
    assert "not tested" in done.stdout
    assert "not tested" in outputs["markdown"].read_text()
    assert "not tested" in outputs["html"].read_text()
    assert "<skipped" in outputs["junit"].read_text()
    assert json.loads(outputs["sarif"].read_text())["runs"][0]["properties"]["scores"]["idempotency"] is None


def test_a_full_helpdesk_check_with_writes_and_its_api_key_tests_every_category(
    helpdesk_db: Path, tmp_path: Path
) -> None:
    scopes = '["tickets:read", "tickets:write", "notes:read", "notes:write"]'
    keys = tmp_path / "keys.toml"
    keys.write_text(
        f'[[keys]]\nsha256 = "{hashlib.sha256(b"test-key").hexdigest()}"\nprincipal = "checker"\nscopes = {scopes}\n'
        f'\n[[keys]]\nsha256 = "{hashlib.sha256(b"expired-key").hexdigest()}"\nprincipal = "checker"\n'
        f"scopes = {scopes}\nexpires = 2020-01-01T00:00:00Z\n"
    )
    config = tmp_path / "wireproof.toml"
    config.write_text(
        '[[observers]]\ntool = "list_ticket_comments"\narguments = { ticket_id = 1 }\n'
        '[[observers]]\ntool = "get_status_note"\narguments = { week = "2026-W23" }\n'
        '[auth.cases.expired]\nenv = { HELPDESK_API_KEY = "expired-key" }\n'
    )
    done = run(
        "check",
        "--allow-writes",
        "--config",
        str(config),
        "--env",
        "HELPDESK_API_KEY=test-key",
        "--auth-env",
        "HELPDESK_API_KEY",
        "--fail-on",
        "never",
        "--format",
        "json",
        "--",
        sys.executable,
        "-m",
        "helpdesk.cli",
        "--db",
        str(helpdesk_db),
        "--keys-file",
        str(keys),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert all(c["tested"] for c in report["coverage"]["categories"].values()), report["coverage"]
    assert None not in report["scores"].values()
    assert report["coverage"]["writes"] == "exercised"
    assert report["coverage"]["auth"]["cases"] == [
        "expired",
        "HELPDESK_API_KEY unset",
        "HELPDESK_API_KEY garbage",
    ]
    # A bad key is refused loudly (tools/list is a JSON-RPC error): nothing at warning or above.
    assert [f for f in report["findings"] if f["severity"] != "info"] == [], report["findings"]


def test_a_server_that_lists_no_tools_fails_the_check_unless_fail_on_never() -> None:
    server = ["--", sys.executable, "-m", "tests.check.auth_stdio_server", "empty-list"]  # no key: no tools
    done = run("check", "--format", "json", *server)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [f["rule"] for f in report["findings"]] == ["protocol.no-tools"]
    assert report["scores"]["schema"] is None
    assert report["scores"]["protocol"] is not None
    assert run("check", "--fail-on", "never", "--format", "json", *server).returncode == 0


def test_a_check_that_could_call_no_tool_fails_and_says_to_rerun_with_allow_writes() -> None:
    done = run("check", "--", sys.executable, "-m", "tests.check.writes_only_stdio")
    assert done.returncode == 1, done.stderr
    assert "protocol.no-tool-called" in done.stdout
    assert "Rerun with --allow-writes against a test account" in " ".join(done.stdout.split())


def test_findings_exit_1_and_name_the_rule() -> None:
    done = run("check", "--format", "json", "--", sys.executable, "-m", "tests.check.flawed_stdio")
    assert done.returncode == 1, done.stderr
    rules = {f["rule"] for f in json.loads(done.stdout)["findings"]}
    assert "errors.malformed-accepted" in rules


def test_fail_on_never_exits_0_even_with_findings() -> None:
    done = run(
        "check",
        "--fail-on",
        "never",
        "--format",
        "json",
        "--",
        sys.executable,
        "-m",
        "tests.check.flawed_stdio",
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["findings"]


def test_legacy_handshake_works_too(helpdesk_db: Path) -> None:
    done = run(
        "check",
        "--legacy",
        "--format",
        "json",
        "--",
        sys.executable,
        "-m",
        "helpdesk.cli",
        "--db",
        str(helpdesk_db),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["server"]["protocol_version"] == "2025-11-25"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "name exactly one server"),
        (["check", "ftp://x"], "is not an http(s) URL"),
        (
            ["check", "--", "/nonexistent/server-binary"],
            "'/nonexistent/server-binary': there is no such file",
        ),
        (
            ["check", "--", "no-such-mcp-server-x"],
            "'no-such-mcp-server-x': it is not on PATH; give its full path",
        ),
        (
            ["check", "--", sys.executable, "-c", "import sys; sys.exit(3)"],
            "the server exited (or closed its stdout) before it answered the handshake",
        ),
        (["check", "--bogus", "--", "true"], "wireproof check: error: unrecognized arguments: --bogus"),
        (["check", "python", "-m", "x"], "a server's command goes after --"),
        (["check", "--config", "/nonexistent.toml", "--", "true"], "cannot read"),
        (["check", "--output", "report.pdf", "--", "true"], "cannot tell the format"),
        (["check", "--mcp-config", "/nonexistent.json", "--server", "x"], "cannot read"),
        (["check", "--timeout", "0", "--", "true"], "--timeout must be"),
    ],
)
def test_could_not_run_exits_2_with_a_reason(args: list[str], message: str) -> None:
    done = run(*args, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_server_that_prints_to_stdout_gets_one_line_per_stray_line_not_a_traceback() -> None:
    chatty = "print('starting up...', flush=True); import time; time.sleep(30)"
    done = run("check", "--timeout", "1", "--", sys.executable, "-c", chatty, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "a line on stdout that is not JSON-RPC" in done.stderr
    assert "'starting up...'" in done.stderr
    assert "no answer to the handshake (initialize) in time" in done.stderr
    assert "Traceback" not in done.stderr


def test_mcp_config_file_names_the_server(helpdesk_db: Path, tmp_path: Path) -> None:
    config = tmp_path / "claude_desktop_config.json"
    config.write_text(
        json.dumps(
            {
                "mcpServers": {
                    "helpdesk": {
                        "command": sys.executable,
                        "args": ["-m", "helpdesk.cli", "--db", str(helpdesk_db)],
                    }
                }
            }
        )
    )
    done = run("check", "--mcp-config", str(config), "--server", "helpdesk", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["server"]["name"] == "helpdesk"
    missing = run("check", "--mcp-config", str(config), "--server", "nope")
    assert missing.returncode == 2
    assert "it has: helpdesk" in missing.stderr


def test_a_report_path_that_cannot_be_written_is_refused_before_the_check_runs(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("a file, not a folder\n")
    # The server command is `true`: had the check run first, the error would be "cannot connect".
    done = run("check", "--output", str(not_a_folder / "report.html"), "--", "true", timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"cannot write the report {not_a_folder / 'report.html'}: {not_a_folder} is a file" in done.stderr
    folder = run("check", "--format", "json", "--output", str(tmp_path), "--", "true", timeout=60)
    assert folder.returncode == 2
    assert "it is a folder; name a file in it" in folder.stderr
    fine = tmp_path / "new" / "report.json"
    refused = run("check", "--output", str(fine), "--", "true", timeout=60)
    assert "cannot connect" in refused.stderr  # a writable path passes, and is not left behind empty
    assert not fine.exists()


def test_config_file_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "wireproof.toml"
    bad.write_text("[budget]\nwarn_tokens = 'many'\n")
    done = run("check", "--config", str(bad), "--", "true")
    assert done.returncode == 2
    assert "warn_tokens must be an integer" in done.stderr


def test_an_answer_nested_past_the_json_parser_is_judged_not_a_checker_crash() -> None:
    """The guard's flawed upstream echoes the checker's deep-nesting probe back as text: parsing it
    hit the JSON decoder's recursion limit, and the whole check died ("the checker itself failed")."""
    done = run(
        "check",
        "--no-progress",
        "--tool",
        "echo",
        "--format",
        "json",
        "--",
        sys.executable,
        str(ROOT / "tests" / "guard" / "flawed_upstream.py"),
    )
    assert "checker itself failed" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert any(f["tool"] == "echo" for f in report["findings"])
