"""The guard's policy: which upstream tools are served, to whom, and with what added to their contract.

A ``guard.toml``::

    read_only = false                  # serve only tools annotated readOnlyHint: true
    allow = ["get_current_time"]       # serve only these (with --allow on the command line too)
    deny = ["git_reset"]               # never serve these
    timeout = 30                       # seconds per call (an upstream hang is a retryable timeout)
    budget_tokens = 16000              # the response budget
    rate_limit = { per_second = 5, burst = 20 }   # per caller and tool
    error_when = [{ key = "success", equals = false }]   # answers that are failures in disguise

    [tools.create_entities]
    kind = "write"                     # read | write (default: from readOnlyHint)
    scopes = ["memory:write"]          # what a caller needs (default guard:read / guard:write)
    idempotency_key = true             # writes take an optional idempotency_key (the default)
    dedupe_window = 60                 # identical calls within 60 s answer the first result
    description = "Create entities in the knowledge graph."
    lift_bounds = ["entities"]         # no default maxLength/maxItems on these arguments
    error_when = [{ key = "isError", equals = true }]

    [tools.create_entities.arguments.entities]
    description = "The entities to create, at most 20."
    maxItems = 20                      # any of: description enum format pattern minimum maximum
                                       # exclusiveMinimum exclusiveMaximum minLength maxLength
                                       # minItems maxItems default
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

from wireproof._tomlfile import read_toml
from wireproof.errors import OperatorError
from wireproof.ratelimit import RateLimit
from wireproof.schema._fast import VALUE_BOUNDS

__all__ = [
    "ARGUMENT_KEYWORDS",
    "FailureRule",
    "GuardConfigError",
    "GuardPolicy",
    "ToolPolicy",
    "load_policy",
    "parse_policy",
]

ARGUMENT_KEYWORDS: Final = VALUE_BOUNDS | {"description", "default"}
"""What the policy may add to (or set on) one argument's schema."""
_TOP_KEYS: Final = frozenset(
    {"read_only", "allow", "deny", "timeout", "budget_tokens", "rate_limit", "error_when", "tools"}
)
_TOOL_KEYS: Final = frozenset(
    {
        "kind",
        "scopes",
        "public",
        "idempotency_key",
        "dedupe_window",
        "description",
        "lift_bounds",
        "error_when",
        "timeout",
        "arguments",
    }
)
_NAME: Final = re.compile(r"[A-Za-z0-9_.:\-/]{1,128}")


class GuardConfigError(OperatorError, ValueError):
    """The guard's policy or options are not usable; the message says where and how to fix it."""


@dataclass(frozen=True, slots=True)
class FailureRule:
    """A success answer that is a failure in disguise, served as an error: one whose JSON has ``key``
    equal to ``equals`` (``{ key = "success", equals = false }``), or whose text matches the regular
    expression ``text_matches`` (``{ text_matches = "^Error:" }``)."""

    key: str | None = None
    equals: Any = None
    text_matches: str | None = None

    def matches(self, answer: Any, text: str) -> bool:
        if self.text_matches is not None:
            return re.search(self.text_matches, text) is not None
        return isinstance(answer, dict) and self.key in answer and answer[self.key] == self.equals


