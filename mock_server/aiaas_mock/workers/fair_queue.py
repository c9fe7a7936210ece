"""Units waiting for a worker, handed out fairly between their owners (tenants).

A first-in-first-out queue lets one tenant's thousand queued units hold every
worker while another tenant's single unit waits behind them all. Here the next
unit comes from the owner with the fewest units running, ties going to the
owner served longest ago, and each owner's own units in the order they came: a
tenant's queued work delays another's start by at most the time one running
unit needs to finish.

A pool may also keep spare workers that take only a newcomer's unit (an owner
with nothing running) while every regular worker is busy: then another
tenant's start waits for nothing at all, whatever one unit of the first costs.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from typing import Generic, TypeVar

ItemT = TypeVar("ItemT")


class FairQueue(Generic[ItemT]):
    """Thread-safe; ``get`` blocks until a unit waits or the queue is closed.

    The caller says when a unit it got has finished (``done``): running counts
    are what the choice is made on.
    """

    def __init__(self) -> None:
        self._waiting: dict[str, deque[ItemT]] = {}
        self._running: dict[str, int] = {}
        self._served: dict[str, int] = {}
        self._turn = itertools.count()
        self._closed = False
        self._idle = 0  # regular getters waiting
        self._ready = threading.Condition()

    def put(self, owner: str, item: ItemT) -> None:
        with self._ready:
            self._waiting.setdefault(owner, deque()).append(item)
            self._ready.notify_all()

    def get(self, spare: bool = False) -> tuple[str, ItemT] | None:
        """The next unit and its owner, counted as running; ``None`` once closed.

        A ``spare`` getter takes only a newcomer's unit, and only while no
        regular getter is waiting for one."""
        with self._ready:
            while True:
                if self._closed:
                    return None
                owner = self._next(spare)
                if owner is not None:
                    break
                if not spare:
                    self._idle += 1
                try:
                    self._ready.wait()
                finally:
                    if not spare:
                        self._idle -= 1
            items = self._waiting[owner]
            item = items.popleft()
            if not items:
                del self._waiting[owner]
            self._running[owner] = self._running.get(owner, 0) + 1
            self._served[owner] = next(self._turn)
            return owner, item

    def _next(self, spare: bool) -> str | None:
        owners = [
            o for o in self._waiting if not spare or (self._idle == 0 and o not in self._running)
        ]
        if not owners:
            return None
        return min(owners, key=lambda o: (self._running.get(o, 0), self._served.get(o, -1)))

    def done(self, owner: str) -> None:
        with self._ready:
            left = self._running.get(owner, 0) - 1
            if left > 0:
                self._running[owner] = left
            else:
                self._running.pop(owner, None)
                if owner not in self._waiting:
                    self._served.pop(owner, None)
            self._ready.notify_all()

    def close(self) -> list[ItemT]:
        """Wake every ``get`` with ``None``; the units still waiting, in no order."""
        with self._ready:
            self._closed = True
            left = [item for items in self._waiting.values() for item in items]
            self._waiting.clear()
            self._ready.notify_all()
            return left

    def reopen(self) -> None:
        with self._ready:
            self._closed = False
            self._running.clear()
            self._served.clear()

    def running(self, owner: str) -> int:
        with self._ready:
            return self._running.get(owner, 0)
