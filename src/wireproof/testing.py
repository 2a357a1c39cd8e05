"""Check a wireproof ``Connector`` from a test suite, in process, with the same rules as ``wireproof check``.

from wireproof.testing import assert_fit

def test_my_connector_is_fit(database):
    assert_fit(app, database)                  # fails the test with the findings
"""

from __future__ import annotations

from typing import Any

import anyio

from wireproof.check import CheckOptions, Report, Target, run_check
from wireproof.check.model import Severity
from wireproof.check.report import render
from wireproof.connector import Connector

__all__ = ["ConnectorNotFit", "assert_fit", "check_connector"]


class ConnectorNotFit(AssertionError):
    """``assert_fit`` found findings at or above the threshold; the message is the text report."""


def check_connector(connector: Connector[Any], state: Any, options: CheckOptions | None = None) -> Report:
    """Run the checker against ``connector`` served in memory with ``state``."""
    target = Target(server=connector.server(state))
    return anyio.run(run_check, target, options or CheckOptions())


async def check_connector_async(
    connector: Connector[Any], state: Any, options: CheckOptions | None = None
) -> Report:
    """``check_connector`` for async tests."""
    return await run_check(Target(server=connector.server(state)), options or CheckOptions())


def assert_fit(
    connector: Connector[Any],
    state: Any,
    *,
    fail_on: Severity = "warning",
    options: CheckOptions | None = None,
) -> Report:
    """Check ``connector`` and raise ``ConnectorNotFit`` if any finding is at least ``fail_on``."""
    report = check_connector(connector, state, options)
    if report.count(fail_on):
        raise ConnectorNotFit(render(report, "text"))
    return report
