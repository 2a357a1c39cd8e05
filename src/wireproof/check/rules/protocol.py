"""Protocol rules: the tool listing itself."""

from __future__ import annotations

from collections.abc import Iterator

from wireproof.check.model import Evidence
from wireproof.check.rules._registry import Hit, RuleContext, rule


@rule(
    "protocol.list-tools-failed",
    "protocol",
    "error",
    title="tools/list failed",
    rationale="A connector that cannot list its tools cannot be used.",
    reference="MCP 2026-07-28, server/tools (tools/list)",
)
def list_tools_failed(ctx: RuleContext) -> Iterator[Hit]:
    if ctx.observations.listing_error:
        yield Hit(
            None,
            f"tools/list failed: {ctx.observations.listing_error}",
            Evidence(call={"method": "tools/list"}),
        )


@rule(
    "protocol.list-not-deterministic",
    "protocol",
    "error",
    title="tools/list not deterministic",
    rationale="tools/list SHOULD be deterministic: clients cache it, and a shifting list breaks prompt caching.",
    reference="MCP 2026-07-28, server/tools (listing tools)",
)
def list_not_deterministic(ctx: RuleContext) -> Iterator[Hit]:
    listings = ctx.observations.listings
    if len(listings) >= 2 and any(listing != listings[0] for listing in listings[1:]):
        yield Hit(
            None,
            "Listing the tools twice gave different answers.",
            Evidence(call={"method": "tools/list"}, answer=" | ".join(", ".join(n) for n in listings)[:600]),
        )
