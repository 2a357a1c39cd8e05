"""Auth rules: loud refusal without or with bad credentials, the challenge, RFC 9728 metadata, path confinement."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import Final, Literal
from urllib.parse import urlsplit

from wireproof.check.config import CheckOptions
from wireproof.check.edges import WRITE_VERBS
from wireproof.check.generate import name_words
from wireproof.check.model import (
    AuthObservation,
    CallRecord,
    EscapeObservation,
    Evidence,
    HttpExchange,
    Observations,
    Severity,
    list_items,
    name_list,
)
from wireproof.check.probes.paths import COPY_MARKER
from wireproof.check.rules._registry import Hit, RuleContext, rule
from wireproof.check.rules.errors import answered_ok, disguised_failure

__all__ = ["CaseVerdict", "case_verdict", "writes_run_without_credential"]

CaseVerdict = Literal[
    "refused", "silent-empty-list", "silent-data", "untyped", "not-a-credential", "inconclusive"
]

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
        or ctx.observations.credentials_given
        or (bare is not None and bare.status in (401, 403))
    )


def _ok(exchange: HttpExchange | None) -> bool:
    return exchange is not None and exchange.status is not None and 200 <= exchange.status < 300


@rule("auth.no-credentials-accepted", "error", reference=AUTH_SPEC)
def no_credentials(ctx: RuleContext) -> Iterator[Hit]:
    """Request without credentials accepted

    A server that needs credentials must answer a request without them with 401, not serve it."""
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


@rule("auth.garbage-token-accepted", "error", reference=AUTH_SPEC)
def garbage_token(ctx: RuleContext) -> Iterator[Hit]:
    """Garbage bearer token accepted

    A token that does not verify must be refused with 401 invalid_token."""
    garbage = _exchange(ctx, "garbage-token")
    if garbage is not None and _ok(garbage) and _auth_expected(ctx):
        yield Hit(None, "A request with a made-up bearer token was served.", _evidence(garbage))


def _challenges(ctx: RuleContext) -> list[tuple[HttpExchange, str]]:
    """Each refused probe request (401/403) with its ``WWW-Authenticate`` value ("" when absent)."""
    refused = (_exchange(ctx, label) for label in ("no-credentials", "garbage-token"))
    return [(e, e.headers.get("www-authenticate", "")) for e in refused if e and e.status in (401, 403)]


def _bearer_without_discovery(ctx: RuleContext) -> bool:
    """Whether every refusal is a plain RFC 6750 Bearer challenge that names no resource_metadata:
    the server says "send a bearer credential" and offers no OAuth discovery (an API-key server)."""
    challenges = _challenges(ctx)
    return bool(challenges) and all(
        value.lower().startswith("bearer") and "resource_metadata" not in value for _, value in challenges
    )


@rule("auth.challenge-missing", "warning", reference=AUTH_SPEC)
def challenge_missing(ctx: RuleContext) -> Iterator[Hit]:
    """401/403 without a Bearer WWW-Authenticate challenge

    A refusal must say how to authenticate: a WWW-Authenticate: Bearer challenge (RFC 6750 §3)."""
    for exchange, challenge in _challenges(ctx):
        if not challenge.lower().startswith("bearer"):
            label = exchange.label.replace("-", " ")
            yield Hit(
                None,
                f"The {exchange.status} answer to a request with {label} lacks a "
                'WWW-Authenticate: Bearer challenge (with resource_metadata="…" for OAuth discovery).',
                _evidence(exchange),
            )


@rule("auth.metadata-invalid", "warning", reference=AUTH_SPEC)
def metadata_invalid(ctx: RuleContext) -> Iterator[Hit]:
    """Protected resource metadata missing or invalid

    Metadata an MCP server serves or points to (RFC 9728) MUST name at least one authorization server; a
    server whose credentials come from elsewhere (API keys) serves none."""
    metadata = _exchange(ctx, "resource-metadata")
    if metadata is None or not _auth_expected(ctx):
        return
    if not _ok(metadata):
        # No document and a plain Bearer challenge naming none: no OAuth discovery is offered, which
        # MCP allows (authorization is optional; the client is configured with its credential).
        if not _bearer_without_discovery(ctx):
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
            None,
            "The metadata lacks resource or a non-empty authorization_servers (MCP requires one; a "
            "server that names none, as with API keys, serves no metadata and no resource_metadata).",
            _evidence(metadata),
        )


def _items(record: CallRecord) -> int:
    """How many list items an answer holds in all (an empty list for a bad credential holds fewer)."""
    return list_items(record.answer_json())


def _success(record: CallRecord | None) -> bool:
    return record is not None and record.outcome == "result" and not record.is_error


def case_verdict(case: AuthObservation, tools_listed: int) -> CaseVerdict:
    """How loudly the server refused one bad credential.

    ``refused``: it would not start or shake hands, tools/list failed, or the call was a recognisable
    auth error. ``silent-empty-list``: it listed no tools (where the good credential listed
    ``tools_listed``). ``silent-data``: the call succeeded. ``untyped``: the call failed without saying
    why. A variable picked by its name alone (``explicit`` false) is judged against the good
    credential's answer: as full an answer, or the same failure, says it is ``not-a-credential``.
    ``inconclusive``: no read-only tool could be called to tell.
    """
    if not case.connected or case.listing_error is not None:
        return "refused"
    if case.listed == 0 and tools_listed > 0:
        return "silent-empty-list"
    if case.record is None:
        return "inconclusive"
    compared = None if case.explicit else _against_baseline(case.record, case.baseline)
    return compared or _call_verdict(case.record)


def _against_baseline(record: CallRecord, baseline: CallRecord | None) -> CaseVerdict | None:
    """For a variable picked by its name: what the good credential's answer says, or None to judge the call."""
    if baseline is None:
        return "inconclusive"
    if not _success(baseline):
        return "inconclusive" if _success(record) else "not-a-credential"
    if _success(record) and _items(record) >= _items(baseline):
        return "not-a-credential"
    return None


