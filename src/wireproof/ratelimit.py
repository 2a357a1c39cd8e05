"""Per-principal rate limits: a token bucket per (principal, tool), in this process.

Limits are per replica: each process keeps its own buckets, so N replicas admit up to N times
the rate. That keeps the hot path free of a shared store; a limit that must hold across
replicas belongs in the load balancer or an API gateway in front of them.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from wireproof.errors import RateLimited

__all__ = ["RateLimit", "RateLimiter"]

_MAX_BUCKETS: Final = 100_000
"""Buckets kept at most; the least recently used are dropped beyond it (a dropped bucket is full)."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """``per_second`` calls on average, with bursts of up to ``burst`` calls."""

    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if not (0 < self.per_second < math.inf) or self.burst < 1:  # NaN fails the comparison too
            raise ValueError("a rate limit needs a finite per_second > 0 and burst >= 1")


class RateLimiter:
    """Token buckets keyed by (principal, tool)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, principal: str, tool: str, limit: RateLimit) -> None:
        """Take one token, or raise ``RateLimited`` saying when the next one is due."""
        now = self._clock()
        key = (principal, tool)
        with self._lock:
            tokens, at = self._buckets.pop(key, (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + (now - at) * limit.per_second)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / limit.per_second
                raise RateLimited(
                    f"Too many calls to {tool}: at most {limit.per_second:g} per second (bursts of {limit.burst})",
                    retry_after=round(max(wait, 0.001), 3),
                )
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > _MAX_BUCKETS:
                del self._buckets[next(iter(self._buckets))]
