"""Client configuration: arguments, environment, with_options and the pool."""

from __future__ import annotations

import httpx
import pytest
import respx

import aiaas
from tests.conftest import ClientFactory
from tests.helpers import BASE_URL, CARD, resolve


def test_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIAAS_API_KEY", "aiaas_sk_from_env")
    monkeypatch.setenv("AIAAS_BASE_URL", "https://env.test:9000")
    with respx.mock, aiaas.Client(encryption="off") as client:
        route = respx.get("https://env.test:9000/v1/models/m").mock(
            return_value=httpx.Response(200, json=CARD)
        )
        client.models.retrieve("m")
        assert route.calls.last.request.headers["authorization"] == "Bearer aiaas_sk_from_env"
    assert str(client.base_url) == "https://env.test:9000"


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIAAS_BASE_URL", "https://env.test")
    with aiaas.Client(api_key="k", base_url="https://arg.test") as client:
        assert str(client.base_url) == "https://arg.test"


def test_missing_credentials_say_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIAAS_API_KEY", raising=False)
    with pytest.raises(aiaas.AIaaSError, match="AIAAS_API_KEY"):
        aiaas.Client()
    with pytest.raises(aiaas.AIaaSError, match="not both"):
        aiaas.Client(api_key="k", credentials=aiaas.ApiKey("k"))


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        aiaas.Client(api_key="k", max_retries=-1)
    with pytest.raises(ValueError, match="deadline"):
        aiaas.Client(api_key="k", deadline=0)
    with pytest.raises(aiaas.AIaaSError, match="http"):
        aiaas.Client(api_key="k", base_url="ftp://x")


@respx.mock
async def test_base_url_with_a_path_prefix(make_client: ClientFactory) -> None:
    route = respx.get("https://gw.test/aiaas/v1/models/a%2Fb").mock(
        return_value=httpx.Response(200, json=CARD)
    )
    await resolve(make_client(base_url="https://gw.test/aiaas/").models.retrieve("a/b"))
    assert route.called


@respx.mock
async def test_headers_sent_with_every_request(make_client: ClientFactory) -> None:
    route = respx.get(f"{BASE_URL}/v1/models/m").mock(return_value=httpx.Response(200, json=CARD))
    await resolve(make_client(default_headers={"X-Plant": "line-3"}).models.retrieve("m"))
    headers = route.calls.last.request.headers
    assert headers["x-plant"] == "line-3"
    assert headers["user-agent"].startswith(f"aiaas-python/{aiaas.__version__} ")
    assert headers["accept"] == "application/json"


@respx.mock
async def test_with_options_changes_settings_and_shares_the_pool(
    make_client: ClientFactory,
) -> None:
    route = respx.get(f"{BASE_URL}/v1/models/m").mock(return_value=httpx.Response(503))
    client = make_client(max_retries=3, timeout=30.0)
    quick = client.with_options(max_retries=0, timeout=5)
    assert quick._http is client._http
    assert quick.max_retries == 0
    assert quick.timeout == httpx.Timeout(5)
    assert client.max_retries == 3
    assert quick.deadline == client.deadline
    assert quick.with_options(deadline=None).deadline is None
    with pytest.raises(aiaas.InternalServerError):
        await resolve(quick.models.retrieve("m"))
    assert route.call_count == 1
    await resolve(quick.close())
    assert not client._http.is_closed


def test_a_supplied_http_client_stays_open() -> None:
    http = httpx.Client()
    with aiaas.Client(api_key="k", http_client=http) as client:
        assert client._http is http
    assert not http.is_closed
    http.close()


def test_resource_arguments_are_checked() -> None:
    with aiaas.Client(api_key="k", base_url=BASE_URL) as client:
        with pytest.raises(ValueError, match="model_id"):
            client.models.retrieve("")
        with pytest.raises(TypeError, match="sequence"):
            client.models.predict("m", inputs="not a list")


@respx.mock
async def test_with_options_can_swap_the_key(make_client: ClientFactory) -> None:
    route = respx.get(f"{BASE_URL}/v1/models/m").mock(return_value=httpx.Response(200, json=CARD))
    client = make_client()
    await resolve(client.with_options(api_key="aiaas_sk_other").models.retrieve("m"))
    assert route.calls.last.request.headers["authorization"] == "Bearer aiaas_sk_other"
    with pytest.raises(aiaas.AIaaSError, match="not both"):
        client.with_options(api_key="a", credentials=aiaas.ApiKey("b"))
