"""The ``wireproof`` command line: a thin shell that parses, calls, and maps outcomes to exit codes.

Exit codes of ``wireproof check``: 0 no finding at or above ``--fail-on``, 1 findings,
2 could not run (the reason is printed), or a part of the check failed inside the checker (the report
is written, with that part listed as not tested).
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from wireproof._version import __version__
from wireproof.errors import OperatorError, UsageError

if TYPE_CHECKING:
    from wireproof.check.model import Report

EXIT_OK: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_CANNOT_RUN: Final = 2
FORMATS: Final = ("text", "json", "junit", "sarif", "markdown", "html")
_EXTENSIONS: Final = {
    ".txt": "text",
    ".json": "json",
    ".xml": "junit",
    ".sarif": "sarif",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
}

CHECK_EPILOG = """\
examples:
  wireproof check -- helpdesk-mcp --db /tmp/test.db        a stdio server (everything after -- is the command)
  wireproof check http://127.0.0.1:8000/mcp --header 'Authorization: Bearer TOKEN'
  wireproof check --mcp-config ~/.config/claude/claude_desktop_config.json --server helpdesk
  wireproof check --output report.html --output report.sarif -- python -m my_server
  wireproof check --env API_KEY=test-key --auth-env API_KEY -- my-server    API_KEY unset/garbage must be refused
  wireproof check --lock wireproof.lock -- my-server       record the tool definitions, then report any change
  wireproof check --baseline wireproof-baseline.json -- my-server    fail only on findings not in the baseline

Only tools annotated readOnlyHint: true are called unless --allow-writes is given;
point --allow-writes at a test account, never at production data. A category the check
could not exercise is "not tested" (no score); the report's coverage says what would test it,
with the wireproof check command line that would (credentials shown as NAME=... placeholders).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wireproof", description="Build and check MCP connectors.")
    parser.add_argument("--version", action="version", version=f"wireproof {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    check = commands.add_parser(
        "check",
        help="check any MCP server (stdio command, HTTP URL or mcpServers entry) and report findings",
        description="Prove or disprove, from the outside, that an MCP server is fit to be a connector.",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "url", nargs="?", help="Streamable HTTP endpoint, for example http://127.0.0.1:8000/mcp"
    )
    check.add_argument(
        "--mcp-config", type=Path, metavar="FILE", help="a JSON file with an mcpServers object"
    )
    check.add_argument("--server", metavar="NAME", help="which server of --mcp-config to check")
    check.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="K=V",
        help="environment for a stdio server (repeatable)",
    )
    check.add_argument(
        "--auth-env",
        action="append",
        default=[],
        metavar="NAME",
        help="the stdio server's credential variable (repeatable; give its value with --env): fresh "
        "servers with it unset and garbage must refuse loudly. Variables given with --env or in the "
        "mcpServers entry whose names hold KEY, TOKEN, SECRET, PASSWORD or CREDENTIAL are tried too",
    )
    check.add_argument(
        "--header", action="append", default=[], metavar="'K: V'", help="HTTP header (repeatable)"
    )
    check.add_argument(
        "--config", type=Path, metavar="FILE", help="wireproof.toml: sample arguments, observers, auth cases"
    )
    check.add_argument(
        "--allow-writes",
        action="store_true",
        help="also call tools not annotated readOnlyHint: true (a test account: writes are real; with "
        "observers over stdio a second instance of the server is started beside the first, on the same data)",
    )
    check.add_argument(
        "--tool", action="append", default=[], metavar="NAME", help="check only this tool (repeatable)"
    )
    check.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds per call, and per handshake attempt: a server that never answers is given up on "
        "after the 2026 and then the 2025 handshake (only the latter with --legacy) (default 10)",
    )
    check.add_argument(
        "--concurrency",
        type=int,
        default=4,
        metavar="N",
        help="tools probed at once (default 4); a stdio server is started at most once per CPU",
    )
    check.add_argument(
        "--fail-on",
        choices=["error", "warning", "info", "never"],
        default="error",
        help="exit 1 when a finding is at least this severe (default error)",
    )
    check.add_argument(
        "--format",
        action="append",
        default=[],
        choices=FORMATS,
        help="report format; with --output, the n-th --format goes with the n-th --output (default text)",
    )
    check.add_argument(
        "--output",
        action="append",
        default=[],
        type=Path,
        metavar="PATH",
        help="write a report here (repeatable); the format follows --format or the extension",
    )
    check.add_argument(
        "--lock",
        type=Path,
        metavar="FILE",
        help="pin the tool definitions in FILE (wireproof.lock): the first run records them, later runs "
        "report tools added, removed or changed since as protocol.definitions-changed (error)",
    )
    check.add_argument(
        "--update-lock",
        action="store_true",
        help="accept the definitions the server lists now: rewrite the --lock FILE, printing what changed",
    )
    check.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="report and fail only on findings not in FILE (written by --write-baseline, or a JSON report); "
        "findings match by rule, tool and the parameters they name, not by message",
    )
    check.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="write this run's findings to FILE as the baseline (they then count as known: exit 0 "
        "unless the check could not run or a part of it failed)",
    )
    check.add_argument("--legacy", action="store_true", help="use the 2025-11-25 initialize handshake only")
    check.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_serve(commands)
    _add_guard(commands)
    return parser


