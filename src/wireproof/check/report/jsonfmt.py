"""The JSON report: a stable contract, described by docs/report-schema.json."""

from __future__ import annotations

import json

from wireproof.check.model import Report


def render(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
