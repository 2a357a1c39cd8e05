"""Generated documentation stays current with the code it documents, and the README's two commands
do what it says (``make test`` installs the Debian packages it needs, or says how)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from wireproof.check.rules import REGISTRY
from wireproof.check.rules._docs import rules_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_rules_page_is_generated_from_the_registry() -> None:
    page = (ROOT / "docs" / "rules.md").read_text()
    assert page == rules_markdown(), "run: python -m wireproof.check.rules._docs > docs/rules.md"
    for rule_id in REGISTRY:
        assert f"`{rule_id}`" in page


def test_cli_page_is_generated_from_help() -> None:
    spec = importlib.util.spec_from_file_location("gen_cli", ROOT / "docs" / "gen_cli.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "cli.md").read_text() == module.cli_markdown(), (
        "run: python docs/gen_cli.py > docs/cli.md"
    )


def _load_generator(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_page_is_generated_from_the_public_docstrings() -> None:
    page = (ROOT / "docs" / "api.md").read_text()
    assert page == _load_generator("gen_api").api_markdown(), "run: python docs/gen_api.py > docs/api.md"


def test_api_page_documents_every_public_name_and_none_without_a_docstring() -> None:
    page = (ROOT / "docs" / "api.md").read_text()
    for module_name, _ in _load_generator("gen_api").MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            if name != "__version__":
                assert re.search(rf"^### `wireproof[.\w]*\.{re.escape(name)}`$", page, re.MULTILINE), name
    undocumented = re.findall(r"^(#+ .*)\n\n(?:\*.*\n\n)?\*\(no docstring\)\*", page, re.MULTILINE)
    assert not undocumented, f"give these a docstring: {undocumented}"


def test_every_rule_has_rationale_reference_and_a_valid_category() -> None:
    for rule in REGISTRY.values():
        assert rule.rationale.strip()
        assert rule.reference.strip()
        assert rule.category in ("schema", "errors", "auth", "idempotency", "output", "protocol")
        assert rule.severity in ("info", "warning", "error")


def test_readme_quick_start_is_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme
    assert "make test" in readme


def test_deploy_page_shows_the_nginx_config_and_replica_command_the_scale_out_tests_run() -> None:
    import re

    from harness.cluster import NGINX_CONF, replica_args

    page = (ROOT / "docs" / "deploy.md").read_text()
    (nginx_block,) = re.findall(r"```nginx\n(.*?)```", page, re.DOTALL)
    assert nginx_block == NGINX_CONF.read_text(), "docs/deploy.md must show deploy/nginx.conf verbatim"
    (command,) = [b for b in re.findall(r"```sh\n(.*?)```", page, re.DOTALL) if "helpdesk-mcp" in b]
    shown = set(re.findall(r"(?<!\S)(--[a-z-]+)", command))
    run = {a for a in replica_args("db", 1, "url", Path("jwks"), Path("audit")) if a.startswith("--")}
    assert shown == run, f"flags only in the docs: {shown - run}; only in the tests: {run - shown}"


def _make(target: str, tmp_path: Path, *, uid: int, assume_missing: str) -> subprocess.CompletedProcess[str]:
    """``make TARGET`` in this checkout as the user ``uid`` (a fake ``id`` first on PATH), with the
    packages in ``assume_missing`` taken for missing and a fake apt-get that records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "id").write_text(f'#!/bin/sh\n[ "$1" = -u ] && echo {uid} || exec /usr/bin/id "$@"\n')
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "apt-get.log"}\n')
    for fake in bin_dir.iterdir():
        fake.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "APT_GET": str(bin_dir / "apt-get"),
        "WIREPROOF_ASSUME_MISSING": assume_missing,
    }
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), target],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_make_test_as_root_installs_the_missing_debian_packages_with_apt_get(tmp_path: Path) -> None:
    done = _make("system-packages", tmp_path, uid=0, assume_missing="nginx npm")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "apt-get.log").read_text().splitlines() == ["update -qq", "install -y -qq nginx npm"]
    assert "Installing the Debian packages the test suite needs: nginx npm" in done.stderr


def test_make_test_as_another_user_stops_at_once_with_the_one_command_to_run(tmp_path: Path) -> None:
    done = _make("test", tmp_path, uid=1000, assume_missing="nginx")
    assert done.returncode != 0
    assert "sudo apt-get update && sudo apt-get install -y nginx\n" in done.stderr
    assert "ruff" not in done.stdout + done.stderr  # stopped before lint, typecheck and the tests
    assert not (tmp_path / "apt-get.log").exists()


def test_make_test_installs_nothing_when_every_debian_package_is_there(tmp_path: Path) -> None:
    for uid in (0, 1000):
        done = _make("system-packages", tmp_path, uid=uid, assume_missing="")
        assert (done.returncode, done.stderr) == (0, "")
    assert not (tmp_path / "apt-get.log").exists()


def test_ci_run_still_runs_make_test() -> None:
    assert (ROOT / ".ci" / "run").read_text().rstrip().endswith("\nmake test")
