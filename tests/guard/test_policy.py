"""The guard's policy file: what it serves, and clear errors for what it cannot use."""

from __future__ import annotations

from pathlib import Path

import pytest

from wireproof.guard import FailureRule, GuardConfigError, GuardPolicy, load_policy, parse_policy


def test_a_full_policy_reads_back_every_setting(tmp_path: Path) -> None:
    path = tmp_path / "guard.toml"
    path.write_text(
        """
read_only = true
allow = ["create_entities", "read_graph"]
deny = ["delete_entities"]
timeout = 12
budget_tokens = 4000
error_when = [{ key = "success", equals = false }]

[tools.create_entities]
kind = "write"
scopes = ["memory:write"]
dedupe_window = 60
description = "Create entities."
lift_bounds = ["entities"]

[tools.create_entities.arguments.entities]
maxItems = 20
description = "At most 20."
""",
        encoding="utf-8",
    )
    policy = load_policy(path)
    assert policy.read_only is True
    assert policy.allow == {"create_entities", "read_graph"}
    assert policy.deny == {"delete_entities"}
    assert policy.timeout == 12.0
    assert policy.budget_tokens == 4000
    assert policy.error_when == (FailureRule(key="success", equals=False),)
    tool = policy.tool("create_entities")
    assert tool.kind == "write"
    assert tool.scopes == {"memory:write"}
    assert tool.dedupe_window == 60.0
    assert tool.lift_bounds == {"entities"}
    assert tool.arguments["entities"] == {"maxItems": 20, "description": "At most 20."}


def test_a_tool_without_a_table_gets_the_defaults() -> None:
    tool = GuardPolicy().tool("anything")
    assert tool.kind is None
    assert tool.scopes is None
    assert tool.idempotency_key is True


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"allowed": ["x"]}, "unknown key allowed"),
        ({"allow": "x"}, "allow must be a list of names"),
        ({"timeout": 0}, "timeout must be a number of seconds > 0"),
        ({"timeout": True}, "timeout must be a number of seconds > 0"),
        ({"budget_tokens": 10}, "budget_tokens must be a whole number of tokens >= 256"),
        ({"error_when": [{"key": "success"}]}, "error_when[0] must be { key"),
        ({"tools": {"t": {"kind": "delete"}}}, 'tools.t.kind must be "read" or "write"'),
        ({"tools": {"t": {"scopes": ["a"], "public": True}}}, "public = true and scopes together"),
        ({"tools": {"t": {"arguments": {"a": {"maxLenght": 3}}}}}, "unknown key maxLenght"),
        ({"tools": {"t": {"arguments": {"a": {"maxLength": -1}}}}}, "maxLength must be a whole number >= 0"),
        ({"tools": {"t": {"arguments": {"a": {"pattern": "("}}}}}, "pattern is not a regular expression"),
        ({"tools": {"t": {"arguments": {"a": {"enum": []}}}}}, "enum must be a non-empty list"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_key_and_the_fix(document: dict[str, object], named: str) -> None:
    with pytest.raises(GuardConfigError) as raised:
        parse_policy(document, "guard.toml")
    assert named in str(raised.value)
    assert str(raised.value).startswith("guard.toml")


def test_a_policy_that_is_not_toml_says_so(tmp_path: Path) -> None:
    path = tmp_path / "guard.toml"
    path.write_text("allow = [", encoding="utf-8")
    with pytest.raises(GuardConfigError, match="is not valid TOML"):
        load_policy(path)


def test_a_missing_policy_file_says_it_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(GuardConfigError, match="cannot read the policy"):
        load_policy(tmp_path / "absent.toml")


def test_command_line_options_only_narrow_the_policy() -> None:
    policy = parse_policy({"allow": ["a", "b"]}).with_options(read_only=True, allow=["b", "c"])
    assert policy.allow == {"b"}
    assert policy.read_only is True
    assert parse_policy({}).with_options(read_only=False, allow=[]).allow is None


def test_refusals_say_why_a_tool_is_not_served() -> None:
    policy = parse_policy({"allow": ["a", "b"], "deny": ["b"], "read_only": True})
    assert policy.refusal("b", read_only_hint=True) == "denied by the policy"
    assert policy.refusal("c", read_only_hint=True) == "not in the allow list"
    assert "read-only guard" in (policy.refusal("a", read_only_hint=False) or "")
    assert policy.refusal("a", read_only_hint=True) is None


def test_a_rate_limit_is_read_and_checked() -> None:
    limit = parse_policy({"rate_limit": {"per_second": 2, "burst": 5}}).rate_limit
    assert limit is not None
    assert (limit.per_second, limit.burst) == (2.0, 5)
    with pytest.raises(GuardConfigError, match="per_second > 0 and burst >= 1"):
        parse_policy({"rate_limit": {"per_second": 0, "burst": 5}})
