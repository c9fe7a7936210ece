"""Per-call options (extra_headers, extra_query, extra_body, timeout), raw responses
and the request id of a successful call, sync and async."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from typing import Any

import httpx
import pytest
import respx

import aiaas
from tests.conftest import ClientFactory
from tests.helpers import API_KEY, BASE_URL, CARD, collect, resolve

PREDICT_URL = f"{BASE_URL}/v1/models/m/predict"
PREDICTION = {
    "id": "pred_1",
    "model": "m",
    "outputs": [{"prediction": "pass"}],
    "usage": {"inputs": 1, "compute_ms": 1.0},
    "created_at": 0,
}


def _answer(body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body, headers={"x-request-id": "req_42", **headers})


@respx.mock
async def test_extra_headers_win_over_default_headers(make_client: ClientFactory) -> None:
    route = respx.get(f"{BASE_URL}/v1/models/m").mock(return_value=_answer(CARD))
    client = make_client(default_headers={"X-Plant": "line-3", "X-Team": "a"})
    shifted = client.with_options(default_headers={"X-Plant": "line-4"})
    await resolve(shifted.models.retrieve("m", extra_headers={"X-Team": "b", "X-Shift": "2"}))
    headers = route.calls.last.request.headers
    assert headers["x-plant"] == "line-4"  # with_options replaces the defaults
    assert "x-team" not in headers or headers["x-team"] == "b"
    assert headers["x-shift"] == "2"
    await resolve(client.models.retrieve("m", extra_headers={"X-Plant": "line-9"}))
    assert route.calls.last.request.headers["x-plant"] == "line-9"
    assert route.calls.last.request.headers["x-team"] == "a"


@respx.mock
async def test_extra_query_and_body_are_merged(make_client: ClientFactory) -> None:
    route = respx.post(PREDICT_URL).mock(return_value=_answer(PREDICTION))
    await resolve(
        make_client().models.predict(
            "m",
            inputs=[{"a": 1}],
            extra_query={"trace": "yes"},
            extra_body={"parameters": {"threshold": 0.3}, "note": "x"},
        )
    )
    request = route.calls.last.request
    assert request.url.params["trace"] == "yes"
    assert json.loads(request.content) == {
        "inputs": [{"a": 1}],
        "parameters": {"threshold": 0.3},
        "note": "x",
    }


@respx.mock
async def test_an_idempotency_key_in_extra_headers_is_the_calls_key(
    make_client: ClientFactory,
) -> None:
    route = respx.post(PREDICT_URL).mock(side_effect=[httpx.Response(503), _answer(PREDICTION)])
    await resolve(
        make_client(max_retries=2).models.predict(
            "m", inputs=[1], extra_headers={"Idempotency-Key": "mine-1"}
        )
    )
    assert [call.request.headers["idempotency-key"] for call in route.calls] == ["mine-1"] * 2


@respx.mock
async def test_extra_body_on_a_get_is_refused(make_client: ClientFactory) -> None:
    with pytest.raises(TypeError, match="extra_body"):
        await resolve(make_client().models.retrieve("m", extra_body={"x": 1}))


@respx.mock
async def test_a_per_call_timeout_applies_to_that_call_only(make_client: ClientFactory) -> None:
    route = respx.get(f"{BASE_URL}/v1/models/m").mock(return_value=_answer(CARD))
    client = make_client(timeout=30.0)
    await resolve(client.models.retrieve("m", timeout=2.5))
    assert route.calls.last.request.extensions["timeout"]["read"] == 2.5
    await resolve(client.models.retrieve("m"))
    assert route.calls.last.request.extensions["timeout"]["read"] == 30.0


@respx.mock
async def test_a_successful_call_carries_its_request_id(make_client: ClientFactory) -> None:
    respx.post(PREDICT_URL).mock(return_value=_answer(PREDICTION))
    respx.get(f"{BASE_URL}/v1/models/m").mock(return_value=_answer(CARD))
    client = make_client()
    prediction = await resolve(client.models.predict("m", inputs=[1]))
    assert prediction._request_id == "req_42"
    assert (await resolve(client.models.retrieve("m")))._request_id == "req_42"
    assert aiaas.types.Prediction.model_validate(PREDICTION)._request_id is None


@respx.mock
async def test_with_raw_response_gives_the_answer_and_parses(make_client: ClientFactory) -> None:
    respx.post(PREDICT_URL).mock(
        side_effect=[
            httpx.Response(503),
            _answer(PREDICTION, **{"Idempotent-Replayed": "true"}),
        ]
    )
    raw = await resolve(
        make_client(max_retries=2).models.with_raw_response.predict("m", inputs=[1])
    )
    assert isinstance(raw, aiaas.APIResponse)
    assert raw.status_code == 200
    assert raw.request_id == "req_42"
    assert raw.idempotent_replayed is True
    assert raw.retries_taken == 1
    assert raw.headers["content-type"] == "application/json"
    prediction = raw.parse()
    assert isinstance(prediction, aiaas.types.Prediction)
    assert prediction.id == "pred_1"
    assert prediction._request_id == "req_42"


@respx.mock
async def test_every_method_has_a_raw_variant(make_client: ClientFactory) -> None:
    respx.get(f"{BASE_URL}/v1/models/m").mock(return_value=_answer(CARD))
    respx.get(f"{BASE_URL}/v1/models").mock(
        return_value=_answer({"object": "list", "data": [CARD], "has_more": False})
    )
    respx.post(f"{BASE_URL}/v1/embeddings").mock(
        return_value=_answer(
            {
                "object": "list",
                "data": [{"object": "embedding", "index": 0, "embedding": [1.0]}],
                "model": "e",
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        )
    )
    client = make_client()
    card = await resolve(client.models.with_raw_response.retrieve("m"))
    assert card.parse().id == "m"
    page = await resolve(client.models.with_raw_response.list(limit=5))
    assert page.http_response.request.url.params["limit"] == "5"
    assert [m.id for m in await collect(page.parse())] == ["m"]
    vectors = await resolve(client.embeddings.with_raw_response.create(model="e", input="x"))
    assert vectors.parse().data[0].embedding == [1.0]
    assert vectors.retries_taken == 0


@respx.mock
async def test_a_raw_call_that_fails_raises_as_usual(make_client: ClientFactory) -> None:
    respx.get(f"{BASE_URL}/v1/models/m").mock(
        return_value=httpx.Response(404, json={"title": "t", "status": 404, "code": "not_found"})
    )
    with pytest.raises(aiaas.NotFoundError):
        await resolve(make_client().models.with_raw_response.retrieve("m"))


def test_aiaas_log_turns_on_redacted_logging_to_stderr() -> None:
    program = f"""
