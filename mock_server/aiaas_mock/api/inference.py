"""Running a model for a request: a bounded number at once, in chunks, and not
for a client that has gone.

Inference is CPU-bound. Heavy calls (seconds of work: long texts, large images,
big batches; see :class:`~.call_budget.CallCost`) run their chunks in one of
``max_concurrent_inference`` slots, one less than the cores by default, waiting
at most ``inference_queue_timeout`` seconds (else 503 with ``Retry-After``), so
a core is always left for light calls, which never queue. Every call runs its
inputs in chunks and stops between two if its client has disconnected.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import anyio.from_thread
from fastapi import Request
from pydantic import BaseModel

from ..zoo.model_spec import Predictor
from .problems import ProblemError

CHUNK = 8
"""Inputs run between two checks of the client."""


class FairSlots:
    """A counting semaphore that serves waiters in arrival order.

    ``threading.Semaphore`` is not fair: a thread that releases and at once
    acquires again usually wins over one that has been waiting, so an expensive
    call would keep its slot through every chunk.
    """

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._queue: collections.deque[object] = collections.deque()
        self._changed = threading.Condition()

    def acquire(self, timeout: float) -> bool:
        ticket = object()
        deadline = time.monotonic() + timeout
        with self._changed:
            self._queue.append(ticket)
            try:
                while self._queue[0] is not ticket or self._free == 0:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._changed.wait(left)
                self._free -= 1
                return True
            finally:
                self._queue.remove(ticket)
                self._changed.notify_all()

    def release(self) -> None:
        with self._changed:
            self._free += 1
            self._changed.notify_all()


class InferenceSlots:
    def __init__(self, slots: int, queue_timeout: float) -> None:
        self._slots = FairSlots(slots)
        self._timeout = queue_timeout
        self.abandoned = 0
        """Calls stopped because their client had gone."""

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """One turn on a slot (a few tokens of a generation); 503 ``inference_busy``
        if none comes free in time."""
        if not self._slots.acquire(timeout=self._timeout):
            raise busy()
        try:
            yield
        finally:
            self._slots.release()

    def run(
        self,
        predictor: Predictor,
        inputs: Sequence[Any],
        parameters: Any,
        client_gone: Callable[[], bool],
        heavy: bool = True,
    ) -> list[BaseModel]:
        """The predictor's outputs for ``inputs``, asking ``client_gone`` between chunks.

        A heavy call holds a slot for one chunk at a time, in turn with the others.
        """
        outputs: list[BaseModel] = []
        for start in range(0, len(inputs), CHUNK):
            if start and client_gone():
                self.abandoned += 1
                raise ProblemError(499, "client_closed_request", "The client has gone.")
            if not heavy:
                outputs.extend(predictor.predict(inputs[start : start + CHUNK], parameters))
                continue
            if not self._slots.acquire(timeout=self._timeout):
                raise busy()
            try:
                outputs.extend(predictor.predict(inputs[start : start + CHUNK], parameters))
            finally:
                self._slots.release()
        return outputs


def busy(detail: str = "Every inference slot is taken; try again shortly.") -> ProblemError:
    """503 ``inference_busy``: the call may pass when sent again shortly."""
    return ProblemError(503, "inference_busy", detail, headers={"Retry-After": "1"})


def client_gone(request: Request) -> Callable[[], bool]:
    """Whether ``request``'s client has disconnected, asked from a worker thread
    (a sync route's) of the event loop the request is served on."""
    return lambda: bool(anyio.from_thread.run(request.is_disconnected))
