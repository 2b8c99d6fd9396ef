"""Failed logins are limited per account and per client address.

Password guessing spreads over accounts from one address, or over addresses against one
account; either limit stops it. Counts live in memory (the ``limits`` library's moving
window), per server process: a restart forgets them, which costs an attacker nothing they
could not get by waiting. When ``kenzen serve`` runs several processes, each allows its
share of a limit (rounded up), so all of them together allow at most the limit plus one per
extra process.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from limits import RateLimitItem, parse, storage, strategies


@dataclass
class LoginThrottle:
    """How many failed logins an account and a client address may have in a window
    (``limits`` notation, e.g. ``5 per 15 minutes``; KENZEN_LOGIN_FAILURES_PER_*)."""

    per_account: str
    per_client: str
    processes: int = 1
    """Server processes sharing the limits, each counting on its own."""
    _limiter: strategies.MovingWindowRateLimiter = field(init=False, repr=False)
    _account: RateLimitItem = field(init=False, repr=False)
    _client: RateLimitItem = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
        self._account = share(parse(self.per_account), self.processes)
        self._client = share(parse(self.per_client), self.processes)

    def retry_after(self, email: str, client: str) -> int | None:
        """Seconds until the account or the address may try again, or None if it may now."""
        waits = [
            self._limiter.get_window_stats(item, kind, key).reset_time - time.time()
            for item, kind, key in self._counters(email, client)
            if not self._limiter.test(item, kind, key)
        ]
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, email: str, client: str) -> None:
        for item, kind, key in self._counters(email, client):
            self._limiter.hit(item, kind, key)

    def succeeded(self, email: str) -> None:
        """A right password clears the account's count (the address keeps its own)."""
        self._limiter.clear(self._account, "account", email)

    def _counters(self, email: str, client: str) -> list[tuple[RateLimitItem, str, str]]:
        return [(self._account, "account", email), (self._client, "client", client)]


def share(limit: RateLimitItem, processes: int) -> RateLimitItem:
    """One process's part of ``limit`` when ``processes`` count apart, rounded up."""
    if processes == 1:
        return limit
    return type(limit)(math.ceil(limit.amount / processes), limit.multiples)