import httpx, respx, aiaas
with respx.mock:
    respx.get("{BASE_URL}/v1/models/m").mock(side_effect=[
        httpx.Response(503), httpx.Response(200, json={CARD!r})])
    with aiaas.Client(api_key="{API_KEY}", base_url="{BASE_URL}", encryption="off",
                      retry_policy=aiaas.RetryPolicy(initial_delay=0.001)) as c:
        c.models.retrieve("m")
"""
    for level, expected in (("debug", "-> 200"), ("info", "Retrying GET")):
        done = subprocess.run(
            [sys.executable, "-c", program],
            env={"AIAAS_LOG": level, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        )
        assert expected in done.stderr
        assert API_KEY not in done.stderr
    quiet = subprocess.run(
        [sys.executable, "-c", program],
        env={"PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert quiet.stderr == ""


def test_aiaas_log_refuses_unknown_levels(caplog: pytest.LogCaptureFixture) -> None:
    from aiaas._logs import setup_logging

    logger = logging.getLogger("aiaas")
    before = (logger.level, list(logger.handlers))
    with caplog.at_level(logging.WARNING, logger="aiaas"):
        setup_logging({"AIAAS_LOG": "verbose"})
    assert (logger.level, logger.handlers) == before
    assert "AIAAS_LOG" in caplog.text


@respx.mock
async def test_a_2d_numpy_array_is_a_batch_of_rows(make_client: ClientFactory) -> None:
    import numpy as np

    route = respx.post(PREDICT_URL).mock(return_value=_answer(PREDICTION))
    await resolve(make_client().models.predict("m", inputs=np.arange(6.0).reshape(2, 3)))
    assert json.loads(route.calls.last.request.content)["inputs"] == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(TypeError, match="dimension"):
        await resolve(make_client().models.predict("m", inputs=np.float64(1.0)))
