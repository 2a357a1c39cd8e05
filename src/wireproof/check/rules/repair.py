"""The repair rule: can an agent fix its call from the error alone? It judges the recorded repair attempts."""

from __future__ import annotations

from collections.abc import Iterator

from wireproof.check.repair import about_the_input, baselines, repair_rates, repaired
from wireproof.check.rules._registry import Hit, RuleContext, rule

__all__ = ["not_repairable"]


@rule(
    "errors.not-repairable",
    "warning",
    reference="wireproof MISSION property 3 (let errors teach); RFC 9457 (detail helps the client correct the problem)",
)
def not_repairable(ctx: RuleContext) -> Iterator[Hit]:
    """Errors an agent cannot repair from

    A rejection must carry what an agent needs to fix the call (the field, the value expected); fewer than
    half of a tool's rejections could be fixed from the error alone."""
    observations = ctx.observations
    for rate in repair_rates(observations):
        if rate.repaired * 2 >= rate.rejections:
            continue
        failed = next(
            a
            for a in observations.repairs
            if a.rejected.tool == rate.tool
            and about_the_input(a.rejected, observations)
            and not repaired(a, baselines(observations, rate.tool))
        )
        named = ", ".join(sorted(failed.named))
        tried = "; ".join(failed.fixes) or (
            f"nothing: the error names {named} but states no value to send instead"
            if named
            else "nothing: the error names no argument and states no value"
        )
        yield Hit(
            rate.tool,
            f"Only {rate.repaired} of {rate.rejections} rejected calls could be fixed from the error alone "
            f"(say which argument is wrong and what to send instead).",
            failed.rejected.evidence(note=f"the repairer tried {tried}"),
        )
