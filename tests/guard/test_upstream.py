"""The upstream's credentials are the guard's own: the caller's key never reaches it."""

from __future__ import annotations

import pytest

from wireproof.guard import UpstreamSpec


def test_the_caller_s_key_variable_is_withheld_from_a_stdio_upstream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIREPROOF_API_KEY", "the-caller-s-key")
    monkeypatch.setenv("UPSTREAM_TOKEN", "the-guard-s-own")
    spec = UpstreamSpec.stdio(["server"], withhold=["WIREPROOF_API_KEY"])
    assert "WIREPROOF_API_KEY" not in spec.env
    assert spec.env["UPSTREAM_TOKEN"] == "the-guard-s-own"
    assert spec.command == ("server",)