SERVE_EPILOG = """\
examples:
  wireproof serve my_connector:app --auth none                      loopback, no authentication
  wireproof serve my_connector:app --transport stdio --keys-file keys.toml --key-env MY_API_KEY
  wireproof serve my_connector:make --db sqlite:///app.db --auth keys --keys-file keys.toml
  wireproof serve my_connector:make --host 0.0.0.0 --auth jwt --jwks https://idp.example/jwks.json \\
      --issuer https://idp.example --resource-url https://mcp.example.com/mcp --db postgresql://…

MODULE:ATTR names a Connector (served with state None) or a function returning a Connector or a
(connector, state) pair. A function of one argument is handed the --db URL: the connector's data,
its write transactions and its idempotency records then live in that one database. Write tools
that write to a database are refused without it. The environment variable
WIREPROOF_CURSOR_SECRET (32+ characters) signs paging cursors; set the same value on every replica.

exit codes: 0 served, then stopped (stdin closed, or SIGTERM drained); 2 cannot start (the reason
is printed); 130 interrupted.
"""


def _add_serve(commands: Any) -> None:
    from wireproof.serve import add_serve_arguments

    serve = commands.add_parser(
        "serve",
        help="serve a connector over stdio, or stateless Streamable HTTP ready to run as replicas",
        description="Serve a connector: over stdio with API keys, or at /mcp over stateless Streamable "
        "HTTP (uvicorn), where any replica answers any request.",
        epilog=SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("target", metavar="MODULE:ATTR", help="the connector, for example my_pkg.server:app")
    serve.add_argument(
        "--db",
        metavar="URL",
        help="the connector's database, sqlite:///PATH or postgresql://… (shared by replicas): handed "
        "to a MODULE:FUNC(database_url) factory, and home of the idempotency records and write "
        "transactions (default: records in memory, for one process and external writes only)",
    )
    add_serve_arguments(serve, default_transport="http")


def _run_serve(args: argparse.Namespace, command: list[str]) -> int:
    from wireproof.serve import HttpSettings, serve, stdio_principal

    if command:
        raise UsageError("wireproof serve takes no command after --")
    if args.transport == "http":
        if args.key_env:
            raise UsageError(
                "--key-env is for --transport stdio; over HTTP the key is each request's bearer token"
            )
        settings, principal = HttpSettings.from_arguments(args), None
        settings.check()
    else:
        settings, principal = (
            None,
            stdio_principal(auth=args.auth, keys_file=args.keys_file, key_env=args.key_env),
        )
    connector, state, takes_database = _load_target(args.target, args.db)
    database_writes = sorted(name for name, effect in connector.effects.items() if effect == "database")
    if database_writes and not takes_database:  # else its data and its records could be two databases
        raise UsageError(
            f"tools {', '.join(database_writes)} write to the connector's database: name a factory "
            "MODULE:FUNC(database_url) that opens it, and pass --db URL, the one database for its data, "
            "write transactions and idempotency records"
        )
    return serve(
        connector,
        state,
        transport=args.transport,
        principal=principal,
        settings=settings,
        database=args.db or "memory:",
        program="wireproof serve",
    )


GUARD_EPILOG = """\
examples:
  wireproof guard -- mcp-server-time                               a stdio server, every tool, served over stdio
  wireproof guard --read-only -- npx @modelcontextprotocol/server-memory
  wireproof guard --policy guard.toml --pin wireproof.lock -- mcp-server-git --repository /srv/repo
  wireproof guard --upstream http://127.0.0.1:9000/mcp --upstream-header 'Authorization: Bearer UPSTREAM' \\
      --transport http --auth keys --keys-file keys.toml --port 8100

In a desktop client's mcpServers entry, put "wireproof" with args ["guard", ..., "--", CMD, ARGS...] in
place of the server's command. Write tools take an optional idempotency_key (records in --store, a
SQLite file of the guard's own by default). The upstream gets the guard's environment, less the
caller's key (--key-env), and only the --upstream-header headers: the caller's credential is never
passed on. One audit line per call goes to stderr (or --audit-log FILE).
"""


def _add_guard(commands: Any) -> None:
    from wireproof.serve import add_http_arguments

    guard = commands.add_parser(
        "guard",
        help="serve a third-party MCP server's tools through wireproof's pipeline (policy proxy)",
        description="Put any MCP server behind least privilege, strict schemas, typed errors, idempotent "
        "writes, tight outputs and pinned tool definitions.",
        epilog=GUARD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    guard.add_argument(
        "--policy", type=Path, metavar="FILE", help="guard.toml: allow/deny, scopes, schema additions"
    )
    guard.add_argument(
        "--read-only", action="store_true", help="serve only tools annotated readOnlyHint: true"
    )
    guard.add_argument(
        "--allow", action="append", default=[], metavar="TOOL", help="serve only this tool (repeatable)"
    )
    guard.add_argument(
        "--store",
        metavar="URL",
        help="idempotency records: sqlite:///PATH (default: a file of the guard's own under "
        "~/.local/state/wireproof/guard), postgresql://… for replicas, or memory:",
    )
    guard.add_argument(
        "--pin",
        type=Path,
        metavar="FILE",
        help="pin the upstream's tool definitions in FILE (the wireproof.lock format of wireproof check "
        "--lock): recorded on first start; a tool whose definition changed, or that is new, is withheld "
        "and logged until --approve",
    )
    guard.add_argument(
        "--approve",
        action="append",
        default=[],
        metavar="TOOL",
        help="with --pin: serve this tool's changed definition and record it (repeatable)",
    )
    guard.add_argument(
        "--upstream", metavar="URL", help="a Streamable HTTP upstream, instead of a command after --"
    )
    guard.add_argument(
        "--upstream-header",
        action="append",
        default=[],
        metavar="'K: V'",
        help="a header the guard sends the HTTP upstream, its own credential (repeatable)",
    )
    guard.add_argument(
        "--transport", choices=["stdio", "http"], default="stdio", help="how to serve (default: stdio)"
    )
    guard.add_argument(
        "--keys-file",
        type=Path,
        metavar="PATH",
        help="API keys (TOML): bearer tokens with --auth keys; over stdio, the caller's key is read from --key-env",
    )
    guard.add_argument(
        "--key-env",
        metavar="NAME",
        help="over stdio with --keys-file: the variable holding the caller's key (default WIREPROOF_API_KEY)",
    )
    guard.add_argument(
        "--audit-log", type=Path, metavar="FILE", help="append audit lines here, not to stderr"
    )
    add_http_arguments(guard.add_argument_group("HTTP serving (--transport http)"), auth_required=False)


def _audit_to(path: Path | None) -> Any:
    """Send audit lines to ``path`` (appended) or stderr, buffered off the call's path; returns the
    handler, for ``stop`` at shutdown (which writes what is still buffered)."""
    import logging

    from wireproof.guard._audit import BufferedAuditHandler

    handler = (
        BufferedAuditHandler(path.open("a", encoding="utf-8"), owns_stream=True)
        if path is not None
        else BufferedAuditHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    audit = logging.getLogger("wireproof.audit")
    audit.setLevel(logging.INFO)
    audit.addHandler(handler)
    audit.propagate = False
    guard_log = logging.getLogger("wireproof.guard")
    if not guard_log.handlers:
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setFormatter(logging.Formatter("wireproof guard: %(levelname)s %(message)s"))
        guard_log.addHandler(stderr)
        guard_log.setLevel(logging.INFO)
        guard_log.propagate = False
    return handler


def _records_without_thread_or_process() -> None:
    """The stdio guard's log records carry no thread, process or task fields: its only formatters
    (``_audit_to``'s) print none of them, and looking them up is a third of each audit line's
    ``LogRecord`` (~1.5 us a call). Over HTTP uvicorn's logging config may print them: kept there."""
    import logging

    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.logAsyncioTasks = False  # type: ignore[attr-defined,unused-ignore]  # Python 3.12 on


def _run_guard(args: argparse.Namespace, command: list[str]) -> int:
    import logging

    import anyio

    from wireproof.errors import AuthError
    from wireproof.guard import (
        GuardConfigError,
        GuardOptions,
        GuardPolicy,
        UpstreamSpec,
        UpstreamStartError,
        default_store_url,
        load_policy,
        serve_guard_http,
        serve_guard_stdio,
    )
    from wireproof.schema import ToolDefinitionError
    from wireproof.serve import HttpSettings

    if bool(command) == bool(args.upstream):
        raise UsageError("give the upstream as a command after -- or as --upstream URL (one of them)")
    if args.upstream_header and not args.upstream:
        raise UsageError(
            "--upstream-header is for an --upstream URL; a stdio upstream gets the guard's environment"
        )
    if args.approve and not args.pin:
        raise UsageError("--approve records a tool in the --pin file: give --pin FILE")
    try:
        policy = load_policy(args.policy) if args.policy else GuardPolicy()
    except GuardConfigError as exc:
        raise UsageError(str(exc)) from None
    policy = policy.with_options(read_only=args.read_only, allow=args.allow)
    withheld = [args.key_env or "WIREPROOF_API_KEY"] if args.keys_file else []
    spec = (
        UpstreamSpec(url=args.upstream, headers=_pairs(args.upstream_header, "--upstream-header", ":"))
        if args.upstream
        else UpstreamSpec.stdio(command, withhold=withheld)
    )
    options = GuardOptions(
        upstream=spec,
        policy=policy,
        store_url=args.store or default_store_url(spec),
        pin=args.pin,
        approve=tuple(args.approve),
        keys_file=args.keys_file,
        key_env=args.key_env,
    )
    audit = _audit_to(args.audit_log)
    try:
        if args.transport == "http":
            settings = HttpSettings.from_arguments(args)
            settings.check()
            return serve_guard_http(options, settings)
        _records_without_thread_or_process()
        anyio.run(serve_guard_stdio, options)
    except (UpstreamStartError, GuardConfigError, ToolDefinitionError) as exc:
        raise UsageError(str(exc)) from None
    except AuthError as exc:
        raise UsageError(f"{exc.message}. {exc.advice()}") from None
    finally:
        audit.stop()  # a clean stop: every buffered audit line is written
        logging.getLogger("wireproof.audit").removeHandler(audit)
    return EXIT_OK


def _load_target(name: str, database: str | None) -> tuple[Any, Any, bool]:
    """The connector and state that ``MODULE:ATTR`` names, and whether it was handed ``database``."""
    import importlib
    import os

    from wireproof.connector import Connector

    module_name, _, attribute = name.partition(":")
    if not module_name or not attribute:
        raise UsageError(f"{name!r}: name the connector as MODULE:ATTR, for example my_pkg.server:app")
    sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"cannot import {module_name}: {exc}") from None
    target = getattr(module, attribute, None)
    if target is None:
        raise UsageError(f"{module_name} has no attribute {attribute!r}")
    factory = callable(target) and not isinstance(target, Connector)
    takes_database = factory and _takes_one_argument(target)
    if takes_database and not database:
        raise UsageError(f"{name} takes the database URL: pass --db sqlite:///PATH or --db postgresql://…")
    made = (target(database) if takes_database else target()) if factory else target
    connector, state = made if isinstance(made, tuple) and len(made) == 2 else (made, None)
    if not isinstance(connector, Connector):
        raise UsageError(
            f"{name} is not a wireproof Connector (nor a function returning one, or (connector, state))"
        )
    return connector, state, takes_database


def _takes_one_argument(factory: Any) -> bool:
    """Whether ``factory`` is to be called with the database URL (one parameter) or without."""
    import inspect

    try:
        parameters = list(inspect.signature(factory).parameters.values())
    except (TypeError, ValueError):  # a builtin or C callable: call it without arguments
        return False
    required = [
        p
        for p in parameters
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return len(required) == 1


class _RichProgress:
    """The check's progress as a bar on stderr: tools x probes, calls done of planned."""

    def __init__(self, progress: Any) -> None:
        self._progress = progress
        self._task: Any = None

    def start(self, total: int) -> None:
        self._task = self._progress.add_task("checking", total=total)

    def advance(self, label: str) -> None:
        if self._task is not None:
            self._progress.update(self._task, advance=1, description=f"checking {label[:30]}")


class _NoProgress:
    def start(self, total: int) -> None:
        return None

    def advance(self, label: str) -> None:
        return None


@contextmanager
def progress_bar(*, enabled: bool) -> Iterator[_RichProgress | _NoProgress]:
    """A progress bar on stderr when it is a terminal and ``enabled``; silence otherwise."""
    if not enabled or not sys.stderr.isatty():
        yield _NoProgress()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield _RichProgress(progress)


def _pairs(items: list[str], what: str, sep: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, found, value = item.partition(sep)
        if not found or not key.strip():
            raise UsageError(f"{what} {item!r} is not in the form K{sep}V")
        out[key.strip()] = value.strip() if sep == ":" else value
    return out


def _outputs(formats: list[str], outputs: list[Path]) -> list[tuple[str, Path | None]]:
    if not outputs:
        return [(formats[0] if formats else "text", None)]
    if formats and len(formats) != len(outputs):
        raise UsageError("give one --format per --output, or none and let the extensions decide")
    result: list[tuple[str, Path | None]] = []
    for i, path in enumerate(outputs):
        fmt = formats[i] if formats else _EXTENSIONS.get(path.suffix.lower())
        if fmt is None:
            raise UsageError(f"cannot tell the format of {path} from its extension; add --format")
        result.append((fmt, path))
    return result


def _check_writable(path: Path) -> None:
    """Refuse a report path that cannot be written before the check runs, not after it."""
    if path.is_dir():
        raise UsageError(f"cannot write the report {path}: it is a folder; name a file in it")
    if path.parent.exists() and not path.parent.is_dir():
        raise UsageError(f"cannot write the report {path}: {path.parent} is a file, not a folder")
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.open("a", encoding="utf-8").close()
        if not existed:
            path.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write the report {path}: {exc.strerror or exc}") from exc


def _target(args: argparse.Namespace, command: list[str]) -> Any:
    from wireproof.check import Target, target_from_mcp_config

    sources = sum(bool(x) for x in (args.url, command, args.mcp_config))
    if sources != 1:
        raise UsageError("name exactly one server: a URL, a command after --, or --mcp-config with --server")
    mode = "legacy" if args.legacy else "auto"
    env, headers = _pairs(args.env, "--env", "="), _pairs(args.header, "--header", ":")
    if args.mcp_config:
        if not args.server:
            raise UsageError("--mcp-config needs --server NAME")
        found = target_from_mcp_config(args.mcp_config.expanduser(), args.server)
        return Target(
            command=found.command,
            env={**found.env, **env},
            cwd=found.cwd,
            url=found.url,
            headers={**found.headers, **headers},
            mode=mode,
        )
    if args.url:
        if not args.url.startswith(("http://", "https://")):
            raise UsageError(f"{args.url!r} is not an http(s) URL; to run a command, put it after --")
        return Target(url=args.url, headers=headers, mode=mode)
    return Target(command=tuple(command), env=env, mode=mode)


def _run_check(args: argparse.Namespace, command: list[str]) -> int:
    import anyio

    from wireproof.check import CheckOptions, load_config, run_check
    from wireproof.check.baseline import read_baseline
    from wireproof.check.locking import record_lock

    target = _target(args, command)
    options = CheckOptions(
        allow_writes=args.allow_writes,
        timeout=args.timeout,
        concurrency=args.concurrency,
        only_tools=frozenset(args.tool),
        auth_env=tuple(dict.fromkeys(args.auth_env)),
    )
    if args.config:
        load_config(args.config, options)
    options.validate()
    outputs = _outputs(args.format, args.output)
    for _, output in outputs:
        if output is not None:
            _check_writable(output)
    lock_plan = _lock_plan(args)
    options.lock = lock_plan.pinned if lock_plan else None
    baseline = read_baseline(args.baseline) if args.baseline else None
    gc.freeze()  # the imported modules live until exit: the interpreter's last collections skip them (~0.3 s)
    with progress_bar(enabled=not args.no_progress) as progress:
        report = anyio.run(run_check, target, options, progress)
    partial = bool(report.coverage.failures)  # a run with a part not run records no lock and no baseline
    if lock_plan and not partial and (recorded := record_lock(lock_plan, report)):
        print(recorded, file=sys.stderr)
    if partial and (lock_plan or args.write_baseline):
        print(
            "wireproof check: the lock and the baseline are not written: a part of the check failed",
            file=sys.stderr,
        )
    report, known = _known_findings(args, report, baseline, write=not partial)
    _write_reports(report, outputs)
    if known:
        print(f"{_findings(known)} in the baseline, not reported", file=sys.stderr)
    if _failed_parts(report):  # a check with a part not run certifies nothing: never exit 0 (nor 1)
        return EXIT_CANNOT_RUN
    if args.fail_on == "never" or args.write_baseline:
        return EXIT_OK
    return EXIT_FINDINGS if report.count(args.fail_on) else EXIT_OK


def _write_reports(report: Report, outputs: list[tuple[str, Path | None]]) -> None:
    """Each format to its file or stdout; when every format went to a file, the text report on stdout."""
    from wireproof.check.report import render

    for fmt, path in outputs:
        rendered = render(report, fmt)
        if path is None:
            sys.stdout.write(rendered)
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(rendered, encoding="utf-8")
            except OSError as exc:  # it was writable when the check started
                raise UsageError(f"cannot write the report {path}: {exc.strerror or exc}") from exc
    if all(path is not None for _, path in outputs):
        sys.stdout.write(render(report, "text"))
        for _, path in outputs:
            print(f"wrote {path}")


def _failed_parts(report: Report) -> bool:
    """Whether a part of the check failed inside the checker; if so, says so on stderr."""
    count = len(report.coverage.failures)
    if count:
        print(
            f"wireproof check: error: the checker itself failed in {count} part{'' if count == 1 else 's'} "
            "of the check (not tested; listed in the report's coverage, the rest of which stands); "
            "this is a wireproof bug: please report it",
            file=sys.stderr,
        )
    return bool(count)


def _findings(count: int) -> str:
    return f"{count} finding{'' if count == 1 else 's'}"


def _lock_plan(args: argparse.Namespace) -> Any:
    from wireproof.check.locking import plan_lock

    if args.update_lock and not args.lock:
        raise UsageError("--update-lock needs --lock FILE")
    return plan_lock(args.lock, update=args.update_lock) if args.lock else None


def _known_findings(
    args: argparse.Namespace, report: Any, baseline: Any, *, write: bool = True
) -> tuple[Any, int]:
    """The report without the findings the baseline holds, and how many were left out.

    ``--write-baseline`` writes every finding of this run instead, and reports them all (the run then
    exits 0: they are the baseline now).
    """
    import dataclasses

    from wireproof.check.baseline import split_findings, write_baseline

    if args.write_baseline and not write:
        return report, 0
    if args.write_baseline:
        write_baseline(args.write_baseline, report)
        print(
            f"wrote the baseline {args.write_baseline} ({_findings(len(report.findings))})", file=sys.stderr
        )
        return report, 0
    if baseline is None:
        return report, 0
    new, known = split_findings(report, baseline)
    return dataclasses.replace(report, findings=new), len(known)


def _failure(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wireproof`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, command = argv[:split], argv[split + 1 :]
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # told with the subcommand's usage, not the top-level one
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        hint = "; a server's command goes after --" if args.command != "serve" and not command else ""
        sub.choices[args.command].error(f"unrecognized arguments: {' '.join(unknown)}{hint}")
    from wireproof._handshake import quiet_stdout_parse_errors

    quiet_stdout_parse_errors()  # a server's stray stdout line is one line on stderr, not a traceback
    try:
        run = {"serve": _run_serve, "guard": _run_guard}.get(args.command, _run_check)
        return run(args, command)
    except OperatorError as exc:  # the whole family (errors.py): what to change before it can run
        print(f"wireproof {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except BaseExceptionGroup as group:  # a worker's failure, from inside the probes' task group
        _, rest = group.split(OperatorError)
        known = group.subgroup(OperatorError)
        reason = str(known.exceptions[0]) if known is not None and rest is None else _failure(group)
        print(f"wireproof {args.command}: error: {reason}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except Exception as exc:  # noqa: BLE001 - the shell's boundary: a checker failure is exit 2, never 1
        print(f"wireproof {args.command}: error: the checker itself failed: {_failure(exc)}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except KeyboardInterrupt:
        print("wireproof: interrupted", file=sys.stderr)
        return EXIT_CANNOT_RUN


if __name__ == "__main__":
    sys.exit(main())
