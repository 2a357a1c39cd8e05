"""What every format says about coverage: "not tested" for a category without a score, the
summary lines (tools listed, called, skipped; writes; auth; the parts that failed inside the checker;
the command that would test the rest),
and a repair rate in words."""

from __future__ import annotations

from typing import Final

from wireproof.check.model import CategoryCoverage, Coverage, ProbeFailure, RepairRate

__all__ = [
    "NOT_TESTED",
    "RUN",
    "auth_state",
    "failure_text",
    "next_steps",
    "repair_rate_text",
    "rest_text",
    "score_text",
    "summary",
]

NOT_TESTED: Final = "not tested"
RUN: Final = "To test the rest, run: "
"""How the summary line that ends in the command starts (the text report never wraps that line)."""


def score_text(value: int | None) -> str:
    """A score as shown to a reader: the number, or "not tested"."""
    return NOT_TESTED if value is None else str(value)


def repair_rate_text(rate: RepairRate) -> str:
    """``3 of 4 (75%)``: how many rejected calls were repaired; "no rejections" when there were none."""
    if not rate.rejections:
        return "no rejections"
    return f"{rate.repaired} of {rate.rejections} ({100 * rate.repaired / rate.rejections:.0f}%)"


def auth_state(coverage: Coverage) -> str:
    """What probed auth, or "not probed"."""
    auth = []
    if coverage.auth_http:
        auth.append("HTTP without and with a garbage credential")
    if coverage.auth_cases:
        auth.append("bad-credential cases: " + ", ".join(coverage.auth_cases))
    return "; ".join(auth) if auth else "not probed"


def failure_text(failure: ProbeFailure) -> str:
    """``the inputs probe of get_ticket (KeyError: 'x')``: one part of the check that failed inside the checker."""
    where = failure.probe if failure.probe.startswith("rule ") else f"the {failure.probe} probe"
    of = f" of {failure.tool}" if failure.tool else ""
    return f"{where}{of} ({failure.error})"


def rest_text(covered: CategoryCoverage) -> str:
    """What would test the rest of a category, then the command line that would; "" when nothing."""
    parts = [part for part in (covered.to_test_the_rest, covered.command) if part]
    if covered.command:
        parts[-1] = f"run: {covered.command}"
    return "; ".join(parts)


def summary(coverage: Coverage) -> list[str]:
    """One line each: the tools, the writes, the auth probes, and the command that would test the rest."""
    tools = (
        f"Tools: {coverage.tools_listed} listed, {coverage.tools_checked} checked, "
        f"{len(coverage.tools_called)} called, {len(coverage.tools_skipped)} skipped."
    )
    if coverage.tools_skipped:
        tools += " Skipped: " + "; ".join(f"{name} ({why})" for name, why in coverage.tools_skipped.items())
    lines = [tools, f"Writes: {coverage.writes}.", f"Auth: {auth_state(coverage)}."]
    if coverage.failures:
        lines.append(
            f"Not tested, the checker itself failed in {len(coverage.failures)} "
            f"part{'' if len(coverage.failures) == 1 else 's'} (a wireproof bug: please report it; "
            "the rest of this report stands): " + "; ".join(failure_text(f) for f in coverage.failures) + "."
        )
    if coverage.command:
        lines.append(RUN + coverage.command)
    return lines


def next_steps(coverage: Coverage) -> list[str]:
    """``category: what would test the rest; run: the command``, for every category that names something."""
    return [
        f"{category}: {rest_text(covered)}"
        for category, covered in coverage.categories.items()
        if rest_text(covered)
    ]
