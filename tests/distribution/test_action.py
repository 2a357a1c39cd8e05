"""action.yml, run as GitHub runs a composite action: its ``run:`` steps in bash, inputs through ``${{ }}``.

The install step runs once, in a fresh virtualenv whose ``python`` comes first on PATH (the part
``actions/setup-python`` plays on GitHub); each test then runs the check step with its inputs, as
a workflow would, against the standalone fixture server, and reads the SARIF, the job summary and
the step's outputs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import wireproof
from tests.check import servers as s
from tests.check._cli import ROOT, SERVER
from tests.check.http_server import serve_http

pytestmark = pytest.mark.slow

ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


def _expand(text: str, context: dict[str, str]) -> str:
    """``${{ … }}`` replaced as GitHub would; an expression this runner does not know fails the test."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in context, f"action.yml uses ${{{{ {name} }}}}, which this test cannot evaluate"
        return context[name]

    return _EXPRESSION.sub(value, text)


def _context(inputs: dict[str, str], temp: Path, workspace: Path) -> dict[str, str]:
    declared = ACTION["inputs"]
    unknown = set(inputs) - set(declared)
    assert not unknown, f"not inputs of the action: {unknown}"
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()} | inputs
    return {
        **{f"inputs.{name}": v for name, v in values.items()},
        "github.action_path": str(ROOT),
        "github.workspace": str(workspace),
        "runner.temp": str(temp),
    }


def run_step(step_id_or_name: str, inputs: dict[str, str], python_bin: Path, work: Path) -> Ran:
    """Run one ``run:`` step of action.yml with ``inputs``, in ``work`` (the workspace), as GitHub does."""
    (step,) = [
        st
        for st in ACTION["runs"]["steps"]
        if step_id_or_name in (st.get("id"), st.get("name")) and "run" in st
    ]
    assert step["shell"] == "bash"
    temp, workspace = work / "runner-temp", work / "workspace"
    temp.mkdir(exist_ok=True)
    workspace.mkdir(exist_ok=True)
    context = _context(inputs, temp, workspace)
    output, summary = temp / "github-output", temp / "step-summary"
    output.write_text("")
    summary.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {
        "PATH": f"{python_bin}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(temp),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
    }
    env |= {name: _expand(str(v), context) for name, v in step.get("env", {}).items()}
    script = temp / "step.sh"
    script.write_text(_expand(step["run"], context), encoding="utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],  # GitHub's bash shell
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return Ran(done.returncode, done.stdout, done.stderr, outputs, summary.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def python_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv, with wireproof installed by the action's own install step (from its source)."""
    work = tmp_path_factory.mktemp("action-install")
    venv.EnvBuilder(with_pip=True).create(work / "venv")
    bin_dir = work / "venv" / "bin"
    ran = run_step("Install wireproof", {}, bin_dir, work)
    assert ran.code == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert ran.stdout.strip().endswith(f"wireproof {wireproof.__version__}")
    return bin_dir


def test_the_only_step_not_run_here_is_setup_python() -> None:
    steps = ACTION["runs"]["steps"]
    assert ACTION["runs"]["using"] == "composite"
    assert [st["uses"].split("@")[0] for st in steps if "uses" in st] == ["actions/setup-python"]
    assert {"command", "url", "config", "fail-on", "allow-writes"} <= set(ACTION["inputs"])


def test_a_stdio_server_with_an_error_fails_the_step_and_writes_sarif_and_a_summary(
    python_bin: Path, tmp_path: Path
) -> None:
    ran = run_step("check", {"command": f"python '{SERVER}'"}, python_bin, tmp_path)
    assert ran.code == 1, ran.stderr
    assert "::error::wireproof check: findings at or above error" in ran.stdout
    assert ran.outputs["exit-code"] == "1"
    sarif = json.loads((tmp_path / "workspace" / ran.outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    assert run["tool"]["driver"]["name"] == "wireproof"
    errors = [r for r in run["results"] if r["level"] == "error"]
    assert [r["ruleId"] for r in errors] == ["schema.param-type"]
    assert "Parameter tag has no type." in errors[0]["message"]["text"]
    assert "schema.param-type" in ran.summary
    assert "search\\_things" in ran.summary or "search_things" in ran.summary
    report = json.loads(Path(ran.outputs["report-file"]).read_text(encoding="utf-8"))
    assert report["server"]["name"] == "drifting"


def test_config_allow_writes_and_fail_on_reach_the_check(python_bin: Path, tmp_path: Path) -> None:
    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "wireproof.toml").write_text(
        '[tools.forget_thing]\narguments = { name = "sky" }\n', encoding="utf-8"
    )
    inputs = {
        "command": f"env FIXTURE_DRIFT=added python '{SERVER}'",
        "config": "wireproof.toml",
        "allow-writes": "true",
        "fail-on": "never",
        "sarif-file": "out/check.sarif",
    }
    ran = run_step("check", inputs, python_bin, tmp_path)
    assert ran.code == 0, ran.stdout + ran.stderr
    assert (tmp_path / "workspace" / "out" / "check.sarif").is_file()
    report = json.loads(Path(ran.outputs["report-file"]).read_text(encoding="utf-8"))
    assert report["coverage"]["writes"] != "not exercised"
    assert "forget_thing" in report["coverage"]["tools"]["called"]
    (forget,) = [t for t in report["tools"] if t["name"] == "forget_thing"]
    assert forget["calls"] >= 2  # a write is called twice (with --allow-writes only)
    assert forget["skipped"] is None


def test_a_url_is_checked_over_streamable_http(python_bin: Path, tmp_path: Path) -> None:
    with serve_http(s.sound_server()) as url:
        ran = run_step("check", {"url": url, "fail-on": "never"}, python_bin, tmp_path)
    assert ran.code == 0, ran.stdout + ran.stderr
    report = json.loads(Path(ran.outputs["report-file"]).read_text(encoding="utf-8"))
    assert report["server"]["transport"] != "stdio"
    assert report["coverage"]["tools"]["called"] == ["get_colour_by_name"]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"command": "python x.py", "fail-on": "sometimes"}, "fail-on must be error, warning, info or never"),
        ({"command": "python x.py", "allow-writes": "yes"}, "allow-writes must be true or false"),
        ({}, "give the action exactly one of command and url"),
        (
            {"command": "python x.py", "url": "http://127.0.0.1:9/mcp"},
            "give the action exactly one of command and url",
        ),
    ],
)
def test_bad_inputs_stop_the_step_with_an_error_annotation(
    python_bin: Path, tmp_path: Path, inputs: dict[str, str], message: str
) -> None:
    ran = run_step("check", inputs, python_bin, tmp_path)
    assert ran.code == 2
    assert f"::error::{message}" in ran.stdout


def test_a_server_that_cannot_start_is_exit_2_with_the_reason_in_the_summary(
    python_bin: Path, tmp_path: Path
) -> None:
    ran = run_step("check", {"command": "no-such-server-command --flag"}, python_bin, tmp_path)
    assert ran.code == 2
    assert ran.outputs["exit-code"] == "2"
    assert "## wireproof check could not run" in ran.summary
    assert "no-such-server-command" in ran.summary
    assert "Traceback" not in ran.summary