def _call_verdict(record: CallRecord) -> CaseVerdict:
    if _success(record):
        return "silent-data"
    if record.outcome in ("timeout", "crash"):
        return "untyped"
    text = " ".join([record.text, record.error_message, json.dumps(record.structured)])
    return "refused" if _AUTH_WORDS.search(text) else "untyped"


def _verdicts(ctx: RuleContext) -> Iterator[tuple[AuthObservation, CaseVerdict]]:
    listed = len(ctx.observations.tools)
    for case in ctx.observations.auth_cases:
        yield case, case_verdict(case, listed)


@rule(
    "auth.silent-failure",
    "error",
    reference=AUTH_SPEC + "; stdio servers take credentials from the environment; "
    "wireproof MISSION property 1 (fail closed)",
)
def silent_failure(ctx: RuleContext) -> Iterator[Hit]:
    """Bad credentials answered with data or an empty tool list

    A missing, expired or wrong credential must be a loud auth error (tools/list or the call fails, saying
    so), never a success: an empty list looks like no data, not like a bad credential."""
    for case, verdict in _verdicts(ctx):
        if verdict == "silent-empty-list":
            yield Hit(
                None,
                f"With {case.case!r} the server listed no tools, where the good credential lists "
                f"{len(ctx.observations.tools)}: a silent empty list. Fail tools/list (or every call) "
                "with an error that says the credential is missing or invalid.",
                Evidence(call={"method": "tools/list", "case": case.case}, answer='{"tools": []}'),
            )
        elif verdict == "silent-data":
            record = case.record
            assert record is not None
            fewer = (
                f" ({_items(record)} items, where the good credential gets {_items(case.baseline)})"
                if case.baseline is not None and _success(case.baseline)
                else ""
            )
            yield Hit(
                record.tool,
                f"With {case.case!r} the server answered as a success{fewer}; refuse with a typed auth error.",
                record.evidence(note=f"credential case: {case.case}"),
            )


