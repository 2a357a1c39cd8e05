"""Generate ``docs/rules.md`` from the rule registry: ``python -m wireproof.check.rules._docs > docs/rules.md``."""

from __future__ import annotations

import sys

from wireproof.check.model import CATEGORIES
from wireproof.check.rules import REGISTRY


def scoring_markdown() -> str:
    """How a category is scored, and when it is "not tested": from the runner's own weights."""
    from wireproof.check import coverage
    from wireproof.check.runner import WEIGHTS

    definitions = "\n".join(f"- {c}: {coverage.EXERCISED[c]};" for c in CATEGORIES)
    return "\n".join(
        [
            "## Scores",
            "",
            'A category is **not tested** (`null` in the JSON report, "not tested" in every other format,',
            "never 100) unless something it judges was exercised:",
            "",
            definitions,
            "",
            "A warning or error finding in a category also makes it tested. Every report states this coverage",
            "(tools listed, called and skipped and why, writes, auth probes) and what would test the rest, in",
            "words and as the `wireproof check` command line: the same target and options plus what is missing",
            "(`--allow-writes`, `--auth-env`, `--config`, a longer `--timeout`), with every `--env` and `--header`",
            "value, a URL's password and its query values shown as `...`, never the credential.",
            "",
            "A tested category scores 100 less the cost of each rule that fired in it, rounded, never below 0.",
            "Findings are weighed by effect, per rule rather than per finding:",
            "",
            "    cost(rule) = weight(worst severity) * (1 + share) / 2",
            "",
            f"with weight(error) = {WEIGHTS['error']}, weight(warning) = {WEIGHTS['warning']}, "
            f"weight(info) = {WEIGHTS['info']}, and `share` the fraction",
            "of the category's exercised tools that the rule hit at that severity (1 for a finding about the",
            "whole server). One flaw repeated on every tool costs its weight once; a flaw on one tool of many",
            f"costs about half of it; so any error keeps a category at or below {100 - WEIGHTS['error'] // 2}, "
            "and many findings of one harmless rule",
            f"cost at most {WEIGHTS['warning']}.",
            "",
        ]
    )


def rules_markdown() -> str:
    """One page: every rule by category, with id, severity, rationale and reference."""
    lines = [
        "# wireproof check rules",
        "",
        "Generated from the rule registry (`python -m wireproof.check.rules._docs > docs/rules.md`);",
        "a test keeps it current. Rule ids are stable: a rule is never renamed or reused for another meaning.",
        "",
        "Severities: `error` fails `wireproof check` by default (`--fail-on error`), `warning` and `info` inform.",
        "Scores: see [Scores](#scores) below.",
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
    return "\n".join(lines) + "\n" + scoring_markdown()


if __name__ == "__main__":
    sys.stdout.write(rules_markdown())
