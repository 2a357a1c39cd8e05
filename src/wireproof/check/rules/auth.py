"""Auth rules: loud refusal without or with bad credentials, the challenge, and RFC 9728 metadata."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Final
from urllib.parse import urlsplit

from wireproof.check.model import Evidence, HttpExchange
from wireproof.check.rules._registry import Hit, RuleContext, rule

AUTH_SPEC: Final = "MCP 2026-07-28, basic/authorization; RFC 6750 §3; RFC 9728"
_AUTH_WORDS: Final = re.compile(
    r"auth|unauthori[sz]ed|forbidden|credential|token|scope|permission|api[ _-]?key|expired|401|403|login|denied",
    re.IGNORECASE,
)


def _exchange(ctx: RuleContext, label: str) -> HttpExchange | None:
    return next((e for e in ctx.observations.http if e.label == label), None)


def _evidence(exchange: HttpExchange) -> Evidence:
    headers = {k: v for k, v in exchange.headers.items() if k in ("www-authenticate", "content-type")}
    answer = (
        f"HTTP {exchange.status} {json.dumps(headers)} {exchange.body[:300]}"
        if exchange.status
        else exchange.error
    )
    return Evidence(
        call={"method": exchange.method, "url": exchange.url, "headers": exchange.sent_headers}, answer=answer
    )


def _auth_expected(ctx: RuleContext) -> bool:
    """Whether the server demands credentials: the user supplied some, or the server refused without them."""
    bare = _exchange(ctx, "no-credentials")
    return (
        bool(ctx.options.auth_cases)
        or ctx.observations.extra.get("credentials_given") is True
        or (bare is not None and bare.status in (401, 403))
    )


def _ok(exchange: HttpExchange | None) -> bool:
    return exchange is not None and exchange.status is not None and 200 <= exchange.status < 300


@rule(
    "auth.no-credentials-accepted",
    "auth",
    "error",
    title="Request without credentials accepted",
    rationale="A server that needs credentials must answer a request without them with 401, not serve it.",
    reference=AUTH_SPEC,
)
def no_credentials(ctx: RuleContext) -> Iterator[Hit]:
    bare = _exchange(ctx, "no-credentials")
    if bare is None or not _ok(bare):
        return
    if _auth_expected(ctx):
        yield Hit(
            None,
            "The server requires credentials from clients, yet served a request that carried none.",
            _evidence(bare),
        )
    else:
        host = urlsplit(bare.url).hostname or ""
        loopback = host in ("localhost", "::1") or host.startswith("127.")
        yield Hit(
            None,
            f"The HTTP server answers without any authentication{' (on loopback)' if loopback else ''}.",
            _evidence(bare),
            "info" if loopback else "warning",
        )


@rule(
    "auth.garbage-token-accepted",
    "auth",
    "error",
    title="Garbage bearer token accepted",
    rationale="A token that does not verify must be refused with 401 invalid_token.",
    reference=AUTH_SPEC,
)
def garbage_token(ctx: RuleContext) -> Iterator[Hit]:
    garbage = _exchange(ctx, "garbage-token")
    if garbage is not None and _ok(garbage) and _auth_expected(ctx):
        yield Hit(None, "A request with a made-up bearer token was served.", _evidence(garbage))


@rule(
    "auth.challenge-missing",
    "auth",
    "warning",
    title="401/403 without a proper WWW-Authenticate challenge",
    rationale='Clients discover how to authorize from WWW-Authenticate: Bearer … resource_metadata="…".',
    reference=AUTH_SPEC,
)
def challenge_missing(ctx: RuleContext) -> Iterator[Hit]:
    for label in ("no-credentials", "garbage-token"):
        exchange = _exchange(ctx, label)
        if exchange is None or exchange.status not in (401, 403):
            continue
        challenge = exchange.headers.get("www-authenticate", "")
        if not challenge.lower().startswith("bearer") or "resource_metadata" not in challenge:
            yield Hit(
                None,
                f"The {exchange.status} answer to a request with {label.replace('-', ' ')} lacks "
                'WWW-Authenticate: Bearer … resource_metadata="…".',
                _evidence(exchange),
            )


@rule(
    "auth.metadata-invalid",
    "auth",
    "warning",
    title="Protected resource metadata missing or invalid",
    rationale="An MCP resource server MUST serve RFC 9728 metadata naming at least one authorization server.",
    reference=AUTH_SPEC,
)
def metadata_invalid(ctx: RuleContext) -> Iterator[Hit]:
    metadata = _exchange(ctx, "resource-metadata")
    if metadata is None or not _auth_expected(ctx):
        return
    if not _ok(metadata):
        yield Hit(
            None, f"GET {metadata.url} answered {metadata.status or metadata.error}.", _evidence(metadata)
        )
        return
    try:
        document = json.loads(metadata.body)
    except ValueError:
        yield Hit(None, "The protected resource metadata is not JSON.", _evidence(metadata))
        return
    servers = document.get("authorization_servers") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not isinstance(document.get("resource"), str) or not servers:
        yield Hit(
            None, "The metadata lacks resource or a non-empty authorization_servers.", _evidence(metadata)
        )


@rule(
    "auth.silent-failure",
    "auth",
    "error",
    title="Bad credentials answered with data",
    rationale="An expired or wrong credential must be a loud auth error, never a success (an empty list looks like no data).",
    reference=AUTH_SPEC + "; wireproof MISSION property 1 (fail closed)",
)
def silent_failure(ctx: RuleContext) -> Iterator[Hit]:
    for case in ctx.observations.auth_cases:
        record = case.record
        if record is not None and record.outcome == "result" and not record.is_error:
            yield Hit(
                record.tool,
                f"With the {case.case!r} credentials the server answered as a success.",
                record.evidence(),
            )


@rule(
    "auth.untyped-failure",
    "auth",
    "warning",
    title="Auth failure not recognisable as one",
    rationale="The agent must be able to tell 'stop, get authorization' from a bad argument or an outage.",
    reference=AUTH_SPEC,
)
def untyped_failure(ctx: RuleContext) -> Iterator[Hit]:
    for case in ctx.observations.auth_cases:
        record = case.record
        if record is None or (record.outcome == "result" and not record.is_error):
            continue
        text = " ".join([record.text, record.error_message, json.dumps(record.structured)])
        if not _AUTH_WORDS.search(text):
            yield Hit(
                record.tool,
                f"With the {case.case!r} credentials the server failed without saying it is an auth problem.",
                record.evidence(),
            )


@rule(
    "auth.origin-not-checked",
    "auth",
    "error",
    title="Request from a foreign Origin served",
    rationale="Servers MUST validate the Origin header of every HTTP request; otherwise a web page the user "
    "visits can reach a local or internal server through DNS rebinding and act with its access.",
    reference="MCP 2026-07-28, basic/transports (Streamable HTTP, security warning)",
)
def origin_not_checked(ctx: RuleContext) -> Iterator[Hit]:
    foreign = _exchange(ctx, "foreign-origin")
    if _ok(foreign):
        assert foreign is not None
        yield Hit(
            None,
            "A request with Origin: https://dns-rebinding.wireproof.invalid was served (HTTP "
            f"{foreign.status}); answer it 403 (the SDK's TransportSecuritySettings do this).",
            _evidence(foreign),
        )
