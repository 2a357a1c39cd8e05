"""The HTML report as a reviewer reads it: a real check of a hostile server, opened in headless Chromium
(Debian's ``chromium``, installed by ``.ci/system-packages``), filtered, read back and photographed."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shlex
import shutil
import struct
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.check import probe_servers as p
from tests.check import servers as s
from wireproof.check import CheckOptions, Report, Target, run_check
from wireproof.check.model import Finding
from wireproof.check.report import html
from wireproof.check.report._coverage import summary

HOSTILE = (
    "</pre></details><script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
)
"""Markup a hostile server puts in its tool's description and in its answers."""
BROWSER_TIMEOUT = 60.0


async def hostile_answers(args: dict[str, Any]) -> Any:
    """Refuses everything, with markup in the refusal, and never says what to fix."""
    return s.tool_error(f"Refused {HOSTILE} {json.dumps(args)[:40]}")


def hostile_server() -> Any:
    return s.build(
        [
            s.FakeTool("get_colour_by_name", p.teaching_errors, input_schema=p.COLOUR_SCHEMA),
            s.FakeTool("lookup_thing", hostile_answers, description=f"Look up a thing. {HOSTILE}"),
            s.FakeTool(
                "find_things",
                hostile_answers,
                description="Find things.",
                input_schema={"type": "object", "properties": {"query": {"description": HOSTILE}}},
            ),
        ],
        name=f"hostile {HOSTILE}",
    )


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    """A real check of the hostile server, and its HTML report on disk."""
    report = anyio.run(run_check, Target(server=hostile_server()), CheckOptions())
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(html.render(report), encoding="utf-8")
    return report, path


def chromium() -> list[str]:
    """The headless Chromium command; as root Chromium runs only without its sandbox."""
    found = shutil.which("chromium")
    assert found, (
        "Chromium is missing: run `bash .ci/system-packages` as root (it installs Debian's chromium)"
    )
    command = [found, "--headless", "--disable-gpu", "--no-first-run", "--window-size=1280,1600"]
    return [*command, "--no-sandbox"] if os.geteuid() == 0 else command


