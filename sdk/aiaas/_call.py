"""One logical API call: the request it sends on each attempt, when to try again,
and what its final answer means. Holds no I/O; the sync and async clients drive it.
"""

from __future__ import annotations

import logging
import os
import platform
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeVar

import httpx
import tenacity
from pydantic import BaseModel

from ._constants import IDEMPOTENCY_KEY_HEADER, REQUEST_ID_HEADER, RETRY_COUNT_HEADER
from ._encoding import dumps
from ._encryption import SealedAttempt, opened_response, stream_opener
from ._exceptions import APIConnectionError, APIStatusError, EncryptionError
from ._options import ClientOptions
from ._request import RequestSpec, build_url
from ._response import connection_error, problem_code
from ._retry import backoff_seconds, is_retryable_exception, retry_after_seconds
from ._version import __version__

if TYPE_CHECKING:
    from .envelope import StreamOpener

__all__ = ["RETRY_SETTINGS", "Call"]

logger = logging.getLogger("aiaas")

ModelT = TypeVar("ModelT", bound=BaseModel)

SEALED_UPLOAD_LIMIT = 32 * 1024 * 1024
"""Largest upload sealed as one message: the server's default body limit."""

USER_AGENT = (
    f"aiaas-python/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"
)


def new_idempotency_key() -> str:
    # 128 random bits, as a UUID4 has, for a quarter of uuid4()'s cost.
    return f"aiaas-{os.urandom(16).hex()}"


