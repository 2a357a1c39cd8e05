"""Check a wireproof ``Connector`` from a test suite, in process, with the same rules as ``wireproof check``::

    from wireproof.testing import assert_fit

    def test_my_connector_is_fit(database, store):
        assert_fit(app, database, store=store, principal=LOCAL_OPERATOR)   # fails the test with the findings

The principal is explicit, as for serving: ``LOCAL_OPERATOR`` lets the checker see every tool; a
narrower ``Principal`` checks what that caller sees.
"""

from __future__ import annotations

from typing import Any

import anyio

from wireproof.check import CheckOptions, Report, Target, run_check
from wireproof.check.model import Severity
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


def assert_fit(
    connector: Connector[Any],
    state: Any,
    *,
    principal: PrincipalSource,
    fail_on: Severity = "warning",
    options: CheckOptions | None = None,
    store: IdempotencyStore | None = None,
) -> Report:
    """Check ``connector`` and raise ``ConnectorNotFit`` if any finding is at least ``fail_on``."""
    report = check_connector(connector, state, options, principal=principal, store=store)
    if report.count(fail_on):
        raise ConnectorNotFit(render(report, "text"))
    return report
