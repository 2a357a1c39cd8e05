"""Generate docs/cli.md from the commands' --help: ``python docs/gen_cli.py > docs/cli.md``."""

from __future__ import annotations

import contextlib
import io
import os
import sys

from helpdesk.cli import build_parser as helpdesk_parser
from wireproof.cli import build_parser


def _help(parser_args: list[str]) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.suppress(SystemExit):
        build_parser().parse_args(parser_args)
    return buffer.getvalue()


def cli_markdown() -> str:
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal; the page must not depend on it
    os.environ["XDG_DATA_HOME"] = "~/.local/share"  # nor on whose home directory it was made in
    helpdesk = helpdesk_parser()
    helpdesk.prog = "helpdesk-mcp"
    parts = [
        "# Command-line reference",
        "",
        "Generated from `--help` (`python docs/gen_cli.py > docs/cli.md`); a test keeps it current.",
        "",
        "## wireproof",
        "",
        "```",
        _help(["--help"]).rstrip(),
        "```",
        "",
        "## wireproof check",
        "",
        "```",
        _help(["check", "--help"]).rstrip(),
        "```",
        "",
        "## helpdesk-mcp",
        "",
        "```",
        helpdesk.format_help().rstrip(),
        "```",
        "",
    ]
    return "\n".join(parts)


if __name__ == "__main__":
    sys.stdout.write(cli_markdown())
