"""docs/ci.md shows what action.yml and the command line really take: its examples parse and match."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from tests.check._cli import ROOT
from wireproof.cli import build_parser

PAGE = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
BLOCKS = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", PAGE, re.DOTALL)]


def _check_arguments(line: str) -> list[str]:
    words = shlex.split(line)
    assert words[:2] == ["wireproof", "check"], line
    return words[1 : words.index("--")] if "--" in words else words[1:]


def test_the_github_workflow_uses_the_action_with_its_inputs_only() -> None:
    workflow = BLOCKS[0]
    steps = workflow["jobs"]["wireproof"]["steps"]
    (step,) = [s for s in steps if str(s.get("uses", "")).split("@")[0].endswith("/wireproof")]
    assert set(step["with"]) <= set(ACTION["inputs"])
    assert {"command", "config", "fail-on", "allow-writes"} <= set(step["with"])
    build_parser().parse_args(["check", *shlex.split(step["with"]["args"])])  # real options
    upload = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert upload[0]["with"]["sarif_file"] == "${{ steps.wireproof.outputs.sarif-file }}"
    assert set(ACTION["outputs"]) >= {"sarif-file", "exit-code", "report-file"}


def test_the_inputs_table_lists_exactly_the_actions_inputs() -> None:
    table = re.findall(r"^\| `([a-z-]+)` \|", PAGE, re.MULTILINE)
    assert table == list(ACTION["inputs"])


def test_the_gitlab_job_runs_a_check_the_command_line_accepts() -> None:
    job = BLOCKS[1]["wireproof"]
    (line,) = [s for s in job["script"] if s.startswith("wireproof check")]
    args = build_parser().parse_args(_check_arguments(line))
    assert args.lock == Path("wireproof.lock")
    assert Path("wireproof.xml") in args.output
    assert job["artifacts"]["reports"]["junit"] == "wireproof.xml"
    assert job["artifacts"]["when"] == "always"


def test_the_commands_in_the_prose_are_real_options() -> None:
    lines = re.findall(r"`(wireproof check [^`]*)`", PAGE)
    assert len(lines) >= 2  # the lock's first run, and the baseline's
    for line in lines:
        build_parser().parse_args(_check_arguments(line.replace("…", "")))
