"""The pure retry decisions: what is retryable and how long to wait."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from aiaas import RetryPolicy
from aiaas._retry import (
    backoff_seconds,
    is_retryable_exception,
    is_retryable_response,
    retry_after_seconds,
)

NOW = 1_800_000_000.0


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable_response(httpx.Response(status))


@pytest.mark.parametrize("status", [200, 201, 400, 401, 403, 404, 409, 413, 422, 501])
def test_statuses_not_retried(status: int) -> None:
    assert not is_retryable_response(httpx.Response(status))


def test_throttled_failing_credentials_are_not_retried() -> None:
    assert not is_retryable_response(httpx.Response(429, json={"code": "too_many_auth_failures"}))
    assert is_retryable_response(httpx.Response(429, json={"code": "rate_limited"}))


def test_conflict_of_a_running_idempotent_request_is_retried() -> None:
    assert is_retryable_response(httpx.Response(409, json={"code": "request_in_progress"}))
    assert not is_retryable_response(httpx.Response(409, json={"code": "conflict"}))
    assert not is_retryable_response(httpx.Response(409, content=b"not json"))


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow"),
        httpx.ReadTimeout("slow"),
        httpx.PoolTimeout("full"),
        httpx.ReadError("reset"),
        httpx.WriteError("reset"),
        httpx.RemoteProtocolError("peer closed"),
    ],
)
def test_transport_failures_are_retried(exc: Exception) -> None:
    assert is_retryable_exception(exc)


@pytest.mark.parametrize(
    "exc", [httpx.LocalProtocolError("bad"), httpx.UnsupportedProtocol("ftp"), ValueError("x")]
)
def test_client_side_failures_are_not_retried(exc: Exception) -> None:
    assert not is_retryable_exception(exc)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": email.utils.formatdate(NOW + 7, usegmt=True)}, 7.0),
        ({"retry-after": email.utils.formatdate(NOW - 30, usegmt=True)}, 0.0),
        ({}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-4"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after-ms": "nan"}, None),
    ],
)
def test_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(httpx.Headers(headers), NOW) == expected


def test_backoff_grows_exponentially_up_to_the_cap() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0, jitter=0.25)
    waits = [backoff_seconds(n, policy, rand=0.0) for n in range(1, 8)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert backoff_seconds(10_000, policy, rand=0.0) == 8.0


def test_jitter_shortens_the_wait_by_at_most_its_fraction() -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=8.0, jitter=0.25)
    assert backoff_seconds(1, policy, rand=0.999) == pytest.approx(0.75, abs=1e-3)
    assert backoff_seconds(1, policy, rand=0.5) == pytest.approx(0.875)


def test_retry_policy_validates() -> None:
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter=2.0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(initial_delay=-1)


def test_certificate_failures_are_not_retried() -> None:
    import ssl

    error = httpx.ConnectError("handshake failed")
    error.__cause__ = ssl.SSLCertVerificationError("certificate verify failed")
    assert not is_retryable_exception(error)


def test_a_cyclic_exception_chain_is_walked_once() -> None:
    first, second = httpx.ConnectError("a"), httpx.ReadError("b")
    first.__context__, second.__context__ = second, first
    assert is_retryable_exception(first)
