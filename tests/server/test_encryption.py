"""The server side of encrypted payloads: keys, opening, sealing, and every refusal."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from aiaas.envelope import HYBRID_SUITE, MEDIA_TYPE, SUITES, X25519_SUITE, public_key_bytes
from aiaas_mock import ServerConfig
from aiaas_mock.encryption.keys import KeyStore
from aiaas_mock.store.database import Database
from tests.helpers import healthy_run
from tests.server.conftest import Harness, make_harness
from tests.server.sealing import opened, seal, send
from tests.server.test_problems import assert_problem

PREDICT = "/v1/models/quality-logreg/predict"
SECRET_RUN = healthy_run(tool_wear=123.456789)


def test_keys_are_public_and_cover_both_suites(harness: Harness) -> None:
    response = harness.http.get("/v1/encryption/keys")
    assert response.status_code == 200
    assert "public" in response.headers["cache-control"]
    keys = {key["suite"]: key for key in response.json()["data"]}
    assert set(keys) == {X25519_SUITE, HYBRID_SUITE}
    for suite, key in keys.items():
        assert len(public_key_bytes(key["public_key"])) == SUITES[suite].public_key_size
        assert key["expires_at"] > time.time() + 3600


@pytest.mark.parametrize("suite", [X25519_SUITE, HYBRID_SUITE])
def test_sealed_predict_and_sealed_answer(harness: Harness, suite: str) -> None:
    sealed = seal(harness, "POST", PREDICT, {"inputs": [SECRET_RUN]}, suite=suite)
    response = send(harness, sealed)
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPE
    assert b"failure_probability" not in response.content
    body = opened(response, sealed).json()
    assert body["outputs"][0]["prediction"] == "pass"


def test_a_get_gets_a_sealed_answer(harness: Harness) -> None:
    sealed = seal(harness, "GET", "/v1/models?limit=1")
    response = send(harness, sealed)
    assert response.headers["content-type"] == MEDIA_TYPE
    assert opened(response, sealed).json()["data"][0]["id"] == "quality-logreg"


def test_error_answers_are_sealed_too(harness: Harness) -> None:
    sealed = seal(harness, "POST", PREDICT, {"inputs": [{"torque": -1}]})
    response = send(harness, sealed)
    assert response.status_code == 422
    assert b"torque" not in response.content
    assert opened(response, sealed).json()["code"] == "validation_error"


def test_a_replay_is_refused_and_runs_nothing(harness: Harness) -> None:
    sealed = seal(harness, "POST", PREDICT, {"inputs": [SECRET_RUN]})
    assert send(harness, sealed).status_code == 200
    assert_problem(send(harness, sealed), 400, "replayed_request")
    assert harness.admin.prediction_count(harness.tenant.id) == 1


def test_a_request_moved_to_another_path_does_not_open(harness: Harness) -> None:
    sealed = seal(harness, "POST", PREDICT, {"inputs": [SECRET_RUN]})
    assert_problem(
        send(harness, sealed, "/v1/models/regime-kmeans/predict"), 400, "decryption_failed"
    )


def test_a_stale_request_is_refused(harness: Harness) -> None:
    sealed = seal(
        harness, "POST", PREDICT, {"inputs": [SECRET_RUN]}, timestamp=int(time.time()) - 3600
    )
    assert_problem(send(harness, sealed), 400, "stale_request")


def test_an_unknown_key_is_refused(harness: Harness) -> None:
    sealed = seal(harness, "POST", PREDICT, {"inputs": [SECRET_RUN]}, kid="k_00000000")
    assert_problem(send(harness, sealed), 400, "unknown_key")


def test_rotation_keeps_the_old_key_for_the_overlap(harness: Harness) -> None:
    old = seal(harness, "POST", PREDICT, {"inputs": [SECRET_RUN]})
    harness.admin.rotate_encryption_keys()
    keys = harness.http.get("/v1/encryption/keys").json()["data"]
    assert len(keys) == 4  # two suites, old and new
    assert keys[0]["kid"] != old.attempt.header.kid
    assert send(harness, old).status_code == 200
    retired = seal(harness, "POST", PREDICT, {"inputs": [SECRET_RUN]}, kid=keys[0]["kid"])
    harness.admin.rotate_encryption_keys(overlap=0)
    assert_problem(send(harness, retired), 400, "unknown_key")


@pytest.mark.parametrize(
    ("headers", "content", "code"),
    [
        ({"content-type": MEDIA_TYPE}, b"\x00" * 80, "invalid_encryption_header"),
        ({"Aiaas-Encryption": "v=1; nonsense"}, None, "invalid_encryption_header"),
    ],
)
def test_malformed_envelopes(
    harness: Harness, headers: dict[str, str], content: bytes | None, code: str
) -> None:
    response = harness.http.post(PREDICT, content=content, headers={**harness.auth(), **headers})
    assert_problem(response, 400, code)


@pytest.mark.parametrize(
    ("method", "path", "authorized", "content", "status", "code"),
    [
        # Authentication comes before the envelope, with or without a body.
        ("GET", "/v1/models", False, None, 401, "missing_credentials"),
        ("POST", PREDICT, False, b"\x00" * 80, 401, "missing_credentials"),
        # Routing comes before it too.
        ("TRACE", "/v1/models", True, None, 405, None),
        ("DELETE", "/v1/limits", True, None, 405, None),
        ("GET", "/v1/no-such-route", True, None, 404, None),
        # A routed, authenticated request gets the envelope's answer; so does a
        # public route, which would otherwise answer 200 in plaintext.
        ("GET", "/v1/models", True, None, 400, "invalid_encryption_header"),
        ("POST", PREDICT, True, b"\x00" * 80, 400, "invalid_encryption_header"),
        ("GET", "/v1/limits", False, None, 400, "invalid_encryption_header"),
    ],
)
def test_routing_and_authentication_come_before_the_envelope(
    harness: Harness,
    method: str,
    path: str,
    authorized: bool,
    content: bytes | None,
    status: int,
    code: str | None,
) -> None:
    headers = {"Aiaas-Encryption": "", **(harness.auth() if authorized else {})}
    if content is not None:
        headers["content-type"] = MEDIA_TYPE
    response = harness.http.request(method, path, content=content, headers=headers)
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code


def test_a_route_never_runs_on_a_body_the_envelope_refused(harness: Harness) -> None:
    dataset = harness.http.post(
        "/v1/datasets?name=d&format=csv", content=b"a,b\n1,2\n", headers=harness.auth()
    ).json()
    refused = harness.http.delete(
        f"/v1/datasets/{dataset['id']}", headers={"Aiaas-Encryption": "v=2", **harness.auth()}
    )
    assert_problem(refused, 400, "invalid_encryption_header")
    kept = harness.http.get(f"/v1/datasets/{dataset['id']}", headers=harness.auth())
    assert kept.status_code == 200


def test_a_plaintext_body_under_an_encryption_header(harness: Harness) -> None:
    sealed = seal(harness, "GET", PREDICT)
    response = harness.http.post(PREDICT, json={"inputs": [SECRET_RUN]}, headers=sealed.headers)
    assert_problem(response, 400, "invalid_encryption_header")


def test_the_server_flag_requires_sealed_bodies() -> None:
    for harness in make_harness(ServerConfig(require_encryption=True)):
        plain = harness.http.post(PREDICT, json={"inputs": [SECRET_RUN]}, headers=harness.auth())
        assert_problem(plain, 400, "encryption_required")
        assert harness.http.get("/v1/models", headers=harness.auth()).status_code == 200
        sealed = seal(harness, "POST", PREDICT, {"inputs": [SECRET_RUN]})
        assert send(harness, sealed).status_code == 200
        token = harness.http.post(
            "/v1/oauth/token",
            content="grant_type=client_credentials",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert token.json()["code"] == "invalid_client"  # reached the endpoint in plaintext


def test_a_tenant_can_require_sealed_bodies(harness: Harness) -> None:
    harness.admin.require_encryption(harness.tenant.id)
    plain = harness.http.post(PREDICT, json={"inputs": [SECRET_RUN]}, headers=harness.auth())
    assert_problem(plain, 400, "encryption_required")
    assert (
        send(harness, seal(harness, "POST", PREDICT, {"inputs": [SECRET_RUN]})).status_code == 200
    )
    other = harness.admin.create_tenant("relaxed")
    key = harness.admin.issue_key(other.id)
    relaxed = harness.http.post(PREDICT, json={"inputs": [SECRET_RUN]}, headers=harness.auth(key))
    assert relaxed.status_code == 200


def test_sealed_bodies_obey_the_size_limit() -> None:
    for harness in make_harness(ServerConfig(max_body_bytes=2048)):
        sealed = seal(harness, "POST", PREDICT, {"inputs": [SECRET_RUN] * 30})
        response = harness.http.post(
            PREDICT, content=iter([sealed.content or b""]), headers=sealed.headers
        )
        assert_problem(response, 413, "payload_too_large")


def test_keys_survive_a_restart(tmp_path: Path) -> None:
    config = ServerConfig(db_path=str(tmp_path / "mock.db"))
    kids = []
    for _ in range(2):
        for harness in make_harness(config):
            kids.append([k["kid"] for k in harness.http.get("/v1/encryption/keys").json()["data"]])
    assert kids[0] == kids[1]


def test_keys_rotate_on_their_own_before_they_expire() -> None:
    now = [1_000_000.0]
    store = KeyStore(Database(":memory:"), lifetime=100, overlap=10, clock=lambda: now[0])
    first = {k.kid for k in store.active()}
    assert len(first) == 2
    now[0] += 89
    assert {k.kid for k in store.active()} == first
    now[0] += 2  # 9 s of life left: successors appear, the old keys still work
    both = {k.kid for k in store.active()}
    assert first < both
    assert len(both) == 4
    now[0] += 10
    assert {k.kid for k in store.active()} == both - first


def test_failures_log_nothing_of_the_plaintext(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sealed = seal(harness, "POST", PREDICT, {"inputs": [SECRET_RUN]})
    send(harness, sealed)
    send(harness, sealed)  # replayed
    send(harness, sealed, "/v1/models/regime-kmeans/predict")  # moved
    assert "123.456789" not in caplog.text


def answer_of(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["code"]
