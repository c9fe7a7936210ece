"""Idempotency keys across crashes: a dead server's claims are free again at
once, and a request's writes commit with its stored answer, so a key replays
its answer or runs once, never twice."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aiaas_mock import Admin, ServerConfig, create_app
from aiaas_mock.api.idempotency import fingerprint, stored_key
from aiaas_mock.services import Services
from aiaas_mock.store import Store
from tests.helpers import healthy_run

PREDICT = "/v1/models/quality-logreg/predict"
BODY = {"inputs": [healthy_run()]}


def test_a_dead_servers_claims_are_taken_over_at_once(tmp_path: Path) -> None:
    config = ServerConfig(db_path=str(tmp_path / "aiaas.db"), instance_grace=0.3)
    with TestClient(create_app(config)) as http:
        services: Services = http.app.state.services  # type: ignore[attr-defined]
        admin = Admin.of(services)
        key = admin.issue_key(admin.get_or_create_tenant("acme").id)
        auth = {"Authorization": f"Bearer {key.secret.reveal()}", "Idempotency-Key": "k-9"}
        content = json.dumps(BODY).encode()
        claim = (
            key.tenant_id,
            stored_key(key.id, "k-9"),
            fingerprint("POST", PREDICT, "", content),
        )
        # Another server on the same database took the key, then died (kill -9):
        # it never finished, never left, and stops beating.
        dead = Store.open(config)
        dead.idempotency.claim(*claim)
        dead.db.close()
        busy = http.post(
            PREDICT, content=content, headers={**auth, "content-type": "application/json"}
        )
        assert busy.status_code == 409  # still within its grace: it may be alive
        time.sleep(0.5)
        answer = http.post(
            PREDICT, content=content, headers={**auth, "content-type": "application/json"}
        )
        assert answer.status_code == 200, answer.text
        assert admin.prediction_count(key.tenant_id) == 1


def test_writes_commit_with_the_stored_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = ServerConfig(db_path=str(tmp_path / "aiaas.db"))
    with TestClient(create_app(config), raise_server_exceptions=False) as http:
        services: Services = http.app.state.services  # type: ignore[attr-defined]
        admin = Admin.of(services)
        key = admin.issue_key(admin.get_or_create_tenant("acme").id)
        auth = {"Authorization": f"Bearer {key.secret.reveal()}", "Idempotency-Key": "k-1"}
        finish = services.store.idempotency.finish

        def crash(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the process died while storing the answer")

        monkeypatch.setattr(services.store.idempotency, "finish", crash)
        assert http.post(PREDICT, json=BODY, headers=auth).status_code == 500
        assert admin.prediction_count(key.tenant_id) == 0  # nothing half-done
        monkeypatch.setattr(services.store.idempotency, "finish", finish)
        services.store.idempotency.release(key.tenant_id, stored_key(key.id, "k-1"))
        again = http.post(PREDICT, json=BODY, headers=auth)
        replay = http.post(PREDICT, json=BODY, headers=auth)
        assert again.status_code == replay.status_code == 200
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert admin.prediction_count(key.tenant_id) == 1


def test_a_server_that_stops_frees_its_unfinished_claims(tmp_path: Path) -> None:
    config = ServerConfig(db_path=str(tmp_path / "aiaas.db"))
    store = Store.open(config)
    store.idempotency.claim("t", "k", b"f")
    store.close()  # a clean stop
    other = Store.open(config)
    assert type(other.idempotency.claim("t", "k", b"f")).__name__ == "Claimed"
    other.close()


def test_closing_twice_is_harmless(tmp_path: Path) -> None:
    store = Store.open(ServerConfig(db_path=str(tmp_path / "aiaas.db")))
    store.close()
    store.close()


def test_an_app_can_be_started_and_stopped_again() -> None:
    """Test clients run an app's lifespan once each; stopping must not end the app."""
    app = create_app()
    services: Services = app.state.services
    admin = Admin.of(services)
    key = admin.issue_key(admin.get_or_create_tenant("acme").id)
    auth = {"Authorization": f"Bearer {key.secret.reveal()}"}
    for _ in range(2):
        with TestClient(app) as http:
            assert http.get("/v1/models", headers=auth).status_code == 200
    services.store.close()
