"""The repairer: can an agent fix a rejected call from the error alone?

Deterministic, and it reads only what an agent would read in the answer: the error's text
(and a JSON-RPC error's message), and a typed error in ``_meta`` or ``structuredContent``.
From the tool's schema it knows no more than the parameter names and one valid sample per
parameter, used only to *add* a missing field the error names. Everything else — which field
is at fault, the value to send instead — must come from the error::

    rejected call ──read_error──▶ ErrorReading ──propose──▶ Proposal (arguments, fixes)
                                                              │
                           probes/inputs.py calls again ◀─────┘  (at most two rounds)
                                                              │
    repair_rates(observations) ◀── RepairAttempt (recorded) ◀─┘

A call counts as repaired when a repaired call succeeds, fails exactly as the tool's valid
sample fails, or is refused only because what it names does not exist (an id at the bound the
error gave): in each case the input problem is gone. A rejection that is the very failure of the
valid sample (the placeholder refused again) is not about the input and is not counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from wireproof.check.generate import from_regex
from wireproof.check.model import CallRecord, Observations, RepairAttempt, RepairRate

__all__ = [
    "MAX_ROUNDS",
    "ErrorReading",
    "Proposal",
    "about_the_input",
    "attempts_by_call",
    "baselines",
    "fresh_key",
    "fresh_targets",
    "is_rejection",
    "lookup_miss",
    "names_field",
    "propose",
    "read_error",
    "repair_rates",
    "repaired",
    "same_failure",
    "states_expected",
]

MAX_ROUNDS: Final = 2
"""Repaired calls per rejection: the fix the first error teaches, and one more if the next error teaches again."""
_FIELD_KEYS: Final = ("field", "name", "param", "parameter", "argument", "path", "loc", "property", "key")
_DATE: Final = re.compile(r"\b(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?\b")
_ONE_OF: Final = re.compile(
    r"(?:one of|allowed values?(?: are| is)?|valid values?(?: are| is)?|accepted values?(?: are| is)?|"
    r"possible values?(?: are| is)?|must be either|expected either|choose from|options are)\s*:?\s*"
    r"(\[[^\]]*\]|\([^)]*\)|[^.;\n]+)",
    re.IGNORECASE,
)
_EXAMPLE: Final = re.compile(
    r"(?:(?:e\.g\.,?|for example,?|such as|for instance,?|example:)\s*(\"[^\"]+\"|'[^']+'|`[^`]+`|[^\s,;)]+))"
    r"|(?:\blike\s+(\"[^\"]+\"|'[^']+'|`[^`]+`))",
    re.IGNORECASE,
)
_PATTERN: Final = re.compile(
    r"(?:matching|match(?:es)?|pattern:?|regex:?|regular expression:?)\s+(?:the pattern\s+)?"
    r"(\"[^\"]+\"|'[^']+'|`[^`]+`|/[^/\s]+/|\^\S+)",
    re.IGNORECASE,
)
_NUMBER: Final = r"(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
_RANGE: Final = re.compile(rf"(?:from|between|of)\s+{_NUMBER}\s+(?:to|and|-)\s+{_NUMBER}", re.IGNORECASE)
_AT_MOST: Final = re.compile(
    rf"(?:at most|no more than|not more than|up to|maximum(?: is| of)?:?|max(?:imum)?\s*[=:]?|<=|≤|max_?(?:length|items|len)\s*[:=]?|"
    rf"less than or equal to|not exceed|must not exceed|cannot exceed)\s*{_NUMBER}",
    re.IGNORECASE,
)
_AT_LEAST: Final = re.compile(
    rf"(?:at least|no less than|not less than|minimum(?: is| of)?:?|min(?:imum)?\s*[=:]?|>=|≥|min_?(?:length|items|len)\s*[:=]?|"
    rf"greater than or equal to)\s*{_NUMBER}",
    re.IGNORECASE,
)
_BELOW: Final = re.compile(rf"(?:less than|\bbelow|\bunder|<)\s*{_NUMBER}", re.IGNORECASE)
_ABOVE: Final = re.compile(rf"(?:greater than|more than|\babove|\bover|>)\s*{_NUMBER}", re.IGNORECASE)
_LENGTH_WORDS: Final = re.compile(r"characters?|chars?\b|length|long\b|short\b|bytes?\b", re.IGNORECASE)
_ITEM_WORDS: Final = re.compile(r"\bitems?\b|\belements?\b|\bentries\b|\bvalues\b", re.IGNORECASE)
_FORMATS: Final = (
    (
        re.compile(r"YYYY-MM-DDTHH|date-?time|RFC ?3339|ISO ?8601 (date-?time|timestamp)", re.IGNORECASE),
        "2026-01-15T12:00:00Z",
    ),
    (re.compile(r"YYYY-Www|ISO week", re.IGNORECASE), "2026-W03"),
    (re.compile(r"YYYY-MM-DD|\ba date\b|ISO ?8601", re.IGNORECASE), "2026-01-15"),
    (re.compile(r"e-?mail", re.IGNORECASE), "someone@example.com"),
    (re.compile(r"\bURI\b|\bURL\b", re.IGNORECASE), "https://example.com/"),
    (re.compile(r"\bUUID\b", re.IGNORECASE), "00000000-0000-4000-8000-000000000000"),
)
_TYPES: Final = (
    ("boolean", re.compile(r"\bboolean\b|\btrue or false\b", re.IGNORECASE)),
    ("integer", re.compile(r"\binteger\b|\bwhole number\b|\bint\b|\bint(32|64)\b", re.IGNORECASE)),
    ("number", re.compile(r"\bnumber\b|\bnumeric\b|\bfloat\b|\bdecimal\b", re.IGNORECASE)),
    ("string", re.compile(r"\bstring\b", re.IGNORECASE)),
    ("array", re.compile(r"\blist\b|\barray\b", re.IGNORECASE)),
    ("object", re.compile(r"\ban object\b|\bobject\b|\bdict(ionary)?\b|\bmapping\b", re.IGNORECASE)),
)
_LOOKUP_MISS: Final = re.compile(
    r"not[ _]found|\bno \w+( \w+)? (has|have|with|matches|was found|were found|exists?)\b|does not exist|"
    r"doesn't exist|\bno such\b|\bunknown \w+ id\b",
    re.IGNORECASE,
)
_ECHO_CHARS: Final = 2
_ECHO_PREFIX: Final = 24
"""An argument echoed in an error is recognised by its first characters (long ones are cut when echoed)."""
_VOLATILE: Final = re.compile(r"\b[0-9a-f]{6,}\b|\d+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ErrorReading:
    """What an agent can read in a rejection: its text, and the field errors of a typed error.

    text (str): the answer's text blocks and a JSON-RPC error's message.
    typed (tuple[dict[str, Any], ...]): each field error found in ``_meta`` or ``structuredContent``.
    """

    text: str
    typed: tuple[dict[str, Any], ...] = ()


@dataclass(slots=True)
class Proposal:
    """The repairer's answer: the call to make instead, and what it learned from the error."""

    arguments: dict[str, Any]
    named: set[str] = field(default_factory=set)
    stated: set[str] = field(default_factory=set)
    fixes: list[str] = field(default_factory=list)


