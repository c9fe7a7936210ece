"""Running a model for a request: a bounded number at once, in chunks, and not
for a client that has gone.

Inference is CPU-bound; past as many calls as there are cores, more at once
only make every call slower, and expensive calls starve cheap ones. So each
call takes one of ``max_concurrent_inference`` slots (waiting at most
``inference_queue_timeout`` seconds, else 503 with ``Retry-After``), runs its
inputs in chunks, and between chunks stops if its client has disconnected.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import anyio.from_thread
from fastapi import Request
from pydantic import BaseModel

from ..zoo.model_spec import Predictor
from .problems import ProblemError

CHUNK = 8
"""Inputs run between two checks of the client."""


class InferenceSlots:
    def __init__(self, slots: int, queue_timeout: float) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._timeout = queue_timeout
        self.abandoned = 0
        """Calls stopped because their client had gone."""

    def run(
        self, request: Request, predictor: Predictor, inputs: Sequence[Any], parameters: Any
    ) -> list[BaseModel]:
        """The predictor's outputs for ``inputs``; call from a worker thread (a
        sync route), as the disconnect check goes back to the event loop."""
        if not self._slots.acquire(timeout=self._timeout):
            raise ProblemError(
                503,
                "inference_busy",
                "Every inference slot is taken; try again shortly.",
                headers={"Retry-After": "1"},
            )
        try:
            outputs: list[BaseModel] = []
            for start in range(0, len(inputs), CHUNK):
                if start and anyio.from_thread.run(request.is_disconnected):
                    self.abandoned += 1
                    raise ProblemError(499, "client_closed_request", "The client has gone.")
                outputs.extend(predictor.predict(inputs[start : start + CHUNK], parameters))
            return outputs
        finally:
            self._slots.release()
