"""When to retry a request and how long to wait first: pure functions, no I/O."""

from __future__ import annotations

import email.utils
import math
from typing import TYPE_CHECKING

import httpx

from ._exceptions import APIStatusError
from ._response import is_certificate_failure, problem_code

if TYPE_CHECKING:
    from ._options import RetryPolicy

__all__ = [
    "RETRYABLE_STATUS_CODES",
    "backoff_seconds",
    "is_retryable_exception",
    "is_retryable_response",
    "retry_after_seconds",
]

RETRYABLE_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504})

# A 409 with this code means an earlier attempt of the same call (same idempotency
# key) is still running on the server: waiting and asking again gets its result.
IN_PROGRESS_CODE = "request_in_progress"
# A 429 with this code answers credentials that keep failing; waiting will not fix them.
AUTH_FAILURES_CODE = "too_many_auth_failures"

_RETRYABLE_EXCEPTIONS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def is_retryable_exception(exc: BaseException) -> bool:
    """Whether a failure may pass when the request is sent again: a transport
    failure, or an error answer raised on the way (such as by a token request).
    """
    if isinstance(exc, APIStatusError):
        return is_retryable_response(exc.response)
    # A certificate that does not verify will not verify on the next attempt.
    return isinstance(exc, _RETRYABLE_EXCEPTIONS) and not is_certificate_failure(exc)


def is_retryable_response(response: httpx.Response) -> bool:
    """Whether an answer says the same request may succeed later."""
    if response.status_code == 429:
        return problem_code(response) != AUTH_FAILURES_CODE
    if response.status_code in RETRYABLE_STATUS_CODES:
        return True
    return response.status_code == 409 and problem_code(response) == IN_PROGRESS_CODE


def retry_after_seconds(headers: httpx.Headers, now: float) -> float | None:
    """The wait a server asked for, in seconds, or ``None`` if it asked for none.

    ``retry-after-ms`` (milliseconds) wins over ``Retry-After``, which may hold
    seconds or an HTTP date; ``now`` is the current Unix time, used for dates.
    """
    millis = _parse_float(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _parse_float(value)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now)


def _parse_float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def backoff_seconds(retry_number: int, policy: RetryPolicy, rand: float) -> float:
    """The wait before retry ``retry_number`` (1 for the first) with no server hint.

    ``rand`` in [0, 1) picks the jitter, so the result is reproducible in tests.
    """
    exponent = min(retry_number - 1, 32)
    delay = min(policy.initial_delay * 2.0**exponent, policy.max_delay)
    return delay * (1.0 - policy.jitter * rand)
