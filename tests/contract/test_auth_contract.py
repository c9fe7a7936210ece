"""Every way authentication can fail, seen through the SDK and on the wire."""

from __future__ import annotations

import httpx
import pytest

import aiaas
from aiaas_mock.store.tenants import ALL_SCOPES
from tests.contract.conftest import LiveTenant
from tests.helpers import healthy_run, resolve


async def test_unknown_key(live: LiveTenant) -> None:
    client = live.client(api_key="aiaas_sk_not-a-key")
    with pytest.raises(aiaas.AuthenticationError) as caught:
        await resolve(client.models.retrieve("quality-logreg"))
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert caught.value.response.headers["www-authenticate"].startswith("Bearer")
    assert "aiaas_sk_not-a-key" not in str(caught.value)


async def test_revoked_key_stops_working_at_once(live: LiveTenant) -> None:
    client = live.client()
    await resolve(client.models.retrieve("quality-logreg"))
    live.server.admin.revoke_key(live.key.id)
    with pytest.raises(aiaas.AuthenticationError) as caught:
        await resolve(client.models.retrieve("quality-logreg"))
    assert caught.value.code == "revoked_api_key"


@pytest.mark.parametrize("scope", ["models:read", "inference"])
async def test_missing_scope(live: LiveTenant, scope: str) -> None:
    key = live.server.admin.issue_key(live.tenant.id, ALL_SCOPES - {scope})
    client = live.client(api_key=key.secret.reveal())

    async def call() -> object:
        if scope == "models:read":
            return await resolve(client.models.list())
        return await resolve(client.models.predict("quality-logreg", inputs=[healthy_run()]))

    with pytest.raises(aiaas.PermissionDeniedError) as caught:
        await call()
    assert caught.value.code == "insufficient_scope"


async def test_auth_errors_are_not_retried(live: LiveTenant) -> None:
    client = live.client(api_key="aiaas_sk_not-a-key", max_retries=5)
    with pytest.raises(aiaas.AuthenticationError) as caught:
        await resolve(client.models.predict("quality-logreg", inputs=[healthy_run()]))
    assert caught.value.response.request.headers["x-aiaas-retry-count"] == "0"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_credentials"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "invalid_authorization_header"),
        ({"Authorization": "Bearer"}, "invalid_authorization_header"),
    ],
)
def test_missing_and_malformed_credentials_on_the_wire(
    aiaas_mock: object, headers: dict[str, str], code: str
) -> None:
    from aiaas_mock import MockServer

    assert isinstance(aiaas_mock, MockServer)
    response = httpx.get(f"{aiaas_mock.base_url}/v1/models", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == code
