from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import aiaas
from tests.helpers import API_KEY, BASE_URL, FAST_RETRIES

ClientFactory = Callable[..., Any]

_AIAAS_ENV = (
    "AIAAS_API_KEY",
    "AIAAS_BASE_URL",
    "AIAAS_CLIENT_ID",
    "AIAAS_CLIENT_SECRET",
    "AIAAS_SCOPES",
    "AIAAS_PROFILE",
)


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test reads the developer's own aiaas settings or credentials file."""
    for name in _AIAAS_ENV:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("AIAAS_CREDENTIALS_FILE", str(home / "aiaas" / "credentials"))


@pytest.fixture(params=["sync", "async"])
async def make_client(request: pytest.FixtureRequest) -> AsyncIterator[ClientFactory]:
    """Builds sync or async clients (one test run each) and closes them afterwards."""
    made: list[Any] = []
    kind = aiaas.Client if request.param == "sync" else aiaas.AsyncClient

    def factory(**options: Any) -> Any:
        options.setdefault("api_key", API_KEY)
        options.setdefault("base_url", BASE_URL)
        options.setdefault("retry_policy", FAST_RETRIES)
        options.setdefault("encryption", "off")  # respx mocks no key endpoint
        client = kind(**options)
        made.append(client)
        return client

    yield factory
    for client in made:
        if isinstance(client, aiaas.AsyncClient):
            await client.close()
        else:
            client.close()