class DevTools:
    """The Chrome DevTools Protocol over ``--remote-debugging-pipe``: JSON messages ending in NUL,
    written to the browser's fd 3 and read from its fd 4."""

    def __init__(self, profile: Path) -> None:
        reading, self._writer = os.pipe()
        self._reader, writing = os.pipe()
        # Above the fds the shell moves them to (3 and 4), so that neither move overwrites the other.
        to_browser, from_browser = (fcntl.fcntl(fd, fcntl.F_DUPFD, 20) for fd in (reading, writing))
        os.close(reading)
        os.close(writing)
        command = shlex.join([*chromium(), f"--user-data-dir={profile}"])
        self.process = subprocess.Popen(  # the shell only moves the two pipe ends to fds 3 and 4
            f"exec {command} --remote-debugging-pipe 3<&{to_browser} 4>&{from_browser} "
            f"{to_browser}<&- {from_browser}>&-",
            shell=True,
            executable="/bin/bash",
            pass_fds=(to_browser, from_browser),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next_id = 0
        self.session: str | None = None

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one command (to the attached page, once there is one) and return its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session is not None and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._writer, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + BROWSER_TIMEOUT
        while True:
            while b"\0" in self._buffer:
                frame, self._buffer = self._buffer.split(b"\0", 1)
                answer = json.loads(frame)
                if answer.get("id") == self._next_id:
                    assert "error" not in answer, answer
                    result: dict[str, Any] = answer["result"]
                    return result
            left = deadline - time.monotonic()
            assert left > 0, f"Chromium did not answer {method} within {BROWSER_TIMEOUT} s"
            ready, _, _ = select.select([self._reader], [], [], left)
            if ready:
                chunk = os.read(self._reader, 1 << 20)
                assert chunk, "Chromium closed the DevTools pipe"
                self._buffer += chunk

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        deadline = time.monotonic() + BROWSER_TIMEOUT
        loaded = f"document.URL === {json.dumps(url)} && document.readyState === 'complete'"
        while not self.evaluate(loaded):  # the new tab is about:blank, complete, until the page commits
            assert time.monotonic() < deadline, f"{url} did not load within {BROWSER_TIMEOUT} s"
            time.sleep(0.05)

    def evaluate(self, expression: str) -> Any:
        answer = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        assert "exceptionDetails" not in answer, answer
        return answer["result"].get("value")

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.process.wait(timeout=BROWSER_TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=BROWSER_TIMEOUT)
            os.close(self._writer)
            os.close(self._reader)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    devtools = DevTools(tmp_path / "profile")
    try:
        yield devtools
    finally:
        devtools.close()


SHOWN = (
    "[...document.querySelectorAll('article.finding')]"
    ".map(a => [a.dataset.severity, a.dataset.category, a.checkVisibility()])"
)


def untick(label: str) -> str:
    """A click on the filter checkbox whose label starts with ``label``, as a reviewer makes it."""
    return (
        "[...document.querySelectorAll('.filters label')]"
        f".find(l => l.textContent.trim().startsWith({json.dumps(label + ' (')})).querySelector('input').click()"
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_check_found_what_the_page_must_show(checked: tuple[Report, Path]) -> None:
    report, _ = checked
    assert {f.severity for f in report.findings} >= {"error", "warning"}
    assert len({f.category for f in report.findings}) >= 2
    assert report.repair_overall.rejections > 0
    script = "<script>document.title='pwned'</script>"  # as the evidence's JSON holds it (no " to escape)
    assert any(script in (f.evidence.answer or "") for f in report.findings)


def test_a_hostile_servers_text_is_shown_as_text_and_never_becomes_markup(
    checked: tuple[Report, Path], browser: DevTools
) -> None:
    report, path = checked
    browser.open(path.as_uri())
    injected = browser.evaluate("document.querySelectorAll('script, img, iframe, object, embed, svg').length")
    assert injected == 0
    assert browser.evaluate("document.title") == f"wireproof check: hostile {HOSTILE} 1.0"  # no script ran
    body = browser.evaluate("document.body.textContent")
    assert f"hostile {HOSTILE}" in body  # the server's name, as the text it sent
    assert browser.evaluate("document.querySelectorAll('article.finding').length") == len(report.findings)
    # Each evidence block is still one <details>: the hostile </details> did not close it.
    assert browser.evaluate("document.querySelectorAll('article.finding details').length") == sum(
        1 for f in report.findings if f.evidence.call is not None or f.evidence.answer or f.evidence.note
    )


def test_each_finding_shows_its_call_and_answer_and_the_page_its_coverage_and_repair_rate(
    checked: tuple[Report, Path], browser: DevTools
) -> None:
    report, path = checked
    browser.open(path.as_uri())
    articles = browser.evaluate(
        "[...document.querySelectorAll('article.finding')].map(a => ({"
        "rule: a.querySelector('h3 code').textContent,"
        "call: a.querySelector('details pre') && a.querySelector('details pre').textContent,"
        "text: a.textContent}))"
    )
    assert [a["rule"] for a in articles] == [
        f.rule for severity in ("error", "warning", "info") for f in report.findings if f.severity == severity
    ]
    for article in articles:
        finding = next(f for f in report.findings if f.rule == article["rule"])
        if finding.evidence.call is not None:
            assert json.loads(article["call"]) == json.loads(json.dumps(finding.evidence.call, default=str))
        if finding.evidence.answer:
            assert finding.evidence.answer[:200] in article["text"]
    body = browser.evaluate("document.body.innerText")
    for line in summary(report.coverage):
        assert line in body
    overall = report.repair_overall
    assert f"{overall.repaired} of {overall.rejections}" in body
    headings = browser.evaluate("[...document.querySelectorAll('h2')].map(h => h.textContent)")
    assert {"Scorecard", "Coverage", "Tools", "Repair rate", "Findings"} <= set(headings)


def test_the_filters_hide_a_severity_and_a_category_and_the_screenshot_shows_it(
    checked: tuple[Report, Path], browser: DevTools, tmp_path: Path
) -> None:
    report, path = checked
    browser.open(path.as_uri())
    every = browser.evaluate(SHOWN)
    assert len(every) == len(report.findings)
    assert all(visible for _, _, visible in every)

    browser.evaluate(untick("error"))
    shown = browser.evaluate(SHOWN)
    assert sorted(sev for sev, _, visible in shown if visible) == sorted(
        f.severity for f in report.findings if f.severity != "error"
    )
    assert all(not visible for sev, _, visible in shown if sev == "error")

    category = sorted({f.category for f in report.findings if f.severity != "error"})[0]
    browser.evaluate(untick(category))
    shown = browser.evaluate(SHOWN)
    expected = [(f.severity, f.category) for f in report.findings if f.severity != "error"]
    assert sorted((sev, cat) for sev, cat, visible in shown if visible) == sorted(
        (sev, cat) for sev, cat in expected if cat != category
    )

    sections = "[...document.querySelectorAll('section')].filter(s => s.checkVisibility()).length"
    emptied = {f.severity for f in report.findings if f.severity != "error"} - {
        f.severity for f in report.findings if f.category != category
    }
    shown_severities = {f.severity for f in report.findings} - {"error"} - emptied
    assert browser.evaluate(sections) == len(shown_severities)  # no heading left over an empty section

    browser.evaluate(untick("error"))  # ticked again: the errors come back, the category stays hidden
    shown = browser.evaluate(SHOWN)
    assert sorted((sev, cat) for sev, cat, visible in shown if visible) == sorted(
        (f.severity, f.category) for f in report.findings if f.category != category
    )

    shot = base64.b64decode(
        browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
    )
    (tmp_path / "report.png").write_bytes(shot)
    width, height = png_size(shot)
    assert width >= 1000
    assert height > 500
    assert len(shot) > 20_000  # a page of text and cards, not a blank frame


def test_chromium_dump_dom_of_the_page_holds_every_finding_and_no_injected_element(
    checked: tuple[Report, Path], tmp_path: Path
) -> None:
    report, path = checked
    done = subprocess.run(
        [*chromium(), f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert dom.count('<article class="finding ') == len(report.findings)
    assert "<script" not in dom
    assert "<img" not in dom
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
    assert '<input type="checkbox" id="show-sev-0" checked="">' in dom


def test_a_category_or_severity_added_later_gets_its_own_filter_and_section(
    checked: tuple[Report, Path],
) -> None:
    # Rules may grow categories (a guard's, say): the page must neither drop the finding nor break.
    report, _ = checked
    newcomer = Finding("guard.withheld", "guard", "critical", "lookup_thing", f"withheld {HOSTILE}")  # type: ignore[arg-type]
    page = html.render(replace(report, findings=[*report.findings, newcomer]))
    assert page.count('<article class="finding ') == len(report.findings) + 1
    assert "critical (1)</label>" in page
    assert "guard (1)</label>" in page
    assert f"withheld {HOSTILE}" not in page
    assert "withheld &lt;/pre&gt;&lt;/details&gt;&lt;script&gt;" in page
    assert "<h2>critical (1)</h2>" in page
