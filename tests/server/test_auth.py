"""API-key authentication and scopes on every route."""

from __future__ import annotations

import pytest

from tests.helpers import healthy_run
from tests.server.conftest import Harness
from tests.server.test_problems import assert_problem

ROUTES = [
    ("GET", "/v1/models", None, "models:read"),
    ("GET", "/v1/models/quality-logreg", None, "models:read"),
    ("POST", "/v1/models/quality-logreg/predict", {"inputs": [healthy_run()]}, "inference"),
]


def call(harness: Harness, method: str, path: str, body: object, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return harness.http.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES)
def test_no_credentials(harness: Harness, method: str, path: str, body: object, scope: str) -> None:
    response = call(harness, method, path, body, {})
    assert_problem(response, 401, "missing_credentials")
    assert response.headers["www-authenticate"] == 'Bearer realm="aiaas"'


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES)
@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "aiaas_sk_x"])
def test_malformed_header(
    harness: Harness, method: str, path: str, body: object, scope: str, header: str
) -> None:
    response = call(harness, method, path, body, {"Authorization": header})
    assert_problem(response, 401, "invalid_authorization_header")
    assert 'error="invalid_request"' in response.headers["www-authenticate"]


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES)
def test_unknown_key(harness: Harness, method: str, path: str, body: object, scope: str) -> None:
    response = call(harness, method, path, body, {"Authorization": "Bearer aiaas_sk_unknown"})
    assert_problem(response, 401, "invalid_api_key")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES)
def test_revoked_key(harness: Harness, method: str, path: str, body: object, scope: str) -> None:
    key = harness.admin.issue_key(harness.tenant.id)
    assert call(harness, method, path, body, harness.auth(key)).status_code == 200
    assert harness.admin.revoke_key(key.id)
    assert_problem(call(harness, method, path, body, harness.auth(key)), 401, "revoked_api_key")
    assert not harness.admin.revoke_key(key.id)


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES)
def test_missing_scope(harness: Harness, method: str, path: str, body: object, scope: str) -> None:
    from aiaas_mock.store.tenants import ALL_SCOPES

    key = harness.admin.issue_key(harness.tenant.id, ALL_SCOPES - {scope})
    response = call(harness, method, path, body, harness.auth(key))
    problem = assert_problem(response, 403, "insufficient_scope")
    assert scope in problem["detail"]
    assert f'scope="{scope}"' in response.headers["www-authenticate"]
    only = harness.admin.issue_key(harness.tenant.id, {scope})
    assert call(harness, method, path, body, harness.auth(only)).status_code == 200


def test_auth_comes_before_body_parsing(harness: Harness) -> None:
    response = harness.http.post(
        "/v1/models/quality-logreg/predict",
        content=b"{broken",
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 401, "missing_credentials")


def test_keys_are_stored_only_as_hashes(harness: Harness) -> None:
    with harness.services.store.db.transaction() as conn:
        rows = conn.execute("SELECT * FROM api_keys").fetchall()
    dump = repr([tuple(row) for row in rows])
    secret = harness.key.secret.reveal()
    assert secret not in dump
    assert secret[9:] not in dump
    assert secret not in repr(harness.key)


def test_unknown_scopes_cannot_be_granted(harness: Harness) -> None:
    with pytest.raises(ValueError, match="unknown scopes"):
        harness.admin.issue_key(harness.tenant.id, {"admin"})


def test_a_model_id_cannot_change_owner(harness: Harness) -> None:
    from aiaas.types import Model

    card = Model(id="tuned-x", task="t", algorithm="a", version="1", owner="", created_at=0)
    harness.admin.add_model(card, harness.tenant.id)
    harness.admin.add_model(card.model_copy(update={"version": "2"}), harness.tenant.id)
    other = harness.admin.create_tenant("other")
    with pytest.raises(ValueError, match="another owner"):
        harness.admin.add_model(card, other.id)
    with pytest.raises(ValueError, match="another owner"):
        harness.admin.add_model(card.model_copy(update={"id": "quality-logreg"}), other.id)
    got = harness.http.get("/v1/models/tuned-x", headers=harness.auth()).json()
    assert got["version"] == "2"
    assert got["owner"] == harness.tenant.id