@rule("auth.untyped-failure", "warning", reference=AUTH_SPEC)
def untyped_failure(ctx: RuleContext) -> Iterator[Hit]:
    """Auth failure not recognisable as one

    The agent must be able to tell 'stop, get authorization' from a bad argument or an outage."""
    for case, verdict in _verdicts(ctx):
        if verdict == "untyped" and case.record is not None:
            yield Hit(
                case.record.tool,
                f"With {case.case!r} the server failed without saying it is an auth problem.",
                case.record.evidence(note=f"credential case: {case.case}"),
            )


@rule(
    "auth.origin-not-checked",
    "error",
    reference="MCP 2026-07-28, basic/transports (Streamable HTTP, security warning)",
)
def origin_not_checked(ctx: RuleContext) -> Iterator[Hit]:
    """Request from a foreign Origin served

    Servers MUST validate the Origin header of every HTTP request; otherwise a web page the user visits
    can reach a local or internal server through DNS rebinding and act with its access."""
    foreign = _exchange(ctx, "foreign-origin")
    if _ok(foreign):
        assert foreign is not None
        yield Hit(
            None,
            "A request with Origin: https://dns-rebinding.wireproof.invalid was served (HTTP "
            f"{foreign.status}); answer it 403 (the SDK's TransportSecuritySettings do this).",
            _evidence(foreign),
        )


def _answer_text(call: CallRecord) -> str:
    return call.text + (
        json.dumps(call.structured, ensure_ascii=False) if call.structured is not None else ""
    )


_QUOTED_PREFIX: Final = 10
"""A planted file's token opens with this many characters of its own: a parse error that quotes the file's
first bytes (Node's JSON.parse quotes ten) proves the read as the whole token would."""


def _path_verdict(escape: EscapeObservation) -> tuple[Severity, str] | None:
    """How sure a path read (or, for an output path, written) outside the tool's scope is, and why; None when
    the token was not read (the file did not appear)."""
    call = escape.attempt[0]
    if escape.kind.startswith("path-write-") or escape.marker == COPY_MARKER:
        proven = bool(escape.file_appeared)  # written, or a copy of the sample read like the sample
    else:
        said = _answer_text(call)
        quoted = "-wireproof-secret-" in escape.marker and escape.marker[:_QUOTED_PREFIX] in said
        proven = call.outcome == "result" and (escape.marker in said or quoted)
    if not proven or escape.planted is None:
        return None
    planted = PurePath(escape.planted)
    if any(planted.is_relative_to(PurePath(r)) for r in escape.roots):
        return None  # within a folder the server was given: its scope, however wide
    how = "by ../ traversal" if escape.kind.endswith("-traversal") else "by its absolute path"
    if escape.roots:
        return "error", f"{how}, though the server was given only {', '.join(escape.roots)}"
    if escape.relative_sample and escape.kind.endswith("-traversal"):
        return "error", f"{how}, out of the folder it resolves the configured relative paths against"
    return "warning", f"{how}, and the server was started with no root to confine it (it fails open)"


_REFUSED_PATH: Final = re.compile(
    r"not found|no such|does not exist|doesn't exist|denied|not allowed|forbidden|outside|invalid|refus|"
    r"reject|cannot|can't|not permitted|error",
    re.IGNORECASE,
)


def _path_accepted(escape: EscapeObservation) -> str | None:
    """How a path outside the tool's scope was accepted without being read (echoed back resolved), or None.

    The answer is a plain success (isError false, no disguised failure, no word of refusal) that holds the
    planted file's or folder's absolute path: sent as is, or reached by ``../`` and answered resolved.
    """
    call = escape.attempt[0]
    if call.outcome != "result" or call.is_error or escape.planted is None:
        return None
    planted = PurePath(escape.planted)
    if any(planted.is_relative_to(PurePath(r)) for r in escape.roots):
        return None
    said = _answer_text(call)
    if disguised_failure(call) is not None or _REFUSED_PATH.search(said) or escape.planted not in said:
        return None
    return (
        "by ../ traversal, answered resolved"
        if escape.kind.endswith("-traversal")
        else "by its absolute path"
    )


