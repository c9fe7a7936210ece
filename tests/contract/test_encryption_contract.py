"""End-to-end encryption through the SDK against the live server: every resource with
both suites, sync and async; key rotation; captured requests replayed or moved.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import aiaas
from aiaas.envelope import HYBRID_SUITE, MEDIA_TYPE, X25519_SUITE
from aiaas_mock import MockServer
from aiaas_mock.zoo.registry import system_model_ids
from tests.contract.conftest import LiveTenant
from tests.helpers import collect, healthy_run, resolve

SUITES = [X25519_SUITE, HYBRID_SUITE]


class Wire:
    """Records what crossed the wire, as an intermediary would see it."""

    def __init__(self) -> None:
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def hooks(self) -> dict[str, list[Any]]:
        return {"response": [self._record]}

    def _record(self, response: httpx.Response) -> None:
        response.read()
        self.exchanges.append((response.request, response))

    async def _arecord(self, response: httpx.Response) -> None:
        await response.aread()
        self.exchanges.append((response.request, response))

    def async_hooks(self) -> dict[str, list[Any]]:
        return {"response": [self._arecord]}


def client_with_wire(live: LiveTenant, wire: Wire, is_async: bool, **options: Any) -> Any:
    http: Any = (
        httpx.AsyncClient(event_hooks=wire.async_hooks())
        if is_async
        else httpx.Client(event_hooks=wire.hooks())
    )
    return live.client(http_client=http, **options)


@pytest.mark.parametrize("suite", SUITES)
async def test_every_resource_round_trips_sealed(live: LiveTenant, suite: str) -> None:
    wire = Wire()
    is_async = live.client().__class__ is aiaas.AsyncClient
    sdk = client_with_wire(live, wire, is_async, encryption="required", encryption_suite=suite)
    try:
        await _round_trip(sdk, wire)
    finally:
        await _close(sdk)


async def _round_trip(sdk: Any, wire: Wire) -> None:
    models = await collect(sdk.models.list(limit=3))
    assert [m.id for m in models] == system_model_ids()
    card = await resolve(sdk.models.retrieve("regime-kmeans"))
    assert card.task == "clustering"
    secret_run = healthy_run(tool_wear=201.234567)
    prediction = await resolve(sdk.models.predict("quality-logreg", inputs=[secret_run]))
    assert prediction.outputs[0]["prediction"] in ("pass", "fail")
    api = [(q, r) for q, r in wire.exchanges if q.url.path != "/v1/encryption/keys"]
    pages = -(-len(system_model_ids()) // 3)
    assert len(api) == pages + 2  # the pages, one card, one prediction
    for request, response in api:
        assert response.headers["content-type"] == MEDIA_TYPE
        assert b"quality-logreg" not in response.content
        assert "aiaas-encryption" in request.headers
    sealed_post = api[-1][0]
    assert sealed_post.headers["content-type"] == MEDIA_TYPE
    assert b"201.234567" not in sealed_post.content


async def _close(sdk: Any) -> None:
    http = sdk._http
    if isinstance(http, httpx.AsyncClient):
        await http.aclose()
    else:
        http.close()


async def test_encryption_off_sends_plaintext(live: LiveTenant) -> None:
    wire = Wire()
    is_async = live.client().__class__ is aiaas.AsyncClient
    sdk = client_with_wire(live, wire, is_async, encryption="off")
    try:
        await resolve(sdk.models.predict("quality-logreg", inputs=[healthy_run()]))
    finally:
        await _close(sdk)
    request, response = wire.exchanges[-1]
    assert request.headers["content-type"] == "application/json"
    assert response.headers["content-type"] == "application/json"


async def test_rotated_keys_are_fetched_again(live: LiveTenant) -> None:
    sdk = live.client(encryption="required")
    await resolve(sdk.models.predict("quality-logreg", inputs=[healthy_run()]))
    live.server.admin.rotate_encryption_keys(overlap=0)  # the client's key is now unknown
    prediction = await resolve(sdk.models.predict("quality-logreg", inputs=[healthy_run()]))
    assert prediction.usage.inputs == 1


async def test_a_tenant_that_requires_encryption(live: LiveTenant) -> None:
    live.server.admin.require_encryption(live.tenant.id)
    with pytest.raises(aiaas.BadRequestError) as caught:
        await resolve(
            live.client(encryption="off").models.predict("quality-logreg", inputs=[healthy_run()])
        )
    assert caught.value.code == "encryption_required"
    await resolve(live.client().models.predict("quality-logreg", inputs=[healthy_run()]))


def captured_predict(server: MockServer) -> tuple[httpx.Request, int]:
    wire = Wire()
    with (
        httpx.Client(event_hooks=wire.hooks()) as http,
        aiaas.Client(
            api_key=server.api_key,
            base_url=server.base_url,
            http_client=http,
            encryption="required",
        ) as sdk,
    ):
        sdk.models.predict("quality-logreg", inputs=[healthy_run()])
    request = next(q for q, _ in wire.exchanges if q.method == "POST")
    return request, server.admin.prediction_count(server.tenant.id)  # type: ignore[union-attr]


def resend(server: MockServer, request: httpx.Request, path: str | None = None) -> httpx.Response:
    headers = {k: v for k, v in request.headers.items() if k.lower() != "idempotency-key"}
    return httpx.post(
        f"{server.base_url}{path or request.url.path}", content=request.content, headers=headers
    )


def test_a_captured_request_cannot_be_replayed(aiaas_mock: MockServer) -> None:
    request, count = captured_predict(aiaas_mock)
    replay = resend(aiaas_mock, request)
    assert replay.status_code == 400
    assert replay.json()["code"] == "replayed_request"
    assert aiaas_mock.admin.prediction_count(aiaas_mock.tenant.id) == count  # type: ignore[union-attr]


def test_a_captured_request_cannot_be_moved(aiaas_mock: MockServer) -> None:
    request, _ = captured_predict(aiaas_mock)
    moved = resend(aiaas_mock, request, "/v1/models/regime-kmeans/predict")
    assert moved.status_code == 400
    assert moved.json()["code"] == "decryption_failed"
