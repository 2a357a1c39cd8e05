"""The auth probe: requests without credentials and with a garbage token (HTTP), the RFC 9728
metadata, and the configured bad-credential cases (stdio environments or HTTP headers)."""

from __future__ import annotations

import dataclasses
import json
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import anyio
import httpx2

from wireproof.check.client import CheckTargetError, Target, connect
from wireproof.check.config import AuthCase, CheckOptions
from wireproof.check.generate import valid_samples
from wireproof.check.model import AuthObservation, HttpExchange, Observations, ToolInfo, truncate

__all__ = ["FOREIGN_ORIGIN", "metadata_url", "probe_auth_cases", "probe_http_auth"]

GARBAGE_TOKEN: Final = "wireproof-check-not-a-real-token"  # noqa: S105 - deliberately invalid
FOREIGN_ORIGIN: Final = "https://dns-rebinding.wireproof.invalid"
_INITIALIZE: Final = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "wireproof-check", "version": "0"},
    },
}


def metadata_url(url: str) -> str:
    """Where RFC 9728 puts the protected resource metadata for the resource at ``url``."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, "/.well-known/oauth-protected-resource" + path, "", ""))


async def _exchange(
    client: httpx2.AsyncClient,
    label: str,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    body: bytes | None,
) -> HttpExchange:
    try:
        response = await client.request(method, url, headers=headers, content=body)
    except httpx2.HTTPError as exc:
        return HttpExchange(label, method, url, headers, None, {}, "", error=f"{type(exc).__name__}: {exc}")
    return HttpExchange(
        label,
        method,
        url,
        headers,
        response.status_code,
        {k.lower(): v for k, v in response.headers.items()},
        truncate(response.text, 2000),
    )


async def probe_http_auth(target: Target, options: CheckOptions, observations: Observations) -> None:
    """Send raw requests without credentials and with a garbage token; fetch the resource metadata."""
    assert target.url is not None
    base = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
    body = json.dumps(_INITIALIZE).encode()
    async with httpx2.AsyncClient(timeout=options.timeout) as client:
        observations.http.append(
            await _exchange(client, "no-credentials", "POST", target.url, headers=base, body=body)
        )
        garbage = {**base, "authorization": f"Bearer {GARBAGE_TOKEN}"}
        observations.http.append(
            await _exchange(client, "garbage-token", "POST", target.url, headers=garbage, body=body)
        )
        # DNS rebinding: a page on another origin posting to a local server. With the caller's own
        # credentials, so that only the Origin differs from a request the server would serve.
        foreign = {**base, **target.headers, "origin": FOREIGN_ORIGIN}
        observations.http.append(
            await _exchange(client, "foreign-origin", "POST", target.url, headers=foreign, body=body)
        )
        observations.http.append(
            await _exchange(
                client,
                "resource-metadata",
                "GET",
                metadata_url(target.url),
                headers={"accept": "application/json"},
                body=None,
            )
        )


async def probe_auth_cases(
    target: Target, tools: list[ToolInfo], options: CheckOptions, observations: Observations
) -> None:
    """For each configured bad credential, connect that way and call the first read-only tool."""
    readable = [t for t in tools if t.read_only] or (tools[:1] if options.allow_writes else [])
    for case in options.auth_cases:
        observations.auth_cases.append(await _one_case(target, readable, case, options))


async def _one_case(
    target: Target, readable: list[ToolInfo], case: AuthCase, options: CheckOptions
) -> AuthObservation:
    if target.url is not None:
        overridden = {k.lower() for k in case.headers}
        headers = {k: v for k, v in target.headers.items() if k.lower() not in overridden}
        variant = dataclasses.replace(target, headers={**headers, **case.headers})
    else:
        variant = dataclasses.replace(target, env={**target.env, **case.env})
    try:
        with anyio.fail_after(options.timeout * 3):
            async with connect(variant, options.timeout) as connection:
                if not readable:
                    return AuthObservation(case.name, True, None, None)
                tool = readable[0]
                arguments = valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0]
                record = await connection.call(tool.name, arguments, f"auth-case:{case.name}")
                return AuthObservation(case.name, True, None, record)
    except (CheckTargetError, TimeoutError, OSError) as exc:
        return AuthObservation(case.name, False, truncate(str(exc), 500), None)
