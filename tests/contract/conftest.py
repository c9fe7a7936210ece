from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

import aiaas
from aiaas_mock import MockServer
from aiaas_mock.store.tenants import IssuedKey, Tenant
from tests.helpers import FAST_RETRIES


@dataclass
class LiveTenant:
    """A fresh tenant of the session's server, and a factory of its clients."""

    server: MockServer
    tenant: Tenant
    key: IssuedKey
    client: Callable[..., Any]


@pytest.fixture(params=["sync", "async"])
async def live(request: pytest.FixtureRequest, aiaas_mock: MockServer) -> AsyncIterator[LiveTenant]:
    """A new tenant on the session's mock server, tested once with each client kind."""
    admin = aiaas_mock.admin
    tenant = admin.create_tenant(f"{request.node.name}-{id(request)}")
    key = admin.issue_key(tenant.id)
    made: list[Any] = []
    kind = aiaas.Client if request.param == "sync" else aiaas.AsyncClient

    def client(**options: Any) -> Any:
        options.setdefault("api_key", key.secret.reveal())
        options.setdefault("base_url", aiaas_mock.base_url)
        options.setdefault("retry_policy", FAST_RETRIES)
        made.append(kind(**options))
        return made[-1]

    yield LiveTenant(aiaas_mock, tenant, key, client)
    for item in made:
        if isinstance(item, aiaas.AsyncClient):
            await item.close()
        else:
            item.close()
