"""What a check exercised, per category: the basis of the scores, and what would test the rest.

A category is *tested* when something it judges was exercised (``EXERCISED`` says what, per
category), or when a warning or error finding in it shows it was. A category not tested has no
score: ``None``, "not tested" in every report format, never 100.
"""

from __future__ import annotations

from typing import Final, get_args

from wireproof.check.client import Target
from wireproof.check.config import CheckOptions
from wireproof.check.generate import Kind
from wireproof.check.model import (
    CATEGORIES,
    SKIP_MALFORMED,
    CallRecord,
    Category,
    CategoryCoverage,
    Coverage,
    Finding,
    Observations,
    ProbeFailure,
    RestartObservation,
    ToolInfo,
    Writes,
    name_list,
)
from wireproof.check.probes.auth import credential_variables
from wireproof.check.probes.writes import CONCURRENT_CALLS
from wireproof.check.rerun import NAME, Rerun, rerun_command
from wireproof.check.rules.auth import case_verdict, writes_run_without_credential

__all__ = ["AWKWARD_PURPOSES", "EXERCISED", "measure_coverage"]

EXERCISED: Final[dict[Category, str]] = {
    "schema": "at least one tool listed (and so linted)",
    "errors": "at least one awkward call (a schema violation or a hostile string) made and answered",
    "auth": "an auth probe ran: the raw HTTP requests without and with a garbage token were answered, or "
    "a bad-credential case (a stdio variable unset or garbage, an `[auth.cases]` entry) told something",
    "idempotency": "a write's first call succeeded and it was called again (`--allow-writes`)",
    "output": "a call came back with a result, not an error, whose size was measured",
    "protocol": "`tools/list` was called",
}

AWKWARD_PURPOSES: Final = frozenset(get_args(Kind))
ALLOW_WRITES: Final = "rerun with --allow-writes against a test account (never production data)"
_SAMPLES: Final = "give valid sample arguments in --config ([tools.NAME] arguments = {{...}}) for {names}"
_LONGER: Final = 3  # a rerun after timeouts waits this many times as long (at least 30 s)


class _Commands:
    """The rerun command of each category, and every rerun asked for, to make one line of them all."""

    def __init__(self, target: Target, options: CheckOptions) -> None:
        self._target = target
        self._options = options
        self._asked: list[Rerun] = []

    def __call__(self, rerun: Rerun) -> str | None:
        self._asked.append(rerun)
        return rerun_command(self._target, self._options, rerun)

    def together(self) -> str | None:
        """One line with every addition asked for; None when none was."""
        if not self._asked:
            return None
        combined = Rerun()
        for rerun in self._asked:
            combined |= rerun
        return rerun_command(self._target, self._options, combined)


def _proper(call: CallRecord) -> bool:
    """A call of the check itself, not an auth case's or an observer's."""
    return call.purpose not in ("auth-case", "observe", "unknown-tool")


def _ok(call: CallRecord) -> bool:
    return call.outcome == "result" and not call.is_error


def _n(count: int, noun: str) -> str:
    """``1 tool``, ``2 tools``: a count with its noun."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


_names = name_list


def _writes(
    tools: list[ToolInfo], observations: Observations, options: CheckOptions
) -> tuple[Writes, list[str]]:
    """The writes' state, and the write tools called twice after a first call that succeeded."""
    writes = [t.name for t in tools if not t.read_only]
    twice = [
        name
        for name in writes
        if any(_ok(c) for c in observations.calls_for(name, "write-first"))
        and observations.calls_for(name, "write-repeat")
    ]
    if not writes:
        return "no write tools", twice
    if not options.allow_writes:
        return "not exercised", twice
    return ("exercised" if twice else "failed"), twice


