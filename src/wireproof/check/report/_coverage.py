"""What every format says about coverage: "not tested" for a category without a score, the
summary lines (tools listed, called, skipped; writes; auth; what would test the rest), and a
repair rate in words."""

from __future__ import annotations

from typing import Final

from wireproof.check.model import Coverage, RepairRate

__all__ = ["NOT_TESTED", "next_steps", "repair_rate_text", "score_text", "summary"]

NOT_TESTED: Final = "not tested"


def score_text(value: int | None) -> str:
    """A score as shown to a reader: the number, or "not tested"."""
    return NOT_TESTED if value is None else str(value)


def repair_rate_text(rate: RepairRate) -> str:
    """``3 of 4 (75%)``: how many rejected calls were repaired; "no rejections" when there were none."""
    if not rate.rejections:
        return "no rejections"
    return f"{rate.repaired} of {rate.rejections} ({100 * rate.repaired / rate.rejections:.0f}%)"


def summary(coverage: Coverage) -> list[str]:
    """One line each: the tools, the writes, the auth probes."""
    tools = (
        f"Tools: {coverage.tools_listed} listed, {coverage.tools_checked} checked, "
        f"{len(coverage.tools_called)} called, {len(coverage.tools_skipped)} skipped."
    )
    if coverage.tools_skipped:
        tools += " Skipped: " + "; ".join(f"{name} ({why})" for name, why in coverage.tools_skipped.items())
    auth = []
    if coverage.auth_http:
        auth.append("HTTP without and with a garbage credential")
    if coverage.auth_cases:
        auth.append("bad-credential cases: " + ", ".join(coverage.auth_cases))
    return [
        tools,
        f"Writes: {coverage.writes}.",
        f"Auth: {'; '.join(auth) if auth else 'not probed'}.",
    ]


def next_steps(coverage: Coverage) -> list[str]:
    """``category: what would test the rest``, for every category that names something."""
    return [
        f"{category}: {covered.to_test_the_rest}"
        for category, covered in coverage.categories.items()
        if covered.to_test_the_rest
    ]