@rule(
    "auth.path-not-confined",
    "error",
    reference="OWASP ASVS V12.3 (file execution: path traversal); CWE-22; MCP 2026-07-28, client/roots",
)
def path_not_confined(ctx: RuleContext) -> Iterator[Hit]:
    """Path argument that reaches files outside the tool's scope

    A tool that takes a file or folder path must confine it to the folders it serves. The checker plants a
    file holding a unique token in a temp folder of its own, outside every folder the sample arguments
    name and every root the server was started with, and gives the tool's path parameter that file (a
    folder parameter: that folder, whose listing shows the file's unique name) by absolute path and by ../
    traversal from the sample's folder. The token is never sent, so an answer that holds it (or its first
    ten characters, unique to it: a parse error quoting the file's first bytes) proves the read; a refusal
    is sound. Error when the server was given roots (absolute paths in its arguments or
    environment) that do not hold the file, or when ../ left the folder it resolves the configured
    (--config) relative sample paths against; a warning when it was started with no root at all (a
    deployment that fails open). Read-only tools are probed always, other tools with one path parameter
    only with --allow-writes; a write's output path (output_path, backup_path, save_to) is given a new
    file in that temp folder instead, and the file appearing proves the write. A warning too when the token
    was not read but the outside path was accepted
    and answered back (a plain success holding the planted absolute path: registered, resolved, stored): a
    tool that records or resolves paths it does not confine hands them to whatever reads them next."""
    reported: set[str] = set()
    for escape in ctx.observations.escapes:
        if not escape.kind.startswith("path-") or escape.tool in reported:
            continue
        verdict = _path_verdict(escape)
        if verdict is None:
            continue
        reported.add(escape.tool)
        severity, why = verdict
        what = "folder" if escape.marker.startswith("wireproof-planted-") else "file"
        did = (
            "wrote a new file where the checker pointed it, outside its scope"
            if escape.kind.startswith("path-write-")
            else "reached a copy of its sample file the checker planted outside its scope (answered it like "
            "the sample, or changed it)"
            if escape.marker == COPY_MARKER
            else f"read a {what} the checker planted outside its scope"
        )
        yield Hit(
            escape.tool,
            f"Through {escape.parameter} it {did}, {why}.",
            escape.attempt[0].evidence(),
            severity,
        )
    for escape in ctx.observations.escapes:
        if not escape.kind.startswith("path-") or escape.tool in reported:
            continue
        how = _path_accepted(escape)
        if how is not None:
            reported.add(escape.tool)
            yield Hit(
                escape.tool,
                f"Through {escape.parameter} it accepted a path outside every folder it was given or shown "
                f"({how}) and answered it back as a success: it registers or resolves paths it does not confine.",
                escape.attempt[0].evidence(),
                "warning",
            )


_PRIVILEGE_SWITCH: Final = re.compile(
    r"^(read_?only(_?mode)?|allow_?(writes?|destructive|dangerous\w*|unsafe\w*|root|admin|shell|exec\w*)|"
    r"(enable|permit)_?(writes?|unsafe|dangerous\w*|destructive)|"
    r"unsafe(_?mode)?|dangerous(ly)?(_?\w+)?|bypass(_?\w+)?|skip_?(auth\w*|permissions?|safety|guards?|"
    r"sandbox|restrictions?)|disable_?(safety|guards?|sandbox|restrictions?|read_?only)|sudo|as_?root|"
    r"run_?as_?root|as_?admin|admin_?mode|superuser|safe_?mode|write_?(mode|enabled))$"
)
"""A parameter named for a switch of the caller's own safety limits: read_only, readOnly, allow_writes, unsafe_mode,
dangerously_skip_checks, bypass_guard, skip_auth, disable_sandbox, sudo, admin_mode, safe_mode, write_mode. Not a
right granted to someone else (write_access, writable on a share, privileged on a container)."""


def privilege_switch(name: str, prop: dict[str, object]) -> bool:
    """Whether a parameter lets the caller set its own privilege: a boolean (or untyped) safety switch by name."""
    flat = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower().replace("-", "_")
    kind = prop.get("type")
    return _PRIVILEGE_SWITCH.match(flat) is not None and kind in ("boolean", None, ["boolean", "null"])


