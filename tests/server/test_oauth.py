"""POST /v1/oauth/token: the client-credentials grant and its RFC 6749 errors."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from aiaas_mock import ServerConfig
from aiaas_mock.store.oauth import IssuedClient
from tests.helpers import healthy_run
from tests.server.conftest import Harness, make_harness

TOKEN = "/v1/oauth/token"
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def client(harness: Harness) -> IssuedClient:
    return harness.admin.create_client(harness.tenant.id, {"models:read", "inference"})


def basic(client_id: str, secret: str) -> dict[str, str]:
    pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def token_call(harness: Harness, body: str, headers: dict[str, str]) -> Any:
    return harness.http.post(TOKEN, content=body, headers={**FORM, **headers})


def oauth_error(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = dict(response.json())
    assert body["error"] == error
    assert body["code"] == error
    assert body["error_description"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def test_token_with_basic_authentication(harness: Harness, client: IssuedClient) -> None:
    response = token_call(
        harness, "grant_type=client_credentials", basic(client.id, client.secret.reveal())
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "inference models:read"
    assert body["access_token"].startswith("aiaas_at_")
    api = harness.http.get(
        "/v1/models", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert api.status_code == 200


def test_token_with_credentials_in_the_body(harness: Harness, client: IssuedClient) -> None:
    body = (
        f"grant_type=client_credentials&client_id={client.id}"
        f"&client_secret={client.secret.reveal()}&scope=inference"
    )
    response = token_call(harness, body, {})
    assert response.status_code == 200
    assert response.json()["scope"] == "inference"


def test_the_token_carries_only_the_scopes_asked_for(
    harness: Harness, client: IssuedClient
) -> None:
    token = token_call(
        harness,
        "grant_type=client_credentials&scope=models:read",
        basic(client.id, client.secret.reveal()),
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert harness.http.get("/v1/models", headers=auth).status_code == 200
    denied = harness.http.post(
        "/v1/models/quality-logreg/predict", json={"inputs": [healthy_run()]}, headers=auth
    )
    assert denied.status_code == 403
    assert denied.json()["code"] == "insufficient_scope"


@pytest.mark.parametrize(
    ("body", "headers", "status", "error"),
    [
        ("", {}, 400, "invalid_request"),
        ("grant_type=password", {}, 400, "unsupported_grant_type"),
        ("grant_type=client_credentials&grant_type=client_credentials", {}, 400, "invalid_request"),
        ("grant_type=client_credentials", {}, 401, "invalid_client"),
        (
            "grant_type=client_credentials&client_id=cli_nope&client_secret=x",
            {},
            401,
            "invalid_client",
        ),
        ("grant_type=client_credentials", {"Authorization": "Basic !!!"}, 400, "invalid_request"),
        ("grant_type=client_credentials", {"Authorization": "Bearer abc"}, 400, "invalid_request"),
    ],
)
def test_request_errors(
    harness: Harness, body: str, headers: dict[str, str], status: int, error: str
) -> None:
    oauth_error(token_call(harness, body, headers), status, error)


def test_json_bodies_are_refused(harness: Harness) -> None:
    response = harness.http.post(TOKEN, json={"grant_type": "client_credentials"})
    oauth_error(response, 400, "invalid_request")


def test_wrong_secret(harness: Harness, client: IssuedClient) -> None:
    response = token_call(harness, "grant_type=client_credentials", basic(client.id, "wrong"))
    oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"] == 'Basic realm="aiaas"'


def test_both_ways_of_authenticating_at_once(harness: Harness, client: IssuedClient) -> None:
    body = f"grant_type=client_credentials&client_id={client.id}"
    oauth_error(
        token_call(harness, body, basic(client.id, client.secret.reveal())), 400, "invalid_request"
    )


def test_scope_beyond_the_client(harness: Harness, client: IssuedClient) -> None:
    response = token_call(
        harness,
        "grant_type=client_credentials&scope=training",
        basic(client.id, client.secret.reveal()),
    )
    oauth_error(response, 400, "invalid_scope")


def test_revoking_a_client_ends_its_tokens_at_once(harness: Harness, client: IssuedClient) -> None:
    token = token_call(
        harness, "grant_type=client_credentials", basic(client.id, client.secret.reveal())
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert harness.http.get("/v1/models", headers=auth).status_code == 200
    assert harness.admin.revoke_client(client.id)
    after = harness.http.get("/v1/models", headers=auth)
    assert after.status_code == 401
    assert after.json()["code"] == "token_revoked"
    again = token_call(
        harness, "grant_type=client_credentials", basic(client.id, client.secret.reveal())
    )
    oauth_error(again, 401, "invalid_client")


def short_tokens() -> Iterator[Harness]:
    yield from make_harness(ServerConfig(token_lifetime=1))


def test_expired_tokens_are_refused(client: IssuedClient, harness: Harness) -> None:
    token = token_call(
        harness, "grant_type=client_credentials", basic(client.id, client.secret.reveal())
    ).json()["access_token"]
    harness.admin.expire_tokens(client.id)
    response = harness.http.get("/v1/models", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_secrets_are_stored_only_as_hashes(harness: Harness, client: IssuedClient) -> None:
    token = token_call(
        harness, "grant_type=client_credentials", basic(client.id, client.secret.reveal())
    ).json()["access_token"]
    with harness.services.store.db.transaction() as conn:
        dump = repr(
            [
                tuple(r)
                for t in ("oauth_clients", "access_tokens")
                for r in conn.execute(f"SELECT * FROM {t}").fetchall()  # noqa: S608
            ]
        )
    assert client.secret.reveal() not in dump
    assert token not in dump
