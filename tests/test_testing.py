"""``assert_fit``: the checker in process, with the CLI's defaults."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from wireproof import LOCAL_OPERATOR, Connector
from wireproof.idempotency import MemoryIdempotencyStore
from wireproof.testing import ConnectorNotFit, assert_fit


class Answer(BaseModel):
    text: str


class Counter(BaseModel):
    n: int


def vague() -> Connector[list[int]]:
    """A connector whose only flaws are warnings: a vague tool name."""
    app: Connector[list[int]] = Connector("vague")

    @app.read(public=True)
    def query(name: str) -> Answer:
        """Look a colour up by its name.

        Args:
            name: The colour's name, such as red.
        """
        return Answer(text=name)

    @app.write(public=True, effect="external", destructive=False, idempotency_key=True)
    def add_count(ctx: object, by: int) -> Counter:
        """Add to the counter.

        Args:
            by: How much to add, such as 1.
        """
        state: list[int] = ctx.state  # type: ignore[attr-defined]
        state.append(by)
        return Counter(n=sum(state))

    return app


def test_the_default_fails_on_errors_only_like_the_cli() -> None:
    report = assert_fit(vague(), [], principal=LOCAL_OPERATOR, store=MemoryIdempotencyStore())
    assert report.count("warning") > 0
    assert report.count("error") == 0


def test_fail_on_warning_fails_with_the_report() -> None:
    with pytest.raises(ConnectorNotFit, match=r"schema\.vague-name"):
        assert_fit(vague(), [], principal=LOCAL_OPERATOR, store=MemoryIdempotencyStore(), fail_on="warning")


def test_fail_on_never_only_reports() -> None:
    report = assert_fit(
        vague(), [], principal=LOCAL_OPERATOR, store=MemoryIdempotencyStore(), fail_on="never"
    )
    assert any(finding.rule == "schema.vague-name" for finding in report.findings)


def test_writes_are_called_only_when_allowed() -> None:
    state: list[int] = []
    report = assert_fit(vague(), state, principal=LOCAL_OPERATOR, store=MemoryIdempotencyStore())
    assert state == []
    assert all(t.calls == 0 for t in report.tools if not t.read_only)
    report = assert_fit(
        vague(), state, principal=LOCAL_OPERATOR, store=MemoryIdempotencyStore(), allow_writes=True
    )
    assert state
    assert all(t.calls > 0 for t in report.tools if not t.read_only)


def test_an_unknown_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="fail_on must be"):
        assert_fit(vague(), [], principal=LOCAL_OPERATOR, fail_on="warnings")  # type: ignore[arg-type]
