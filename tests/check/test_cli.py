"""``wireproof check`` as a user runs it: real subprocesses over stdio, exit codes and report files."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIREPROOF = [sys.executable, "-m", "wireproof.cli"]


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
    assert report["findings"] == []
    assert report["server"]["name"] == "helpdesk"
    assert report["server"]["transport"] == "stdio"
    assert {"list_tickets_by_date", "get_ticket", "search_tickets", "add_ticket_comment"} <= {
        t["name"] for t in report["tools"]
    }
    assert all(t["calls"] > 0 for t in report["tools"] if t["read_only"])
    assert report["duration_s"] < 15
    ET.fromstring(outputs["junit"].read_text())
    assert json.loads(outputs["sarif"].read_text())["version"] == "2.1.0"
    assert "helpdesk" in outputs["markdown"].read_text()
    assert "<html" in outputs["html"].read_text().lower()
    assert "No findings." in done.stdout


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
        (["check", "--", "/nonexistent/server-binary"], "cannot connect"),
        (["check", "--", sys.executable, "-c", "import sys; sys.exit(3)"], "cannot connect"),
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


def test_config_file_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "wireproof.toml"
    bad.write_text("[budget]\nwarn_tokens = 'many'\n")
    done = run("check", "--config", str(bad), "--", "true")
    assert done.returncode == 2
    assert "warn_tokens must be an integer" in done.stderr
