"""The slow connector over stdio, for tests/serve/test_stdio.py: ``python -m tests.serve.stdio_app``.

With ``STDIO_DRAIN=SECONDS`` it serves through ``wireproof.serve._stdio.serve_stdio`` with that drain
bound; otherwise through ``Connector.run_stdio``, as a console script does.
"""

from __future__ import annotations

import logging
import os
import sys

import anyio

from tests.serve.slow_app import app
from wireproof import LOCAL_OPERATOR
from wireproof.serve._stdio import serve_stdio


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    drain = os.environ.get("STDIO_DRAIN")
    if drain is None:
        app.run_stdio(None, principal=LOCAL_OPERATOR)
    else:
        anyio.run(lambda: serve_stdio(app.server(None, principal=LOCAL_OPERATOR), drain_timeout=float(drain)))


if __name__ == "__main__":
    main()
