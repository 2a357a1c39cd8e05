"""``python -m wireproof``: the same command line as the ``wireproof`` console script."""

import sys

from wireproof.cli import main

if __name__ == "__main__":
    sys.exit(main())
