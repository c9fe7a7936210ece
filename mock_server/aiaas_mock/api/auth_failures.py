"""Slow down guessing of credentials: too many failures from one address become 429s."""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Callable

from .problems import ProblemError

MAX_ADDRESSES = 10_000
"""Addresses tracked before quiet ones are forgotten, so memory stays bounded."""


class AuthFailureLimiter:
    """Counts failed authentications per client address in a sliding window.

    Past the limit, further *failures* from that address are answered 429 with
    ``Retry-After`` instead of 401: a guesser learns nothing more and must wait.
    Valid credentials from the same address keep working, so tenants behind a
    shared address (NAT, a test machine) are not locked out by someone else.
    """

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def failed(self, address: str, error: ProblemError) -> ProblemError:
        """Record a failure; the error to answer with (``error`` or a 429)."""
        now = self._clock()
        with self._lock:
            if len(self._failures) >= MAX_ADDRESSES:  # forget quiet addresses
                self._failures = {
                    a: q for a, q in self._failures.items() if q[-1] > now - self.window
                }
            recent = self._failures.setdefault(address, collections.deque())
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            recent.append(now)
            if len(recent) <= self.limit:
                return error
            wait = recent[-self.limit - 1] + self.window - now
        return ProblemError(
            429,
            "too_many_auth_failures",
            "Too many failed authentications from this address; wait before trying again.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
