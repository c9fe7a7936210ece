"""A tenant's own models: deleted and renamed, never while a batch uses them,
never a system model or another tenant's."""

from __future__ import annotations

import time

from aiaas.types import Model
from tests.server.conftest import Harness


def _own_model(harness: Harness, model_id: str = "ridge-abc") -> Model:
    card = Model(
        id=model_id,
        task="tabular-regression",
        algorithm="ridge",
        version="1",
        owner=harness.tenant.id,
        created_at=int(time.time()),
        training_job_id="tj_abc",
    )
    harness.services.store.models.add_trained(card, harness.tenant.id, "tabular", b"{}")
    return card


def _queue_batch(harness: Harness, model_id: str) -> None:
    record = {
        "id": "bp_busy",
        "object": "batch_prediction",
        "model": model_id,
        "dataset_id": "ds_x",
        "rows": 0,
        "status": "queued",
        "created_at": 0,
    }
    with harness.services.store.db.transaction() as conn:
        harness.services.store.jobs.insert(
            conn, record, "batch_prediction", harness.tenant.id, "gone"
        )


def test_a_model_is_renamed_then_deleted(harness: Harness) -> None:
    _own_model(harness)
    renamed = harness.http.patch(
        "/v1/models/ridge-abc", json={"id": "line-3-energy"}, headers=harness.auth()
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["id"] == "line-3-energy"
    assert harness.http.get("/v1/models/ridge-abc", headers=harness.auth()).status_code == 404
    assert harness.services.store.models.artifact("line-3-energy") is not None
    gone = harness.http.delete("/v1/models/line-3-energy", headers=harness.auth())
    assert gone.json() == {"id": "line-3-energy", "object": "model.deleted", "deleted": True}
    assert harness.http.get("/v1/models/line-3-energy", headers=harness.auth()).status_code == 404
    assert harness.services.store.models.artifact("line-3-energy") is None


def test_a_model_a_batch_uses_stays(harness: Harness) -> None:
    _own_model(harness)
    _queue_batch(harness, "ridge-abc")
    deleted = harness.http.delete("/v1/models/ridge-abc", headers=harness.auth())
    renamed = harness.http.patch(
        "/v1/models/ridge-abc", json={"id": "other"}, headers=harness.auth()
    )
    assert (deleted.status_code, deleted.json()["code"]) == (409, "model_in_use")
    assert (renamed.status_code, renamed.json()["code"]) == (409, "model_in_use")
    assert harness.http.get("/v1/models/ridge-abc", headers=harness.auth()).status_code == 200


def test_system_and_strangers_models_and_taken_ids_are_refused(harness: Harness) -> None:
    _own_model(harness)
    stranger = harness.admin.get_or_create_tenant("globex")
    key = harness.admin.issue_key(stranger.id)
    assert harness.http.delete("/v1/models/ridge-abc", headers=harness.auth(key)).status_code == 404
    renamed = harness.http.patch(
        "/v1/models/ridge-abc", json={"id": "mine"}, headers=harness.auth(key)
    )
    assert renamed.status_code == 404
    system = harness.http.delete("/v1/models/quality-logreg", headers=harness.auth())
    assert (system.status_code, system.json()["code"]) == (403, "forbidden")
    taken = harness.http.patch(
        "/v1/models/ridge-abc", json={"id": "quality-logreg"}, headers=harness.auth()
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "model_id_taken")
    bad = harness.http.patch("/v1/models/ridge-abc", json={"id": "a/b"}, headers=harness.auth())
    assert bad.status_code == 422