@rule(
    "auth.caller-sets-privilege",
    "warning",
    reference="wireproof MISSION: least privilege, fail closed; OWASP ASVS V4.1.3 (least privilege); CWE-269",
)
def caller_sets_privilege(ctx: RuleContext) -> Iterator[Hit]:
    """A tool argument that sets the caller's own privilege

    A boolean parameter named for a safety or privilege switch (read_only, allow_writes, unsafe, bypass_*,
    skip_auth, disable_sandbox, sudo, admin_mode, safe_mode, write_mode) lets the model choose its own
    rights with one argument: a server the operator started read-only writes as soon as the model sends
    read_only false. Least privilege is the operator's setting (a start flag, the credential's scopes), not
    an argument; drop the parameter, or let it only narrow what the deployment allows. From the schema
    alone, so a warning: the checker does not prove that flipping it lifts a limit."""
    for tool in ctx.observations.tools:
        properties = tool.input_schema.get("properties", {})
        if not isinstance(properties, dict):
            continue
        switches = [n for n, p in properties.items() if isinstance(p, dict) and privilege_switch(n, p)]
        if switches:
            part = {n: properties[n] for n in switches}
            yield Hit(
                tool.name,
                f"The caller sets its own privilege through {', '.join(switches)}: a model can send the value "
                "that lifts the limit the operator chose (least privilege belongs to the deployment and the "
                "credential, not to an argument).",
                Evidence(
                    call={"method": "tools/list"},
                    answer=json.dumps({"tool": tool.name, "schema": part})[:600],
                ),
            )


@rule("auth.name-not-confined", "error", reference="OWASP ASVS V12.3 (path traversal); CWE-22; CWE-73")
def name_not_confined(ctx: RuleContext) -> Iterator[Hit]:
    """A name joined into a file path unchecked

    A write tool that stores an item as a file named after an argument (name, title, slug, project, id)
    must refuse or neutralise ../ in it. Only with --allow-writes, on a stdio server on this machine: the
    tool is given a plain unique name and then ../ and a second unique name; when the plain one landed in
    folder F and the ../ one one folder up, outside F, a name reaches files the server was never meant to
    write (and with more ../, anywhere its user can). The escaped file is the checker's own and is removed.

    Also when the write confines names but a tool that reads or deletes by name does not: once the plain
    name landed as a file in folder F, that tool is given the plain name, ``../F/<name>`` (up and back down:
    the same file when the name is a path) and ``../<a missing folder>/<name>``. A read that answers the
    round trip like the plain name and the missing folder otherwise, or a delete that keeps the file through
    the missing folder and removes it through the round trip, resolved the name through the file system:
    with ../ it reads or deletes any file with the store's ending."""
    for escape in ctx.observations.escapes:
        if escape.kind == "name-resolved" and escape.file_appeared and escape.planted:
            yield _name_resolved(escape)
            continue
        if escape.kind != "name-traversal" or not escape.file_appeared or not escape.planted:
            continue
        home = escape.roots[0] if escape.roots else "its folder"
        yield Hit(
            escape.tool,
            f"A {escape.parameter} with ../ was stored outside the folder this tool keeps its items in: the "
            f"plain name landed in {home}, the ../ name at {escape.planted}. Refuse / and .. in names, or "
            "store items under ids the server makes.",
            escape.attempt[-1].evidence(),
        )


def _name_resolved(escape: EscapeObservation) -> Hit:
    home = escape.roots[0] if escape.roots else "its folder"
    round_trip, nowhere = (
        (escape.attempt[1], escape.attempt[2]) if len(escape.attempt) == 3 else escape.attempt[1::-1]
    )
    effect = (
        "deleted the file"
        if len(escape.attempt) == 2
        else f"answered the same as for the plain name, and {nowhere.constraint!r} otherwise, reading the file"
    )
    return Hit(
        escape.tool,
        f"{escape.parameter} is joined into a file path unchecked: {round_trip.constraint!r} (one folder up and "
        f"back into {home}) {effect} {escape.planted}. With more ../ this tool reaches any file with the "
        "store's ending outside its folder. Refuse / and .. in names, or look items up by name, not by path.",
        round_trip.evidence(),
    )


