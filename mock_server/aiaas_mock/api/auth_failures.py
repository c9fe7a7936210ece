"""Slow down guessing of credentials: too many failures from one address become 429s."""

from __future__ import annotations

import math
import threading
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

    Failures are counted in memory and written to the database together at most
    once every ``flush_every`` seconds: a flood of bad keys costs no write per
    request (one per failure slowed every other call tenfold). The flush reads
    back what every server process sharing the database counted for the
    addresses failing here, so the limit holds across them within about
    ``flush_every``. Rows older than the window are dropped at each flush, so the
    table, like the memory, holds one window of failures.
    """

    def __init__(
        self,
        db: Database,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.time,
        flush_every: float = 1.0,
    ) -> None:
        self.limit = limit
        self.window = window
        self.flush_every = flush_every
        self._db = db
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[str, list[float]] = {}  # not yet written
        self._shared: dict[str, list[float]] = {}  # written, by any process, newest first
        self._flushed = -math.inf

    def failed(self, address: str, error: ProblemError) -> ProblemError:
        """Count a failure; the error to answer with (``error`` or a 429)."""
        now = self._clock()
        with self._lock:
            self._pending.setdefault(address, []).append(now)
            if now - self._flushed >= self.flush_every:
                self._flush(now)
            # Both lists are in time order (pending oldest first, shared newest
            # first): the newest limit + 1 of each are all that can count.
            newest = self._pending.get(address, [])[-(self.limit + 1) :]
            newest += self._shared.get(address, [])[: self.limit + 1]
            since = now - self.window
            times = sorted((t for t in newest if t > since), reverse=True)[: self.limit + 1]
        if len(times) <= self.limit:
            return error
        wait = times[-1] + self.window - now
        return ProblemError(
            429,
            "too_many_auth_failures",
            "Too many failed authentications from this address; wait before trying again.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )

    def _flush(self, now: float) -> None:
        pending, self._pending = self._pending, {}
        shared: dict[str, list[float]] = {}
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM auth_failures WHERE at <= ?", (now - self.window,))
            conn.executemany(
                "INSERT INTO auth_failures (address, at) VALUES (?, ?)",
                [(address, at) for address, times in pending.items() for at in times],
            )
            for address in pending:
                shared[address] = [
                    row["at"]
                    for row in conn.execute(
                        "SELECT at FROM auth_failures WHERE address = ? ORDER BY at DESC LIMIT ?",
                        (address, self.limit + 1),
                    )
                ]
        self._shared = shared
        self._flushed = now

    def flush(self) -> None:
        """Write what is counted now (a server that stops; tests)."""
        with self._lock:
            self._flush(self._clock())

    def forget(self) -> None:
        """Forget every failure (an operator's reset)."""
        with self._lock:
            self._pending.clear()
            self._shared.clear()
            with self._db.transaction() as conn:
                conn.execute("DELETE FROM auth_failures")

    def tracked(self) -> int:
        """Failures within the window written to the database, across addresses."""
        with self._db.read() as conn:
            row = conn.execute("SELECT COUNT(*) AS n FROM auth_failures").fetchone()
        return int(row["n"])