def is_rejection(record: CallRecord) -> bool:
    """A call the server refused in a way an agent can read: an isError result or a JSON-RPC error."""
    return (record.outcome == "result" and record.is_error) or record.outcome == "protocol_error"


def _field_errors(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Dicts that look like field errors (they name a field), anywhere in a typed error."""
    if depth > 6:
        return
    if isinstance(value, dict):
        if any(isinstance(value.get(k), str | list) for k in _FIELD_KEYS) and depth > 0:
            yield value
        for member in value.values():
            yield from _field_errors(member, depth + 1)
    elif isinstance(value, list):
        for member in value:
            yield from _field_errors(member, depth + 1)


def read_error(record: CallRecord) -> ErrorReading:
    """The parts of ``record``'s answer the repairer may read."""
    text = "\n".join(part for part in (record.text, record.error_message) if part)
    typed: list[dict[str, Any]] = []
    for source in (record.meta, record.structured):
        if isinstance(source, dict):
            typed += [e for e in _field_errors(source) if e not in typed]
    return ErrorReading(text, tuple(typed))


def _typed_field(entry: Mapping[str, Any]) -> str | None:
    for key in _FIELD_KEYS:
        value = entry.get(key)
        if isinstance(value, list) and value:
            value = next(
                (v for v in value if isinstance(v, str) and v not in ("body", "query", "args")), None
            )
        if isinstance(value, str) and value:
            return re.split(r"[.\[/]", value.lstrip("/$."), maxsplit=1)[0] or None
    return None


_HEAD_CHARS: Final = 120
_ALTERNATIVES: Final = re.compile(
    r"^\W*(allowed|only|valid|accepted|expected|known|available|did you mean|use|parameters|arguments|fields)\b",
    re.IGNORECASE,
)


def _name_pattern(name: str) -> re.Pattern[str]:
    """``name`` as a whole word, or its words as prose: ``table_name`` and ``tableName`` also match "Table name"."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    words = [w for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]
    prose = r"[\s_-]?".join(re.escape(w) for w in words) if len(words) > 1 else None
    exact = rf"(?<![\w-]){re.escape(name)}(?![\w-])"
    if prose is None:
        return re.compile(exact)
    return re.compile(rf"{exact}|(?<![\w-])(?i:{prose})(?![\w-])")


def _mentioned(piece: str, names: list[str]) -> list[str]:
    """The parameters ``piece`` is about: every one named before a leading colon ("- a, b: ..."),
    else the one it names first (as a whole word)."""
    found: list[tuple[int, str]] = []
    for name in names:
        match = _name_pattern(name).search(piece)
        if match is not None:
            found.append((match.start(), name))
    found.sort()
    colon = piece.find(":")
    if 0 <= colon <= _HEAD_CHARS:
        head = [name for start, name in found if start < colon]
        if head:
            return head
    return [found[0][1]] if found else []


def _subjects(text: str, names: list[str]) -> dict[str, str]:
    """The words ``text`` says about each parameter it is about.

    The text is cut into lines and sentences; a piece is about the parameter it names first, and
    a piece that names none (or only lists alternatives: "allowed: a, b") goes on about the
    parameter before it. So "end_date must be on or after start_date" is about end_date alone.
    """
    found: dict[str, str] = {}
    subject: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            subject = []  # a blank line ends what was said about a parameter
        for piece in re.split(r"(?<=[.;])\s+", line):
            named = _mentioned(piece, names)
            if named and not (subject and _ALTERNATIVES.search(piece)):
                subject = named
            for name in subject if piece.strip() else []:
                found[name] = f"{found.get(name, '')} {piece}"
    return found


_FOR_TOOL: Final = re.compile(r"\b(for|of|in) tool [\w.-]+", re.IGNORECASE)
"""'Invalid arguments for tool color': the tool's name, which may also be a parameter's, names no argument."""
_TRAILING_PATH: Final = re.compile(
    r"(?P<message>[^;\n]*?\S)\s+at\s+(?P<root>[A-Za-z_$][\w$]*)(?:\.[\w$]+|\[[^\]\n]*\])*\s*(?=;|\n|$)"
)
"""zod 4's issue: the message, then ``at`` and the path ('Invalid option: expected one of "a"|"b" at action')."""


def _issues_first(text: str) -> str:
    """``text`` with each issue that ends in ``at PATH`` (zod 4) said about its field first (``action: …``),
    and without the tool's own name, so each issue is read as about the argument it names."""
    text = _FOR_TOOL.sub(r"\1 the tool", text)
    return _TRAILING_PATH.sub(lambda m: f"\n{m['root']}: {m['message']}", text)


def _typed_words(entry: Mapping[str, Any]) -> str:
    return " ".join(
        f"{k}: {v}." if isinstance(v, str) else f"{k}: {json.dumps(v, ensure_ascii=False, default=str)}."
        for k, v in entry.items()
        if k != "received"  # what was passed is no statement of what is expected
    )


def _segments(
    reading: ErrorReading, arguments: Mapping[str, Any], parameters: Mapping[str, Any]
) -> dict[str, tuple[str, list[Any] | None]]:
    """For each argument the error points at: the words it says about it, and a typed list of allowed values."""
    found: dict[str, tuple[str, list[Any] | None]] = {}
    for entry in reading.typed:
        name = _typed_field(entry)
        if name is not None and (name in parameters or name in arguments):
            words, allowed = found.get(name, ("", None))
            expected = entry.get("expected", entry.get("allowed", entry.get("enum")))
            if isinstance(expected, list) and expected:
                allowed = expected
            found[name] = (f"{words} {_typed_words(entry)}", allowed)
    names = sorted(set(parameters) | set(arguments), key=len, reverse=True)
    for name, said in _subjects(_issues_first(reading.text), names).items():
        words, allowed = found.get(name, ("", None))
        found[name] = (f"{words} {said}", allowed)
    return found


def fresh_key(arguments: Mapping[str, Any], key: str) -> str:
    """An idempotency key for a repaired call, derived from its other arguments.

    A rejected call never claimed its key; a repaired call is a new call, and giving it the
    key of another repaired call with other arguments would be a (correct) conflict.
    """
    rest = {k: v for k, v in arguments.items() if k != key}
    digest = hashlib.sha256(json.dumps(rest, sort_keys=True, default=str).encode()).hexdigest()[:24]
    return f"wireproof-repair-{digest}"


_CREATE_VERBS: Final = frozenset({"create", "new", "copy", "make", "clone", "duplicate", "init", "upload"})
"""Verbs of create-once tools: a second call with the same target is refused "already exists"."""
_TARGET_HEADS: Final = frozenset({"dest", "destination", "target", "new", "to", "output", "out"})
_TARGET_NOUNS: Final = frozenset(
    {"name", "title", "label", "path", "file", "filename", "filepath", "dir", "directory", "folder"}
)
_KEEP_WORDS: Final = frozenset({"source", "src", "from", "old", "current", "existing", "template", "parent"})


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def _created_fields(tool: str, parameters: Collection[str]) -> set[str]:
    """The fields naming what a create-once tool creates: its ``destination``/``new_name``/``output_path``
    fields; without such, a creating tool's one name or path field (``create_file``'s ``path``); else
    none (a ``file`` beside a ``name`` may be the container the item is created in)."""
    if not set(_words(tool)) & _CREATE_VERBS:
        return set()
    heads = {
        p
        for p in parameters
        if (w := _words(p)) and w[0] in _TARGET_HEADS and (len(w) == 1 or set(w[1:]) & _TARGET_NOUNS)
    }
    if heads:
        return heads
    if set(_words(tool)) & {"copy", "clone", "duplicate"}:
        return set()  # a copy without a destination field copies inside its container (a file, a sheet)
    nouns = [p for p in parameters if (w := _words(p)) and set(w) & _TARGET_NOUNS and w[0] not in _KEEP_WORDS]
    paths = [p for p in nouns if set(_words(p)) & (_TARGET_NOUNS - {"name", "title", "label"})]
    if len(paths) == 1:
        return set(paths)  # create_workbook_file(file, sheet_name): the file is what it creates
    return set(nouns) if len(nouns) == 1 else set()


def fresh_targets(
    tool: str,
    arguments: Mapping[str, Any],
    created: Collection[tuple[str, str]],
    parameters: Collection[str],
) -> dict[str, Any]:
    """``arguments`` with the name or path a create-once tool creates made unique, when an earlier
    successful call of it already created that value (``created``: their (argument, value) pairs).

    The repairer fills a missing argument from the tool's sample, or from the error's example; for a
    create-once tool (``create_file``, ``copy_workbook``) that value then names what the checker's own
    first write created, and the repaired call is refused "already exists", rightly: that refusal is
    about the checker, not the error it repaired.
    """
    out = dict(arguments)
    for name in _created_fields(tool, parameters):
        value = arguments.get(name)
        if not isinstance(value, str) or not value or (name, value) not in created:
            continue
        digest = uuid.uuid4().hex[:8]  # unique: two repairs of one tool may propose the same arguments
        head, dot, suffix = value.rpartition(".")
        slash = value.rfind("/")
        if dot and suffix and "/" not in suffix and len(suffix) <= 5 and len(head) > slash + 1:
            out[name] = f"{head}-wpr{digest}.{suffix}"
        else:
            out[name] = f"{value}-wpr{digest}"
    return out


def propose(arguments: Mapping[str, Any], reading: ErrorReading, parameters: Mapping[str, Any]) -> Proposal:
    """A repaired call for ``arguments``, from what ``reading`` says.

    ``parameters`` maps each parameter name of the tool to a valid sample: the names tell the
    repairer what words to look for, the samples fill a missing field the error names. A value
    for a wrong field comes only from the error (an allowed value, a bound, a format, a type).
    A member of an object parameter (``filter.status``) is repaired the same way, one level down.
    """
    proposal = Proposal(dict(arguments))
    for name, (words, allowed) in _segments(reading, arguments, parameters).items():
        proposal.named.add(name)
        nested = _nested_fix(name, arguments.get(name), reading, parameters.get(name))
        if name in arguments and name not in parameters:  # no parameter: an error naming it says drop it
            del proposal.arguments[name]
            proposal.fixes.append(f"removed the argument {name}")
        elif name not in arguments and name in parameters:
            # Named but not sent: whether the error says "required" or only what it wants, supply it.
            proposal.arguments[name] = parameters[name]
            proposal.fixes.append(f"added the missing argument {name}")
        elif nested is not None:
            proposal.arguments[name] = nested.arguments
            proposal.fixes += [f"in {name}: {f}" for f in nested.fixes]
        elif name in arguments:
            value = _expected_value(arguments[name], words, allowed, parameters.get(name, _NOTHING))
            if value is _NOTHING or value == arguments[name]:
                continue
            proposal.arguments[name] = value
            proposal.fixes.append(f"set {name} to {_short(value)}")
        else:
            continue
        proposal.stated.add(name)
    return proposal


def _nested_fix(name: str, received: Any, reading: ErrorReading, sample: Any) -> Proposal | None:
    """The repair of an object argument whose members the error names as ``name.member``, or None."""
    if not isinstance(received, dict) or not isinstance(sample, dict):
        return None
    prefix = re.compile(rf"(?<![\w-]){re.escape(name)}(?:\.|\[[\"']?)(?=\w)")
    if not prefix.search(reading.text) and not any(
        isinstance(e.get("path"), list) and len(e["path"]) > 1 and e["path"][0] == name for e in reading.typed
    ):
        return None
    inner = ErrorReading(
        prefix.sub("", reading.text),
        tuple(
            {**e, "path": e["path"][1:]} if isinstance(e.get("path"), list) and e["path"][:1] == [name] else e
            for e in reading.typed
        ),
    )
    fixed = propose(received, inner, sample)
    return fixed if fixed.fixes else None


class _Nothing:
    """The repairer found no value in the words (``None`` is a value an error may ask for)."""


_NOTHING: Final = _Nothing()


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else f"{text[:40]}… ({len(text):,} characters)"


def _expected_value(received: Any, words: str, allowed: list[Any] | None = None, sample: Any = None) -> Any:
    """A value the words say would be accepted instead of ``received``; ``_NOTHING`` if they say none."""
    value = _stated_value(received, words, allowed, sample)
    listed = re.search(r"\b(list|array) of\b", words, re.IGNORECASE) is not None
    if listed and value is not _NOTHING and not isinstance(value, list):
        return [value]
    return value


def _stated_value(received: Any, words: str, allowed: list[Any] | None, sample: Any) -> Any:  # noqa: PLR0911 - one answer per kind of statement
    if allowed:
        return next((v for v in allowed if v != received), allowed[0])
    choice = _one_of(words, received)
    if choice is _NOTHING:
        choice = _quoted_alternatives(_expectation(words), received)
    if choice is not _NOTHING:
        return choice
    date = _stated_date(words, received)
    if date is not None:
        return date
    pattern = _PATTERN.search(words)
    if pattern is not None:
        regex = pattern.group(1).strip("\"'`")
        if regex.startswith("/") and regex.endswith("/") and len(regex) > 1:
            regex = regex[1:-1]
        sample = from_regex(regex)
        if sample is not None:
            return sample
    for format_words, example in _FORMATS:
        if format_words.search(words):
            return example
    example_match = _EXAMPLE.search(words)
    if example_match is not None:
        example = example_match.group(1) or example_match.group(2)
        if example.lower() not in ("a", "an", "the"):
            return _literal(example)
    return _typed_and_bounded(received, words, sample)


def _literal(text: str) -> Any:
    text = text.strip().strip("\"'`").rstrip(".,;:")
    try:
        return json.loads(text) if re.fullmatch(r"-?\d+(\.\d+)?|true|false", text) else text
    except ValueError:
        return text


def _one_of(words: str, received: Any) -> Any:
    for match in _ONE_OF.finditer(words):
        listed = match.group(1).strip().strip("[]()")
        items = [_literal(i) for i in re.split(r",\s*|\s+or\s+|\s*\|\s*", listed) if i.strip()]
        items = [i for i in items if i != "" and not (isinstance(i, str) and " " in i.strip())]
        if items:
            return next((i for i in items if i != received), items[0])
    return _NOTHING


_ALTERNATIVE: Final = re.compile(r"([\"'`])([^\"'`]+)\1")


def _quoted_alternatives(expectation: str, received: Any) -> Any:
    """The first of two or more quoted values the expectation lists (zod: ``Expected 'name' | 'size'``)."""
    listed = re.search(r"([\"'`])[^\"'`]+\1(?:\s*(?:\||,|or)\s*([\"'`])[^\"'`]+\2)+", expectation)
    if listed is None:
        return _NOTHING
    items = [m.group(2) for m in _ALTERNATIVE.finditer(listed.group(0))]
    return next((i for i in items if i != received), items[0])


def _stated_date(words: str, received: Any) -> str | None:
    """A date the words give as a bound (``on or after 2026-05-10``), shifted a day if the bound is strict."""
    if not isinstance(received, str):
        return None
    for match in _DATE.finditer(words):
        if match.group(0) == received or received.startswith(match.group(0)):
            continue
        value = match.group(0)
        before = words[max(0, match.start() - 20) : match.start()].lower()
        strict = re.search(r"(?<!or )(after|later than|before|earlier than)\s*\(?$", before)
        if strict is not None and "on or" not in before:
            day = dt.date.fromisoformat(match.group(1))
            day += dt.timedelta(days=1 if strict.group(1) in ("after", "later than") else -1)
            value = day.isoformat() + (match.group(2) or "")
        if "T" in received and match.group(2) is None:
            value += received[received.index("T") :]
        return value
    return None


_EXPECTATION: Final = re.compile(
    r"\b(?:expected|expecting|expects|must be|should be|needs to be|has to be|requires?|accepts?)\b:?"
    r"(.*?)(?=\.\s|\.$|;|\n|$)",
    re.IGNORECASE,
)


_RECEIVED: Final = re.compile(r"\b(?:received|got|you passed|but (?:was|is)|instead)\b", re.IGNORECASE)


def _expectation(words: str) -> str:
    """The words after "expected" or "must be": what the error asks for, not what it got."""
    stated = " ".join(_RECEIVED.split(m.group(1), maxsplit=1)[0] for m in _EXPECTATION.finditer(words))
    return stated if stated.strip() else words


def _typed_and_bounded(received: Any, words: str, sample: Any) -> Any:
    """A value of the type the words name, then brought within the bounds they state.

    The tool's own sample when it is of that type (an agent told "expected a string" sends a
    sensible string, not ``"12345"``), else ``received`` converted.
    """
    expectation = _expectation(words)
    said = [(m.start(), k) for k, pattern in _TYPES if (m := pattern.search(expectation)) is not None]
    kind = min(said)[1] if said else None  # the type named first: "a string, or a number" asks for a string
    if kind is not None and _is_of_type(sample, kind) and not _is_of_type(received, kind):
        value = sample
    else:
        value = _converted(received, kind) if kind is not None else received
    bounded = _bounded(value, words)
    if bounded is _NOTHING:
        return value if kind is not None else _NOTHING
    return bounded


def _is_of_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    expected = {"boolean": bool, "string": str, "array": list, "object": dict}.get(kind)
    return expected is not None and isinstance(value, expected)


def _converted(received: Any, kind: str) -> Any:  # noqa: PLR0911 - one conversion per JSON type
    if kind == "boolean":
        return received if isinstance(received, bool) else str(received).lower() in ("1", "true", "yes")
    if kind in ("integer", "number"):
        if isinstance(received, bool) or not isinstance(received, int | float | str):
            return 1
        try:
            number = float(received)
        except ValueError:
            return 1
        return int(number) if kind == "integer" or number.is_integer() else number
    if kind == "string":
        return received if isinstance(received, str) else json.dumps(received) if received else "example"
    if kind == "array":
        return received if isinstance(received, list) else [received]
    return received if isinstance(received, dict) else {}


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _stated_bounds(words: str, value: Any) -> tuple[float | None, float | None]:
    """The lowest and highest value (or length) the words allow, each None if they state none."""
    step = 1 if isinstance(value, int | str | list) else 0.001
    low: float | None = None
    high: float | None = None
    if (found := _RANGE.search(words)) is not None:
        low, high = _number(found.group(1)), _number(found.group(2))
    if (found := _AT_MOST.search(words)) is not None:
        high = _number(found.group(1))
    elif (found := _BELOW.search(words)) is not None:
        high = _number(found.group(1)) - step
    if (found := _AT_LEAST.search(words)) is not None:
        low = _number(found.group(1))
    elif (found := _ABOVE.search(words)) is not None:
        low = _number(found.group(1)) + step
    if low is None and re.search(r"\bpositive\b", words, re.IGNORECASE):
        low = 1
    if low is None and re.search(r"non-?negative", words, re.IGNORECASE):
        low = 0
    return low, high


def _resized(value: str | list[Any], low: float | None, high: float | None) -> Any:
    """A string or list cut or padded to the length bounds, or ``_NOTHING`` if it already fits."""
    size = len(value)
    if high is not None and size > high:
        return value[: max(int(high), 0)]
    if low is not None and size < low and isinstance(value, str):
        return value + "x" * (int(low) - size)
    if low is not None and size < low and value:
        return [*value, *[value[-1]] * (int(low) - size)]
    return _NOTHING


def _bounded(value: Any, words: str) -> Any:
    """``value`` within the bounds the words state (a length for a string or a list), or ``_NOTHING``."""
    low, high = _stated_bounds(words, value)
    if low is None and high is None:
        return _NOTHING
    sized = isinstance(value, list) or (
        isinstance(value, str) and (_LENGTH_WORDS.search(words) or not _ITEM_WORDS.search(words))
    )
    if sized:
        return _resized(value, low, high)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return _NOTHING
    clamped = min(value, high) if high is not None else value
    clamped = max(clamped, low) if low is not None else clamped
    return int(clamped) if isinstance(value, int) and float(clamped).is_integer() else clamped


def _normalised(record: CallRecord, arguments: list[Any]) -> str:
    """The answer with the call's own argument values, ids and numbers blanked out.

    "Invalid timezone: 'example'" and "Invalid timezone: 'xxxx'" are then the same failure: the
    server refused the placeholder both times, whatever else the awkward call broke.
    """
    text = f"{record.outcome}|{record.is_error}|{record.text}|{record.error_message}"
    values = [v for v in arguments if isinstance(v, str) and len(v) >= _ECHO_CHARS]
    for value in sorted(values, key=len, reverse=True):
        text = re.sub(re.escape(value[:_ECHO_PREFIX]) + r"\S*", "<value>", text)
    return _VOLATILE.sub("#", text)


def same_failure(record: CallRecord, baseline: CallRecord) -> bool:
    """Whether ``record`` failed exactly as ``baseline`` did, echoed arguments, ids and numbers aside."""
    values = [*record.arguments.values(), *baseline.arguments.values()]
    return is_rejection(baseline) and _normalised(record, values) == _normalised(baseline, values)


def lookup_miss(record: CallRecord) -> bool:
    """Whether a refusal says that what was asked for does not exist (the arguments were well formed)."""
    typed = " ".join(json.dumps(e, default=str) for e in read_error(record).typed)
    meta = json.dumps(record.meta, default=str) if record.meta else ""
    return (
        is_rejection(record)
        and bool(_LOOKUP_MISS.search(record.text) or _LOOKUP_MISS.search(record.error_message))
    ) or "not_found" in typed + meta


def repaired(attempt: RepairAttempt, baselines: list[CallRecord]) -> bool:
    """Whether the repaired arguments got past validation.

    That is: a repaired call succeeded, or failed only as the tool's valid calls fail, or was
    refused because what it names does not exist (an id at the bound the error gave).
    """
    failing_baseline = bool(baselines) and all(is_rejection(b) for b in baselines)
    for call in attempt.calls:
        if call.outcome == "result" and not call.is_error:
            return True
        if failing_baseline and any(same_failure(call, b) for b in baselines):
            return True
        if lookup_miss(call) and not lookup_miss(attempt.rejected):
            return True
    return False


def baselines(observations: Observations, tool: str) -> list[CallRecord]:
    """The tool's valid calls (the inputs probe's for a read, the writes probe's first call for a write).

    For a write whose first call succeeded but whose every repeat of those very arguments was then
    refused (``move_file`` after the move: "Destination already exists"), the repeats: the first
    effect moved the state, and the awkward calls, made after the writes probe, meet that state too.
    A rejection with the repeats' words is then about the state, not the argument the call broke,
    and a repaired call refused only as they were got past validation.
    """
    calls = observations.calls_for(tool)
    repeats = [c for c in calls if c.purpose in ("write-repeat", "write-after-concurrent")]
    if repeats and all(is_rejection(r) for r in repeats):
        return repeats
    return [c for c in calls if c.purpose in ("valid", "write-first")]


def about_the_input(record: CallRecord, observations: Observations) -> bool:
    """Whether a rejection is about the awkward input: not the very failure every valid call gets too.

    When even the valid sample is refused (a tool that needs real ids, a path it may not read),
    a rejection with the same words says nothing about the broken argument and is not graded;
    one with other words is, so errors are graded even when the valid sample failed.
    """
    calls = baselines(observations, record.tool)
    failing = bool(calls) and all(is_rejection(b) for b in calls)
    return not (failing and any(same_failure(record, b) for b in calls))


def attempts_by_call(observations: Observations) -> dict[int, RepairAttempt]:
    """Each repair attempt, by the identity of the rejected call it repaired."""
    return {id(a.rejected): a for a in observations.repairs}


def names_field(attempt: RepairAttempt) -> bool:
    """Whether the error of the rejected call points at the argument the call broke."""
    return attempt.rejected.field in attempt.named


def states_expected(attempt: RepairAttempt, observations: Observations) -> bool:
    """Whether the error says what to send instead: the repairer read a fix for the field, or repaired the call."""
    return attempt.rejected.field in attempt.stated or repaired(
        attempt, baselines(observations, attempt.rejected.tool)
    )


def repair_rates(observations: Observations) -> list[RepairRate]:
    """The repair rate of each tool with rejections about the input, in the order of ``tools/list``."""
    counts: dict[str, list[int]] = {}
    for attempt in observations.repairs:
        if not about_the_input(attempt.rejected, observations):
            continue
        tool = attempt.rejected.tool
        tally = counts.setdefault(tool, [0, 0])
        tally[0] += 1
        tally[1] += repaired(attempt, baselines(observations, tool))
    order = [t.name for t in observations.tools] + sorted(counts)
    return [RepairRate(t, *counts[t]) for t in dict.fromkeys(order) if t in counts]
