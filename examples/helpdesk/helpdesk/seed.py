"""Deterministic, realistic demo tickets: the same N tickets for the same N, every time."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

SEED_END = datetime(2026, 11, 1, tzinfo=UTC)
"""Seeded tickets open in the two years before this instant (fixed, so seeds are reproducible)."""
SEED_SPAN_DAYS = 730

_ORGS = ("acme", "globex", "initech", "umbrella", "hooli")
_PEOPLE = ("ana", "bo", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo", "kofi", "lena")
_PRODUCTS = (
    "invoice export",
    "SSO login",
    "mobile app",
    "billing page",
    "CSV import",
    "API token",
    "password reset",
    "dashboard",
    "webhook",
    "search",
)
_PROBLEMS = (
    ("{p} fails with a timeout", "Since this morning the {p} times out after about 30 seconds."),
    ("Cannot open {p}", "Clicking {p} shows a blank page. Cleared the cache, same result."),
    ("{p} shows wrong totals", "The numbers in {p} do not match last month's report."),
    ("Question about {p}", "How do we configure {p} for a second team? The docs were unclear."),
    ("{p} is slow", "{p} takes over a minute to load for accounts with many users."),
    ("Error 500 on {p}", "Every attempt to use {p} returns an internal server error."),
    ("Feature request: {p}", "It would help if {p} could be scheduled weekly."),
)
_STATUSES = ("open", "pending", "solved", "closed")
_STATUS_WEIGHTS = (3, 2, 3, 4)
_PRIORITIES = ("low", "normal", "high", "urgent")
_PRIORITY_WEIGHTS = (3, 6, 2, 1)

Row = tuple[int, str, str, str, str, str, str, str, str]


def iso(moment: datetime) -> str:
    """The stored form of an instant: UTC, seconds, with Z (sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def generate_tickets(count: int, *, first_id: int = 1) -> Iterator[Row]:
    """Yield ``count`` ticket rows, oldest first, identical for identical arguments."""
    rng = random.Random(20260101 + count)  # noqa: S311 - demo data must be reproducible, not secret
    start = SEED_END - timedelta(days=SEED_SPAN_DAYS)
    step = SEED_SPAN_DAYS * 86400 / max(count, 1)
    for i in range(count):
        opened = start + timedelta(seconds=int(i * step + rng.random() * step))
        product = rng.choice(_PRODUCTS)
        subject, body = rng.choice(_PROBLEMS)
        status = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
        updated = opened + timedelta(hours=rng.randint(0, 240)) if status != "open" else opened
        org = rng.choice(_ORGS)
        person = rng.choice(_PEOPLE)
        yield (
            first_id + i,
            subject.format(p=product),
            _sentence(body.format(p=product)),
            status,
            rng.choices(_PRIORITIES, _PRIORITY_WEIGHTS)[0],
            f"{person}@{org}.example",
            org,
            iso(opened),
            iso(min(updated, SEED_END)),
        )