@dataclass(frozen=True, slots=True)
class ToolPolicy:
    """What the policy says about one upstream tool; every field defaults to "as the upstream says"."""

    kind: Literal["read", "write"] | None = None
    scopes: frozenset[str] | None = None
    public: bool = False
    idempotency_key: bool = True
    dedupe_window: float | None = None
    description: str | None = None
    lift_bounds: frozenset[str] = frozenset()
    error_when: tuple[FailureRule, ...] = ()
    timeout: float | None = None
    arguments: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GuardPolicy:
    """The whole policy: the served set, the defaults, and each tool's additions."""

    read_only: bool = False
    allow: frozenset[str] | None = None
    deny: frozenset[str] = frozenset()
    timeout: float = 30.0
    budget_tokens: int | None = None
    rate_limit: RateLimit | None = None
    error_when: tuple[FailureRule, ...] = ()
    tools: Mapping[str, ToolPolicy] = field(default_factory=dict)

    def tool(self, name: str) -> ToolPolicy:
        return self.tools.get(name) or ToolPolicy()

    def with_options(self, *, read_only: bool, allow: Iterable[str]) -> GuardPolicy:
        """The policy narrowed by the command line: ``--read-only`` and ``--allow`` only ever take away."""
        given = frozenset(allow)
        narrowed = self.allow if not given else given if self.allow is None else given & self.allow
        return replace(self, read_only=self.read_only or read_only, allow=narrowed)

    def refusal(self, name: str, *, read_only_hint: bool) -> str | None:
        """Why the tool ``name`` is not served, or None when it is."""
        if name in self.deny:
            return "denied by the policy"
        if self.allow is not None and name not in self.allow:
            return "not in the allow list"
        if self.read_only and not read_only_hint:
            return "not annotated readOnlyHint: true (read-only guard)"
        return None


def _where(path: Path | str, key: str) -> str:
    return f"{path}: {key}"


def _string_list(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and _NAME.fullmatch(v) for v in value):
        raise GuardConfigError(f'{where} must be a list of names, for example ["get_current_time"]')
    return frozenset(value)


