"""What the checker observes, what it concludes, and the report it writes.

Probes produce ``Observations`` (calls made, answers, timings, sizes); rules turn
observations into ``Finding``s; reporters render a ``Report``. A rule never makes a
call and a probe never decides severity.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

__all__ = [
    "CATEGORIES",
    "SEVERITIES",
    "SKIP_MALFORMED",
    "AuthObservation",
    "CallRecord",
    "Category",
    "CategoryCoverage",
    "Coverage",
    "EscapeKind",
    "EscapeObservation",
    "Evidence",
    "Finding",
    "HttpExchange",
    "Observations",
    "Outcome",
    "ProbeFailure",
    "ProbeName",
    "Purpose",
    "RepairAttempt",
    "RepairRate",
    "Report",
    "RestartObservation",
    "ServerSummary",
    "Severity",
    "ToolInfo",
    "ToolSummary",
    "Writes",
    "bookkeeping_change",
    "bookkeeping_only",
    "claims_read_only",
    "code_parameters",
    "idempotency_key_parameter",
    "is_timestamp",
    "json_leaves",
    "name_list",
    "observers_moved",
    "path_parameters",
    "snapshot_answers",
    "snapshot_noise",
    "truncate",
    "wrapped_json",
]

Severity = Literal["info", "warning", "error"]
Category = Literal["schema", "errors", "auth", "idempotency", "output", "protocol"]
Outcome = Literal["result", "protocol_error", "timeout", "crash"]
Writes = Literal["exercised", "not exercised", "failed", "no write tools"]
Purpose = Literal[
    "setup",
    "valid",
    "violation",
    "hostile",
    "expensive",
    "repair",
    "read-repeat",
    "lookup-miss",
    "unknown-tool",
    "observe",
    "write-first",
    "write-repeat",
    "write-concurrent",
    "write-after-concurrent",
    "key-conflict",
    "write-roundtrip",
    "write-collision",
    "write-miss",
    "write-keys-only",
    "write-malformed",
    "write-reference",
    "write-distinct-sequential",
    "write-distinct-concurrent",
    "read-effect",
    "read-escape",
    "read-escape-check",
    "path-escape",
    "name-escape",
    "select-all",
    "grow",
    "grown-read",
    "grown-list",
    "cleanup",
    "auth-case",
]
"""Why a probe made a call: the contract between probes and rules (a rule selects calls by purpose).

``valid`` a sample the schema accepts; ``violation`` / ``hostile`` / ``expensive`` the awkward cases
(``check.generate.Kind``); ``repair`` a rejected violation fixed from its error; ``read-repeat`` a
read-only tool's valid call made again, identically; ``lookup-miss`` a lookup of a name that cannot
exist; ``unknown-tool`` a call of a tool the server does not list; ``observe`` an observer's snapshot;
``write-*`` and ``key-conflict`` the writes probe (``write-roundtrip`` / ``write-collision`` / ``write-miss`` /
``write-keys-only`` / ``write-malformed`` / ``write-reference`` / ``write-distinct-sequential`` / ``write-distinct-concurrent`` its effects part, ``check.probes.effects``); ``read-effect`` / ``read-escape`` /
``read-escape-check`` / ``cleanup`` the read-only probes; ``path-escape`` the path-confinement probe; ``name-escape`` the name-traversal probe (``check.probes.names``); ``select-all`` a read of a whole table a listing tool
names, through a query tool (its ``constraint`` the table); ``grow`` / ``grown-read`` / ``grown-list`` the
growth probe (a large write, then the read of the same item, then once each listing read); ``auth-case`` a
call made with a bad credential.
"""

SEVERITIES: Final[tuple[Severity, ...]] = ("info", "warning", "error")
CATEGORIES: Final[tuple[Category, ...]] = ("schema", "errors", "auth", "idempotency", "output", "protocol")
EVIDENCE_CHARS: Final = 600


def truncate(text: str, limit: int = EVIDENCE_CHARS) -> str:
    """Cut ``text`` to ``limit`` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters]"


