"""Retries of the request pipeline, sync and async, against respx mocks."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import respx

import aiaas
from tests.conftest import ClientFactory
from tests.helpers import BASE_URL, resolve

MODEL_URL = f"{BASE_URL}/v1/models/quality-logreg"
PREDICT_URL = f"{MODEL_URL}/predict"
CARD = {
    "id": "quality-logreg",
    "task": "tabular-classification",
    "algorithm": "logreg",
    "version": "1",
    "owner": "system",
    "created_at": 0,
}
PREDICTION = {
    "id": "pred_1",
    "model": "quality-logreg",
    "outputs": [{"prediction": "pass"}],
    "usage": {"inputs": 1, "compute_ms": 1.0},
    "created_at": 0,
}


def problem(status: int, code: str, **extra: Any) -> httpx.Response:
    body = {"title": "t", "status": status, "code": code, "detail": "d", "request_id": "req_x"}
    return httpx.Response(status, json=body, **extra)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (408, aiaas.APIStatusError),
        (429, aiaas.RateLimitError),
        (500, aiaas.InternalServerError),
        (502, aiaas.InternalServerError),
        (503, aiaas.InternalServerError),
        (504, aiaas.InternalServerError),
    ],
)
@respx.mock
async def test_retryable_status_is_retried_then_raised(
    make_client: ClientFactory, status: int, error: type[aiaas.APIStatusError]
) -> None:
    route = respx.get(MODEL_URL).mock(return_value=problem(status, "some_code"))
    client = make_client(max_retries=2)
    with pytest.raises(error) as caught:
        await resolve(client.models.retrieve("quality-logreg"))
    assert type(caught.value) is error
    assert route.call_count == 3
    assert caught.value.status_code == status
    assert caught.value.code == "some_code"
    assert caught.value.request_id == "req_x"


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (httpx.ConnectError("refused"), aiaas.APIConnectionError),
        (httpx.ReadError("reset"), aiaas.APIConnectionError),
        (httpx.RemoteProtocolError("peer closed"), aiaas.APIConnectionError),
        (httpx.ConnectTimeout("slow"), aiaas.APITimeoutError),
        (httpx.ReadTimeout("slow"), aiaas.APITimeoutError),
    ],
)
@respx.mock
async def test_transport_failure_is_retried_then_raised(
    make_client: ClientFactory, exc: Exception, error: type[aiaas.AIaaSError]
) -> None:
    route = respx.get(MODEL_URL).mock(side_effect=exc)
    client = make_client(max_retries=3)
    with pytest.raises(error) as caught:
        await resolve(client.models.retrieve("quality-logreg"))
    assert type(caught.value) is error
    assert route.call_count == 4
    assert "quality-logreg" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, aiaas.BadRequestError),
        (401, aiaas.AuthenticationError),
        (403, aiaas.PermissionDeniedError),
        (404, aiaas.NotFoundError),
        (409, aiaas.ConflictError),
        (413, aiaas.APIStatusError),
        (422, aiaas.UnprocessableEntityError),
        (501, aiaas.InternalServerError),
    ],
)
@respx.mock
async def test_other_statuses_are_not_retried(
    make_client: ClientFactory, status: int, error: type[aiaas.APIStatusError]
) -> None:
    route = respx.get(MODEL_URL).mock(return_value=problem(status, "nope"))
    client = make_client(max_retries=5)
    with pytest.raises(error):
        await resolve(client.models.retrieve("quality-logreg"))
    assert route.call_count == 1


@respx.mock
async def test_transient_failures_then_success(make_client: ClientFactory) -> None:
    route = respx.get(MODEL_URL).mock(
        side_effect=[
            httpx.ConnectError("refused"),
            problem(503, "service_unavailable"),
            httpx.Response(200, json=CARD),
        ]
    )
    model = await resolve(make_client(max_retries=2).models.retrieve("quality-logreg"))
    assert model.id == "quality-logreg"
    assert route.call_count == 3


@respx.mock
async def test_max_retries_zero_makes_one_attempt(make_client: ClientFactory) -> None:
    route = respx.get(MODEL_URL).mock(return_value=problem(503, "service_unavailable"))
    with pytest.raises(aiaas.InternalServerError):
        await resolve(make_client(max_retries=0).models.retrieve("quality-logreg"))
    assert route.call_count == 1


@respx.mock
async def test_retry_after_ms_is_honoured(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    respx.get(MODEL_URL).mock(
        side_effect=[
            problem(429, "rate_limited", headers={"retry-after-ms": "120", "retry-after": "30"}),
            httpx.Response(200, json=CARD),
        ]
    )
    client = make_client(max_retries=1)
    caplog.set_level(logging.INFO, logger="aiaas")
    started = time.monotonic()
    await resolve(client.models.retrieve("quality-logreg"))
    assert time.monotonic() - started >= 0.12
    assert "in 0.120 s (retry 1 of 1) after status 429" in caplog.text


@respx.mock
async def test_retry_after_seconds_is_honoured(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    respx.get(MODEL_URL).mock(
        side_effect=[
            problem(503, "service_unavailable", headers={"retry-after": "0.2"}),
            httpx.Response(200, json=CARD),
        ]
    )
    caplog.set_level(logging.INFO, logger="aiaas")
    started = time.monotonic()
    await resolve(make_client().models.retrieve("quality-logreg"))
    assert time.monotonic() - started >= 0.2
    assert "in 0.200 s" in caplog.text


@respx.mock
async def test_retry_after_beyond_the_bound_ends_retrying(make_client: ClientFactory) -> None:
    route = respx.get(MODEL_URL).mock(
        return_value=problem(429, "rate_limited", headers={"retry-after": "3600"})
    )
    started = time.monotonic()
    with pytest.raises(aiaas.RateLimitError) as caught:
        await resolve(make_client(max_retries=3).models.retrieve("quality-logreg"))
    assert route.call_count == 1
    assert time.monotonic() - started < 1.0
    assert caught.value.response.headers["retry-after"] == "3600"


@respx.mock
async def test_deadline_bounds_the_whole_call(make_client: ClientFactory) -> None:
    route = respx.get(MODEL_URL).mock(
        return_value=problem(503, "service_unavailable", headers={"retry-after-ms": "150"})
    )
    client = make_client(max_retries=10, deadline=0.4)
    started = time.monotonic()
    with pytest.raises(aiaas.InternalServerError):
        await resolve(client.models.retrieve("quality-logreg"))
    elapsed = time.monotonic() - started
    assert elapsed < 0.4
    assert route.call_count == 3  # at 0, 0.15 and 0.30 s; the next would pass 0.4 s


@respx.mock
async def test_attempt_timeout_shrinks_to_the_deadline(make_client: ClientFactory) -> None:
    route = respx.get(MODEL_URL).mock(return_value=httpx.Response(200, json=CARD))
    await resolve(make_client(timeout=30.0, deadline=2.0).models.retrieve("quality-logreg"))
    timeout = route.calls.last.request.extensions["timeout"]
    assert 0 < timeout["read"] <= 2.0
    assert 0 < timeout["connect"] <= 2.0


@respx.mock
async def test_one_idempotency_key_for_all_attempts_of_a_call(make_client: ClientFactory) -> None:
    route = respx.post(PREDICT_URL).mock(
        side_effect=[
            httpx.ReadError("reset"),
            problem(500, "internal_error"),
            httpx.Response(200, json=PREDICTION),
        ]
    )
    client = make_client(max_retries=2)
    await resolve(client.models.predict("quality-logreg", inputs=[{"a": 1}]))
    keys = [call.request.headers["idempotency-key"] for call in route.calls]
    assert len(keys) == 3
    assert len(set(keys)) == 1
    assert keys[0].startswith("aiaas-")
    counts = [call.request.headers["x-aiaas-retry-count"] for call in route.calls]
    assert counts == ["0", "1", "2"]
    bodies = {call.request.content for call in route.calls}
    assert len(bodies) == 1


@respx.mock
async def test_each_call_gets_its_own_idempotency_key(make_client: ClientFactory) -> None:
    route = respx.post(PREDICT_URL).mock(return_value=httpx.Response(200, json=PREDICTION))
    client = make_client()
    await resolve(client.models.predict("quality-logreg", inputs=[{"a": 1}]))
    await resolve(client.models.predict("quality-logreg", inputs=[{"a": 1}]))
    await resolve(
        client.models.predict("quality-logreg", inputs=[{"a": 1}], idempotency_key="mine-1")
    )
    keys = [call.request.headers["idempotency-key"] for call in route.calls]
    assert keys[0] != keys[1]
    assert keys[2] == "mine-1"


@respx.mock
async def test_get_requests_carry_no_idempotency_key(make_client: ClientFactory) -> None:
    route = respx.get(MODEL_URL).mock(return_value=httpx.Response(200, json=CARD))
    await resolve(make_client().models.retrieve("quality-logreg"))
    request = route.calls.last.request
    assert "idempotency-key" not in request.headers
    assert request.headers["x-aiaas-retry-count"] == "0"
    assert request.headers["authorization"].startswith("Bearer aiaas_sk_")


@respx.mock
async def test_a_running_duplicate_is_waited_for(make_client: ClientFactory) -> None:
    route = respx.post(PREDICT_URL).mock(
        side_effect=[
            problem(409, "request_in_progress", headers={"retry-after-ms": "10"}),
            httpx.Response(200, json=PREDICTION),
        ]
    )
    prediction = await resolve(make_client().models.predict("quality-logreg", inputs=[1]))
    assert prediction.id == "pred_1"
    assert route.call_count == 2


def _fails_each_first_attempt(request: httpx.Request) -> httpx.Response:
    """503 to every call's first attempt; then the prediction, named after the call's key."""
    if request.headers["x-aiaas-retry-count"] == "0":
        return problem(503, "service_unavailable", headers={"retry-after-ms": "1"})
    return httpx.Response(200, json={**PREDICTION, "id": request.headers["idempotency-key"]})


@respx.mock
async def test_concurrent_async_calls_keep_their_own_retry_state() -> None:
    # One retry controller serves every call; each call's state must stay its own.
    respx.post(PREDICT_URL).mock(side_effect=_fails_each_first_attempt)
    async with aiaas.AsyncClient(api_key="aiaas_sk_test", base_url=BASE_URL, encryption="off") as c:
        answers = await asyncio.gather(
            *(c.models.with_raw_response.predict("quality-logreg", inputs=[{}]) for _ in range(40))
        )
    assert len({answer.parse().id for answer in answers}) == 40
    assert {answer.retries_taken for answer in answers} == {1}


@respx.mock
def test_concurrent_sync_calls_keep_their_own_retry_state() -> None:
    respx.post(PREDICT_URL).mock(side_effect=_fails_each_first_attempt)
    with (
        aiaas.Client(api_key="aiaas_sk_test", base_url=BASE_URL, encryption="off") as client,
        ThreadPoolExecutor(8) as pool,
    ):
        answers = list(
            pool.map(
                lambda _: client.models.with_raw_response.predict("quality-logreg", inputs=[{}]),
                range(40),
            )
        )
    assert len({answer.parse().id for answer in answers}) == 40
    assert {answer.retries_taken for answer in answers} == {1}
