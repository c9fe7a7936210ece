"""OAuth client credentials: token caching, renewal, one retry on invalid_token."""

from __future__ import annotations

import asyncio
import base64
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

import aiaas
from aiaas._token_session import TokenSession, refresh_margin
from tests.conftest import ClientFactory
from tests.helpers import BASE_URL, CARD, resolve

TOKEN_URL = f"{BASE_URL}/v1/oauth/token"
MODEL_URL = f"{BASE_URL}/v1/models/m"
SECRET = "aiaas_cs_super-secret-client-value"


class TokenIssuer:
    """A fake token endpoint that hands out numbered tokens."""

    def __init__(self, expires_in: float = 3600) -> None:
        self.expires_in = expires_in
        self.issued = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.issued += 1
        return httpx.Response(
            200,
            json={
                "access_token": f"aiaas_at_token-{self.issued}",
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "scope": "models:read",
            },
        )


def credentials(**options: Any) -> aiaas.ClientCredentials:
    return aiaas.ClientCredentials("cli_1", SECRET, scopes=["models:read"], **options)


def bearer(route: respx.Route, n: int = -1) -> str:
    return str(route.calls[n].request.headers["authorization"])


@respx.mock
async def test_token_is_fetched_once_and_reused(make_client: ClientFactory) -> None:
    issuer = TokenIssuer()
    token_route = respx.post(TOKEN_URL).mock(side_effect=issuer)
    api = respx.get(MODEL_URL).mock(return_value=httpx.Response(200, json=CARD))
    client = make_client(credentials=credentials(), api_key=None)
    for _ in range(3):
        await resolve(client.models.retrieve("m"))
    assert token_route.call_count == 1
    assert [bearer(api, n) for n in range(3)] == ["Bearer aiaas_at_token-1"] * 3
    token_request = token_route.calls[0].request
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["models:read"],
    }
    scheme, encoded = token_request.headers["authorization"].split()
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == f"cli_1:{SECRET}"


@respx.mock
async def test_token_is_renewed_before_it_expires(make_client: ClientFactory) -> None:
    issuer = TokenIssuer(expires_in=0.3)
    respx.post(TOKEN_URL).mock(side_effect=issuer)
    api = respx.get(MODEL_URL).mock(return_value=httpx.Response(200, json=CARD))
    client = make_client(credentials=credentials(), api_key=None)
    await resolve(client.models.retrieve("m"))
    await asyncio.sleep(0.3 - refresh_margin(0.3) + 0.01)  # inside the margin, not yet expired
    await resolve(client.models.retrieve("m"))
    assert issuer.issued == 2
    assert bearer(api) == "Bearer aiaas_at_token-2"


def test_refresh_margin() -> None:
    assert refresh_margin(3600) == 60
    assert refresh_margin(30) == 3


def expired(status: int = 401, error: str = "invalid_token") -> httpx.Response:
    return httpx.Response(
        status,
        headers={"www-authenticate": f'Bearer realm="aiaas", error="{error}"'},
        json={"title": "t", "status": status, "code": "token_expired"},
    )


@respx.mock
async def test_invalid_token_gets_one_refresh_and_one_retry(make_client: ClientFactory) -> None:
    issuer = TokenIssuer()
    respx.post(TOKEN_URL).mock(side_effect=issuer)
    api = respx.get(MODEL_URL).mock(side_effect=[expired(), httpx.Response(200, json=CARD)])
    client = make_client(credentials=credentials(), api_key=None)
    assert (await resolve(client.models.retrieve("m"))).id == "m"
    assert issuer.issued == 2
    assert [bearer(api, 0), bearer(api, 1)] == [
        "Bearer aiaas_at_token-1",
        "Bearer aiaas_at_token-2",
    ]


@respx.mock
async def test_a_second_invalid_token_is_not_retried_again(make_client: ClientFactory) -> None:
    issuer = TokenIssuer()
    respx.post(TOKEN_URL).mock(side_effect=issuer)
    api = respx.get(MODEL_URL).mock(return_value=expired())
    client = make_client(credentials=credentials(), api_key=None, max_retries=3)
    with pytest.raises(aiaas.AuthenticationError) as caught:
        await resolve(client.models.retrieve("m"))
    assert caught.value.code == "token_expired"
    assert issuer.issued == 2
    assert api.call_count == 2


@respx.mock
async def test_other_401s_do_not_refresh(make_client: ClientFactory) -> None:
    issuer = TokenIssuer()
    respx.post(TOKEN_URL).mock(side_effect=issuer)
    respx.get(MODEL_URL).mock(
        return_value=httpx.Response(
            401, json={"title": "t", "status": 401, "code": "missing_credentials"}
        )
    )
    client = make_client(credentials=credentials(), api_key=None)
    with pytest.raises(aiaas.AuthenticationError):
        await resolve(client.models.retrieve("m"))
    assert issuer.issued == 1


@respx.mock
async def test_a_refused_client_is_an_authentication_error(make_client: ClientFactory) -> None:
    token_route = respx.post(TOKEN_URL).mock(
        return_value=httpx.Response(
            401,
            json={"error": "invalid_client", "error_description": "Client authentication failed."},
        )
    )
    api = respx.get(MODEL_URL).mock(return_value=httpx.Response(200, json=CARD))
    client = make_client(credentials=credentials(), api_key=None, max_retries=3)
    with pytest.raises(aiaas.AuthenticationError) as caught:
        await resolve(client.models.retrieve("m"))
    assert caught.value.code == "invalid_client"
    assert "Client authentication failed" in str(caught.value)
    assert token_route.call_count == 1
    assert not api.called
    assert SECRET not in str(caught.value)


