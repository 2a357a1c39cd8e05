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
    # argparse wraps to the terminal, and helpdesk's default path names a home directory: the
    # page must depend on neither, so both are fixed while it is made, then restored.
    fixed = {"COLUMNS": "100", "XDG_DATA_HOME": "~/.local/share"}
    saved = {k: os.environ.get(k) for k in fixed}
    os.environ.update(fixed)
    try:
        return _cli_markdown()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _cli_markdown() -> str:
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
        "## wireproof serve",
        "",
        "```",
        _help(["serve", "--help"]).rstrip(),
        "```",
        "",
        "## wireproof guard",
        "",
        "```",
        _help(["guard", "--help"]).rstrip(),
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