def measure_coverage(
    listed: list[ToolInfo],
    observations: Observations,
    options: CheckOptions,
    target: Target,
    findings: list[Finding],
) -> Coverage:
    """What was exercised, from the observations; ``listed`` is every tool before ``--tool`` limited them.

    Each category left partly untested says what would test the rest, in words and as the command
    line built from ``target`` and ``options``; ``Coverage.command`` is all of those in one line.
    """
    tools = observations.tools
    calls = [c for c in observations.calls if _proper(c)]
    skipped = dict(observations.skipped)
    writes, twice = _writes(tools, observations, options)
    commands = _Commands(target, options)
    categories: dict[Category, CategoryCoverage] = {
        "schema": _schema(listed, tools, observations, commands),
        "errors": _errors(calls, skipped, options, commands),
        "auth": _auth(observations, target, options, commands),
        "idempotency": _idempotency(tools, writes, twice, options, commands, observations.restart),
        "output": _output(tools, calls, skipped, commands),
        "protocol": CategoryCoverage(True, "tools/list called twice and compared", len(tools)),
    }
    failed = _failed_parts(observations.failures)
    for category, parts in failed.items():
        current = categories[category]
        categories[category] = CategoryCoverage(
            False,
            f"{current.exercised}; but the checker itself failed in {', '.join(parts)}, so the score would "
            "stand on a part that did not run",
            current.tools,
            "rerun once the failure (coverage.failures) is fixed",
            current.command,
        )
    for category in CATEGORIES:
        current = categories[category]
        if category in failed:
            continue
        if not current.tested and any(f.category == category and f.severity != "info" for f in findings):
            categories[category] = CategoryCoverage(
                True,
                f"{current.exercised}; but a finding shows it was exercised",
                len(tools),
                current.to_test_the_rest,
                current.command,
            )
    return Coverage(
        tools_listed=len(listed),
        tools_checked=len(tools),
        tools_called=sorted({c.tool for c in calls}),
        tools_skipped=skipped,
        writes=writes,
        auth_http=any(e.status is not None for e in observations.http),
        auth_cases=[c.case for c in observations.auth_cases],
        categories=categories,
        command=commands.together(),
        failures=list(observations.failures),
    )


_PROBE_CATEGORIES: Final[dict[str, tuple[Category, ...]]] = {
    "inputs": ("errors", "output"),
    "largest table": ("output",),
    "read-only effect": ("idempotency",),
    "read-only escapes": ("idempotency", "auth"),
    "path confinement": ("auth",),
    "writes": ("idempotency",),
    "poison": ("errors",),
    "name traversal": ("auth",),
    "growth": ("output",),
    "restart": ("idempotency",),
    "HTTP auth": ("auth",),
    "auth cases": ("auth",),
}
"""The categories whose rules judge what each probe observes."""


def _failed_parts(failures: list[ProbeFailure]) -> dict[Category, list[str]]:
    """Each category a failed part fed, with the parts (``the inputs probe of get_ticket``, ``rule errors.leak``)."""
    from wireproof.check.rules import REGISTRY

    out: dict[Category, list[str]] = {}
    for failure in failures:
        if failure.probe.startswith("rule "):
            rule = REGISTRY.get(failure.probe.removeprefix("rule "))
            categories: tuple[Category, ...] = (rule.category,) if rule is not None else ()
            label = failure.probe
        else:
            categories = _PROBE_CATEGORIES.get(failure.probe, CATEGORIES)
            label = f"the {failure.probe} probe" + (f" of {failure.tool}" if failure.tool else "")
        for category in categories:
            out.setdefault(category, []).append(label)
    return out


def _schema(
    listed: list[ToolInfo], tools: list[ToolInfo], observations: Observations, commands: _Commands
) -> CategoryCoverage:
    if observations.listing_error is not None:
        return CategoryCoverage(
            False,
            "tools/list failed, so no schema was seen",
            0,
            "make tools/list work, then rerun",
            commands(Rerun()),
        )
    if not tools:
        return CategoryCoverage(
            False,
            "the server listed no tools",
            0,
            "give the server its credential (--env NAME=VALUE, or the mcpServers entry's env) and rerun",
            commands(Rerun(credential=True)),
        )
    limited = (
        f" (--tool limited the check to {len(tools)} of {len(listed)})" if len(tools) < len(listed) else ""
    )
    return CategoryCoverage(True, f"{_n(len(tools), 'tool')} listed and linted{limited}", len(tools))


