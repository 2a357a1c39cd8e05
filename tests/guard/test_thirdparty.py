"""The guard in front of real third-party servers: a valid call passes, the contract is tightened."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.guard.support import call, error_of, guarded, text_of
from tests.guard.thirdparty import npm_server, pypi_venv
from wireproof.guard import UpstreamSpec

pytestmark = pytest.mark.anyio


def _time(tmp: Path) -> list[str]:
    return [str(pypi_venv("reference") / "bin" / "mcp-server-time"), "--local-timezone", "UTC"]


def _git(tmp: Path) -> list[str]:
    repo = tmp / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    (repo / "README.md").write_text("hello\n")
    subprocess.run([*git, "add", "README.md"], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    return [str(pypi_venv("reference") / "bin" / "mcp-server-git"), "--repository", str(repo)]


def _memory(tmp: Path) -> list[str]:
    return ["env", f"MEMORY_FILE_PATH={tmp / 'memory.jsonl'}", *npm_server("server-memory")]


def _filesystem(tmp: Path) -> list[str]:
    root = tmp / "files"
    root.mkdir()
    (root / "a.txt").write_text("hello\n")
    return [*npm_server("server-filesystem"), str(root)]


def _sqlite(tmp: Path) -> list[str]:
    return [str(pypi_venv("corpus") / "bin" / "mcp-server-sqlite"), "--db-path", str(tmp / "db.sqlite")]


def _calculator(tmp: Path) -> list[str]:
    return [str(pypi_venv("corpus") / "bin" / "mcp-server-calculator")]


SERVERS: dict[str, tuple[Callable[[Path], list[str]], str, dict[str, Any], str]] = {
    # name: (command, a read tool, its valid arguments, what its answer holds)
    "time": (_time, "get_current_time", {"timezone": "UTC"}, "UTC"),
    "git": (_git, "git_status", {"repo_path": "REPO"}, "main"),
    "memory": (_memory, "read_graph", {}, "entities"),
    "filesystem": (_filesystem, "list_allowed_directories", {}, "files"),
    "sqlite": (_sqlite, "list_tables", {}, ""),
    "calculator": (_calculator, "calculate", {"expression": "6*7"}, "42"),
}


@pytest.mark.parametrize("name", list(SERVERS))
async def test_a_real_server_behind_the_guard(tmp_path: Path, name: str) -> None:
    command, tool, arguments, expected = SERVERS[name]
    argv = command(tmp_path)
    arguments = {k: str(tmp_path / "repo") if v == "REPO" else v for k, v in arguments.items()}
    spec = UpstreamSpec(command=tuple(argv), env=dict(os.environ))
    async with guarded(tmp_path, spec=spec, policy={"timeout": 20}) as (client, _):
        with anyio.fail_after(30):
            listed = (await client.list_tools()).tools
        answer = await call(client, tool, arguments)
        refused = await call(client, tool, {**arguments, "not_a_parameter": 1})
    assert listed
    assert all(t.input_schema.get("additionalProperties") is False for t in listed)
    assert not answer.is_error, text_of(answer)
    assert expected in text_of(answer) or expected in str(answer.structured_content)
    assert [f["field"] for f in error_of(refused)["fields"]] == ["not_a_parameter"]


def _readme() -> str:
    return (Path(__file__).resolve().parents[2] / "README.md").read_text()


async def test_the_readme_line_that_guards_a_real_server_runs_as_written(tmp_path: Path) -> None:
    import re
    import shlex
    import sys

    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    readme = _readme()
    (line,) = [ln for ln in readme.splitlines() if "wireproof guard" in ln and ln.startswith(".venv/bin/")]
    install, _, guard = line.partition("#")[0].partition(" && ")
    assert shlex.split(install) == [".venv/bin/pip", "install", "mcp-server-time"]
    argv = shlex.split(guard)
    assert argv[:2] == [".venv/bin/wireproof", "guard"]
    assert argv[-1] == ".venv/bin/mcp-server-time"
    assert re.fullmatch(r"--[a-z-]+", argv[2])  # the options, as the CLI takes them
    # The same line, with this interpreter and the suite's own install of the pinned server:
    server = str(pypi_venv("reference") / "bin" / "mcp-server-time")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path)}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "wireproof.cli", *argv[1:-1], server], env=env
    )
    with (tmp_path / "stderr.txt").open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), cache=None, read_timeout_seconds=30) as client:
            with anyio.fail_after(30):
                listed = (await client.list_tools()).tools
            answer = await call(client, "get_current_time", {"timezone": "UTC"})
    assert {t.name for t in listed} == {"get_current_time", "convert_time"}
    assert not answer.is_error, text_of(answer)
    assert "UTC" in text_of(answer) or "UTC" in str(answer.structured_content)
