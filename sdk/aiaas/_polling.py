"""Waiting for a job: when to look again, and when to give up. No I/O; the
sync and async ``wait`` methods drive it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from ._exceptions import JobTimeoutError

__all__ = ["JobPoll", "PolledJob"]

BACKOFF = 1.5
"""Growth of the wait between looks while a job shows no progress."""
MAX_INTERVAL_FACTOR = 4.0
"""The wait grows to at most this many times ``poll_interval``."""


class PolledJob(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def progress(self) -> float: ...

    @property
    def done(self) -> bool: ...


class JobPoll:
    """The schedule of one ``wait``: look, then wait ``poll_interval``, growing by
    :data:`BACKOFF` while nothing changes and back to ``poll_interval`` when the
    job moves, never past ``timeout`` seconds in all (no limit for ``None``)."""

    def __init__(
        self,
        timeout: float | None,
        poll_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if poll_interval <= 0:
            raise ValueError("poll_interval must be positive")
        if timeout is not None and timeout < 0:
            raise ValueError("timeout must not be negative")
        self._timeout = timeout
        self._base = poll_interval
        self._interval = poll_interval
        self._clock = clock
        self._started = clock()
        self._last: tuple[str, float] | None = None

    def changed(self, job: PolledJob) -> bool:
        """Whether ``job`` moved since the last look (the first look counts)."""
        state = (job.status, job.progress)
        moved = state != self._last
        self._last = state
        self._interval = (
            self._base if moved else min(self._interval * BACKOFF, self._base * MAX_INTERVAL_FACTOR)
        )
        return moved

    def time_left(self, job: PolledJob) -> float | None:
        """Seconds left before the timeout (``None``: no timeout);
        :class:`JobTimeoutError` if it has passed."""
        waited = self._clock() - self._started
        if self._timeout is None:
            return None
        left = self._timeout - waited
        if left <= 0:
            raise JobTimeoutError(job.id, job.status, job.progress, waited)
        return left

    def next_wait(self, job: PolledJob) -> float:
        """Seconds to wait before the next look; :class:`JobTimeoutError` if the
        timeout has passed."""
        waited = self._clock() - self._started
        if self._timeout is None:
            return self._interval
        left = self._timeout - waited
        if left <= 0:
            raise JobTimeoutError(job.id, job.status, job.progress, waited)
        return min(self._interval, left)