class Call:
    """The state of one call across its attempts.

    A retry controller built from :data:`RETRY_SETTINGS` drives it; each attempt
    sends ``next_request()``; the last answer goes through ``finished()``, the
    last transport failure through ``connection_error()``.
    """

    def __init__(
        self,
        options: ClientOptions,
        spec: RequestSpec,
        *,
        asynchronous: bool = False,
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
        # A streamed answer is made as it is sent and never stored for replay.
        self.idempotency_key = spec.idempotency_key or (
            new_idempotency_key() if spec.method != "GET" and not spec.stream else None
        )
        self.attempts = 0
        self.last_request: httpx.Request | None = None
        self._encryption = options.encryption if spec.encrypt else None
        self._sealed: SealedAttempt | None = None
        self._keys_refreshed = False
        self._replay: httpx.Response | Exception | None = None
        self._asynchronous = asynchronous
        self.primed: Iterator[bytes] | AsyncIterator[bytes] | None = None
        """A streamed answer's body from its first bytes, read by the attempt."""
        # An upload of records is encoded as it is sent: it can be sent only once.
        self._resendable = spec.upload is None or spec.upload.rewindable

    # -- building -----------------------------------------------------------

    def next_request(self) -> httpx.Request:
        """The request for the next attempt, with the attempt's retry count and timeout,
        its body sealed if the call is encrypted (to a new response key each time).
        """
        headers, content = self._headers(), self._content
        self._sealed = None
        if self.spec.upload is not None:
            return self._upload_request(headers)
        if self._encryption is not None:
            target = self._url.raw_path.decode("ascii")
            prepared = self._encryption.seal(self.spec.method, target, content, "application/json")
            if prepared is not None:
                extra, content, self._sealed = prepared
                headers.update(extra)
        return self._request(headers, content)

    def _request(
        self,
        headers: dict[str, str],
        content: bytes | Iterator[bytes] | AsyncIterator[bytes] | None,
    ) -> httpx.Request:
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

    def _upload_request(self, headers: dict[str, str]) -> httpx.Request:
        """An attempt of a streamed upload. It is sealed only when encryption is
        required: a sealed body is one message, opened whole, so it is read into
        memory and bounded by :data:`SEALED_UPLOAD_LIMIT`; otherwise it streams."""
        upload = self.spec.upload
        assert upload is not None
        headers["Content-Type"] = upload.media_type
        encryption = self._encryption
        if encryption is not None and encryption.mode == "required":
            try:
                body = upload.read_all(SEALED_UPLOAD_LIMIT)
            except ValueError:
                raise EncryptionError(
                    f"a sealed upload is one message of at most {SEALED_UPLOAD_LIMIT} bytes; "
                    "send a larger file with encryption='auto' (over TLS)"
                ) from None
            target = self._url.raw_path.decode("ascii")
            prepared = encryption.seal(self.spec.method, target, body, upload.media_type)
            assert prepared is not None  # encryption is required: seal() raises instead
            extra, sealed, self._sealed = prepared
            headers.update(extra)
            return self._request(headers, sealed)
        size = upload.size
        if size is not None:
            headers["Content-Length"] = str(size)
        return self._request(headers, upload.achunks() if self._asynchronous else upload.chunks())

    def _headers(self) -> dict[str, str]:
        accept = "text/event-stream" if self.spec.stream else self.options.dialect.accept
        headers = {"User-Agent": USER_AGENT, "Accept": accept}
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

    def must_read(self, response: httpx.Response) -> bool:
        """Whether the driver must read a streamed attempt's answer whole before
        :meth:`receive`: an error answer is one body, read and judged as usual."""
        return self.spec.stream and not response.is_success

    def receive(self, response: httpx.Response) -> httpx.Response:
        """The answer to the latest attempt, opened if it is sealed (a streamed
        success is opened event by event, through :meth:`stream_opener`)."""
        if self.spec.stream and response.is_success:
            return response
        return opened_response(response, self._sealed)

    def stream_opener(self, response: httpx.Response) -> Callable[[bytes], StreamOpener] | None:
        """How to open the final, streamed answer: ``None`` when it is plaintext.
        :class:`EncryptionError` when it is not sealed as its request was."""
        return stream_opener(response, self._sealed)

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

    def first_outcome(self, outcome: httpx.Response | Exception) -> bool:
        """Whether the first attempt's answer or failure calls for retries.

        The first attempt runs without the retry controller, whose per-call
        set-up costs as much as the rest of the SDK's work. When a retry is due,
        the controller takes over and reads this outcome back through
        :meth:`replay` as its own first attempt, so it decides, waits and logs
        exactly as if it had run that attempt itself.
        """
        if not self._resendable:
            retry = False
        elif isinstance(outcome, Exception):
            retry = is_retryable_exception(outcome)
        else:
            retry = self.options.dialect.is_retryable(outcome)
        if retry:
            self._replay = outcome
        return retry

    def replay(self) -> httpx.Response | None:
        """The first attempt's outcome, once, after :meth:`first_outcome` kept it;
        a kept failure is raised."""
        outcome, self._replay = self._replay, None
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def should_retry(self, state: tenacity.RetryCallState) -> bool:
        """Whether the attempt that just ended may pass when sent again."""
        outcome = state.outcome
        assert outcome is not None
        if outcome.failed:
            error = outcome.exception()
            return error is not None and is_retryable_exception(error)
        return self.options.dialect.is_retryable(outcome.result())

    def wait(self, state: tenacity.RetryCallState) -> float:
        """Seconds to wait before the next attempt: the server's ``Retry-After``, or backoff."""
        response = _outcome_response(state)
        if response is not None:
            asked = retry_after_seconds(response.headers, self._wall_clock())
            if asked is not None:
                return asked
        return backoff_seconds(state.attempt_number, self.options.retry_policy, self._rand())

    def should_stop(self, state: tenacity.RetryCallState) -> bool:
        """Whether to give up: out of retries, or the coming wait would pass the
        deadline or the longest wait allowed."""
        if state.attempt_number > self.options.max_retries:
            return True
        wait = state.upcoming_sleep
        if wait > self.options.retry_policy.max_retry_after:
            return True
        remaining = self.remaining()
        return remaining is not None and wait >= remaining

    def log_retry(self, state: tenacity.RetryCallState) -> None:
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


def _call_of(state: tenacity.RetryCallState) -> Call:
    call = state.args[0]
    assert isinstance(call, Call)
    return call


def _last_outcome(state: tenacity.RetryCallState) -> Any:
    assert state.outcome is not None
    return state.outcome.result()


# One set of settings for every call: the callbacks find the call in the
# attempt's first argument, so the retry controllers are built once, not per
# call. Their only shared state (tenacity's per-iteration bookkeeping) is
# thread-local, and an async controller touches it only between awaits that do
# not suspend, as every callback here is synchronous.
RETRY_SETTINGS: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "retry": lambda state: _call_of(state).should_retry(state),
        "wait": lambda state: _call_of(state).wait(state),
        "stop": lambda state: _call_of(state).should_stop(state),
        "before_sleep": lambda state: _call_of(state).log_retry(state),
        # After the last attempt, hand back its answer (or raise its error)
        # instead of tenacity's RetryError, so it can be mapped like any other.
        "retry_error_callback": _last_outcome,
    }
)
"""Keyword arguments for ``tenacity.Retrying`` / ``AsyncRetrying``, whose calls
pass the :class:`Call` as the attempt function's first argument."""