def _errors(
    calls: list[CallRecord], skipped: dict[str, str], options: CheckOptions, commands: _Commands
) -> CategoryCoverage:
    awkward = [c for c in calls if c.purpose in AWKWARD_PURPOSES]
    answered = [c for c in awkward if c.outcome in ("result", "protocol_error")]
    tools = sorted({c.tool for c in answered})
    broken, skipped = _split_skipped(skipped)
    rests = (
        [f"{_n(len(skipped), 'tool')} not called ({_names(sorted(skipped))}): {ALLOW_WRITES}"]
        if skipped
        else []
    )
    if broken:
        rests.append(f"{_n(len(broken), 'tool')} not called ({_names(sorted(broken))}): {_FIX_SCHEMA}")
    rest = "; ".join(rests) or None
    if not answered:
        if awkward:
            why = f"none of {_n(len(awkward), 'awkward call')} was answered (timeouts or crashes)"
            longer = Rerun(timeout=max(30.0, _LONGER * options.timeout))
            return CategoryCoverage(False, why, 0, "rerun with a longer --timeout", commands(longer))
        return CategoryCoverage(
            False, "no awkward call was made", 0, rest or ALLOW_WRITES, commands(Rerun(allow_writes=True))
        )
    return CategoryCoverage(
        True,
        f"{_n(len(answered), 'awkward call')} answered by {_n(len(tools), 'tool')}",
        len(tools),
        rest,
        commands(Rerun(allow_writes=True)) if skipped else None,
    )


_FIX_SCHEMA: Final = "their inputSchema is malformed (schema.malformed-input-schema); fix it, then rerun"