_NOT_WRITES: Final = frozenset(
    {"get", "read", "list", "search", "find", "show", "view", "fetch", "describe", "count", "calculate"}
    | {"compute", "convert", "format", "parse", "validate", "check", "preview", "text", "string", "strings"}
    | {"number", "numbers", "pdf", "pdfs", "image", "images", "units", "hours", "best"}
)
"""Words that make a write word mean something else: a read verb first (get_store_hours, get_best_move), a
computation, or text or numbers as the object (replace_text, add_numbers, merge_pdfs)."""


_SURE_WRITES: Final = frozenset(
    {
        "delete",
        "remove",
        "clear",
        "drop",
        "purge",
        "destroy",
        "truncate",
        "overwrite",
        "save",
        "write",
        "update",
    }
    | {"insert", "upsert", "create"}
)


def _named_for_a_write(name: str) -> bool:
    """A name with a write word and an object (add_note, delete_todo, cronos_aggiungi_entry), not a bare verb
    (a calculator's add) nor a computation on what the caller passed."""
    words = name_words(name)
    if len(words) == 1:  # a bare delete or save is a write; a bare add or replace as often a computation
        return words[0] in _SURE_WRITES
    return bool(set(words) & WRITE_VERBS) and not set(words) & _NOT_WRITES


_WRITE_ORDER: Final = re.compile(
    r"delete|remove|clear|drop|purge|destroy|overwrite|replace|restore|reset", re.I
)
"""Name words that put a write first in the finding's list: the ones that destroy."""


def writes_run_without_credential(
    observations: Observations, options: CheckOptions, transport: str
) -> dict[str, CallRecord]:
    """The writes that may destroy and ran for a stdio caller given no credential, each tool's first call.

    Empty unless the transport is stdio and no credential was given or probed: no --auth-env, no
    [auth.cases], and no variable named like one (those are probed as auth cases instead).
    """
    if transport != "stdio" or options.auth_env or options.auth_cases or observations.auth_cases:
        return {}
    destructive = {
        t.name
        for t in observations.tools
        if not t.read_only
        and (t.annotations or {}).get("destructiveHint") is not False
        and _named_for_a_write(t.name)
    }
    return {
        c.tool: c
        for c in reversed(observations.calls)
        if c.purpose == "write-first"
        and c.tool in destructive
        and answered_ok(c)
        and disguised_failure(c) is None
    }


@rule(
    "auth.writes-without-credential",
    "warning",
    reference="wireproof MISSION property 1 (least privilege: every call by an authenticated principal with "
    "scopes; API keys for local/stdio); MCP 2026-07-28, basic/authorization (stdio servers take credentials "
    "from the environment)",
)
def writes_without_credential(ctx: RuleContext) -> Iterator[Hit]:
    """Writes served over stdio with no credential at all

    A stdio server takes its caller's credential from the environment. One started with none (no variable
    named like a key, token, secret, password or credential; no --auth-env; no [auth.cases]) that still ran
    the checker's writes, tools that may destroy (not readOnlyHint, not destructiveHint: false, named for a
    write: create, add, update, delete, save, write, move, replace, clear, restore…), serves them
    to whoever starts it: no principal, no scopes, no way for the operator to hand an agent read-only rights.
    One finding a server, naming the writes that ran. Only with --allow-writes (the writes probe's first
    call, answered as a success); a server whose credential comes from elsewhere (a keys file read at start,
    a token in its arguments) and that still needs none from the caller is the same case."""
    ran = writes_run_without_credential(ctx.observations, ctx.options, ctx.transport)
    if not ran:
        return
    names = sorted(ran, key=lambda n: (not _WRITE_ORDER.search(n), n))
    shown = name_list(names, 6)
    yield Hit(
        None,
        f"Started with no credential in its environment, the server ran writes for an unauthenticated caller: "
        f"{shown}. No principal, no scopes: whoever starts it may write or destroy, and an operator cannot "
        "give an agent read-only rights. Take an API key from the environment and check each tool's scope "
        "(or at least offer a read-only mode the operator sets).",
        ran[names[0]].evidence(note="no credential variable, --auth-env or [auth.cases] was given"),
    )
