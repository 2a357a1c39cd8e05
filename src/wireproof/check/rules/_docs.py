"""Generate ``docs/rules.md`` from the rule registry: ``python -m wireproof.check.rules._docs > docs/rules.md``."""

from __future__ import annotations

import sys

from wireproof.check.model import CATEGORIES
from wireproof.check.rules import REGISTRY


def rules_markdown() -> str:
    """One page: every rule by category, with id, severity, rationale and reference."""
    lines = [
        "# wireproof check rules",
        "",
        "Generated from the rule registry (`python -m wireproof.check.rules._docs > docs/rules.md`);",
        "a test keeps it current. Rule ids are stable: a rule is never renamed or reused for another meaning.",
        "",
        "Severities: `error` fails `wireproof check` by default (`--fail-on error`), `warning` and `info` inform.",
        "Scores: each category starts at 100 and loses 25 per error and 10 per warning, down to 0.",
        "",
    ]
    for category in CATEGORIES:
        rules = [r for r in REGISTRY.values() if r.category == category]
        if not rules:
            continue
        lines += [
            f"## {category}",
            "",
            "| id | severity | what it finds | why | reference |",
            "| --- | --- | --- | --- | --- |",
        ]
        for r in sorted(rules, key=lambda r: r.id):
            cells = [f"`{r.id}`", r.severity, r.title, r.rationale, r.reference]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(rules_markdown())
