"""Injected failures: throttling, outages, dropped connections and latency.

Server-wide faults hit a configured fraction of ``/v1`` and ``/v2`` requests. A single request
can ask for one with the test-only header ``X-Aiaas-Fault: <kind>[; attempts=N]``;
with ``attempts=N`` only the first N attempts of a call (by the client's
``X-Aiaas-Retry-Count``) fail, so a retrying client is expected to succeed.

Kinds: ``rate_limit`` (429), ``unavailable`` (503), both with ``Retry-After``;
``drop`` (connection closed before the request runs); ``drop_after`` (the request
runs, its side effects happen, then the connection is closed before the answer);
``latency`` (the answer is delayed).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import random
import threading
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import FAULT_KINDS, FaultConfig, FaultKind
from ..problems import ProblemError, problem_response

FAULT_HEADER = "x-aiaas-fault"
RETRY_COUNT_HEADER = "x-aiaas-retry-count"

# What uvicorn logs when an app ends a response early, as a dropped connection does.
DROPPED_RESPONSE_LOG = "ASGI callable returned without completing response."


class FaultInjector:
    """Decides which request fails how. Thread-safe; one per app."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self.injected: collections.Counter[FaultKind] = collections.Counter()
        """How many faults of each kind were chosen so far."""
        self._rng = random.Random(config.seed)
        self._lock = threading.Lock()

    def choose(self, headers: Headers, authentic: bool = False) -> FaultKind | None:
        """The fault for a request with these headers, or ``None``; the header is
        heard only where enabled and only from callers with valid credentials."""
        kind = self._choose(headers, authentic)
        if kind is not None:
            with self._lock:
                self.injected[kind] += 1
        return kind

    def _choose(self, headers: Headers, authentic: bool) -> FaultKind | None:
        asked = headers.get(FAULT_HEADER)
        if asked is not None and self.config.header_enabled and authentic:
            kind, attempts = parse_fault_header(asked)
            return kind if _retry_count(headers) < attempts else None
        if self.config.rate <= 0.0:
            return None
        with self._lock:
            if self._rng.random() >= self.config.rate:
                return None
            return self._rng.choice(self.config.kinds)


def parse_fault_header(value: str) -> tuple[FaultKind, float]:
    """``(kind, attempts)`` from ``kind[; attempts=N]``; a bad value is a 400."""
    kind, _, rest = value.partition(";")
    kind = kind.strip()
    attempts = math.inf
    key, _, number = rest.partition("=")
    if rest.strip():
        if key.strip() != "attempts" or not number.strip().isdigit():
            raise _bad_header(value)
        attempts = int(number)
    for known in FAULT_KINDS:
        if kind == known:
            return known, attempts
    raise _bad_header(value)


def _bad_header(value: str) -> ProblemError:
    return ProblemError(
        400,
        "invalid_fault_header",
        f"X-Aiaas-Fault must be one of {', '.join(FAULT_KINDS)}, "
        f"optionally followed by '; attempts=N'; got {value[:64]!r}.",
    )


def _retry_count(headers: Headers) -> int:
    value = headers.get(RETRY_COUNT_HEADER, "0")
    return int(value) if value.isdigit() else 0


API_PREFIXES = ("/v1/", "/v2/")


class FaultMiddleware:
    """Applies the injector's decisions to API requests (``/v1`` and ``/v2``)."""

    def __init__(
        self, app: ASGIApp, injector: FaultInjector, authentic: Callable[[Headers], bool]
    ) -> None:
        self.app = app
        self.injector = injector
        self.authentic = authentic
        """Whether a request's credentials are valid (checked only if it asks for a fault)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        asks = self.injector.config.header_enabled and FAULT_HEADER in headers
        try:
            kind = self.injector.choose(headers, asks and self.authentic(headers))
        except ProblemError as error:
            await error.response(scope)(scope, receive, send)
            return
        if kind is None:
            await self.app(scope, receive, send)
        elif kind == "latency":
            await asyncio.sleep(self.injector.config.latency)
            await self.app(scope, receive, send)
        elif kind in ("rate_limit", "unavailable"):
            await self._refuse(kind, scope, receive, send)
        else:
            if kind == "drop_after":
                await self.app(scope, receive, _discard)
            await _start_and_hang_up(send)

    async def _refuse(self, kind: FaultKind, scope: Scope, receive: Receive, send: Send) -> None:
        millis = self.injector.config.retry_after_ms
        headers = {
            "Retry-After": str(max(1, math.ceil(millis / 1000))),
            "retry-after-ms": str(millis),
        }
        if kind == "rate_limit":
            status, code, detail = 429, "rate_limited", "Too many requests (injected fault)."
        else:
            status, code, detail = (
                503,
                "service_unavailable",
                "Service unavailable (injected fault).",
            )
        await problem_response(scope, status, code, detail, headers=headers)(scope, receive, send)


async def _discard(message: Message) -> None:
    return None


async def _start_and_hang_up(send: Send) -> None:
    # Promise a body and end without it: the server closes the connection and
    # the client sees it break off, as it would when a proxy or peer dies.
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]}
    )


class DroppedResponseLogFilter(logging.Filter):
    """Keeps the server's log free of the error line each injected drop causes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != DROPPED_RESPONSE_LOG
