"""The SDK against the mock server: datasets, training jobs and batch predictions,
end to end, with the sync and the async client."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import aiaas
from aiaas.types import BatchPrediction, ClassPrediction, JobEvent, TrainingJob
from tests.contract.conftest import LiveTenant
from tests.helpers import collect, resolve
from tests.tables import machining_runs, pump_readings

FEATURES = ["machine", "speed", "torque", "tool_wear"]


async def upload_runs(client: Any, rows: int = 600, **options: Any) -> Any:
    return await resolve(
        client.datasets.create(
            file=machining_runs(rows=rows), name="line-3", format="csv", **options
        )
    )


async def test_upload_train_search_predict_and_batch(live: LiveTenant) -> None:
    client = live.client()
    dataset = await upload_runs(client, target="failed")
    assert dataset.rows == 600
    assert dataset.target == "failed"
    assert dataset.quality.target is not None
    assert dataset.quality.target.kind == "classes"
    assert dataset.quality.constant_columns == ["site"]
    assert [c.name for c in dataset.columns][:2] == ["part", "machine"]

    seen: list[tuple[str, float]] = []
    job = await resolve(
        client.training_jobs.create(
            model="logistic-regression",
            dataset_id=dataset.id,
            target="failed",
            features=FEATURES,
            validation={"cv_folds": 4, "group_by": "part"},
            search={"method": "grid", "space": {"C": [0.01, 1.0, 100.0]}},
        )
    )
    assert job.status == "queued"
    assert job.result_model_id is None
    job = await resolve(
        client.training_jobs.wait(
            job.id,
            timeout=120,
            poll_interval=0.2,
            on_progress=lambda j: seen.append((j.status, j.progress)),
        )
    )
    assert job.status == "succeeded", job.error
    assert job.progress == 1.0
    assert seen[-1] == ("succeeded", 1.0)
    assert len(job.candidates) == 3
    assert all(len(c.fold_metrics) == 4 for c in job.candidates)
    f1 = [c.metrics["f1"] for c in job.candidates]
    assert f1 == sorted(f1, reverse=True), "candidates come best first"
    assert job.metrics == job.candidates[0].metrics
    assert 0.0 < job.metrics["roc_auc"] <= 1.0

    jobs = await collect(client.training_jobs.list())
    assert [type(j) for j in jobs] == [TrainingJob]
    assert jobs[0].id == job.id
    events = await collect(client.training_jobs.events(job.id, limit=7))
    kinds = [event.type for event in events]
    assert kinds[:2] == ["queued", "started"]
    assert kinds[-2:] == ["model", "succeeded"]
    assert kinds.count("fold") == 12
    assert kinds.count("candidate") == 3
    assert [event.seq for event in events] == list(range(1, len(events) + 1))
    assert all(isinstance(event, JobEvent) for event in events)

    model_id = job.result_model_id
    assert model_id is not None
    listed = {m.id: m for m in await collect(client.models.list(limit=100))}
    card = listed[model_id]
    assert card.owner == live.tenant.id
    assert card.task == "tabular-classification"
    assert card.metrics == job.metrics
    assert card.training_job_id == job.id
    assert sorted(card.features or []) == sorted(FEATURES)

    rows = [r.values for r in await collect(client.datasets.rows(dataset.id, limit=250))]
    assert len(rows) == 600
    prediction = await resolve(
        client.models.predict(model_id, inputs=[{k: rows[0][k] for k in FEATURES}])
    )
    output = prediction.outputs[0]
    assert output["label"] in (True, False)
    assert sum(output["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
    typed = await resolve(
        client.models.predict(
            model_id, inputs=[{k: rows[0][k] for k in FEATURES}], output_type=ClassPrediction
        )
    )
    assert isinstance(typed.outputs[0], ClassPrediction)
    assert typed.outputs[0].probabilities == output["probabilities"]

    batch = await resolve(client.batch_predictions.create(model=model_id, dataset_id=dataset.id))
    batch = await resolve(client.batch_predictions.wait(batch.id, timeout=120, poll_interval=0.2))
    assert batch.status == "succeeded"
    assert batch.succeeded_rows == 600
    assert batch.failed_rows == 0
    batches = await collect(client.batch_predictions.list())
    assert [type(b) for b in batches] == [BatchPrediction]
    results = await collect(client.batch_predictions.results(batch.id, limit=170))
    assert [r.index for r in results] == list(range(600))
    # The same model on the same row. A chunk of 600 rows and a single row may run
    # on different BLAS kernels, which can move the last bit, and so the sixth
    # decimal the probabilities are rounded to.
    assert results[0].output is not None
    assert results[0].output["label"] == output["label"]
    assert results[0].output["probabilities"] == pytest.approx(output["probabilities"], abs=2e-6)


async def test_a_tuned_threshold_serves_in_predict_and_batch(live: LiveTenant) -> None:
    client = live.client()
    dataset = await upload_runs(client, target="failed")
    job = await resolve(
        client.training_jobs.create(
            model=["logistic-regression", "hist-gradient-boosting"],
            dataset_id=dataset.id,
            target="failed",
            features=FEATURES,
            hyperparameters={"hist-gradient-boosting": {"max_iter": 30}},
            validation={"cv_folds": 3},
            metric="pr_auc",
            threshold={"min_recall": 0.9},
        )
    )
    assert job.metric == "pr_auc"
    job = await resolve(client.training_jobs.wait(job.id, timeout=120, poll_interval=0.2))
    assert job.status == "succeeded", job.error
    ranked = [c.metrics["pr_auc"] for c in job.candidates]
    assert ranked == sorted(ranked, reverse=True)
    cut = job.candidates[0].decision_threshold
    assert cut is not None
    assert job.result_model_id is not None
    card = await resolve(client.models.retrieve(job.result_model_id))
    assert card.decision_threshold == cut
    batch = await resolve(client.batch_predictions.create(model=card.id, dataset_id=dataset.id))
    batch = await resolve(client.batch_predictions.wait(batch.id, timeout=120, poll_interval=0.2))
    results = await collect(client.batch_predictions.results(batch.id, limit=1000))
    labels = [(r.output or {})["label"] for r in results]
    scores = [(r.output or {})["probabilities"]["true"] for r in results]
    assert labels == [score >= cut for score in scores]
    rows = [r.values for r in await collect(client.datasets.rows(dataset.id, limit=100))]
    prediction = await resolve(
        client.models.predict(card.id, inputs=[{k: row[k] for k in FEATURES} for row in rows[:50]])
    )
    assert [o["label"] for o in prediction.outputs] == labels[:50]

    renamed = await resolve(client.models.rename(card.id, f"line-3-failures-{dataset.id}"))
    assert renamed.decision_threshold == cut
    again = await resolve(
        client.models.predict(renamed.id, inputs=[{k: rows[0][k] for k in FEATURES}])
    )
    assert again.outputs[0] == prediction.outputs[0]
    gone = await resolve(client.models.delete(renamed.id))
    assert gone.deleted
    with pytest.raises(aiaas.NotFoundError):
        await resolve(client.models.retrieve(renamed.id))


async def test_three_algorithms_compared_on_the_same_folds(live: LiveTenant) -> None:
    client = live.client()
    dataset = await upload_runs(client)
    job = await resolve(
        client.training_jobs.create(
            model=["linear-regression", "ridge", "random-forest"],
            dataset_id=dataset.id,
            target="energy_kwh",
            features=FEATURES,
            hyperparameters={"ridge": {"alpha": 10.0}, "random-forest": {"n_estimators": 20}},
        )
    )
    job = await resolve(client.training_jobs.wait(job.id, timeout=120, poll_interval=0.2))
    assert job.status == "succeeded", job.error
    by_algorithm = {c.algorithm: c for c in job.candidates}
    assert set(by_algorithm) == {"linear-regression", "ridge", "random-forest"}
    assert by_algorithm["ridge"].hyperparameters == {"alpha": 10.0}
    rmse = [c.metrics["rmse"] for c in job.candidates]
    assert rmse == sorted(rmse)
    assert job.result_model_id is not None
    assert job.result_model_id.startswith(job.candidates[0].algorithm)
    # Energy is linear in speed and torque: the linear models win, near the noise (0.3).
    assert job.candidates[0].algorithm in ("linear-regression", "ridge")
    assert job.candidates[0].metrics["rmse"] < 0.45


async def test_cancelling_a_running_job(live: LiveTenant) -> None:
    client = live.client()
    dataset = await upload_runs(client, rows=3000)
    job = await resolve(
        client.training_jobs.create(
            model="random-forest",
            dataset_id=dataset.id,
            target="failed",
            features=FEATURES,
            search={
                "method": "grid",
                "space": {"n_estimators": [100, 150, 200], "max_depth": [8, 12, 16]},
            },
            validation={"cv_folds": 5},
        )
    )
    for _ in range(600):
        job = await resolve(client.training_jobs.retrieve(job.id))
        if job.status == "running":
            break
        await _sleep(0.05)
    cancelled = await resolve(client.training_jobs.cancel(job.id))
    assert cancelled.status == "cancelled"
    assert cancelled.result_model_id is None
    events = await collect(client.training_jobs.events(job.id, limit=100))
    assert events[-1].type == "cancelled"
    again = await resolve(client.training_jobs.retrieve(job.id))
    assert again.status == "cancelled"
    assert again.progress < 1.0


async def test_a_tenants_data_jobs_and_models_are_its_own(live: LiveTenant) -> None:
    owner = live.client()
    dataset = await upload_runs(owner)
    job = await resolve(
        owner.training_jobs.create(
            model="ridge", dataset_id=dataset.id, target="energy_kwh", features=FEATURES
        )
    )
    job = await resolve(owner.training_jobs.wait(job.id, timeout=120, poll_interval=0.2))
    admin = live.server.admin
    other = admin.create_tenant(f"other-{job.id}")
    stranger = live.client(api_key=admin.issue_key(other.id).secret.reveal())
    attempts: list[Callable[[], Any]] = [
        lambda: stranger.datasets.retrieve(dataset.id),
        lambda: collect(stranger.datasets.rows(dataset.id)),
        lambda: stranger.datasets.content(dataset.id),
        lambda: stranger.datasets.delete(dataset.id),
        lambda: stranger.training_jobs.retrieve(job.id),
        lambda: collect(stranger.training_jobs.events(job.id)),
        lambda: stranger.training_jobs.cancel(job.id),
        lambda: stranger.models.retrieve(job.result_model_id),
        lambda: stranger.training_jobs.create(
            model="ridge", dataset_id=dataset.id, target="energy_kwh"
        ),
        lambda: stranger.batch_predictions.create(model="quality-logreg", dataset_id=dataset.id),
    ]
    for attempt in attempts:
        with pytest.raises(aiaas.NotFoundError):
            await resolve(attempt())
    assert await collect(stranger.datasets.list()) == []
    assert await collect(stranger.training_jobs.list()) == []
    assert [d.id for d in await collect(owner.datasets.list())] == [dataset.id]


@pytest.mark.parametrize(
    ("data", "fmt", "code", "line", "column"),
    [
        (b"a,b,c\n1,2,3\n4,5\n", "csv", "malformed_dataset", 3, "c"),
        (b"a,b\n1,2\n\xc3\x28,1\n", "csv", "bad_encoding", 3, None),
        (b"", "csv", "empty_dataset", None, None),
        (b"a|b\tc\n1|2\t3\n", "csv", "ambiguous_dialect", 1, None),
        (b'{"a": 1}\n{"a": \n', "jsonl", "malformed_dataset", 2, "7"),
    ],
)
async def test_malformed_uploads_are_problems_and_leave_nothing(
    live: LiveTenant, data: bytes, fmt: str, code: str, line: int | None, column: str | None
) -> None:
    client = live.client()
    with pytest.raises(aiaas.UnprocessableEntityError) as caught:
        await resolve(client.datasets.create(file=data, name="bad", format=fmt))
    assert caught.value.code == code
    extra = caught.value.body.model_extra if caught.value.body else {}
    assert extra is not None
    assert (extra.get("line"), extra.get("column")) == (line, column)
    assert await collect(client.datasets.list()) == []
    datasets_dir = live.server.app.state.services.store.data_dir / "datasets"  # type: ignore[union-attr]
    assert not [p for p in datasets_dir.iterdir() if p.name.startswith("tmp-")]


async def test_every_kind_of_source_uploads(live: LiveTenant, tmp_path: Path) -> None:
    client = live.client()
    data = machining_runs(rows=50)
    path = tmp_path / "runs.csv"
    path.write_bytes(data)
    records = [{"x": i, "label": "ab"[i % 2], "ok": i % 3 == 0} for i in range(40)]
    sources: list[tuple[Any, dict[str, Any], int]] = [
        (path, {}, 50),
        (str(path), {}, 50),
        (data, {"format": "csv"}, 50),
        (io.BytesIO(data), {"format": "csv"}, 50),
        (iter(records), {}, 40),
        (records, {"format": "csv"}, 40),
    ]
    for source, options, rows in sources:
        dataset = await resolve(client.datasets.create(file=source, name="s", **options))
        assert dataset.rows == rows
    last = await resolve(client.datasets.retrieve(dataset.id))
    assert [c.type for c in last.columns] == ["integer", "string", "boolean"]
    page = await resolve(client.datasets.rows(dataset.id, limit=2))
    assert page.data[1].values == {"x": 1, "label": "b", "ok": False}


async def test_bad_training_requests_are_refused_before_they_are_queued(
    live: LiveTenant,
) -> None:
    client = live.client()
    dataset = await upload_runs(client)
    bad: list[dict[str, Any]] = [
        {"model": "ridge", "target": "machine"},
        {"model": "ridge", "target": "nope"},
        {"model": "ridge", "target": "energy_kwh", "hyperparameters": {"alpha": "big"}},
        {"model": "gradient-boosting", "target": "energy_kwh"},
        {"model": "ridge", "target": "energy_kwh", "validation": {"cv_folds": 1}},
    ]
    for fields in bad:
        with pytest.raises(aiaas.UnprocessableEntityError) as caught:
            await resolve(client.training_jobs.create(dataset_id=dataset.id, **fields))
        assert caught.value.body is not None, fields
        assert caught.value.body.errors, fields
    assert await collect(client.training_jobs.list()) == []
    with pytest.raises(aiaas.NotFoundError):
        await resolve(client.training_jobs.create(model="ridge", dataset_id="ds_nope", target="x"))


async def test_rows_that_fail_carry_their_error_and_the_rest_complete(
    live: LiveTenant,
) -> None:
    client = live.client()
    runs = [
        {
            "product_type": "LMH"[i % 3],
            "air_temperature": 298.0 + i % 5,
            "process_temperature": 309.0,
            "rotational_speed": 1400 + i,
            "torque": 40.0 if i % 10 else "forty",
            "tool_wear": i % 250,
        }
        for i in range(120)
    ]
    dataset = await resolve(client.datasets.create(file=runs, name="runs", format="jsonl"))
    batch = await resolve(
        client.batch_predictions.create(model="quality-logreg", dataset_id=dataset.id)
    )
    batch = await resolve(client.batch_predictions.wait(batch.id, timeout=60, poll_interval=0.2))
    assert batch.status == "succeeded"
    assert (batch.succeeded_rows, batch.failed_rows) == (108, 12)
    results = await collect(client.batch_predictions.results(batch.id))
    assert [r.index for r in results] == list(range(120))
    for result in results:
        if result.index % 10 == 0:
            assert result.output is None
            assert result.error is not None
            assert result.error.code == "invalid_input"
            assert "torque" in result.error.message
        else:
            assert result.error is None
            assert result.output["prediction"] in ("pass", "fail")


async def test_text_models_read_the_named_column(live: LiveTenant) -> None:
    client = live.client()
    orders = [{"order": f"WO-{i}", "text": "replaced worn bearing on pump 3"} for i in range(5)]
    dataset = await resolve(client.datasets.create(file=orders, name="orders"))
    with pytest.raises(aiaas.UnprocessableEntityError) as caught:
        await resolve(
            client.batch_predictions.create(model="maintenance-ner", dataset_id=dataset.id)
        )
    assert caught.value.code == "input_column_required"
    batch = await resolve(
        client.batch_predictions.create(
            model="maintenance-ner", dataset_id=dataset.id, input_column="text"
        )
    )
    batch = await resolve(client.batch_predictions.wait(batch.id, timeout=120, poll_interval=0.2))
    results = await collect(client.batch_predictions.results(batch.id))
    assert batch.status == "succeeded"
    assert len(results) == 5
    assert results[0].output is not None
    assert results[0].output["entities"]


async def test_waiting_gives_up_at_its_timeout_and_the_job_goes_on(live: LiveTenant) -> None:
    client = live.client()
    dataset = await upload_runs(client, rows=2000)
    job = await resolve(
        client.training_jobs.create(
            model="random-forest",
            dataset_id=dataset.id,
            target="energy_kwh",
            search={"method": "grid", "space": {"n_estimators": [50, 100, 150]}},
        )
    )
    with pytest.raises(aiaas.JobTimeoutError) as caught:
        await resolve(client.training_jobs.wait(job.id, timeout=0.3, poll_interval=0.1))
    assert caught.value.job_id == job.id
    done: TrainingJob = await resolve(
        client.training_jobs.wait(job.id, timeout=180, poll_interval=0.2)
    )
    assert done.status == "succeeded"


async def test_a_dataset_is_deleted_with_its_files(live: LiveTenant) -> None:
    client = live.client()
    dataset = await upload_runs(client, rows=30)
    services = live.server.app.state.services  # type: ignore[union-attr]
    directory = services.store.dataset_dir(dataset.id)
    assert directory.exists()
    deleted = await resolve(client.datasets.delete(dataset.id))
    assert deleted.deleted
    assert deleted.id == dataset.id
    assert not directory.exists()
    with pytest.raises(aiaas.NotFoundError):
        await resolve(client.datasets.retrieve(dataset.id))


async def test_raw_responses_of_an_upload(live: LiveTenant) -> None:
    client = live.client()
    raw = await resolve(
        client.datasets.with_raw_response.create(file=b"a,b\n1,2\n", name="raw", format="csv")
    )
    assert raw.status_code == 201
    dataset = raw.parse()
    assert dataset.rows == 1
    assert json.loads(raw.headers.get("content-length", "0") or "0") > 0


async def _sleep(seconds: float) -> None:
    import anyio

    await anyio.sleep(seconds)


async def test_a_sealed_upload_when_encryption_is_required(live: LiveTenant) -> None:
    client = live.client(encryption="required")
    dataset = await resolve(
        client.datasets.create(file=machining_runs(rows=40), name="sealed", format="csv")
    )
    assert dataset.rows == 40
    rows = await collect(client.datasets.rows(dataset.id))
    assert len(rows) == 40


def test_uploads_over_the_announced_limit_are_refused() -> None:
    from aiaas_mock import MockServer, ServerConfig

    with (
        MockServer(ServerConfig(max_dataset_bytes=2000)) as server,
        aiaas.Client(base_url=server.base_url, api_key=server.api_key, encryption="off") as client,
    ):
        announced = httpx.get(f"{server.base_url}/v1/limits").json()
        assert announced["max_dataset_bytes"] == 2000
        assert announced["max_dataset_line_bytes"] == 16 * 1024 * 1024
        assert announced["max_dataset_cell_chars"] == 131_072
        data = machining_runs(rows=100)
        assert len(data) > 2000
        # With a declared length, refused before a byte is read...
        with pytest.raises(aiaas.APIStatusError) as caught:
            client.datasets.create(file=data, name="big", format="csv")
        assert caught.value.status_code == 413
        assert caught.value.code == "payload_too_large"
        # ...and streamed without one, stopped where the limit is reached.
        with httpx.Client(base_url=server.base_url) as raw:
            chunked = raw.post(
                "/v1/datasets",
                params={"name": "big", "format": "csv"},
                headers={"Authorization": f"Bearer {server.api_key}"},
                content=iter([data[i : i + 500] for i in range(0, len(data), 500)]),
            )
        assert chunked.status_code == 413
        assert chunked.json()["line"] > 1
        assert list(client.datasets.list()) == []


async def test_fine_tuning_a_zoo_family_and_serving_it(live: LiveTenant) -> None:
    client = live.client()
    dataset = await resolve(
        client.datasets.create(file=pump_readings(rows=800), name="pump-p7", format="csv")
    )
    job = await resolve(
        client.training_jobs.create(
            model="sensor-autoencoder",
            dataset_id=dataset.id,
            target="anomalous",
            validation={"cv_folds": 3},
            search={"method": "grid", "space": {"epochs": [1, 4]}},
        )
    )
    job = await resolve(client.training_jobs.wait(job.id, timeout=180, poll_interval=0.2))
    assert job.status == "succeeded", job.error
    auc = [c.metrics["roc_auc"] for c in job.candidates]
    assert auc == sorted(auc, reverse=True)
    assert {c.hyperparameters["epochs"] for c in job.candidates} == {1, 4}
    assert job.metrics["roc_auc"] > job.metrics["base_roc_auc"]
    card = await resolve(client.models.retrieve(job.result_model_id))
    system = await resolve(client.models.retrieve("sensor-autoencoder"))
    assert card.task == system.task == "anomaly-detection"
    assert card.input_schema == system.input_schema
    assert card.owner == live.tenant.id
    rows = await collect(client.datasets.rows(dataset.id, limit=3))
    reading = {k: v for k, v in rows[0].values.items() if k != "anomalous"}
    prediction = await resolve(client.models.predict(card.id, inputs=[reading]))
    assert {"anomaly_score", "threshold", "is_anomaly", "contributions"} <= set(
        prediction.outputs[0]
    )
    batch = await resolve(client.batch_predictions.create(model=card.id, dataset_id=dataset.id))
    batch = await resolve(client.batch_predictions.wait(batch.id, timeout=120, poll_interval=0.2))
    assert batch.status == "succeeded"
    assert batch.succeeded_rows == 800


def test_a_trained_model_serves_the_open_inference_protocol(aiaas_mock: Any) -> None:
    from aiaas.oip import Client as OipClient
    from aiaas.oip import Tensor

    admin = aiaas_mock.admin
    tenant = admin.create_tenant("oip-trained")
    key = admin.issue_key(tenant.id).secret.reveal()
    with aiaas.Client(base_url=aiaas_mock.base_url, api_key=key) as client:
        dataset = client.datasets.create(file=machining_runs(rows=300), name="r", format="csv")
        job = client.training_jobs.create(
            model="logistic-regression", dataset_id=dataset.id, target="failed",
            features=["machine", "speed"],
        )  # fmt: skip
        job = client.training_jobs.wait(job.id, timeout=120, poll_interval=0.2)
        assert job.result_model_id is not None
        v1 = client.models.predict(
            job.result_model_id, inputs=[{"machine": "B", "speed": 1400.0}]
        ).outputs[0]
    with OipClient(aiaas_mock.base_url, api_key=key) as oip:
        metadata = oip.model_metadata(job.result_model_id)
        assert [t.name for t in metadata.inputs] == ["speed", "machine"]
        result = oip.infer(
            job.result_model_id,
            [Tensor("speed", "FP64", [1], [1400.0]), Tensor("machine", "BYTES", [1], ["B"])],
        )
    outputs = {tensor.name: tensor for tensor in result.outputs}
    assert json.loads(outputs["probabilities"].data[0]) == v1["probabilities"]
    stranger_key = admin.issue_key(admin.create_tenant("oip-stranger").id).secret.reveal()
    with (
        OipClient(aiaas_mock.base_url, api_key=stranger_key) as stranger,
        pytest.raises(aiaas.NotFoundError),
    ):
        stranger.model_metadata(job.result_model_id)


def test_an_interrupted_upload_leaves_nothing(
    aiaas_mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiaas_mock.datasets.uploads import DatasetUpload

    admin = aiaas_mock.admin
    tenant = admin.create_tenant("interrupted-upload")
    key = admin.issue_key(tenant.id).secret.reveal()
    datasets_dir = aiaas_mock.app.state.services.store.data_dir / "datasets"
    abandoned: list[int] = []
    abandon = DatasetUpload.abandon

    def counted(upload: DatasetUpload) -> None:
        abandoned.append(upload.file.size)
        abandon(upload)

    monkeypatch.setattr(DatasetUpload, "abandon", counted)

    def body() -> Iterator[bytes]:
        for _ in range(20):
            yield b"a,b\n" + b"1,2\n" * 50_000
        raise ConnectionAbortedError("the line's export crashed")

    with (
        httpx.Client(base_url=aiaas_mock.base_url, timeout=10) as raw,
        pytest.raises(ConnectionAbortedError),
    ):
        raw.post(
            "/v1/datasets",
            params={"name": "half", "format": "csv"},
            headers={"Authorization": f"Bearer {key}"},
            content=body(),
        )
    for _ in range(50):  # until the server has noticed the closed connection
        if abandoned:
            break
        time.sleep(0.1)
    assert abandoned
    assert abandoned[0] > 1_000_000
    assert not [p for p in datasets_dir.iterdir() if p.name.startswith("tmp-")]
    with aiaas.Client(base_url=aiaas_mock.base_url, api_key=key) as client:
        assert list(client.datasets.list()) == []


def test_a_small_job_is_not_held_up_by_a_large_one() -> None:
    from aiaas_mock import MockServer, ServerConfig

    with (
        MockServer(ServerConfig(job_workers=1)) as server,
        aiaas.Client(base_url=server.base_url, api_key=server.api_key) as client,
    ):
        big = client.datasets.create(file=machining_runs(rows=3000), name="big", format="csv")
        large = client.training_jobs.create(
            model="random-forest",
            dataset_id=big.id,
            target="failed",
            search={"method": "grid", "space": {"n_estimators": [100, 150, 200],
                                                "max_depth": [10, 16]}},
        )  # fmt: skip
        small = client.training_jobs.create(
            model="ridge", dataset_id=big.id, target="energy_kwh", features=["speed"]
        )
        small = client.training_jobs.wait(small.id, timeout=120, poll_interval=0.1)
        assert small.status == "succeeded"
        assert client.training_jobs.retrieve(large.id).status == "running"
        client.training_jobs.cancel(large.id)


async def test_following_a_jobs_events_streams_them_as_written(live: LiveTenant) -> None:
    client = live.client()
    dataset = await upload_runs(client, rows=300)
    job = await resolve(
        client.training_jobs.create(
            model="ridge", dataset_id=dataset.id, target="energy_kwh", features=FEATURES
        )
    )
    stream = await resolve(client.training_jobs.events(job.id, follow=True))
    if isinstance(stream, aiaas.AsyncStream):
        followed = [event async for event in stream]
    else:
        followed = list(stream)
    # The stream ends by itself once the job has ended: its last event says how.
    assert followed[-1].type == "succeeded"
    assert [e.seq for e in followed] == sorted({e.seq for e in followed})
    logged = await collect(client.training_jobs.events(job.id, limit=5))
    assert [e.model_dump() for e in followed] == [e.model_dump() for e in logged]
    with pytest.raises(aiaas.NotFoundError):
        await resolve(live.client().training_jobs.events("tj_nope", follow=True))


async def test_wait_can_follow_the_log_instead_of_polling(live: LiveTenant) -> None:
    client = live.client()
    dataset = await upload_runs(client, rows=300)
    seen: list[tuple[str, float]] = []
    job = await resolve(
        client.training_jobs.create(
            model="ridge", dataset_id=dataset.id, target="energy_kwh", features=FEATURES
        )
    )
    done = await resolve(
        client.training_jobs.wait(
            job.id,
            timeout=120,
            follow=True,
            on_progress=lambda j: seen.append((j.status, j.progress)),
        )
    )
    assert done.status == "succeeded"
    assert seen[-1] == ("succeeded", 1.0)
    assert seen == sorted(set(seen), key=seen.index)  # each change once, in order
    slow = await resolve(
        client.training_jobs.create(
            model="random-forest",
            dataset_id=(await upload_runs(client, rows=3000)).id,
            target="failed",
            features=FEATURES,
            search={"method": "grid", "space": {"n_estimators": [150, 200], "max_depth": [12, 16]}},
            validation={"cv_folds": 5},
        )
    )
    started = time.monotonic()
    with pytest.raises(aiaas.JobTimeoutError):
        await resolve(client.training_jobs.wait(slow.id, timeout=0.5, follow=True))
    assert time.monotonic() - started < 5
    await resolve(client.training_jobs.cancel(slow.id))


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: 100000\r\n\r\na,b\n1,2\n",
        b"Transfer-Encoding: chunked\r\n\r\n8\r\na,b\n1,2\n\r\n",
    ],
    ids=["content-length", "chunked"],
)
def test_a_stalled_upload_is_dropped_and_its_files_removed(framing: bytes) -> None:
    """A client that stops sending its body holds no disk: 408 after the announced
    idle time, and the upload's scratch directory is gone at once."""
    import socket
    from urllib.parse import urlsplit

    from aiaas_mock import MockServer, ServerConfig

    with MockServer(ServerConfig(body_idle_timeout=1.0)) as server:
        assert httpx.get(f"{server.base_url}/v1/limits").json()["body_idle_seconds"] == 1
        address = urlsplit(server.base_url)
        datasets = server.services.store.data_dir / "datasets"
        with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
            sock.sendall(
                b"POST /v1/datasets?name=stalled&format=csv HTTP/1.1\r\n"
                + f"Host: {address.netloc}\r\n".encode()
                + f"Authorization: Bearer {server.api_key}\r\n".encode()
                + b"Content-Type: text/csv\r\n"
                + framing
            )
            started = time.monotonic()
            received = sock.recv(65536)
            waited = time.monotonic() - started
            while chunk := sock.recv(65536):  # the server closes after its answer
                received += chunk
            answer = received.decode()
        assert answer.startswith("HTTP/1.1 408"), answer[:200]
        assert "request_timeout" in answer
        assert 0.9 < waited < 5.0
        assert not [p for p in datasets.iterdir() if p.name.startswith("tmp-")]
