"""The pytest plugin (registered as ``pytest11``): a ``wireproof_check`` fixture.

def test_fit(wireproof_check, database):
    wireproof_check(app, database, principal=LOCAL_OPERATOR)   # fails with the findings at warning or above
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

from wireproof.testing import assert_fit


@pytest.fixture
def wireproof_check() -> Callable[..., Any]:
    """``assert_fit`` with ``fail_on="warning"`` (a fixture is a strict gate; pass ``fail_on=`` to
    change it): check a Connector in process and fail the test on findings."""
    return functools.partial(assert_fit, fail_on="warning")
