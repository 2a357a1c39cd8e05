"""protocol.definitions-changed, in memory: quiet against a lock of the very listing, loud on each drift."""

from __future__ import annotations

from typing import Any

import anyio

from tests.check import servers as s
from wireproof.check import CheckOptions, Report, Target, run_check
from wireproof.check.rules.lock import definition_of
from wireproof.lock import Lock


def _check(server: Any, lock: Lock) -> Report:
    return anyio.run(run_check, Target(server=server), CheckOptions(lock=lock))


def _locked(server: Any) -> Lock:
    report = anyio.run(run_check, Target(server=server), CheckOptions())
    return Lock.of(definition_of(t) for t in report.listed)


def test_a_lock_of_the_same_listing_is_quiet() -> None:
    report = _check(s.sound_server(), _locked(s.sound_server()))
    assert report.findings == [], [(f.rule, f.message) for f in report.findings]


def test_a_changed_annotation_is_an_error_with_its_diff() -> None:
    lock = _locked(s.sound_server())
    drifted = s.build(
        [s.FakeTool("get_colour_by_name", s.strict_colour, annotations=dict(s.READ, readOnlyHint=False))]
    )
    report = _check(drifted, lock)
    (finding,) = [f for f in report.findings if f.rule == "protocol.definitions-changed"]
    assert finding.severity == "error"
    assert finding.tool == "get_colour_by_name"
    assert "annotations" in finding.message
    assert finding.evidence.answer is not None
    assert '-  "readOnlyHint": true' in finding.evidence.answer
    assert '+  "readOnlyHint": false' in finding.evidence.answer
