from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from aiaas_mock import Admin, ServerConfig, create_app
from aiaas_mock.services import Services
from aiaas_mock.store.tenants import IssuedKey, Tenant


@dataclass
class Harness:
    """An in-process app, its admin, and one tenant with an all-scopes key."""

    http: TestClient
    services: Services
    admin: Admin
    tenant: Tenant
    key: IssuedKey

    def auth(self, key: IssuedKey | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {(key or self.key).secret.reveal()}"}


def make_harness(config: ServerConfig | None = None) -> Iterator[Harness]:
    app = create_app(config or ServerConfig())
    services: Services = app.state.services
    admin = Admin.of(services)
    tenant = admin.get_or_create_tenant("acme")
    key = admin.issue_key(tenant.id)
    with TestClient(app, raise_server_exceptions=False) as http:
        yield Harness(http, services, admin, tenant, key)


@pytest.fixture
def harness() -> Iterator[Harness]:
    yield from make_harness()
