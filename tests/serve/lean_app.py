"""A connector over stdio for tests/serve/test_lean.py: ``python -m tests.serve.lean_app``.

``LEAN_APP_PATH=sdk`` serves it through the SDK's request path only (``serve_stdio`` without
``calls``); ``lean`` (the default) as ``Connector.serve_stdio`` does, with the lean ``tools/call``
path. ``STDIO_DRAIN=SECONDS`` bounds the drain at EOF.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from typing import Annotated

import anyio
from annotated_types import Ge, Le, MaxLen
from pydantic import BaseModel

from wireproof import LOCAL_OPERATOR, Connector
from wireproof.serve._stdio import DEFAULT_DRAIN_TIMEOUT, serve_stdio

app: Connector[None] = Connector("lean-test", timeout=30)


class Echoed(BaseModel):
    text: str


class Route(BaseModel):
    lean: bool
    sdk: bool


@app.read(public=True)
def echo(text: Annotated[str, MaxLen(100)] | None = None) -> Echoed:
    """Answer with the text.

    Args:
        text: What to answer with.
    """
    return Echoed(text=text or "")


@app.read(public=True)
async def path() -> Route:
    """Which serving path this call came through, read off the coroutines awaiting it."""
    names = []
    frame = sys._getframe()  # the test's probe of its own call chain
    while frame is not None:
        names.append(frame.f_code.co_qualname)
        frame = frame.f_back
    return Route(lean="LeanCalls._run" in names, sdk="JSONRPCDispatcher._handle_request" in names)


@app.read(public=True)
async def nap(seconds: Annotated[float, Ge(0), Le(25)]) -> Echoed:
    """Sleep on the event loop (cancellable at once), then answer.

    Args:
        seconds: How long to take.
    """
    started = os.environ.get("LEAN_APP_STARTED")
    if started:
        with open(started, "a") as marker:  # noqa: ASYNC230 - a test's marker file
            marker.write("started\n")
    await anyio.sleep(seconds)
    return Echoed(text=f"slept {seconds}")


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    drain = float(os.environ.get("STDIO_DRAIN") or DEFAULT_DRAIN_TIMEOUT)
    server = app.server(None, principal=LOCAL_OPERATOR)
    lean = os.environ.get("LEAN_APP_PATH", "lean") == "lean"
    calls = functools.partial(app.call, None, principal=LOCAL_OPERATOR) if lean else None
    anyio.run(lambda: serve_stdio(server, calls=calls, drain_timeout=drain))


if __name__ == "__main__":
    main()
