"""The command line that would test the rest: the check's own target and options, plus what is missing,
never a credential; and run as it stands, it tests what the first run left."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

from wireproof.check.client import Target
from wireproof.check.config import CheckOptions
from wireproof.check.rerun import Rerun, rerun_command

ROOT = Path(__file__).resolve().parents[2]
WIREPROOF = [sys.executable, "-m", "wireproof.cli"]
SERVER = ("my-server", "--db", "/tmp/a b.db")


def test_a_stdio_rerun_keeps_the_options_and_the_command_and_hides_every_env_value() -> None:
    target = Target(command=SERVER, env={"API_KEY": "hunter2", "REGION": "eu"}, mode="legacy")
    options = CheckOptions(timeout=5, concurrency=2, only_tools=frozenset({"b", "a"}), auth_env=("API_KEY",))
    options.config_file = Path("my config.toml")
    line = rerun_command(target, options, Rerun(allow_writes=True))
    assert line == (
        "wireproof check --allow-writes --tool a --tool b --timeout 5 --concurrency 2 "
        "--config 'my config.toml' --legacy --env API_KEY=... --env REGION=... --auth-env API_KEY "
        "-- my-server --db '/tmp/a b.db'"
    )
    assert "hunter2" not in line
    assert "eu" not in line.split()


def test_the_defaults_are_left_out() -> None:
    assert rerun_command(Target(command=SERVER), CheckOptions(), Rerun()) == (
        "wireproof check -- my-server --db '/tmp/a b.db'"
    )


def test_a_variable_to_try_that_the_server_was_not_given_is_given_as_a_placeholder() -> None:
    line = rerun_command(Target(command=SERVER), CheckOptions(), Rerun(auth_env=("NAME",)))
    assert line == "wireproof check --env NAME=... --auth-env NAME -- my-server --db '/tmp/a b.db'"
    assert rerun_command(Target(command=SERVER), CheckOptions(), Rerun(credential=True)) == (
        "wireproof check --env NAME=... -- my-server --db '/tmp/a b.db'"
    )


def test_an_http_rerun_hides_header_values_the_password_and_query_values() -> None:
    target = Target(
        url="https://bob:pa55@mcp.example.com/mcp?api_key=s3cret&v=2",
        headers={"Authorization": "Bearer tok-123"},
    )
    line = rerun_command(target, CheckOptions(), Rerun(config=True, timeout=30))
    assert line is not None
    assert shlex.split(line) == [
        "wireproof",
        "check",
        "--timeout",
        "30",
        "--config",
        "wireproof.toml",
        "--header",
        "Authorization: ...",
        "https://bob:...@mcp.example.com/mcp?api_key=...&v=...",
    ]
    for secret in ("pa55", "s3cret", "tok-123"):
        assert secret not in line


def test_an_mcp_servers_entry_with_a_working_folder_is_rerun_from_it() -> None:
    line = rerun_command(Target(command=("srv",), cwd="/srv/my app"), CheckOptions(), Rerun())
    assert line == "cd '/srv/my app' && wireproof check -- srv"


def test_reruns_combine_their_additions() -> None:
    both = Rerun(allow_writes=True, timeout=20) | Rerun(auth_env=("A",), config=True, timeout=30)
    assert both == Rerun(allow_writes=True, auth_env=("A",), config=True, timeout=30)


def _check(args: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [*WIREPROOF, "check", "--no-progress", "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_the_command_a_report_gives_tests_what_the_check_left() -> None:
    first = _check(["--", sys.executable, "-m", "tests.check.writes_only_stdio"])
    coverage = first["coverage"]
    assert isinstance(coverage, dict)
    assert coverage["categories"]["idempotency"]["tested"] is False
    command = shlex.split(coverage["categories"]["idempotency"]["command"])
    assert command[:3] == ["wireproof", "check", "--allow-writes"]
    again = _check(command[2:])  # as it stands: the fixture server has no credential to fill in
    assert again["coverage"]["categories"]["idempotency"]["tested"] is True  # type: ignore[index]
    assert again["coverage"]["writes"] == "exercised"  # type: ignore[index]


def test_an_in_process_server_has_no_command_line() -> None:
    from mcp.server.lowlevel import Server

    assert (
        rerun_command(Target(server=Server("in-process")), CheckOptions(), Rerun(allow_writes=True)) is None
    )
