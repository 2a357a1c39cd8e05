"""The auth probe: requests without credentials and with a garbage token (HTTP), the RFC 9728
metadata, and bad-credential cases: a fresh stdio server with its credential variable unset, garbage
or (``[auth.cases]``) expired, or HTTP calls with configured headers.

Each case lists the tools and calls one read-only tool the way a caller with that credential would;
the rules judge whether the refusal was loud.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import anyio
import httpx2
import pydantic
from mcp.shared.exceptions import MCPError

from wireproof.check.client import CheckTargetError, Target, connect
from wireproof.check.config import AuthCase, CheckOptions
from wireproof.check.generate import valid_samples
from wireproof.check.model import AuthObservation, HttpExchange, Observations, ToolInfo, truncate

__all__ = [
    "FOREIGN_ORIGIN",
    "GARBAGE_SECRET",
    "credential_variables",
    "environment_cases",
    "metadata_url",
    "probe_auth_cases",
    "probe_http_auth",
]

GARBAGE_TOKEN: Final = "wireproof-check-not-a-real-token"  # noqa: S105 - deliberately invalid
GARBAGE_SECRET: Final = "wireproof-check-not-a-real-credential"  # noqa: S105 - deliberately invalid
# A part of a variable's name (split at _ and -) that ends like a credential: API_KEY, GITHUB_TOKEN,
# CLIENT_SECRET, DB_PASSWORD, GOOGLE_APPLICATION_CREDENTIALS, APIKEY. Not KEYS_FILE or KEYBOARD.
_CREDENTIAL_PART: Final = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$", re.IGNORECASE)
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


def credential_variables(env: Mapping[str, str]) -> list[str]:
    """The variables of ``env`` whose names look like a credential (KEY, TOKEN, SECRET, PASSWORD, CREDENTIAL)."""
    return [name for name in env if any(_CREDENTIAL_PART.search(part) for part in re.split(r"[_-]", name))]


def environment_cases(names: Iterable[str], *, explicit: bool) -> list[AuthCase]:
    """Two cases per credential variable: a fresh server without it, and one with garbage in it."""
    cases: list[AuthCase] = []
    for name in names:
        cases.append(AuthCase(f"{name} unset", unset=(name,), explicit=explicit))
        cases.append(AuthCase(f"{name} garbage", env={name: GARBAGE_SECRET}, explicit=explicit))
    return cases


def _variant(target: Target, case: AuthCase) -> Target:
    if target.url is not None:
        overridden = {k.lower() for k in case.headers}
        headers = {k: v for k, v in target.headers.items() if k.lower() not in overridden}
        return dataclasses.replace(target, headers={**headers, **case.headers})
    env = {k: v for k, v in target.env.items() if k not in case.unset}
    return dataclasses.replace(target, env={**env, **case.env})


async def probe_auth_cases(
    target: Target,
    tools: list[ToolInfo],
    cases: list[AuthCase],
    options: CheckOptions,
    observations: Observations,
) -> None:
    """For each bad credential, start or call the server that way, list its tools and call a read-only one."""
    readable = [t for t in tools if t.read_only] or (tools[:1] if options.allow_writes else [])
    for case in cases:
        observations.auth_cases.append(await _one_case(target, readable, case, options, observations))


async def _one_case(
    target: Target,
    readable: list[ToolInfo],
    case: AuthCase,
    options: CheckOptions,
    observations: Observations,
) -> AuthObservation:
    try:
        with anyio.fail_after(options.timeout * 3):
            async with connect(_variant(target, case), options.timeout) as connection:
                try:
                    listed = await connection.list_tools()
                except (
                    MCPError,  # a JSON-RPC error, or the server exited: a loud refusal
                    pydantic.ValidationError,
                    anyio.BrokenResourceError,
                    anyio.ClosedResourceError,
                ) as exc:
                    failure = (
                        f"JSON-RPC error {exc.code}: {exc.message}"
                        if isinstance(exc, MCPError)
                        else f"{type(exc).__name__}: {exc}"
                    )
                    return AuthObservation(
                        case.name,
                        True,
                        None,
                        None,
                        listing_error=truncate(failure, 500),
                        explicit=case.explicit,
                    )
                names = {t.name for t in listed}
                tool = next((t for t in readable if t.name in names), None)
                if tool is None:
                    return AuthObservation(case.name, True, None, None, len(listed), explicit=case.explicit)
                arguments = valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0]
                record = await connection.call(tool.name, arguments, "auth-case")
                baseline = next(
                    (
                        c
                        for c in observations.calls
                        if c.tool == tool.name
                        and c.purpose in ("valid", "write-first")
                        and c.arguments == arguments
                    ),
                    None,
                )
                return AuthObservation(
                    case.name, True, None, record, len(listed), explicit=case.explicit, baseline=baseline
                )
    except (CheckTargetError, TimeoutError, OSError) as exc:
        return AuthObservation(case.name, False, truncate(str(exc), 500), None, explicit=case.explicit)
