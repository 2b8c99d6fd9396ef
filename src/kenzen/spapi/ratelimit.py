"""Amazon's published usage plans, enforced as token buckets per operation, app and seller.

A bucket holds up to ``burst`` tokens and refills at ``rate`` tokens a second; a call takes
one token or is refused. The ``limits`` library offers fixed and moving windows but no
token bucket, which is what Amazon describes, so the arithmetic is here (pure, clock given).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

#: Rate (requests per second) and burst of each operation, from the usage plans in
#: Amazon's models (schemas/ in this package).
USAGE_PLANS: dict[str, tuple[float, int]] = {
    "getReports": (0.0222, 10),
    "createReport": (0.0167, 15),
    "cancelReport": (0.0222, 10),
    "getReport": (2.0, 15),
    "getReportDocument": (0.0167, 15),
    "getSubscription": (1.0, 5),
    "createSubscription": (1.0, 5),
    "deleteSubscriptionById": (1.0, 5),
    "getDestinations": (1.0, 5),
    "createDestination": (1.0, 5),
    "getDestination": (1.0, 5),
    "deleteDestination": (1.0, 5),
    "getMarketplaceParticipations": (0.016, 15),
}


@dataclass(slots=True)
class Bucket:
    rate: float
    burst: int
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        """Refill for the time passed, then take one token if there is one."""
        self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class RateLimiter:
    """The buckets of one server process (Amazon's limits are per caller, not global). When
    ``kenzen serve`` runs several processes, each has its share of the rate and of the burst
    (at least one call)."""

    def __init__(self, clock: Callable[[], float], processes: int = 1) -> None:
        self._clock = clock
        self._processes = processes
        self._buckets: dict[tuple[str, int, str | None], Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, operation: str, app_id: int, seller_id: str | None) -> bool:
        rate, burst = USAGE_PLANS[operation]
        now = self._clock()
        with self._lock:
            key = (operation, app_id, seller_id)
            bucket = self._buckets.get(key)
            if bucket is None:
                share = max(1, math.ceil(burst / self._processes))
                bucket = self._buckets[key] = Bucket(
                    rate / self._processes, share, float(share), now
                )
            return bucket.take(now)


def rate_header(operation: str) -> str:
    """The value of ``x-amzn-RateLimit-Limit``: the operation's rate per second."""
    return f"{USAGE_PLANS[operation][0]:g}"
