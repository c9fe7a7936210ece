"""Per-tenant quotas: announced, shown with their use, enforced with
``quota_exceeded`` naming the quota; and jobs claimed in turn across tenants."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from aiaas_mock import ServerConfig
from aiaas_mock.config import TenantQuotas
from tests.server.conftest import Harness, make_harness
from tests.tables import machining_runs


@pytest.fixture
def quota_harness() -> Iterator[Harness]:
    # The jobs _queue adds name another server as their owner: this one's runner
    # never claims them, so they stay queued for as long as a test needs.
    yield from make_harness(ServerConfig(quotas=TenantQuotas(running_jobs=2)))


def _upload(harness: Harness, data: bytes, name: str = "runs") -> Any:
    return harness.http.post(
        "/v1/datasets",
        params={"name": name, "format": "csv", "target": "failed"},
        content=data,
        headers={**harness.auth(), "content-type": "text/csv"},
    )


def _refused(answer: Any, quota: str) -> dict[str, Any]:
    assert answer.status_code == 403, answer.text
    body: dict[str, Any] = answer.json()
    assert (body["code"], body["quota"]) == ("quota_exceeded", quota)
    return body


def _queue(harness: Harness, job_id: str, tenant_id: str, owner: str = "elsewhere") -> None:
    record = {
        "id": job_id,
        "object": "batch_prediction",
        "model": "m",
        "dataset_id": "d",
        "rows": 0,
        "status": "queued",
        "created_at": 0,
    }
    with harness.services.store.db.transaction() as conn:
        harness.services.store.jobs.insert(conn, record, "batch_prediction", tenant_id, owner)


def test_quotas_are_announced_and_shown_with_their_use(quota_harness: Harness) -> None:
    limits = quota_harness.http.get("/v1/limits").json()
    assert limits["quota_datasets"] == TenantQuotas().datasets
    quota_harness.admin.set_quotas(quota_harness.tenant.id, datasets=5)
    assert _upload(quota_harness, machining_runs(rows=40)).status_code == 201
    shown = quota_harness.http.get("/v1/quotas", headers=quota_harness.auth()).json()
    assert shown["datasets"] == {"limit": 5, "used": 1}
    assert shown["stored_bytes"]["used"] == len(machining_runs(rows=40))
    assert shown["job_cost"]["limit"] == TenantQuotas().job_cost


def test_datasets_and_stored_bytes(quota_harness: Harness) -> None:
    data = machining_runs(rows=40)
    quota_harness.admin.set_quotas(
        quota_harness.tenant.id, datasets=2, stored_bytes=len(data) + 100
    )
    assert _upload(quota_harness, data).status_code == 201
    too_big = _refused(_upload(quota_harness, data, "second"), "stored_bytes")
    assert (too_big["used"], too_big["limit"]) == (len(data), len(data) + 100)
    leftovers = quota_harness.services.store.data_dir / "datasets"
    assert not [p for p in leftovers.iterdir() if p.name.startswith("tmp-")]
    quota_harness.admin.set_quotas(quota_harness.tenant.id, stored_bytes=10 * len(data))
    assert _upload(quota_harness, data, "second").status_code == 201
    many = _refused(_upload(quota_harness, data, "third"), "datasets")
    assert (many["used"], many["limit"]) == (2, 2)


def test_jobs_and_a_jobs_cost(quota_harness: Harness) -> None:
    dataset = _upload(quota_harness, machining_runs(rows=200)).json()["id"]
    tenant = quota_harness.tenant.id
    quota_harness.admin.set_quotas(tenant, jobs=1, job_cost=50_000)
    small = {"model": "logistic-regression", "dataset_id": dataset, "target": "failed"}
    _queue(quota_harness, "bp_waiting", tenant)
    full = quota_harness.http.post("/v1/training-jobs", json=small, headers=quota_harness.auth())
    assert _refused(full, "jobs")["used"] == 1
    cancelled = quota_harness.http.post(
        "/v1/batch-predictions/bp_waiting/cancel", headers=quota_harness.auth()
    )
    assert cancelled.json()["status"] == "cancelled"
    quota_harness.admin.set_quotas(tenant, jobs=5)
    costly = {
        **small,
        "model": "random-forest",
        "search": {"space": {"n_estimators": [100, 200], "max_depth": [8, 16]}},
    }
    answer = quota_harness.http.post("/v1/training-jobs", json=costly, headers=quota_harness.auth())
    refused = _refused(answer, "job_cost")
    assert refused["used"] > refused["limit"] == 50_000
    fine = quota_harness.http.post("/v1/training-jobs", json=small, headers=quota_harness.auth())
    assert fine.status_code == 201, fine.text


def test_tenants_take_turns_and_none_holds_every_runner(quota_harness: Harness) -> None:
    store = quota_harness.services.store
    greedy = quota_harness.tenant.id
    other = quota_harness.admin.create_tenant("other-co").id
    for i in range(4):
        _queue(quota_harness, f"bp_greedy_{i}", greedy, owner="me")
    _queue(quota_harness, "bp_other", other, owner="me")

    def claim() -> str | None:
        claimed = store.jobs.claim_next("me", dict, lambda tenant: 2)
        return None if claimed is None else claimed[2]["id"]

    # The greedy tenant queued first; the other still starts second, not fifth.
    assert [claim(), claim(), claim(), claim()] == ["bp_greedy_0", "bp_other", "bp_greedy_1", None]