def name_list(names: list[str], limit: int = 5) -> str:
    """``a, b, c and 4 more``: the first ``limit`` names, and how many are left out."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _short_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in arguments.items():
        if isinstance(value, str) and len(value) > 80:
            out[key[:80]] = f"<string of {len(value):,} characters starting {value[:20]!r}>"
        else:
            out[key[:80]] = value
    return out


def list_items(value: Any) -> int:
    """How many list items a JSON value holds in all, nested lists included (a proxy for how much
    an answer returned: the rows a credential could see, the effects an observer lists)."""
    if isinstance(value, list):
        return len(value) + sum(list_items(v) for v in value)
    if isinstance(value, dict):
        return sum(list_items(v) for v in value.values())
    return 0


@dataclass(frozen=True, slots=True)
class ToolInfo:
    """A tool as ``tools/list`` described it."""

    name: str
    description: str | None
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None
    annotations: dict[str, Any] | None

    @property
    def read_only(self) -> bool:
        return bool(self.annotations and self.annotations.get("readOnlyHint") is True)


_KEY_NAME: Final = re.compile(
    r"^(idempotency|idempotent|idem|dedupe?|deduplication)[_-]?(key|id|token)$|^client[_-]?(token|request[_-]?token)$",
    re.IGNORECASE,
)
_KEY_WORDS: Final = re.compile(r"\bidempoten|\bde-?dup", re.IGNORECASE)
_KEY_SHAPE: Final = re.compile(r"(key|token|id)$", re.IGNORECASE)


def idempotency_key_parameter(tool: ToolInfo) -> str | None:
    """The name of the tool's idempotency-key parameter, if it takes one.

    Named as one (``idempotency_key``, ``idempotencyKey``, ``dedupe_key``, ``client_token``), or a key, token
    or id string described as an idempotency or de-duplication key. A ``requestId`` alone is no such key: it
    often names a record (a request to approve), and a made-up value only makes the call miss.
    """
    properties = tool.input_schema.get("properties", {})
    for name in properties:
        if _KEY_NAME.match(name):
            return str(name)
    for name, prop in properties.items():
        if not isinstance(prop, dict) or prop.get("type") not in (None, "string"):
            continue
        if _KEY_SHAPE.search(str(name)) and _KEY_WORDS.search(str(prop.get("description", ""))):
            return str(name)
    return None


_CODE_WORDS: Final = re.compile(
    r"\b(sql|query|queries|statement|statements|expression|expr|script|javascript|python)\b", re.IGNORECASE
)
_CODE_NAMES: Final = frozenset({"code", "source", "source code", "program", "snippet"})


def code_parameters(tool: ToolInfo) -> list[str]:
    """The tool's string parameters that take code or a query (named or described as SQL, query, code…).

    "code" alone counts only as the whole name: a country code or an error code is no program.
    """
    found = []
    for name, prop in tool.input_schema.get("properties", {}).items():
        if not isinstance(prop, dict) or prop.get("type") != "string" or prop.get("enum"):
            continue
        words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name)).replace("_", " ").replace("-", " ")
        described = str(prop.get("description", ""))
        if _CODE_WORDS.search(words) or words.lower() in _CODE_NAMES or _CODE_WORDS.search(described):
            found.append(str(name))
    return found


_READ_ONLY_WORDS: Final = re.compile(r"\bread[- ]?only\b", re.IGNORECASE)


def claims_read_only(tool: ToolInfo) -> bool:
    """Whether the tool says it changes nothing: annotated ``readOnlyHint: true``, or described as read-only."""
    return tool.read_only or bool(_READ_ONLY_WORDS.search(tool.description or ""))


_PATH_WORDS: Final = frozenset({"path", "file", "filename", "filepath", "dir", "directory", "folder"})


def path_parameters(tool: ToolInfo) -> list[str]:
    """The tool's string parameters that take a file path (``path``, ``file_path``, ``filename``…)."""
    found = []
    for name, prop in tool.input_schema.get("properties", {}).items():
        if not isinstance(prop, dict) or prop.get("type") != "string" or prop.get("enum"):
            continue
        words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name)).replace("_", " ").replace("-", " ")
        if set(words.lower().split()) & _PATH_WORDS:
            found.append(str(name))
    return found


