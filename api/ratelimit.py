"""Per-token rate limits: a token bucket for each bearer token (429 when empty).

Only requests that change something (POST, PUT, PATCH, DELETE) draw from the
bucket; reads (polling a job, fetching plans) are not limited. The buckets live in
the server process: a restart refills them.
"""

from __future__ import annotations

import threading
import time

LIMITED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def too_many_requests(retry_after: float) -> str:
    return (f"Too many requests for this token; retry in {max(1, round(retry_after))} s "
            "(PENATA_RATE_LIMIT_PER_MINUTE, PENATA_RATE_LIMIT_BURST)")


class RateLimiter:
    """``burst`` requests at once per key, refilled at ``per_minute`` per minute.

    ``per_minute = 0`` disables the limit.
    """

    def __init__(self, per_minute: int, burst: int):
        self.rate = per_minute / 60.0
        self.burst = float(max(1, burst))
        self._buckets: dict[object, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: object) -> float | None:
        """Take one request from ``key``'s bucket; seconds to wait when it is empty."""
        if self.rate <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate
