"""Every route against every way a caller can be refused: exact status and code,
and nothing of another tenant in any answer.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from aiaas.types import Model
from aiaas_mock.store.tenants import ALL_SCOPES
from tests.helpers import healthy_run
from tests.server.conftest import Harness, make_harness

OTHER_MODEL = "acme-secret-tuned-model"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    scope: str
    body: Any = None
    own_path: str | None = None
    """The same route on a resource of the caller's own tenant, where one applies."""
    allowed: int = 200
    """The status with every scope (a body that names nothing gets its 404 or 422)."""
    also: str | None = None
    """A second scope the route needs."""


ROUTES = [
    Route("GET", "/v1/models", "models:read"),
    Route("GET", "/v1/models/quality-logreg", "models:read"),
    Route("GET", f"/v1/models/{OTHER_MODEL}", "models:read", own_path="/v1/models/own-model"),
    Route("POST", "/v1/models/quality-logreg/predict", "inference", {"inputs": [healthy_run()]}),
    Route(
        "POST",
        f"/v1/models/{OTHER_MODEL}/predict",
        "inference",
        {"inputs": [healthy_run()]},
        own_path="/v1/models/own-model/predict",
    ),
    Route("GET", "/v1/datasets", "datasets:read"),
    Route("GET", "/v1/datasets/ds_none", "datasets:read", allowed=404),
    Route("GET", "/v1/datasets/ds_none/rows", "datasets:read", allowed=404),
    Route("DELETE", "/v1/datasets/ds_none", "datasets:write", allowed=404),
    Route("GET", "/v1/training-jobs", "training"),
    Route("GET", "/v1/training-jobs/tj_none", "training", allowed=404),
    Route(
        "POST",
        "/v1/training-jobs",
        "training",
        {"model": "ridge", "dataset_id": "ds_none", "target": "y"},
        allowed=404,
    ),
    Route("POST", "/v1/training-jobs/tj_none/cancel", "training", {}, allowed=404),
    Route("DELETE", "/v1/models/doomed-model", "training", allowed=200),
    Route("PATCH", f"/v1/models/{OTHER_MODEL}", "training", {"id": "mine"}, allowed=404),
    Route("GET", "/v1/batch-predictions", "inference"),
    Route(
        "GET",
        "/v1/batch-predictions/bp_none/results",
        "inference",
        allowed=404,
        also="datasets:read",
    ),
    Route(
        "POST",
        "/v1/batch-predictions",
        "inference",
        {"model": "quality-logreg", "dataset_id": "ds_none"},
        allowed=404,
        also="datasets:read",
    ),
]


@dataclass
class World:
    harness: Harness
    other_tenant_id: str
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    for harness in make_harness():
        admin = harness.admin
        other = admin.create_tenant("other-co")
        card = Model(
            id=OTHER_MODEL,
            task="tabular-classification",
            algorithm="a",
            version="1",
            owner="",
            created_at=0,
            description="other-co private line 9",
        )
        admin.add_model(card, other.id)
        for own in ("own-model", "doomed-model"):
            admin.add_model(
                card.model_copy(update={"id": own, "description": "our own"}), harness.tenant.id
            )
        revoked = admin.issue_key(harness.tenant.id)
        admin.revoke_key(revoked.id)
        client = admin.create_client(harness.tenant.id)
        pair = base64.b64encode(f"{client.id}:{client.secret.reveal()}".encode()).decode()
        token = harness.http.post(
            "/v1/oauth/token",
            content="grant_type=client_credentials",
            headers={
                "content-type": "application/x-www-form-urlencoded",
                "Authorization": f"Basic {pair}",
            },
        ).json()["access_token"]
        admin.expire_tokens(client.id)
        headers = {
            "none": {},
            "malformed": {"Authorization": "Token abc"},
            "unknown key": {"Authorization": "Bearer aiaas_sk_unknown"},
            "unknown token": {"Authorization": "Bearer aiaas_at_unknown"},
            "revoked key": harness.auth(revoked),
            "expired token": {"Authorization": f"Bearer {token}"},
        }
        for scope in ALL_SCOPES:
            key = admin.issue_key(harness.tenant.id, ALL_SCOPES - {scope})
            headers[f"without {scope}"] = harness.auth(key)
        yield World(harness, other.id, headers)


EXPECTED = {
    "none": (401, "missing_credentials"),
    "malformed": (401, "invalid_authorization_header"),
    "unknown key": (401, "invalid_api_key"),
    "unknown token": (401, "invalid_token"),
    "revoked key": (401, "revoked_api_key"),
    "expired token": (401, "token_expired"),
}


def call(world: World, route: Route, headers: dict[str, str], path: str | None = None) -> Any:
    return world.harness.http.request(
        route.method, path or route.path, json=route.body, headers=headers
    )


def assert_nothing_of_the_other_tenant(response: Any, world: World, route: Route) -> None:
    if OTHER_MODEL not in route.path:  # a 404 may name the id the caller sent itself
        assert OTHER_MODEL not in response.text
    assert world.other_tenant_id not in response.text
    assert "other-co" not in response.text


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
@pytest.mark.parametrize("case", list(EXPECTED))
def test_refused_callers(world: World, route: Route, case: str) -> None:
    world.harness.services.auth_failures.forget()  # keep the guess limiter out of it
    response = call(world, route, world.headers[case])
    status, code = EXPECTED[case]
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert "www-authenticate" in response.headers
    assert_nothing_of_the_other_tenant(response, world, route)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_missing_scope(world: World, route: Route) -> None:
    for scope in (route.scope, route.also):
        if scope is None:
            continue
        response = call(world, route, world.headers[f"without {scope}"])
        assert (response.status_code, response.json()["code"]) == (403, "insufficient_scope")
        assert scope in response.json()["detail"]
        assert_nothing_of_the_other_tenant(response, world, route)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_other_tenants_resources(world: World, route: Route) -> None:
    response = call(world, route, world.harness.auth())
    if route.own_path is None:
        assert response.status_code == route.allowed, response.text
    else:
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        own = call(world, route, world.harness.auth(), route.own_path)
        assert own.status_code in (200, 409)  # 409: a card without a served model
    assert_nothing_of_the_other_tenant(response, world, route)