def _seconds(value: Any, where: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise GuardConfigError(f"{where} must be a number of seconds > 0, for example 30")
    return float(value)


def _rules(value: Any, where: str) -> tuple[FailureRule, ...]:
    example = '{ key = "success", equals = false } or { text_matches = "^Error:" }'
    if not isinstance(value, list):
        raise GuardConfigError(f"{where} must be a list of tables, for example [{example}]")
    rules = []
    for index, item in enumerate(value):
        if isinstance(item, dict) and set(item) == {"key", "equals"} and isinstance(item["key"], str):
            rules.append(FailureRule(key=item["key"], equals=item["equals"]))
        elif (
            isinstance(item, dict) and set(item) == {"text_matches"} and isinstance(item["text_matches"], str)
        ):
            try:
                re.compile(item["text_matches"])
            except re.error as exc:
                raise GuardConfigError(
                    f"{where}[{index}].text_matches is not a regular expression: {exc}"
                ) from None
            rules.append(FailureRule(text_matches=item["text_matches"]))
        else:
            raise GuardConfigError(f"{where}[{index}] must be {example}")
    return tuple(rules)


def _rate_limit(value: Any, where: str) -> RateLimit:
    example = "{ per_second = 5, burst = 20 }"
    if not isinstance(value, dict) or set(value) != {"per_second", "burst"}:
        raise GuardConfigError(f"{where} must be {example}")
    try:
        return RateLimit(per_second=float(value["per_second"]), burst=int(value["burst"]))
    except (TypeError, ValueError):
        raise GuardConfigError(
            f"{where} needs per_second > 0 and burst >= 1, for example {example}"
        ) from None


def _unknown(keys: Iterable[str], known: frozenset[str], where: str) -> None:
    extra = sorted(set(keys) - known)
    if extra:
        raise GuardConfigError(
            f"{where}: unknown key {', '.join(extra)}; the keys are {', '.join(sorted(known))}"
        )


def _argument(schema: Any, where: str) -> dict[str, Any]:
    if not isinstance(schema, dict):
        raise GuardConfigError(
            f"{where} must be a table of schema keywords, for example {{ maxLength = 200 }}"
        )
    _unknown(schema, ARGUMENT_KEYWORDS, where)
    for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if keyword in schema and (
            isinstance(schema[keyword], bool) or not isinstance(schema[keyword], int | float)
        ):
            raise GuardConfigError(f"{where}.{keyword} must be a number")
    for keyword in ("minLength", "maxLength", "minItems", "maxItems"):
        value = schema.get(keyword, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise GuardConfigError(f"{where}.{keyword} must be a whole number >= 0")
    if "enum" in schema and (not isinstance(schema["enum"], list) or not schema["enum"]):
        raise GuardConfigError(f"{where}.enum must be a non-empty list of the allowed values")
    for keyword in ("description", "format", "pattern"):
        if keyword in schema and not isinstance(schema[keyword], str):
            raise GuardConfigError(f"{where}.{keyword} must be a string")
    if "pattern" in schema:
        try:
            re.compile(schema["pattern"])
        except re.error as exc:
            raise GuardConfigError(f"{where}.pattern is not a regular expression: {exc}") from None
    return dict(schema)


def _tool(name: str, table: Any, path: Path | str) -> ToolPolicy:
    where = _where(path, f"tools.{name}")
    if not isinstance(table, dict):
        raise GuardConfigError(f"{where} must be a table")
    _unknown(table, _TOOL_KEYS, where)
    kind = table.get("kind")
    if kind not in (None, "read", "write"):
        raise GuardConfigError(f'{where}.kind must be "read" or "write"')
    for flag in ("public", "idempotency_key"):
        if flag in table and not isinstance(table[flag], bool):
            raise GuardConfigError(f"{where}.{flag} must be true or false")
    if "description" in table and not isinstance(table["description"], str):
        raise GuardConfigError(f"{where}.description must be a string")
    arguments = table.get("arguments", {})
    if not isinstance(arguments, dict):
        raise GuardConfigError(f"{where}.arguments must be a table of argument tables")
    scopes = _string_list(table["scopes"], f"{where}.scopes") if "scopes" in table else None
    if scopes is not None and table.get("public"):
        raise GuardConfigError(f"{where}: public = true and scopes together would check neither; keep one")
    return ToolPolicy(
        kind=kind,
        scopes=scopes,
        public=bool(table.get("public", False)),
        idempotency_key=bool(table.get("idempotency_key", True)),
        dedupe_window=_seconds(table["dedupe_window"], f"{where}.dedupe_window")
        if "dedupe_window" in table
        else None,
        description=table.get("description"),
        lift_bounds=_string_list(table.get("lift_bounds", []), f"{where}.lift_bounds"),
        error_when=_rules(table.get("error_when", []), f"{where}.error_when"),
        timeout=_seconds(table["timeout"], f"{where}.timeout") if "timeout" in table else None,
        arguments={arg: _argument(schema, f"{where}.arguments.{arg}") for arg, schema in arguments.items()},
    )


def parse_policy(data: Mapping[str, Any], path: Path | str = "guard.toml") -> GuardPolicy:
    """The policy in a parsed TOML document.

    Raises:
        GuardConfigError: a key is unknown or a value has the wrong shape (the message names it).
    """
    _unknown(data, _TOP_KEYS, str(path))
    if "read_only" in data and not isinstance(data["read_only"], bool):
        raise GuardConfigError(f"{_where(path, 'read_only')} must be true or false")
    budget = data.get("budget_tokens")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 256):
        raise GuardConfigError(f"{_where(path, 'budget_tokens')} must be a whole number of tokens >= 256")
    tools = data.get("tools", {})
    if not isinstance(tools, dict):
        raise GuardConfigError(f"{_where(path, 'tools')} must be a table of tool tables")
    return GuardPolicy(
        read_only=bool(data.get("read_only", False)),
        allow=_string_list(data["allow"], _where(path, "allow")) if "allow" in data else None,
        deny=_string_list(data.get("deny", []), _where(path, "deny")),
        timeout=_seconds(data["timeout"], _where(path, "timeout")) if "timeout" in data else 30.0,
        budget_tokens=budget,
        rate_limit=_rate_limit(data["rate_limit"], _where(path, "rate_limit"))
        if "rate_limit" in data
        else None,
        error_when=_rules(data.get("error_when", []), _where(path, "error_when")),
        tools={name: _tool(name, table, path) for name, table in tools.items()},
    )


def load_policy(path: Path) -> GuardPolicy:
    """Read and check ``guard.toml``.

    Raises:
        GuardConfigError: the file cannot be read, is not TOML, or breaks the policy's shape.
    """
    return parse_policy(read_toml(path, what="the policy", error=GuardConfigError), path)