_TIMESTAMP: Final = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|^\d{10}(\.\d+)?$|^\d{13}$")
_CLOCK_NAME: Final = re.compile(
    r"(^|[_.-])(updated|modified|changed|touched|timestamp|ts|mtime|ctime|last[_-]?(modified|updated|seen|used))$"
    r"|(_at|_on|_time|At|On|Time)$",
)
_VERSION_NAME: Final = re.compile(
    r"(^|[_.-])(version|revision|rev|etag|seq|sequence|generation)$|"
    r"(^|[_.-])(operations?|ops|history|access|accesses|calls?|requests?|usage|hits?|views?)[_-]?count$",
    re.IGNORECASE,
)
"""A counter that grows with every call whatever it does: a version, or a count of operations, calls, accesses
(csv-mcp-server's session ``operations_count``: bookkeeping, not a second effect)."""
_NOW_ISH_SECONDS: Final = 3 * 24 * 3600
_ELAPSED_NAME: Final = re.compile(
    r"(^|[_.-])(elapsed|took|latency|(execution|query|processing|response|run)[_-]?time)([_-]?(ms|us|ns|s|seconds))?$"
    r"|(Elapsed|Took|Latency|ExecutionTime|QueryTime|ProcessingTime|ResponseTime)(Ms|Us|Ns|S|Seconds)?$",
)
_ELAPSED_TEXT: Final = re.compile(
    r"(?i)\b(time|took|elapsed|duration|latency|in)\b[^\n\d]{0,30}?"
    r"\d+(?:[.,]\d+)?\s*(?:ms|µs|us|ns|s|sec|secs|seconds?|milliseconds?|microseconds?)\b"
)


