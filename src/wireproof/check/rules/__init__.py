"""The checker's rules, registered on import; ``docs/rules.md`` is generated from ``REGISTRY``."""

from wireproof.check.rules import auth, errors, idempotency, output, protocol, results, schema
from wireproof.check.rules import effects as effects
from wireproof.check.rules import lock as lock
from wireproof.check.rules import repair as repair
from wireproof.check.rules._registry import REGISTRY, Hit, Rule, RuleContext, evaluate, rule

__all__ = [
    "REGISTRY",
    "Hit",
    "Rule",
    "RuleContext",
    "auth",
    "errors",
    "evaluate",
    "idempotency",
    "output",
    "protocol",
    "results",
    "rule",
    "schema",
]
