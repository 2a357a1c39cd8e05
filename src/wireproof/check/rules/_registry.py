"""The rule registry: each rule has a stable id, a category, a severity, a rationale and a reference.

A rule is a function of what the probes observed; it yields ``Hit``s and never makes
a call. Its id names its category (``output.…``), and its docstring is its documentation: the
title on the first line, the rationale below. ``evaluate`` runs every registered rule and turns
hits into findings.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast, get_args

from wireproof.check.config import CheckOptions
from wireproof.check.model import Category, Evidence, Finding, Observations, Severity

__all__ = ["REGISTRY", "Hit", "Rule", "RuleContext", "evaluate", "rule"]


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule may look at: the observations, the options, the transport and the negotiated protocol."""

    observations: Observations
    options: CheckOptions
    transport: str
    protocol_version: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a rule's problem; ``severity`` overrides the rule's default when set."""

    tool: str | None
    message: str
    evidence: Evidence = field(default_factory=Evidence)
    severity: Severity | None = None


Check = Callable[[RuleContext], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered rule."""

    id: str
    category: Category
    severity: Severity
    title: str
    rationale: str
    reference: str
    check: Check


REGISTRY: dict[str, Rule] = {}


def rule(id: str, severity: Severity, *, reference: str) -> Callable[[Check], Check]:
    """Register a rule under a stable ``id`` (never reused for another meaning), ``category.name``;
    the function's docstring gives its title (the first line) and its rationale (the rest)."""

    def register(check: Check) -> Check:
        if id in REGISTRY:
            raise ValueError(f"rule {id} is registered twice")
        category = id.partition(".")[0]
        if category not in get_args(Category):
            raise ValueError(f"rule {id}: the id must start with a category: {', '.join(get_args(Category))}")
        title, _, rationale = (inspect.getdoc(check) or "").partition("\n\n")
        if not title or not rationale:
            raise ValueError(f"rule {id}: its docstring must give a title line, a blank line, the rationale")
        documented = (" ".join(title.split()), " ".join(rationale.split()))
        REGISTRY[id] = Rule(id, cast(Category, category), severity, *documented, reference, check)
        return check

    return register


def evaluate(
    context: RuleContext, on_failure: Callable[[str, Exception], None] | None = None
) -> list[Finding]:
    """Run every rule; findings sorted by severity (worst first), then rule id and tool.

    A rule that fails inside the checker is told to ``on_failure`` (its id and the exception) and
    contributes nothing, and the other rules still judge; without ``on_failure`` the exception propagates.
    """
    order = {"error": 0, "warning": 1, "info": 2}
    findings = []
    for r in REGISTRY.values():
        try:
            hits = list(r.check(context))
        except Exception as exc:  # one rule's bug must not cost the others' verdicts
            if on_failure is None:
                raise
            on_failure(r.id, exc)
            continue
        findings += [
            Finding(r.id, r.category, hit.severity or r.severity, hit.tool, hit.message, hit.evidence)
            for hit in hits
        ]
    return sorted(findings, key=lambda f: (order[f.severity], f.rule, f.tool or ""))
