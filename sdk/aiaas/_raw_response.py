"""``with_raw_response``: a method's HTTP answer beside its typed result.

``client.models.with_raw_response.predict(...)`` runs the same call as
``client.models.predict(...)`` and returns an :class:`APIResponse`: the final
HTTP response (opened, if it was sealed), its request id, whether it was an
idempotent replay, how many retries it took, and ``.parse()`` for the typed
object. The wrapper notes the answer of the last request the method sent in a
context variable, so a method needs no second, raw variant of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Generic, ParamSpec, TypeVar

import httpx

from ._constants import REQUEST_ID_HEADER

__all__ = ["APIResponse", "async_to_raw_response_wrapper", "to_raw_response_wrapper"]

P = ParamSpec("P")
R = TypeVar("R")

REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass
class _Answer:
    response: httpx.Response | None = None
    retries: int = 0


_CAPTURE: ContextVar[_Answer | None] = ContextVar("aiaas_raw_answer", default=None)


def note_answer(response: httpx.Response, *, retries: int) -> httpx.Response:
    """``response``, noted for a ``with_raw_response`` call in progress (the drivers
    pass every successful final answer through here)."""
    answer = _CAPTURE.get()
    if answer is not None:
        answer.response = response
        answer.retries = retries
    return response


class APIResponse(Generic[R]):
    """The HTTP answer to a call, and its typed result."""

    def __init__(self, http_response: httpx.Response, parsed: R, retries_taken: int) -> None:
        self.http_response = http_response
        self._parsed = parsed
        self.retries_taken = retries_taken
        """How many times the call was sent again before this answer."""

    def parse(self) -> R:
        """The typed object the method returns without ``with_raw_response``."""
        return self._parsed

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The id the service gave this request (``X-Request-Id``)."""
        request_id: str | None = self.http_response.headers.get(REQUEST_ID_HEADER)
        return request_id

    @property
    def idempotent_replayed(self) -> bool:
        """Whether the service answered with the stored result of an earlier run."""
        replayed: str = self.http_response.headers.get(REPLAYED_HEADER, "")
        return replayed.lower() == "true"

    @property
    def elapsed(self) -> float:
        """Seconds from sending the last attempt to receiving its answer."""
        return self.http_response.elapsed.total_seconds()

    def __repr__(self) -> str:
        return (
            f"<APIResponse [{self.status_code}] request_id={self.request_id} "
            f"retries_taken={self.retries_taken}>"
        )


def _answered(answer: _Answer, parsed: R) -> APIResponse[R]:
    if answer.response is None:  # every method sends a request; a bug if not
        raise RuntimeError("the call sent no request")
    return APIResponse(answer.response, parsed, answer.retries)


def to_raw_response_wrapper(method: Callable[P, R]) -> Callable[P, APIResponse[R]]:
    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        answer = _Answer()
        token = _CAPTURE.set(answer)
        try:
            parsed = method(*args, **kwargs)
        finally:
            _CAPTURE.reset(token)
        return _answered(answer, parsed)

    return wrapped


def async_to_raw_response_wrapper(
    method: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[APIResponse[R]]]:
    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        answer = _Answer()
        token = _CAPTURE.set(answer)
        try:
            parsed = await method(*args, **kwargs)
        finally:
            _CAPTURE.reset(token)
        return _answered(answer, parsed)

    return wrapped
