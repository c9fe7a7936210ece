"""Idempotency keys on the wire: replay, reuse with another body, a running duplicate."""

from __future__ import annotations

import json

import httpx
import pytest

import aiaas
from aiaas_mock import MockServer
from aiaas_mock.api.idempotency import fingerprint, stored_key
from aiaas_mock.store.tenants import IssuedKey
from tests.contract.conftest import LiveTenant
from tests.helpers import healthy_run, resolve

PATH = "/v1/models/quality-logreg/predict"


@pytest.fixture
def issued(aiaas_mock: MockServer, request: pytest.FixtureRequest) -> IssuedKey:
    return aiaas_mock.admin.issue_key(aiaas_mock.admin.create_tenant(request.node.name).id)


@pytest.fixture
def tenant(issued: IssuedKey) -> tuple[str, dict[str, str]]:
    return issued.tenant_id, {"Authorization": f"Bearer {issued.secret.reveal()}"}


def post(server: MockServer, headers: dict[str, str], body: object, key: str) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}{PATH}", json=body, headers={**headers, "Idempotency-Key": key}
    )


def test_a_repeat_is_replayed_not_rerun(
    aiaas_mock: MockServer, tenant: tuple[str, dict[str, str]]
) -> None:
    tenant_id, headers = tenant
    body = {"inputs": [healthy_run()]}
    first = post(aiaas_mock, headers, body, "key-1")
    second = post(aiaas_mock, headers, body, "key-1")
    assert first.status_code == second.status_code == 200
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers["x-request-id"] != first.headers["x-request-id"]
    assert aiaas_mock.admin.prediction_count(tenant_id) == 1


def test_the_same_key_with_another_body_is_refused(
    aiaas_mock: MockServer, tenant: tuple[str, dict[str, str]]
) -> None:
    _, headers = tenant
    post(aiaas_mock, headers, {"inputs": [healthy_run()]}, "key-2")
    other = post(aiaas_mock, headers, {"inputs": [healthy_run(torque=41.0)]}, "key-2")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_a_duplicate_of_a_running_request_is_a_conflict(
    aiaas_mock: MockServer, tenant: tuple[str, dict[str, str]], issued: IssuedKey
) -> None:
    tenant_id, headers = tenant
    body = {"inputs": [healthy_run()]}
    content = json.dumps(body).encode()
    aiaas_mock.services.store.idempotency.claim(
        tenant_id,
        stored_key(issued.id, "key-3"),
        fingerprint("POST", PATH, "", content),
    )
    response = httpx.post(
        f"{aiaas_mock.base_url}{PATH}",
        content=content,
        headers={**headers, "Idempotency-Key": "key-3", "content-type": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "request_in_progress"
    assert aiaas_mock.admin.prediction_count(tenant_id) == 0


def test_keys_are_scoped_to_the_tenant(
    aiaas_mock: MockServer, tenant: tuple[str, dict[str, str]]
) -> None:
    _, headers = tenant
    mine = post(aiaas_mock, headers, {"inputs": [healthy_run()]}, "shared-key")
    theirs = post(
        aiaas_mock,
        {"Authorization": f"Bearer {aiaas_mock.api_key}"},
        {"inputs": [healthy_run(torque=30.0)]},
        "shared-key",
    )
    assert theirs.status_code == 200
    assert theirs.json()["id"] != mine.json()["id"]


def test_failed_requests_are_not_stored(
    aiaas_mock: MockServer, tenant: tuple[str, dict[str, str]]
) -> None:
    _, headers = tenant
    bad = post(aiaas_mock, headers, {"inputs": [{"torque": 1}]}, "key-4")
    assert bad.status_code == 422
    assert (
        "idempotent-replayed"
        not in post(aiaas_mock, headers, {"inputs": [{"torque": 1}]}, "key-4").headers
    )
    good = post(aiaas_mock, headers, {"inputs": [healthy_run()]}, "key-4")
    assert good.status_code == 200


async def test_sdk_calls_with_one_key_run_once(live: LiveTenant) -> None:
    client = live.client()
    calls = [
        client.models.predict("quality-logreg", inputs=[healthy_run()], idempotency_key="order-7")
        for _ in range(2)
    ]
    first, second = [await resolve(call) for call in calls]
    assert first.id == second.id
    assert live.server.admin.prediction_count(live.tenant.id) == 1
    with pytest.raises(aiaas.UnprocessableEntityError, match="idempotency_key_reused"):
        await resolve(
            client.models.predict(
                "quality-logreg", inputs=[healthy_run(torque=1.0)], idempotency_key="order-7"
            )
        )
