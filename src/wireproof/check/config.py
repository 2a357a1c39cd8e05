"""Options for a check, and the ``wireproof.toml`` that supplies per-tool arguments, observers and auth cases.

```toml
[budget]
warn_tokens = 10000          # an answer above this is a warning
error_tokens = 25000         # and above this an error

[tools.get_status_note]
arguments = { week = "2026-W23" }     # sample arguments merged over the generated ones

[[observers]]                # read calls whose answers reveal the effect of a write
tool = "get_status_note"
arguments = { week = "2026-W23" }

[[setup]]                    # called on every fresh session before any probe (a session, a connection)
tool = "load_csv"
arguments = { file_path = "/tmp/data.csv" }
capture = { session = "session_id" }    # {{session}} in any argument below: the answer's session_id

[tools.filter_rows]
arguments = { session_id = "{{session}}", column = "city", value = "Rome" }

[auth.cases.expired]         # the server must refuse loudly when run or called like this
env = { HELPDESK_API_KEY = "expired-key" }          # stdio: environment for a fresh server
headers = { Authorization = "Bearer eyJ..." }       # HTTP: headers for the call
unset = ["HELPDESK_API_KEY"]                        # stdio: variables removed from the environment
```

Besides these cases, ``--auth-env NAME`` (and every credential-looking variable given to a stdio
server) adds two: the variable unset, and set to garbage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from wireproof._tomlfile import read_toml
from wireproof.errors import CheckConfigError
from wireproof.lock import Lock

__all__ = ["AuthCase", "CheckConfigError", "CheckOptions", "Observer", "SetupCall", "load_config"]

DEFAULT_WARN_TOKENS: Final = 10_000
DEFAULT_ERROR_TOKENS: Final = 25_000
BYTES_PER_TOKEN: Final = 4
"""Tokens are estimated as bytes / 4, the usual rule of thumb for JSON and English text."""


@dataclass(frozen=True, slots=True)
class Observer:
    """A read call whose answer is compared before and after each write."""

    tool: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SetupCall:
    """A call made on every fresh session before any probe, whose answer fills ``{{NAME}}`` placeholders.

    capture (dict[str, str]): placeholder name -> the member of the answer's JSON that holds its value
        (``session_id``; dots for nesting: ``session.id``).
    """

    tool: str
    arguments: dict[str, Any]
    capture: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuthCase:
    """A credential situation in which the server must refuse loudly.

    env (dict[str, str]): variables set (over the target's) for a fresh stdio server.
    headers (dict[str, str]): headers replacing the target's for HTTP calls.
    unset (tuple[str, ...]): variables removed from a fresh stdio server's environment.
    explicit (bool): the user named this credential; false for a variable picked by its name alone
        (then an answer as full as the good credential's says it is no credential, not a silent failure).
    """

    name: str
    env: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    unset: tuple[str, ...] = ()
    explicit: bool = True


@dataclass(slots=True)
class CheckOptions:
    """Everything a check run needs besides the target."""

    allow_writes: bool = False
    timeout: float = 10.0
    concurrency: int = 4
    warn_tokens: int = DEFAULT_WARN_TOKENS
    error_tokens: int = DEFAULT_ERROR_TOKENS
    tool_arguments: dict[str, dict[str, Any]] = field(default_factory=dict)
    observers: list[Observer] = field(default_factory=list)
    setup: list[SetupCall] = field(default_factory=list)
    """Calls made on every fresh session before the probes (``[[setup]]``): a stateful server's session."""
    auth_cases: list[AuthCase] = field(default_factory=list)
    only_tools: frozenset[str] = frozenset()
    auth_env: tuple[str, ...] = ()
    """Variables that hold the stdio server's credential (``--auth-env``): each is tried unset and garbage."""
    lock: Lock | None = None
    """The pinned tool definitions (``--lock``): a tool added, removed or changed since is an error."""
    config_file: Path | None = None
    """The ``--config`` file read into these options (``load_config``): a rerun command names it again."""

    def validate(self) -> None:
        if self.timeout <= 0:
            raise CheckConfigError("--timeout must be a positive number of seconds")
        if not 1 <= self.concurrency <= 64:
            raise CheckConfigError("--concurrency must be from 1 to 64")
        if not 0 < self.warn_tokens <= self.error_tokens:
            raise CheckConfigError("budget: warn_tokens must be positive and at most error_tokens")


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CheckConfigError(f"{where} must be a table")
    return value


def _known(table: dict[str, Any], keys: set[str], where: str) -> dict[str, Any]:
    """``table``, after refusing any key but ``keys`` (a typo must not silently change the check)."""
    unknown = set(table) - keys
    if unknown:
        raise CheckConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(keys))}"
        )
    return table


