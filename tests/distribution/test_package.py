"""The packages as a new user gets them: ``python -m build``, then the wheels in a fresh virtualenv.

Nothing of the source tree is on the path there: the check runs from the installed wheel, in a
folder outside the repository, against the standalone fixture server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

import wireproof
from helpdesk._version import __version__ as helpdesk_version
from tests.check._cli import ROOT, SERVER

pytestmark = pytest.mark.slow


def _run(command: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env, check=False
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheels and sdists of wireproof and helpdesk, built as ``python -m build`` builds them."""
    out = tmp_path_factory.mktemp("dist")
    for project in (ROOT, ROOT / "examples" / "helpdesk"):
        done = _run([sys.executable, "-m", "build", "--outdir", str(out), str(project)], cwd=out)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_build_makes_a_wheel_and_an_sdist_of_both_packages_at_the_one_version(dist: Path) -> None:
    version = wireproof.__version__
    names = sorted(p.name for p in dist.iterdir())
    assert names == [
        f"wireproof-{version}-py3-none-any.whl",
        f"wireproof-{version}.tar.gz",
        f"wireproof_helpdesk-{helpdesk_version}-py3-none-any.whl",
        f"wireproof_helpdesk-{helpdesk_version}.tar.gz",
    ]
    wheel = zipfile.ZipFile(dist / f"wireproof-{version}-py3-none-any.whl")
    files = set(wheel.namelist())
    assert {
        "wireproof/py.typed",
        "wireproof/__main__.py",
        "wireproof/lock.py",
        "wireproof/check/baseline.py",
    } <= files
    assert not any(name.startswith(("tests/", "examples/", "helpdesk/")) for name in files)
    metadata = wheel.read(f"wireproof-{version}.dist-info/METADATA").decode()
    assert f"Version: {version}\n" in metadata
    assert "Requires-Dist: mcp<3,>=2.3" in metadata
    assert (
        "wireproof = wireproof.cli:main"
        in wheel.read(f"wireproof-{version}.dist-info/entry_points.txt").decode()
    )
    with tarfile.open(dist / f"wireproof-{version}.tar.gz") as sdist:
        members = set(sdist.getnames())
    assert f"wireproof-{version}/pyproject.toml" in members
    assert f"wireproof-{version}/src/wireproof/_version.py" in members
    helpdesk = zipfile.ZipFile(dist / f"wireproof_helpdesk-{helpdesk_version}-py3-none-any.whl")
    assert "helpdesk/app.py" in helpdesk.namelist()
    assert (
        "Requires-Dist: wireproof"
        in helpdesk.read(f"wireproof_helpdesk-{helpdesk_version}.dist-info/METADATA").decode()
    )


def test_the_version_is_written_in_one_place() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project
    assert project["dynamic"] == ["version"]


def test_the_wheel_checks_a_server_from_a_fresh_virtualenv(dist: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    wheels = sorted(str(p) for p in dist.glob("*.whl"))
    installed = _run([str(python), "-m", "pip", "install", "--quiet", *wheels], cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-3000:]

    where = _run(
        [str(python), "-c", "import wireproof, helpdesk; print(wireproof.__file__, helpdesk.__file__)"],
        cwd=tmp_path,
    )
    assert where.returncode == 0, where.stderr
    assert all(path.startswith(str(env_dir)) for path in where.stdout.split()), where.stdout

    version = _run([str(python), "-m", "wireproof", "--version"], cwd=tmp_path)
    assert version.stdout.strip() == f"wireproof {wireproof.__version__}"

    server = tmp_path / "server.py"  # a copy outside the repository: no source tree near it either
    server.write_text(SERVER.read_text(encoding="utf-8"), encoding="utf-8")
    report = tmp_path / "report.json"
    done = _run(
        [
            str(env_dir / "bin" / "wireproof"),
            "check",
            "--no-progress",
            "--output",
            str(report),
            "--",
            str(python),
            str(server),
        ],
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the fixture's one known error
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["wireproof_version"] == wireproof.__version__
    assert data["server"]["name"] == "drifting"
    assert [(f["rule"], f["tool"]) for f in data["findings"]] == [("schema.param-type", "search_things")]
    assert data["coverage"]["tools"]["called"] == ["get_colour_by_name", "search_things"]

    seeded = _run(
        [str(env_dir / "bin" / "helpdesk-mcp"), "--db", str(tmp_path / "h.db"), "--seed", "5", "--seed-only"],
        cwd=tmp_path,
    )
    assert seeded.returncode == 0, seeded.stderr
    assert (tmp_path / "h.db").stat().st_size > 0
