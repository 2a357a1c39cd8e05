"""A connector for ``wireproof serve`` tests: a read tool that takes as long as it is told to."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

from annotated_types import Ge, Le
from pydantic import BaseModel

from wireproof import Connector

app: Connector[None] = Connector("slow", timeout=20)


class Slept(BaseModel):
    seconds: float


@app.read(public=True)
def sleep_for(seconds: Annotated[float, Ge(0), Le(15)]) -> Slept:
    """Sleep, then answer: an in-flight call that shutdown must wait for.

    Args:
        seconds: How long to take.
    """
    started = os.environ.get("SLOW_APP_STARTED")
    if started:  # tells the test the call is in flight
        Path(started).touch()
    time.sleep(seconds)
    return Slept(seconds=seconds)


def factory() -> tuple[Connector[None], None]:
    """The (connector, state) form ``wireproof serve`` also accepts."""
    return app, None


not_a_connector = 42
