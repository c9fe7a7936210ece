"""Slow down guessing of credentials: too many failures from one address become 429s."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from ..store.database import Database
from .problems import ProblemError


class AuthFailureLimiter:
    """Counts failed authentications per client address in a sliding window.

    Past the limit, further *failures* from that address are answered 429 with
    ``Retry-After`` instead of 401: a guesser learns nothing more and must wait.
    Valid credentials from the same address keep working, so tenants behind a
    shared address (NAT, a test machine) are not locked out by someone else.

    The counts live in the database, so every server process sharing it counts
    the same failures; rows older than the window are dropped as new ones come,
    so the table stays as small as one window of failures.
    """

    def __init__(
        self,
        db: Database,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.window = window
        self._db = db
        self._clock = clock

    def failed(self, address: str, error: ProblemError) -> ProblemError:
        """Record a failure; the error to answer with (``error`` or a 429)."""
        now = self._clock()
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM auth_failures WHERE at <= ?", (now - self.window,))
            conn.execute("INSERT INTO auth_failures (address, at) VALUES (?, ?)", (address, now))
            times = [
                row["at"]
                for row in conn.execute(
                    "SELECT at FROM auth_failures WHERE address = ? ORDER BY at DESC LIMIT ?",
                    (address, self.limit + 1),
                )
            ]
        if len(times) <= self.limit:
            return error
        wait = times[-1] + self.window - now
        return ProblemError(
            429,
            "too_many_auth_failures",
            "Too many failed authentications from this address; wait before trying again.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )

    def forget(self) -> None:
        """Forget every failure (an operator's reset)."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM auth_failures")

    def tracked(self) -> int:
        """Failures within the window, across addresses (the table's size)."""
        with self._db.read() as conn:
            row = conn.execute("SELECT COUNT(*) AS n FROM auth_failures").fetchone()
        return int(row["n"])