def _strings(value: Any, where: str) -> dict[str, str]:
    table = _table(value, where)
    if not all(isinstance(v, str) for v in table.values()):
        raise CheckConfigError(f"{where} values must be strings")
    return {str(k): str(v) for k, v in table.items()}


def load_config(path: Path, options: CheckOptions) -> CheckOptions:
    """Read ``path`` into ``options`` (which it returns); unknown keys are errors, not ignored."""
    data = read_toml(path, what="the config", error=CheckConfigError)
    options.config_file = path
    unknown = set(data) - {"budget", "tools", "observers", "setup", "auth"}
    if unknown:
        raise CheckConfigError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}")
    budget = _table(data.get("budget", {}), "[budget]")
    for key in budget:
        if key not in ("warn_tokens", "error_tokens"):
            raise CheckConfigError(f"[budget]: unknown key {key}")
        if not isinstance(budget[key], int) or isinstance(budget[key], bool):
            raise CheckConfigError(f"[budget].{key} must be an integer")
    options.warn_tokens = budget.get("warn_tokens", options.warn_tokens)
    options.error_tokens = budget.get("error_tokens", options.error_tokens)
    for name, table in _table(data.get("tools", {}), "[tools]").items():
        _known(_table(table, f"[tools.{name}]"), {"arguments"}, f"[tools.{name}]")
        options.tool_arguments[name] = _table(
            _table(table, f"[tools.{name}]").get("arguments", {}), f"[tools.{name}].arguments"
        )
    observers = data.get("observers", [])
    if not isinstance(observers, list):
        raise CheckConfigError("observers must be an array of tables: [[observers]]")
    for i, raw_entry in enumerate(observers):
        entry = _known(
            _table(raw_entry, f"[[observers]] #{i + 1}"), {"tool", "arguments"}, f"[[observers]] #{i + 1}"
        )
        if not isinstance(entry.get("tool"), str):
            raise CheckConfigError(f'[[observers]] #{i + 1} needs tool = "name"')
        options.observers.append(
            Observer(entry["tool"], _table(entry.get("arguments", {}), "observer arguments"))
        )
    options.setup += _setup_calls(data.get("setup", []))
    cases = _table(
        _known(_table(data.get("auth", {}), "[auth]"), {"cases"}, "[auth]").get("cases", {}), "[auth.cases]"
    )
    for name, raw_case in cases.items():
        case = _known(
            _table(raw_case, f"[auth.cases.{name}]"), {"env", "headers", "unset"}, f"[auth.cases.{name}]"
        )
        unset = case.get("unset", [])
        if not isinstance(unset, list) or not all(isinstance(v, str) for v in unset):
            raise CheckConfigError(f'[auth.cases.{name}].unset must be an array of names: ["API_KEY"]')
        options.auth_cases.append(
            AuthCase(
                name,
                env=_strings(case.get("env", {}), f"[auth.cases.{name}].env"),
                headers=_strings(case.get("headers", {}), f"[auth.cases.{name}].headers"),
                unset=tuple(unset),
            )
        )
    options.validate()
    return options


def _setup_calls(raw: Any) -> list[SetupCall]:
    if not isinstance(raw, list):
        raise CheckConfigError("setup must be an array of tables: [[setup]]")
    calls = []
    for i, raw_entry in enumerate(raw):
        where = f"[[setup]] #{i + 1}"
        entry = _known(_table(raw_entry, where), {"tool", "arguments", "capture"}, where)
        if not isinstance(entry.get("tool"), str):
            raise CheckConfigError(f'{where} needs tool = "name"')
        capture = _strings(entry.get("capture", {}), f"{where}.capture")
        for name in capture:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise CheckConfigError(
                    f"{where}.capture: {name!r} is no placeholder name (letters, digits, _)"
                )
        calls.append(
            SetupCall(entry["tool"], _table(entry.get("arguments", {}), f"{where}.arguments"), capture)
        )
    return calls
