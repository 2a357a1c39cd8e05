"""Generated documentation stays current with the code it documents."""

from __future__ import annotations

import importlib.util
from pathlib import Path

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

    from tests.cluster import NGINX_CONF, replica_args

    page = (ROOT / "docs" / "deploy.md").read_text()
    (nginx_block,) = re.findall(r"```nginx\n(.*?)```", page, re.DOTALL)
    assert nginx_block == NGINX_CONF.read_text(), "docs/deploy.md must show deploy/nginx.conf verbatim"
    (command,) = [b for b in re.findall(r"```sh\n(.*?)```", page, re.DOTALL) if "helpdesk-mcp" in b]
    shown = set(re.findall(r"(?<!\S)(--[a-z-]+)", command))
    run = {a for a in replica_args("db", 1, "url", Path("jwks"), Path("audit")) if a.startswith("--")}
    assert shown == run, f"flags only in the docs: {shown - run}; only in the tests: {run - shown}"