def _split_skipped(skipped: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The skipped tools whose schema is malformed, and the rest (the writes, skipped for want of --allow-writes)."""
    broken = {name: why for name, why in skipped.items() if why.startswith(SKIP_MALFORMED)}
    return broken, {name: why for name, why in skipped.items() if name not in broken}


def _untried(target: Target, options: CheckOptions) -> tuple[str, ...]:
    """The stdio server's variables no bad-credential case tried yet, or ``NAME`` when there are none."""
    tried = {*options.auth_env, *credential_variables(target.env)}
    return tuple(name for name in target.env if name not in tried) or (NAME,)


def _auth(
    observations: Observations, target: Target, options: CheckOptions, commands: _Commands
) -> CategoryCoverage:
    transport = target.transport
    http = any(e.status is not None for e in observations.http)
    verdicts = [(c.case, case_verdict(c, len(observations.tools))) for c in observations.auth_cases]
    told = [name for name, verdict in verdicts if verdict not in ("inconclusive", "not-a-credential")]
    mute = [name for name, verdict in verdicts if verdict in ("inconclusive", "not-a-credential")]
    parts = []
    if http:
        parts.append("HTTP requests without credentials and with a garbage token")
    if told:
        parts.append(f"{_n(len(told), 'bad-credential case')} ({_names(told)})")
    if mute:
        parts.append(
            f"{_names(mute)} told nothing (answered as with the good value: not the credential, "
            "or no read-only tool to call)"
        )
    parts += _names_probed(observations)
    unauthenticated = writes_run_without_credential(observations, options, transport)
    if unauthenticated:
        parts.append(
            f"{_n(len(unauthenticated), 'write')} run with no credential in the environment "
            f"({_names(sorted(unauthenticated))})"
        )
    if transport == "http":
        rest = (
            None
            if told
            else 'add [auth.cases.expired] headers = {Authorization = "Bearer <expired>"} to --config'
        )
    elif transport == "stdio":
        rest = (
            None
            if told
            else "rerun with --auth-env NAME (the variable that holds the server's credential), "
            "or [auth.cases] in --config"
        )
    else:
        rest = None if told else "check the server over stdio or HTTP with --auth-env NAME or [auth.cases]"
    command = None
    if rest is not None and transport in ("http", "stdio"):
        rerun = Rerun(config=True) if transport == "http" else Rerun(auth_env=_untried(target, options))
        command = commands(rerun)
    tested = http or bool(told) or bool(unauthenticated)
    exercised = "; ".join(parts) if parts else "no auth probe ran"
    # A bad credential is one server-wide flaw, whichever tool the cases happened to call.
    probed = {c.record.tool for c in observations.auth_cases if c.record is not None}
    return CategoryCoverage(tested, exercised, max(1, len(probed)), rest, command)


def _names_probed(observations: Observations) -> list[str]:
    """What the name-traversal probe told, per tool: confined or not, and where it could not tell."""
    escapes = [e for e in observations.escapes if e.kind == "name-traversal"]
    told = sorted({e.tool for e in escapes if e.file_appeared is not None})
    mute = sorted({e.tool for e in escapes if e.file_appeared is None} - set(told))
    parts = (
        [f"names given `../` searched for on disk for {_n(len(told), 'write tool')} ({_names(told)})"]
        if told
        else []
    )
    if mute:
        parts.append(
            f"name confinement not tested for {_names(mute)}: the plain name was stored nowhere the "
            "checker can see (not a file-backed store, or one outside its roots, working, home and temp folders)"
        )
    resolved = [e for e in observations.escapes if e.kind == "name-resolved"]
    followed = sorted({e.tool for e in resolved if e.file_appeared is not None})
    unanswered = sorted({e.tool for e in resolved if e.file_appeared is None} - set(followed))
    if followed:
        parts.append(
            f"names given as a path round trip (`../<folder>/<name>`) to {_n(len(followed), 'tool')} that "
            f"read or delete by name ({_names(followed)})"
        )
    if unanswered:
        parts.append(
            f"name round trip not tested for {_names(unanswered)}: the plain name was not answered (or a "
            "missing folder deleted it too)"
        )
    return parts


def _idempotency(
    tools: list[ToolInfo],
    writes: Writes,
    twice: list[str],
    options: CheckOptions,
    commands: _Commands,
    restart: RestartObservation | None = None,
) -> CategoryCoverage:
    names = [t.name for t in tools if not t.read_only]
    if writes == "no write tools":
        return CategoryCoverage(False, "the server lists no write tools", 0)
    if writes == "not exercised":
        return CategoryCoverage(
            False,
            f"{_n(len(names), 'write tool')} not called",
            0,
            ALLOW_WRITES,
            commands(Rerun(allow_writes=True)),
        )
    untried = [n for n in names if n not in twice]
    rest = _SAMPLES.format(names=_names(untried)) if untried else None
    if not options.observers and rest is None:
        rest = "add [[observers]] to --config, so that second effects are seen, not inferred from answers"
    command = commands(Rerun(config=True)) if rest is not None else None
    if not twice:
        return CategoryCoverage(
            False, f"no write's first call succeeded ({_n(len(names), 'write tool')})", 0, rest, command
        )
    if restart is None and not options.observers:
        durable = "; durability not probed (it needs observers, over stdio)"
    elif restart is None:
        durable = "; durability not probed (no write's effect showed in the observers, or not over stdio)"
    elif restart.fresh is None:
        durable = f"; durability not tested: the second instance could not be read ({restart.error})"
    else:
        durable = "; durability: the observers read again on a second instance of the server"
    return CategoryCoverage(
        True,
        f"{len(twice)} of {_n(len(names), 'write tool')} called twice and {CONCURRENT_CALLS} times at once"
        + durable,
        len(twice),
        rest,
        command,
    )


def _output(
    tools: list[ToolInfo], calls: list[CallRecord], skipped: dict[str, str], commands: _Commands
) -> CategoryCoverage:
    measured = sorted({c.tool for c in calls if _ok(c)})
    never = [t.name for t in tools if t.name not in measured and t.name not in skipped]
    broken, skipped = _split_skipped(skipped)
    rests = []
    if never:
        rests.append(_SAMPLES.format(names=_names(never)))
    if skipped:
        rests.append(ALLOW_WRITES)
    if broken:
        rests.append(f"{_names(sorted(broken))}: {_FIX_SCHEMA}")
    rest = "; ".join(rests) or None
    command = commands(Rerun(allow_writes=bool(skipped), config=bool(never))) if rest else None
    if not measured:
        return CategoryCoverage(False, "no call came back with a result", 0, rest, command)
    return CategoryCoverage(
        True, f"results of {_n(len(measured), 'tool')} measured", len(measured), rest, command
    )
