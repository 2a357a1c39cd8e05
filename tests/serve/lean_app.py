"""A connector over stdio for tests/serve/test_lean.py: ``python -m tests.serve.lean_app``.

``LEAN_APP_PATH=sdk`` serves it through the SDK's request path only (``serve_stdio`` without
``calls``); ``lean`` (the default) with ``Connector.run_stdio``, as a console script does, which
takes the lean ``tools/call`` path. ``STDIO_DRAIN=SECONDS`` bounds the drain at EOF (served with
``serve_stdio`` and the handler ``run_stdio`` would use). Each call answered on the lean path is a
DEBUG line on stderr.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import anyio
from annotated_types import Ge, Le, MaxLen
from pydantic import BaseModel

from wireproof import LOCAL_OPERATOR, Connector, Principal
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


def principal() -> Principal:
    """The local operator; while the file named by ``LEAN_APP_BROKEN`` exists, a source that fails
    with an internal path in its message (which must never reach the wire)."""
    broken = os.environ.get("LEAN_APP_BROKEN")
    if broken and os.path.exists(broken):
        raise RuntimeError(f"cannot read the keys file {broken}")
    return LOCAL_OPERATOR


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    logging.getLogger("wireproof.stdio").setLevel(logging.DEBUG)  # names each call answered lean
    drain = os.environ.get("STDIO_DRAIN")
    if os.environ.get("LEAN_APP_PATH", "lean") == "lean" and drain is None:
        app.run_stdio(None, principal=principal)  # as a console script serves it
        return
    server = app.server(None, principal=principal)
    lean = os.environ.get("LEAN_APP_PATH", "lean") == "lean"
    calls = app._serving(None, principal=principal, store=None, cursors=None) if lean else None
    timeout = DEFAULT_DRAIN_TIMEOUT if drain is None else float(drain)
    anyio.run(lambda: serve_stdio(server, calls=calls, drain_timeout=timeout))


if __name__ == "__main__":
    main()
