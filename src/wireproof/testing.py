"""Check a wireproof ``Connector`` from a test suite, in process, with the same rules as ``wireproof check``::

    from wireproof.testing import assert_fit

    def test_my_connector_is_fit(database, store):
        assert_fit(app, database, store=store, principal=LOCAL_OPERATOR)   # fails the test on error findings

``fail_on=`` and ``allow_writes=`` work as ``wireproof check --fail-on`` and ``--allow-writes``, with
the same defaults (``"error"``, no writes).

The principal is explicit, as for serving: ``LOCAL_OPERATOR`` lets the checker see every tool; a
narrower ``Principal`` checks what that caller sees.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import anyio

from wireproof.check import CheckOptions, Report, Target, run_check
from wireproof.check.report import render
from wireproof.connector import Connector, PrincipalSource
from wireproof.idempotency import IdempotencyStore

__all__ = ["ConnectorNotFit", "assert_fit", "check_connector"]


class ConnectorNotFit(AssertionError):
    """``assert_fit`` found findings at or above the threshold; the message is the text report."""


def check_connector(
    connector: Connector[Any],
    state: Any,
    options: CheckOptions | None = None,
    *,
    principal: PrincipalSource,
    store: IdempotencyStore | None = None,
) -> Report:
    """Run the checker against ``connector`` served in memory with ``state`` as ``principal`` (and ``store``)."""
    target = Target(server=connector.server(state, store=store, principal=principal))
    return anyio.run(run_check, target, options or CheckOptions())


FailOn = Literal["error", "warning", "info", "never"]
"""The least severe finding that fails the test, as ``wireproof check --fail-on``; ``"never"`` only reports."""


def assert_fit(
    connector: Connector[Any],
    state: Any,
    *,
    principal: PrincipalSource,
    store: IdempotencyStore | None = None,
    allow_writes: bool = False,
    fail_on: FailOn = "error",
    options: CheckOptions | None = None,
) -> Report:
    """Check ``connector`` served in memory with ``state``; raise ``ConnectorNotFit`` (the text report)
    if any finding is at least ``fail_on``, and return the report.

    The defaults are ``wireproof check``'s: fail on errors, and call no write tool unless
    ``allow_writes=True`` (then each write runs against ``state``: give it throw-away data).
    ``options`` sets everything else the checker takes (observers, arguments, budgets).
    """
    if fail_on not in ("error", "warning", "info", "never"):
        raise ValueError(f"fail_on must be 'error', 'warning', 'info' or 'never', not {fail_on!r}")
    if allow_writes:
        options = dataclasses.replace(options or CheckOptions(), allow_writes=True)
    report = check_connector(connector, state, options, principal=principal, store=store)
    if fail_on != "never" and report.count(fail_on):
        raise ConnectorNotFit(render(report, "text"))
    return report
