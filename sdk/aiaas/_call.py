"""One logical API call: the request it sends on each attempt, when to try again,
and what its final answer means. Holds no I/O; the sync and async clients drive it.
"""

from __future__ import annotations

import logging
import platform
import random
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import tenacity
from pydantic import BaseModel

from ._constants import IDEMPOTENCY_KEY_HEADER, REQUEST_ID_HEADER, RETRY_COUNT_HEADER
from ._encoding import dumps
from ._encryption import SealedAttempt, opened_response
from ._exceptions import APIConnectionError, APIStatusError
from ._options import ClientOptions
from ._request import RequestSpec, build_url
from ._response import connection_error, problem_code
from ._retry import backoff_seconds, is_retryable_exception, retry_after_seconds
from ._version import __version__

__all__ = ["Call"]

logger = logging.getLogger("aiaas")

ModelT = TypeVar("ModelT", bound=BaseModel)

USER_AGENT = (
    f"aiaas-python/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"
)


def new_idempotency_key() -> str:
    return f"aiaas-{uuid.uuid4().hex}"


class Call:
    """The state of one call across its attempts.

    ``retry_settings()`` gives the arguments for ``tenacity.Retrying`` or
    ``tenacity.AsyncRetrying``; each attempt sends ``next_request()``; the last
    answer goes through ``result()``, the last transport failure through
    ``connection_error()``.
    """

    def __init__(
        self,
        options: ClientOptions,
        spec: RequestSpec,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.options = options
        self.spec = spec
        self._clock = clock
        self._wall_clock = wall_clock
        self._rand = rand
        self._started = clock()
        self._url = build_url(options.base_url, spec.path, spec.params)
        # Serialised once, so every attempt carries the very same bytes.
        self._content = dumps(spec.json) if spec.json is not None else spec.content
        self.idempotency_key = spec.idempotency_key or (
            new_idempotency_key() if spec.method != "GET" else None
        )
        self.attempts = 0
        self.last_request: httpx.Request | None = None
        self._encryption = options.encryption if spec.encrypt else None
        self._sealed: SealedAttempt | None = None
        self._keys_refreshed = False

    # -- building -----------------------------------------------------------

    def next_request(self) -> httpx.Request:
        """The request for the next attempt, with the attempt's retry count and timeout,
        its body sealed if the call is encrypted (to a new response key each time).
        """
        headers, content = self._headers(), self._content
        self._sealed = None
        if self._encryption is not None:
            target = self._url.raw_path.decode("ascii")
            prepared = self._encryption.seal(self.spec.method, target, content, "application/json")
            if prepared is not None:
                extra, content, self._sealed = prepared
                headers.update(extra)
        request = httpx.Request(
            self.spec.method,
            self._url,
            headers=headers,
            content=content,
            extensions={"timeout": self._attempt_timeout().as_dict()},
        )
        self.attempts += 1
        self.last_request = request
        return request

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": self.options.dialect.accept}
        if self.spec.json is not None:
            headers["Content-Type"] = "application/json"
        headers.update(self.options.default_headers)
        headers.update(self.spec.headers)
        if self.idempotency_key is not None:
            headers[IDEMPOTENCY_KEY_HEADER] = self.idempotency_key
        headers[RETRY_COUNT_HEADER] = str(self.attempts)
        return headers

    def needs_server_keys(self) -> bool:
        """Whether the server's encryption keys must be fetched before the first attempt."""
        return self._encryption is not None and self._encryption.needs_keys()

    def receive(self, response: httpx.Response) -> httpx.Response:
        """The answer to the latest attempt, opened if it is sealed."""
        return opened_response(response, self._sealed)

    def wants_fresh_keys(self, response: httpx.Response) -> bool:
        """Whether the server refused the key this attempt was sealed to, for the first time."""
        if self._sealed is None or self._keys_refreshed or response.status_code != 400:
            return False
        self._keys_refreshed = problem_code(response) == "unknown_key"
        return self._keys_refreshed

    def remaining(self) -> float | None:
        """Seconds left before the call's deadline, or ``None`` without a deadline."""
        if self.options.deadline is None:
            return None
        return self.options.deadline - (self._clock() - self._started)

    def _attempt_timeout(self) -> httpx.Timeout:
        timeout = self.spec.timeout or self.options.timeout
        remaining = self.remaining()
        if remaining is None:
            return timeout
        left = max(remaining, 0.001)

        def clamp(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=clamp(timeout.connect),
            read=clamp(timeout.read),
            write=clamp(timeout.write),
            pool=clamp(timeout.pool),
        )

    # -- retrying -----------------------------------------------------------

    def retry_settings(self) -> dict[str, Any]:
        """Keyword arguments for ``tenacity.Retrying`` / ``AsyncRetrying``."""
        return {
            "retry": tenacity.retry_if_exception(is_retryable_exception)
            | tenacity.retry_if_result(self.options.dialect.is_retryable),
            "wait": self._wait,
            "stop": tenacity.stop_after_attempt(self.options.max_retries + 1)
            | _StopWhenOutOfTime(self),
            "before_sleep": self._log_retry,
            # After the last attempt, hand back its answer (or raise its error)
            # instead of tenacity's RetryError, so it can be mapped like any other.
            "retry_error_callback": _last_outcome,
        }

    def _wait(self, state: tenacity.RetryCallState) -> float:
        response = _outcome_response(state)
        if response is not None:
            asked = retry_after_seconds(response.headers, self._wall_clock())
            if asked is not None:
                return asked
        return backoff_seconds(state.attempt_number, self.options.retry_policy, self._rand())

    def out_of_time(self, state: tenacity.RetryCallState) -> bool:
        """Whether the coming wait would pass the deadline or the longest wait allowed."""
        wait = state.upcoming_sleep
        if wait > self.options.retry_policy.max_retry_after:
            return True
        remaining = self.remaining()
        return remaining is not None and wait >= remaining

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        outcome = state.outcome
        if outcome is None:
            return
        response = _outcome_response(state)
        if response is not None:
            reason = f"status {response.status_code}"
        else:
            reason = type(outcome.exception()).__name__
        logger.info(
            "Retrying %s %s in %.3f s (retry %d of %d) after %s",
            self.spec.method,
            self.spec.path,
            state.upcoming_sleep,
            state.attempt_number,
            self.options.max_retries,
            reason,
        )

    # -- finishing ----------------------------------------------------------

    def finished(self, response: httpx.Response) -> httpx.Response:
        """The final answer if it is a success; else the matching :class:`APIStatusError`
        raised."""
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %d after %d attempt(s) (request_id=%s)",
                self.spec.method,
                self.spec.path,
                response.status_code,
                self.attempts,
                response.headers.get(REQUEST_ID_HEADER),
            )
        if not response.is_success:
            raise self.options.dialect.status_error(response, self.options.credentials.secrets())
        return response

    def connection_error(self, exc: httpx.TransportError) -> APIConnectionError:
        """The error to raise when the last attempt got no answer."""
        request = self.last_request or exc.request
        return connection_error(exc, request, self.options.credentials.secrets())


def _outcome_response(state: tenacity.RetryCallState) -> httpx.Response | None:
    """The answer an attempt ended with, returned or carried by an API error."""
    outcome = state.outcome
    if outcome is None:
        return None
    if not outcome.failed:
        response: httpx.Response = outcome.result()
        return response
    error = outcome.exception()
    return error.response if isinstance(error, APIStatusError) else None


class _StopWhenOutOfTime(tenacity.stop.stop_base):
    def __init__(self, call: Call) -> None:
        self._call = call

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return self._call.out_of_time(retry_state)


def _last_outcome(state: tenacity.RetryCallState) -> Any:
    assert state.outcome is not None
    return state.outcome.result()
