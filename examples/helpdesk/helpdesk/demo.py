"""``make demo``: start helpdesk over stdio, connect with the official MCP client, and show what it does.

A few screens for a newcomer: the tools and their schemas, a valid call, awkward calls with the
errors a model gets back, the checker's scorecard, and ``wireproof guard`` serving the same
server read-only (what it does to any server you did not write).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError
from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from helpdesk.db import default_database_path, open_database
from wireproof.check import CheckOptions, Report, Target, run_check
from wireproof.check.report import render
from wireproof.check.report.text import renderables
from wireproof.cli import progress_bar

DEMO_TICKETS = 5000

AWKWARD_CALLS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "Dates the wrong way round, a made-up status, a limit as a string, and an argument that does not exist",
        "list_tickets_by_date",
        {
            "start_date": "2026-05-10",
            "end_date": "2026-05-01",
            "status": "bogus",
            "limit": "10",
            "colour": "red",
        },
    ),
    (
        "A date written the American way",
        "list_tickets_by_date",
        {"start_date": "05/01/2026", "end_date": "2026-05-31"},
    ),
    (
        "A 1 MB search text and a limit far over the maximum",
        "search_tickets",
        {"text": "x" * 1_000_000, "limit": 500},
    ),
    ("A ticket that does not exist", "get_ticket", {"ticket_id": 99_999_999}),
    ("A tool that does not exist", "list_tickets", {}),
]


def _server_params(db: str) -> StdioServerParameters:
    command = shutil.which("helpdesk-mcp")
    if command is None:
        return StdioServerParameters(command=sys.executable, args=["-m", "helpdesk.cli", "--db", db])
    return StdioServerParameters(command=command, args=["--db", db])


def _json(console: Console, value: Any) -> None:
    console.print(
        Syntax(json.dumps(value, indent=2, ensure_ascii=False), "json", theme="ansi_dark", word_wrap=True)
    )


async def _tour(console: Console, db: str) -> None:
    async with Client(_server_params(db), read_timeout_seconds=30) as client:
        listing = await client.list_tools()
        console.rule("[bold]1. The tools a model sees")
        table = Table("tool", "annotations", "parameters", show_lines=True)
        for tool in listing.tools:
            hints = tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else {}
            params = tool.input_schema.get("properties", {})
            required = set(tool.input_schema.get("required", []))
            table.add_row(
                f"[bold]{tool.name}[/]\n{tool.description}",
                "\n".join(f"{k}: {v}" for k, v in hints.items() if k != "title"),
                "\n".join(
                    f"{name}{'*' if name in required else ''}: {json.dumps({k: v for k, v in s.items() if k != 'description'})}"
                    for name, s in params.items()
                ),
            )
        console.print(table)
        console.print(
            "[dim]* required. Every schema has additionalProperties: false, so unknown arguments are refused.[/]"
        )

        console.rule("[bold]2. A valid call")
        arguments = {"start_date": "2026-10-01", "end_date": "2026-10-31", "status": "open", "limit": 3}
        console.print(f"list_tickets_by_date({json.dumps(arguments)})")
        result = await client.call_tool("list_tickets_by_date", arguments)
        _json(console, result.structured_content)

        console.rule("[bold]3. Awkward calls, and what the model is told")
        for title, name, arguments in AWKWARD_CALLS:
            shown = {
                k: (v if not isinstance(v, str) or len(v) < 40 else f"<{len(v):,} characters>")
                for k, v in arguments.items()
            }
            console.print(f"\n[bold]{title}[/]\n{name}({json.dumps(shown)})")
            try:
                result = await client.call_tool(name, arguments)
            except MCPError as error:
                console.print(
                    Panel(
                        f"JSON-RPC error {error.code}: {error.message}",
                        title="protocol error",
                        border_style="yellow",
                    )
                )
                continue
            text = "\n".join(block.text for block in result.content if block.type == "text")
            console.print(
                Panel(
                    text,
                    title=f"isError: {str(result.is_error).lower()}  (text for the model)",
                    border_style="red" if result.is_error else "green",
                )
            )
            console.print("[dim]_meta['io.wireproof/error'] (for programs):[/]")
            _json(console, (result.meta or {}).get("io.wireproof/error"))


async def _check(console: Console, db: str) -> tuple[Report, str]:
    console.rule("[bold]4. wireproof check: the connector, proved from the outside")
    console.print(
        "The checker lists the tools, lints their schemas, calls each read-only tool with valid and "
        "awkward arguments, grades every error it gets back, and measures every answer."
    )
    params = _server_params(db)
    target = Target(command=(params.command, *params.args))
    with progress_bar(enabled=True) as progress:
        report = await run_check(target, CheckOptions(), progress)
    for part in renderables(report):
        console.print(part)
    return report, " ".join([params.command, *params.args])


def _guard_params(db: str) -> StdioServerParameters:
    server = _server_params(db)
    wireproof = shutil.which("wireproof")
    prefix = [wireproof] if wireproof else [sys.executable, "-m", "wireproof.cli"]
    args = ["guard", "--read-only", "--store", "memory:", "--", server.command, *server.args]
    return StdioServerParameters(command=prefix[0], args=[*prefix[1:], *args])


async def _guard(console: Console, db: str) -> str:
    console.rule("[bold]5. wireproof guard: any server (here helpdesk itself) behind the same pipeline")
    params = _guard_params(db)
    command = " ".join(["wireproof", *params.args[params.args.index("guard") :]])
    console.print(
        f"[bold]{command}[/]\nThe guard starts the server, serves only its read-only tools with tightened "
        "schemas, typed errors and budgets, and writes an audit line per call (on stderr, below)."
    )
    async with Client(params, read_timeout_seconds=30) as client:
        listing = await client.list_tools()
        console.print(f"Served through the guard: {', '.join(t.name for t in listing.tools)}")
        arguments = {"ticket_id": 1}
        result = await client.call_tool("get_ticket", arguments)
        console.print(f"get_ticket({json.dumps(arguments)}) -> isError: {str(result.is_error).lower()}")
        try:
            await client.call_tool("add_ticket_comment", {"ticket_id": 1, "body": "printer on fire"})
        except MCPError as error:  # a tool the policy does not serve is not there at all
            console.print(
                Panel(
                    f"JSON-RPC error {error.code}: {error.message}",
                    title="add_ticket_comment: a write tool the read-only guard does not serve",
                    border_style="red",
                )
            )
    return command


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="helpdesk-demo", description=__doc__)
    parser.add_argument("--db", help=f"database URL or path (default: {default_database_path()})")
    parser.add_argument(
        "--reports", type=Path, default=Path("reports"), help="where to write the HTML report"
    )
    args = parser.parse_args(argv)
    console = Console()
    with open_database(args.db) as database:
        added = database.seed(DEMO_TICKETS)
        db = database.url
    console.print(
        f"[bold]helpdesk[/] on {db}: "
        + (f"seeded {added:,} demo tickets." if added else "using the tickets already there.")
    )
    anyio.run(_tour, console, db)
    report, command = anyio.run(_check, console, db)
    guarded = anyio.run(_guard, console, db)
    args.reports.mkdir(parents=True, exist_ok=True)
    html_path = args.reports / "helpdesk-check.html"
    html_path.write_text(render(report, "html"), encoding="utf-8")
    console.print(f"\nThe scorecard as HTML: {html_path}")
    console.print(f"Check any server the same way: [bold]wireproof check -- {command}[/]")
    console.print(f"Guard any server the same way: [bold]{guarded.replace('--store memory: ', '')}[/]")
    return 1 if report.count("warning") else 0


if __name__ == "__main__":
    sys.exit(main())