@respx.mock
async def test_invalid_scope_is_a_bad_request(make_client: ClientFactory) -> None:
    respx.post(TOKEN_URL).mock(
        return_value=httpx.Response(
            400, json={"error": "invalid_scope", "error_description": "nope"}
        )
    )
    with pytest.raises(aiaas.BadRequestError, match="invalid_scope"):
        await resolve(make_client(credentials=credentials(), api_key=None).models.retrieve("m"))


@respx.mock
async def test_an_overloaded_token_endpoint_is_retried(make_client: ClientFactory) -> None:
    issuer = TokenIssuer()
    failures: list[httpx.Response | Exception] = [
        httpx.Response(
            503,
            headers={"retry-after-ms": "5"},
            json={"title": "t", "status": 503, "code": "service_unavailable"},
        ),
        httpx.ConnectError("refused"),
    ]

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        if not failures:
            return issuer(request)
        failure = failures.pop(0)
        if isinstance(failure, Exception):
            raise failure
        return failure

    token_route = respx.post(TOKEN_URL).mock(side_effect=token_endpoint)
    respx.get(MODEL_URL).mock(return_value=httpx.Response(200, json=CARD))
    client = make_client(credentials=credentials(), api_key=None, max_retries=2)
    assert (await resolve(client.models.retrieve("m"))).id == "m"
    assert token_route.call_count == 3


@respx.mock
@pytest.mark.parametrize(
    "body",
    [
        {"token_type": "Bearer"},
        {"access_token": "x", "token_type": "mac", "expires_in": 5},
        {"access_token": "x", "token_type": "Bearer", "expires_in": "soon"},
    ],
)
async def test_a_malformed_token_answer(make_client: ClientFactory, body: dict[str, Any]) -> None:
    respx.post(TOKEN_URL).mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(aiaas.APIResponseValidationError, match="no bearer access token"):
        await resolve(make_client(credentials=credentials(), api_key=None).models.retrieve("m"))


@respx.mock
async def test_token_url_follows_the_base_path_unless_given(make_client: ClientFactory) -> None:
    gateway = respx.post("https://gw.test/aiaas/v1/oauth/token").mock(side_effect=TokenIssuer())
    own = respx.post("https://login.test/token").mock(side_effect=TokenIssuer())
    respx.get("https://gw.test/aiaas/v1/models/m").mock(return_value=httpx.Response(200, json=CARD))
    await resolve(
        make_client(
            credentials=credentials(), api_key=None, base_url="https://gw.test/aiaas"
        ).models.retrieve("m")
    )
    await resolve(
        make_client(
            credentials=credentials(token_url="https://login.test/token"),
            api_key=None,
            base_url="https://gw.test/aiaas",
        ).models.retrieve("m")
    )
    assert gateway.call_count == 1
    assert own.call_count == 1


def test_clients_sharing_credentials_share_the_token() -> None:
    creds = credentials()
    with respx.mock:
        issuer = TokenIssuer()
        respx.post(TOKEN_URL).mock(side_effect=issuer)
        respx.get(MODEL_URL).mock(return_value=httpx.Response(200, json=CARD))
        with (
            aiaas.Client(credentials=creds, base_url=BASE_URL, encryption="off") as one,
            aiaas.Client(credentials=creds, base_url=BASE_URL, encryption="off") as two,
        ):
            one.models.retrieve("m")
            two.models.retrieve("m")
            one.with_options(timeout=3).models.retrieve("m")
    assert issuer.issued == 1


def test_client_side_expiry_with_a_clock() -> None:
    now = [1000.0]
    session = credentials().auth_for(httpx.URL(BASE_URL))
    assert isinstance(session, TokenSession)
    session._clock = lambda: now[0]
    with respx.mock:
        issuer = TokenIssuer(expires_in=100)
        respx.post(TOKEN_URL).mock(side_effect=issuer)
        api = respx.get(MODEL_URL).mock(return_value=httpx.Response(200, json=CARD))
        with httpx.Client(auth=session) as http:
            http.get(MODEL_URL)
            now[0] += 89.0  # margin is 10 s: still usable
            http.get(MODEL_URL)
            now[0] += 2.0  # inside the margin
            http.get(MODEL_URL)
    assert issuer.issued == 2
    assert bearer(api) == "Bearer aiaas_at_token-2"


def test_credentials_never_show_their_secrets() -> None:
    creds = credentials()
    with respx.mock:
        respx.post(TOKEN_URL).mock(side_effect=TokenIssuer())
        respx.get(MODEL_URL).mock(return_value=httpx.Response(200, json=CARD))
        with aiaas.Client(credentials=creds, base_url=BASE_URL, encryption="off") as client:
            client.models.retrieve("m")
            texts = [
                repr(creds),
                str(creds),
                repr(client),
                repr(client._auth),
                repr(client._options),
            ]
    for text in texts:
        assert SECRET not in text
        assert "aiaas_at_token-1" not in text
    assert {s.reveal() for s in creds.secrets()} == {SECRET, "aiaas_at_token-1"}
