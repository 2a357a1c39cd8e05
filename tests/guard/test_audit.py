"""The guard's buffered audit sink: off the call's path, written within its interval, nothing lost at close."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from wireproof.guard._audit import BufferedAuditHandler


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("wireproof.audit", logging.INFO, __file__, 1, message, None, None)


def test_a_line_is_not_written_by_the_call_but_within_the_interval(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    handler = BufferedAuditHandler(path.open("a", encoding="utf-8"), interval=0.3, owns_stream=True)
    try:
        handler.handle(_record('{"tool":"echo"}'))
        assert path.read_text() == ""  # the call only appended to the buffer
        deadline = time.monotonic() + 5
        while path.read_text() == "" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.read_text() == '{"tool":"echo"}\n'
    finally:
        handler.stop()


def test_close_writes_every_buffered_line_in_order(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    handler = BufferedAuditHandler(path.open("a", encoding="utf-8"), interval=60, owns_stream=True)
    for n in range(5000):
        handler.handle(_record(json.dumps({"n": n})))
    handler.stop()
    handler.stop()  # idempotent
    assert [json.loads(line)["n"] for line in path.read_text().splitlines()] == list(range(5000))


def test_a_full_buffer_is_written_before_the_interval(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    handler = BufferedAuditHandler(path.open("a", encoding="utf-8"), interval=60, owns_stream=True)
    try:
        line = "x" * 1000
        for _ in range(100):  # 100 kB: past the 64 KiB that wakes the writer
            handler.handle(_record(line))
        deadline = time.monotonic() + 5
        while path.stat().st_size < 64 * 1024 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size >= 64 * 1024
    finally:
        handler.stop()


def test_close_by_a_logging_reconfiguration_writes_the_buffer_and_the_handler_keeps_working(
    tmp_path: Path,
) -> None:
    import logging.config

    path = tmp_path / "audit.log"
    handler = BufferedAuditHandler(path.open("a", encoding="utf-8"), interval=60, owns_stream=True)
    logger = logging.getLogger("wireproof.audit.test-reconfigured")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        logger.info("before")
        # what uvicorn does at start: it closes every handler (and once deadlocked on this one)
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
        assert path.read_text() == "before\n"
        logger.info("after")
    finally:
        logger.removeHandler(handler)
        handler.stop()
    assert path.read_text() == "before\nafter\n"