def json_leaves(value: Any, path: str = "") -> dict[str, Any]:
    """Every scalar of a JSON value by its path (``a.b[0]``); a list also gives its length (``a#len``)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(json_leaves(item, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list):
        out = {}
        for index, item in enumerate(value):
            out.update(json_leaves(item, f"{path}[{index}]"))
        out[f"{path}#len"] = len(value)
        return out
    return {path: value}


def is_timestamp(value: Any) -> bool:
    """Whether a scalar looks like a point in time (ISO date-time, epoch seconds or milliseconds)."""
    return (
        isinstance(value, str | int | float)
        and not isinstance(value, bool)
        and bool(_TIMESTAMP.match(str(value)))
    )


def _now_ish(value: Any) -> bool:
    """Whether a timestamp-like scalar is within a few days of now (a clock reading, not a stored date)."""
    text = str(value)
    try:
        if re.match(r"^\d{13}$", text):
            moment = int(text) / 1000
        elif re.match(r"^\d{10}(\.\d+)?$", text):
            moment = float(text)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            moment = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    except (ValueError, OverflowError):
        return False
    return abs(moment - datetime.now(UTC).timestamp()) <= _NOW_ISH_SECONDS


def _leaf_name(path: str) -> str:
    return re.split(r"[.\[]", path.rsplit(".", 1)[-1])[0] if path else ""


def _timing(name: str, before: Any, after: Any) -> bool:
    """Whether a changed leaf is a measured duration: a number named like one, or texts equal but for it."""
    if isinstance(before, str) and isinstance(after, str):
        masked = _ELAPSED_TEXT.sub("<elapsed>", before)
        return masked != before and masked == _ELAPSED_TEXT.sub("<elapsed>", after)
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (before, after))
    return numbers and bool(_ELAPSED_NAME.search(name))


def bookkeeping_change(path: str, before: Any, after: Any) -> str | None:
    """Whether one changed leaf is bookkeeping, not an effect: "timestamp", "version", "timing", or None.

    A timestamp: both values are timestamp-like and the field is named like a clock (``updated``,
    ``modified``, ``*_at``, ``updatedAt``) or the new value is a reading of now. A version: a field named
    ``version``/``revision``/``rev``/``etag``/``seq`` whose integer grew (or whose etag text changed).
    A timing: a number in a field named like a measured duration (``elapsed``, ``took``,
    ``execution_time_ms``), or two texts that differ only in such a figure (``**Execution Time:** 1.09 ms``,
    ``took 12 ms``): how long the server took, not what it holds.
    """
    name = _leaf_name(path)
    if before is None or after is None or path.endswith("#len"):
        return None
    if _timing(name, before, after):
        return "timing"
    if is_timestamp(before) and is_timestamp(after) and (_CLOCK_NAME.search(name) or _now_ish(after)):
        return "timestamp"
    if _VERSION_NAME.search(name):
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (before, after))
        if ints and after > before:
            return "version"
        if name.lower() == "etag" and isinstance(before, str) and isinstance(after, str):
            return "version"
    return None


def bookkeeping_only(before: Any, after: Any) -> list[str] | None:
    """The changed paths when two JSON values differ only in bookkeeping (timestamps, version counters,
    measured durations).

    None when they are equal or when any change is more than bookkeeping: the one notion of "nothing
    really changed" that every rule comparing two answers (or two observer snapshots) shares.
    """
    if before == after:
        return None
    old, new = json_leaves(before), json_leaves(after)
    changed = sorted(k for k in set(old) | set(new) if old.get(k, _MISSING) != new.get(k, _MISSING))
    if changed and all(bookkeeping_change(k, old.get(k), new.get(k)) for k in changed):
        return changed
    return None


_MISSING: Final = object()


@dataclass(slots=True)
class CallRecord:
    """One tool call a probe made, and what came back.

    purpose (Purpose): why the probe made it (``valid``, ``violation``, ``write-repeat``…).
    field (str | None): for an awkward call, the argument it breaks.
    constraint (str | None): for an awkward call, the constraint it breaks (``required``, ``maxLength``…).
    meta (dict | None): the result's ``_meta``, as the server sent it.
    filled_blocks (int | None): how many of a result's content blocks carry something (a text that is not
        blank, an image, a resource); None when the record was not read off a result (an observer's snapshot).
    """

    tool: str
    arguments: dict[str, Any]
    purpose: Purpose
    outcome: Outcome
    elapsed_ms: float
    field: str | None = None
    constraint: str | None = None
    is_error: bool = False
    text: str = ""
    structured: Any = None
    error_code: int | None = None
    error_message: str = ""
    size_bytes: int = 0
    meta: dict[str, Any] | None = None
    filled_blocks: int | None = None

    def answer_json(self) -> Any:
        """The answer's JSON: structuredContent, else the text when it parses, else None.

        A structuredContent whose only member is a string holding a JSON object or array (FastMCP 1.x
        wraps a tool's answer as ``{"result": "<JSON text>"}``) is unwrapped: that JSON is the answer.
        """
        if self.structured is not None:
            inner = wrapped_json(self.structured)
            return self.structured if inner is None else inner
        return _parse(self.text)

    def evidence(self, note: str | None = None) -> Evidence:
        if self.outcome == "result":
            answer = json.dumps(
                {
                    "isError": self.is_error,
                    "text": truncate(self.text, 400),
                    "structuredContent": truncate(json.dumps(self.structured, ensure_ascii=False), 300)
                    if self.structured is not None
                    else None,
                },
                ensure_ascii=False,
            )
        elif self.outcome == "protocol_error":
            answer = f"JSON-RPC error {self.error_code}: {truncate(self.error_message, 400)}"
        else:
            answer = f"{self.outcome}: {truncate(self.error_message, 400)}"
        return Evidence(
            call={"tool": self.tool, "arguments": _short_arguments(self.arguments)}, answer=answer, note=note
        )


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # a hostile answer may nest past the parser's limit
        return None


def wrapped_json(structured: Any) -> Any:
    """The JSON object or array a structuredContent of one string member holds as text, else None."""
    if isinstance(structured, dict) and len(structured) == 1:
        (only,) = structured.values()
        if isinstance(only, str) and only.lstrip()[:1] in ("{", "["):
            inner = _parse(only)
            if isinstance(inner, dict | list):
                return inner
    return None


VOLATILE: Final = "<volatile>"
_HEX_RUN: Final = re.compile(r"\b[0-9a-f]{6,}(?:-[0-9a-f]{4,})*\b")
"""A hex token of six or more characters with a digit and a letter (a request id, a uuid, a digest)."""
TEXT_NOISE: Final = "#text-hex"
"""The volatile-paths entry of an observer whose plain-text answer differs between two identical calls
only in hex tokens (ids): those tokens are masked in that observer's text."""


def _mask_hex(text: str) -> str:
    """``text`` with each hex token of six or more characters holding a digit and a letter (a request id, a
    uuid, a digest) replaced by ``#``; linear in the text (the digit-and-letter test is per match)."""

    def masked(match: re.Match[str]) -> str:
        token = match.group(0)
        has_digit = any(c.isdigit() for c in token)
        has_letter = any(c in "abcdef" for c in token)
        return "#" if has_digit and has_letter else token

    return _HEX_RUN.sub(masked, text)


def volatile_paths(first: Any, second: Any) -> list[str]:
    """What differs between two answers of the same observer called twice with nothing in between: the
    leaf paths of a JSON answer (a random id, a request counter), or ``TEXT_NOISE`` for a text answer
    that differs only in hex tokens. Lengths never count: a list that changed size is no noise."""
    if isinstance(first, str) and isinstance(second, str):
        if first != second and _mask_hex(first) == _mask_hex(second):
            return [TEXT_NOISE]
        return []
    old, new = json_leaves(first), json_leaves(second)
    if set(old) != set(new):
        return []
    return sorted(k for k in old if not k.endswith("#len") and old[k] != new[k])


def mask_volatile(value: Any, paths: list[str], path: str = "") -> Any:
    """``value`` with the leaves at ``paths`` (``volatile_paths``) replaced by ``VOLATILE``."""
    if not paths:
        return value
    if isinstance(value, str) and TEXT_NOISE in paths and not path:
        return _mask_hex(value)
    if isinstance(value, dict):
        return {k: mask_volatile(v, paths, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_volatile(v, paths, f"{path}[{i}]") for i, v in enumerate(value)]
    return VOLATILE if path in paths else value


def snapshot_answers(snapshot: str | None, noise: dict[str, list[str]] | None = None) -> Any:
    """An observer snapshot (``probes.writes.snapshot``) as comparable JSON: each observer's answer JSON,
    with what the observer changes on every call (its ``volatile`` paths, or ``noise`` given) masked."""
    if snapshot is None:
        return None
    entries = _parse(snapshot)
    if not isinstance(entries, list):
        return snapshot
    out = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            out.append(entry)
            continue
        record = CallRecord(
            str(entry.get("tool")),
            {},
            "observe",
            entry.get("outcome", "result"),
            0.0,
            is_error=bool(entry.get("is_error")),
            text=str(entry.get("text") or ""),
            structured=entry.get("structured"),
        )
        answer = record.answer_json()
        value = record.text if answer is None else answer
        own = entry.get("volatile")
        paths = (noise or {}).get(str(index), own if isinstance(own, list) else [])
        out.append([record.tool, record.outcome, record.is_error, mask_volatile(value, paths)])
    return out


def snapshot_noise(*snapshots: str | None) -> dict[str, list[str]]:
    """The volatile paths the snapshots carry, per observer (by position), merged."""
    merged: dict[str, set[str]] = {}
    for snapshot in snapshots:
        entries = _parse(snapshot) if snapshot is not None else None
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            own = entry.get("volatile") if isinstance(entry, dict) else None
            if isinstance(own, list):
                merged.setdefault(str(index), set()).update(str(p) for p in own)
    return {k: sorted(v) for k, v in merged.items()}


def observers_moved(before: str | None, after: str | None) -> bool:
    """Whether two observer snapshots differ by more than bookkeeping (timestamps, version counters)."""
    if before == after:
        return False
    noise = snapshot_noise(before, after)
    a, b = snapshot_answers(before, noise), snapshot_answers(after, noise)
    return a != b and bookkeeping_only(a, b) is None


@dataclass(frozen=True, slots=True)
class HttpExchange:
    """One raw HTTP request the auth probe made, and the answer's status and headers."""

    label: str
    method: str
    url: str
    sent_headers: dict[str, str]
    status: int | None
    headers: dict[str, str]
    body: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class AuthObservation:
    """What happened when the server was run or called with a bad credential.

    case (str): the case's name (``expired``, ``HELPDESK_API_KEY unset``…).
    connected (bool): whether the handshake succeeded; a refused start is a loud refusal.
    record (CallRecord | None): the call of a read-only tool made that way, if one was made.
    listed (int | None): how many tools ``tools/list`` gave that way (None: not listed, or it failed).
    listing_error (str | None): the JSON-RPC error ``tools/list`` answered, a loud refusal.
    explicit (bool): the user named this credential (``--auth-env``, ``[auth.cases]``); false for a
        variable picked by its name alone, which may hold something else (a cursor-signing secret).
    baseline (CallRecord | None): the same call made with the good credential, for comparison.
    """

    case: str
    connected: bool
    connect_error: str | None
    record: CallRecord | None
    listed: int | None = None
    listing_error: str | None = None
    explicit: bool = True
    baseline: CallRecord | None = None


EscapeKind = Literal[
    "create-table",
    "commit-create-table",
    "attach",
    "commit-attach",
    "copy-to",
    "commit-copy-to",
    "select-copy-to",
    "read-attached",
    "read-file",
    "path-absolute",
    "path-traversal",
    "path-write-absolute",
    "path-write-traversal",
    "name-traversal",
    "name-resolved",
]


@dataclass(frozen=True, slots=True)
class EscapeObservation:
    """One attempt to make a tool write or read beyond its scope: a readOnlyHint query tool (only with
    --allow-writes), or a tool with a path parameter given a planted file (``probes.paths``).

    kind (EscapeKind): what was tried: a table created (after ``COMMIT;`` or not), another database
        attached, ``COPY … TO`` a file, or a file the checker planted read back (through SQL, or by
        its path through a path parameter: ``path-absolute``, ``path-traversal`` by ``../``), or a new file
        the checker named in its temp folder, given to a write's output path parameter (``path-write-absolute``,
        ``path-write-traversal``: ``file_appeared`` says whether the tool wrote it), or a name
        with ``../`` given to a write (``name-traversal``: planted is where it landed outside the folder the
        plain control name landed in, roots that folder; ``probes.names``), or that name's round trip ``../F/<name>``
        given to a tool that reads or deletes by name (``name-resolved``: ``file_appeared`` says whether the name
        was resolved as a path; planted is the control file, roots its folder F).
    marker (str): the unique table name, or the secret planted in the checker's own temp folder
        (for a folder parameter, the planted file's name).
    before, after (list[CallRecord]): the same verification queries, made before and after the attempt.
    file_appeared (bool | None): for an attempt aimed at a file in the checker's temp folder, whether it exists after.
    planted (str | None): for a path attempt, the planted file's (or folder's) path.
    roots (tuple[str, ...]): for a path attempt, the absolute paths the server was started with (its
        command's arguments and environment): the scope it was given, as far as it shows.
    relative_sample (bool): for a path attempt, the sample path was relative: the server resolves paths
        against a root of its own.
    """

    tool: str
    parameter: str
    kind: EscapeKind
    marker: str
    attempt: list[CallRecord]
    before: list[CallRecord] = field(default_factory=list)
    after: list[CallRecord] = field(default_factory=list)
    file_appeared: bool | None = None
    planted: str | None = None
    roots: tuple[str, ...] = ()
    relative_sample: bool = False


@dataclass(frozen=True, slots=True)
class RepairAttempt:
    """A rejected awkward call, what the repairer read in its error, and the calls it made to fix it.

    named (frozenset[str]): the arguments the error points at (typed error or text).
    stated (frozenset[str]): those for which the error says what to send instead (or to drop or add).
    fixes (tuple[str, ...]): what the repairer changed, in words; empty when the error gave nothing to act on.
    calls (tuple[CallRecord, ...]): the repaired calls, in order (at most two rounds).
    """

    rejected: CallRecord
    named: frozenset[str]
    stated: frozenset[str]
    fixes: tuple[str, ...]
    calls: tuple[CallRecord, ...]


@dataclass(frozen=True, slots=True)
class RepairRate:
    """How many of one tool's rejected awkward calls were fixed from the error alone."""

    tool: str
    rejections: int
    repaired: int

    @property
    def rate(self) -> float | None:
        return self.repaired / self.rejections if self.rejections else None


SKIP_MALFORMED: Final = "its inputSchema is malformed, so no arguments can be generated from it"
"""How ``Observations.skipped`` starts for a tool not called because its schema is broken (not for want of --allow-writes)."""


_STDOUT_LINES: Final = 5
"""Stray stdout lines a report quotes at most."""


@dataclass(slots=True)
class Observations:
    """Everything the probes saw, handed to the rules."""

    tools: list[ToolInfo] = field(default_factory=list)
    listings: list[list[str]] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    snapshots: dict[str, dict[str, str | None]] = field(default_factory=dict)
    http: list[HttpExchange] = field(default_factory=list)
    auth_cases: list[AuthObservation] = field(default_factory=list)
    listing_error: str | None = None
    escapes: list[EscapeObservation] = field(default_factory=list)
    survived_hang: dict[str, bool] = field(default_factory=dict)
    """For each tool whose endless query got no answer: whether that session still answered ``tools/list``."""
    unknown_tool: CallRecord | None = None
    """The call of a tool the server does not list (kept apart from ``calls``: it belongs to no tool)."""
    credentials_given: bool = False
    """The check was given an ``Authorization`` header (so an unauthenticated answer is worth comparing)."""
    repairs: list[RepairAttempt] = field(default_factory=list)
    restart: RestartObservation | None = None
    """The observers before and after the writes, and on a fresh instance (``probes.restart``)."""
    failures: list[ProbeFailure] = field(default_factory=list)
    """The probes and rules that failed inside the checker (each isolated: the check goes on without it)."""
    stdout_faults: list[str] = field(default_factory=list)
    """A few of the lines a stdio server wrote to stdout that are no JSON-RPC message."""
    stdout_fault_count: int = 0
    """How many such lines one session read at most (every session of a check starts its own server)."""

    def add_stdout_faults(self, count: int, lines: list[str]) -> None:
        """What one server instance wrote to stdout that is no message: its count (the most any instance
        wrote is kept) and a few of its lines (each once)."""
        self.stdout_fault_count = max(self.stdout_fault_count, count)
        self.stdout_faults = list(dict.fromkeys([*self.stdout_faults, *(line[:200] for line in lines)]))[
            :_STDOUT_LINES
        ]

    def calls_for(self, tool: str, purpose: Purpose | None = None) -> list[CallRecord]:
        return [c for c in self.calls if c.tool == tool and (purpose is None or c.purpose == purpose)]


@dataclass(frozen=True, slots=True)
class Evidence:
    """What reproduces a finding: the exact call sent, and the answer (truncated)."""

    call: dict[str, Any] | None = None
    answer: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict about one tool (or the server)."""

    rule: str
    category: Category
    severity: Severity
    tool: str | None
    message: str
    evidence: Evidence = field(default_factory=Evidence)


@dataclass(frozen=True, slots=True)
class ServerSummary:
    name: str | None
    version: str | None
    transport: str
    protocol_version: str | None


@dataclass(frozen=True, slots=True)
class ToolSummary:
    name: str
    read_only: bool
    calls: int
    p50_ms: float | None
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class CategoryCoverage:
    """Whether a category was exercised, on what, and what would test the rest.

    tested (bool): something the category judges was exercised; if not, its score is None ("not tested").
    exercised (str): what was exercised, or why nothing was (one sentence).
    tools (int): how many tools the category exercised (the denominator of the score's breadth).
    to_test_the_rest (str | None): what would exercise what was not, in words.
    command (str | None): the ``wireproof check`` line that would (credentials as ``NAME=...``
        placeholders); None when nothing is left, or no command line reaches the server.
    """

    tested: bool
    exercised: str
    tools: int = 0
    to_test_the_rest: str | None = None
    command: str | None = None


@dataclass(frozen=True, slots=True)
class RestartObservation:
    """The observers before the writes, after them, and on a fresh instance of the server (``probes.restart``).

    first, last, fresh (str | None): ``snapshot`` strings; ``fresh`` is None when the second instance
    could not be started or read (``error`` says why).
    """

    first: str | None
    last: str | None
    fresh: str | None
    error: str | None = None


ProbeName = Literal[
    "inputs",
    "largest table",
    "read-only effect",
    "read-only escapes",
    "path confinement",
    "writes",
    "poison",
    "name traversal",
    "growth",
    "restart",
    "HTTP auth",
    "auth cases",
    "stdout",
]
"""The parts of a check ``runner.isolated`` runs one by one (a rule's failure is named ``rule <id>``)."""


@dataclass(frozen=True, slots=True)
class ProbeFailure:
    """A part of the check that failed inside the checker itself, so what it would have judged was not tested.

    probe (str): what failed: a probe (``inputs``, ``writes``, ``auth cases``...) or a rule (``rule errors.leak``).
    tool (str | None): the tool it was probing, or None for one about the whole server.
    error (str): the exception, as ``Type: message`` (cut to 300 characters).
    """

    probe: str
    tool: str | None
    error: str


def _untested() -> dict[Category, CategoryCoverage]:
    return {c: CategoryCoverage(False, "not exercised") for c in CATEGORIES}


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the check exercised: tools listed, called and skipped (and why), writes, auth, per category.

    tools_checked (int): the tools judged: all listed, or those named with ``--tool``.
    writes (Writes): ``exercised`` (a write called twice), ``not exercised`` (no ``--allow-writes``),
        ``failed`` (no write's first call succeeded) or ``no write tools``.
    auth_http (bool): the raw HTTP requests without and with a garbage credential were answered.
    auth_cases (list[str]): the bad-credential cases run (environment variables unset or garbage over
        stdio, ``[auth.cases]``).
    command (str | None): one ``wireproof check`` line that would test the rest of every category
        (what their ``command`` lines add, together); None when nothing is left.
    failures (list[ProbeFailure]): the probes and rules that failed inside the checker; what each would
        have judged was not tested (the rest of the report stands; ``wireproof check`` exits 2).
    """

    tools_listed: int = 0
    tools_checked: int = 0
    tools_called: list[str] = field(default_factory=list)
    tools_skipped: dict[str, str] = field(default_factory=dict)
    writes: Writes = "not exercised"
    auth_http: bool = False
    auth_cases: list[str] = field(default_factory=list)
    categories: dict[Category, CategoryCoverage] = field(default_factory=_untested)
    command: str | None = None
    failures: list[ProbeFailure] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "tools": {
                "listed": self.tools_listed,
                "checked": self.tools_checked,
                "called": list(self.tools_called),
                "skipped": dict(self.tools_skipped),
            },
            "writes": self.writes,
            "auth": {"http": self.auth_http, "cases": list(self.auth_cases)},
            "categories": {c: asdict(v) for c, v in self.categories.items()},
            "command": self.command,
            "failures": [asdict(f) for f in self.failures],
        }


@dataclass(frozen=True, slots=True)
class Report:
    """The checker's result: the stable JSON contract is ``to_json``'s output (see docs/report-schema.json)."""

    wireproof_version: str
    server: ServerSummary
    tools: list[ToolSummary]
    findings: list[Finding]
    scores: dict[str, int | None]
    """0 to 100 per category; None for a category not tested (see ``coverage``), never 100 by default."""
    duration_s: float
    coverage: Coverage = field(default_factory=Coverage)
    repair: list[RepairRate] = field(default_factory=list)
    listed: list[ToolInfo] = field(default_factory=list)
    """Every tool as ``tools/list`` gave it (before ``--tool``), for the lock and the baseline; not in the JSON."""

    @property
    def repair_overall(self) -> RepairRate:
        """The repair rate over every tool (``tool`` is ``"*"``)."""
        return RepairRate("*", sum(r.rejections for r in self.repair), sum(r.repaired for r in self.repair))

    def to_json(self) -> dict[str, Any]:
        def rate(r: RepairRate) -> dict[str, Any]:
            return {
                "rejections": r.rejections,
                "repaired": r.repaired,
                "rate": None if r.rate is None else round(r.rate, 4),
            }

        return {
            "wireproof_version": self.wireproof_version,
            "server": asdict(self.server),
            "tools": [asdict(t) for t in self.tools],
            "findings": [asdict(f) for f in self.findings],
            "scores": dict(self.scores),
            "coverage": self.coverage.to_json(),
            "duration_s": round(self.duration_s, 3),
            "repair": {
                "overall": rate(self.repair_overall),
                "tools": [{"tool": r.tool, **rate(r)} for r in self.repair],
            },
        }

    def count(self, at_least: Severity) -> int:
        floor = SEVERITIES.index(at_least)
        return sum(1 for f in self.findings if SEVERITIES.index(f.severity) >= floor)
