"""Fine-tuning the deep zoo families on a tenant's data, unit by unit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from aiaas.types import Dataset, TrainingJobRequest, ValidationSettings
from aiaas_mock.training.driver import plan_training
from aiaas_mock.training.plan import PlanError
from aiaas_mock.training.serving import load, trained_card
from aiaas_mock.training.units import TableRef, columns_needed, final_unit, fold_unit
from aiaas_mock.zoo.sensor_autoencoder.data import SENSORS
from tests.jobs.ingested import ingested
from tests.tables import engine_runs, machining_runs, pump_readings, surface_images, work_orders


class NotCancelled:
    def is_set(self) -> bool:
        return False


def dataset_of(directory: Path, data: bytes, fmt: str) -> Dataset:
    return ingested(directory, data, fmt=fmt)  # type: ignore[arg-type]


def run(directory: Path, dataset: Dataset, **request: Any) -> tuple[list[dict[str, float]], Any]:
    """Every fold's metrics, and the model served from the final unit."""
    plan = plan_training(
        "tj_fine",
        TrainingJobRequest(
            dataset_id=dataset.id, validation=ValidationSettings(cv_folds=3), **request
        ),
        dataset,
    )
    source = TableRef(str(directory), columns_needed(plan))
    folds = [fold_unit(source, plan, 0, fold, NotCancelled()).metrics for fold in range(3)]
    artifact = final_unit(source, plan, 0, NotCancelled())
    card = trained_card(
        "fine-tuned",
        artifact,
        tenant_id="t",
        dataset_name=dataset.name,
        dataset_id=dataset.id,
        rows=dataset.rows,
        folds=3,
        grouped_by=plan.group_by,
        metrics={},
        training_job_id="tj_fine",
    )
    return folds, load("fine-tuned", artifact, card)


def mean(folds: list[dict[str, float]], name: str) -> float:
    return sum(fold[name] for fold in folds) / len(folds)


def test_an_autoencoder_fine_tuned_to_another_pump_fits_it_better(tmp_path: Path) -> None:
    dataset = dataset_of(tmp_path, pump_readings(), "csv")
    folds, model = run(
        tmp_path, dataset, model="sensor-autoencoder", target="anomalous",
        hyperparameters={"epochs": 5},
    )  # fmt: skip
    # This pump's flow and vibration read high: the shipped network reconstructs
    # its normal readings four times worse than the fine-tuned one.
    assert mean(folds, "reconstruction_mse") < 0.5 * mean(folds, "base_reconstruction_mse")
    assert mean(folds, "roc_auc") > mean(folds, "base_roc_auc")
    assert mean(folds, "false_alarm_rate") < 0.03  # calibrated at the 99th percentile
    assert model.spec.task == "anomaly-detection"
    reading = dict.fromkeys(SENSORS, 0.0) | {
        "flow": 104.0, "head": 40.0, "power": 15.0, "temperature": 45.0,
        "current": 25.0, "vibration": 2.2,
    }  # fmt: skip
    (assessment,) = model.predictor.predict(
        [model.spec.input_type.model_validate(reading)],
        model.spec.parameters_type(),
    )
    assert assessment.anomaly_score > 0
    assert len(assessment.contributions) == 3


def test_rul_lstm_fine_tuned_on_other_engines_predicts_them_better(tmp_path: Path) -> None:
    dataset = dataset_of(tmp_path, engine_runs(), "csv")
    folds, model = run(tmp_path, dataset, model="rul-lstm", hyperparameters={"epochs": 3})
    assert mean(folds, "rmse") < mean(folds, "base_rmse")
    assert model.spec.task == "remaining-useful-life"


def test_defect_cnn_fine_tuned_on_another_cameras_images_beats_the_shipped_head(
    tmp_path: Path,
) -> None:
    """Ten images a class from a camera the shipped head never saw (smaller,
    softer, noisier, flatter): the head fine-tuned on the folds' training images
    scores higher on their held-out ones than the shipped head does."""
    dataset = dataset_of(tmp_path, surface_images(per_class=10, seed=7, other_camera=True), "jsonl")
    assert dataset.rows == 70
    folds, model = run(tmp_path, dataset, model="defect-cnn", target="label")
    assert all(0.0 <= fold["accuracy"] <= 1.0 and "base_accuracy" in fold for fold in folds)
    # Measured here: 0.743 against 0.700, three of the 70 held-out images more;
    # asking for one leaves room for another CPU's kernels.
    assert mean(folds, "accuracy") >= mean(folds, "base_accuracy") + 1 / 70
    assert model.spec.task == "image-classification"
    assert model.predictor.classes[0] == "crazing"
    assert model.predictor.network.top is None  # head mode: the backbone's own top


def test_defect_cnn_fine_tunes_its_last_blocks_and_serves_them(tmp_path: Path) -> None:
    dataset = dataset_of(tmp_path, surface_images(per_class=4, seed=8, other_camera=True), "jsonl")
    folds, model = run(
        tmp_path, dataset, model="defect-cnn", target="label",
        hyperparameters={"mode": "last_blocks", "views": 2, "epochs": 2},
    )  # fmt: skip
    assert all(0.0 <= fold["accuracy"] <= 1.0 for fold in folds)
    top = model.predictor.network.top
    assert top is not None
    shipped = next(iter(model.predictor.network.trunk._blocks[-1].parameters()))
    assert not np.array_equal(next(iter(top.parameters())).detach().numpy(), shipped.numpy())
    image = json.loads(surface_images(per_class=1, seed=9).splitlines()[0])["image"]
    (answer,) = model.predictor.predict([model.spec.input_type(image=image)], None)
    assert answer.label in model.predictor.classes


@pytest.mark.parametrize(
    ("data", "fmt", "request_fields", "field", "says"),
    [
        (machining_runs(), "csv", {"model": "sensor-autoencoder"}, "dataset_id",
         "lacks flow, head, power, temperature, current, vibration"),
        (pump_readings(rows=60), "csv", {"model": "sensor-autoencoder", "target": "flow"},
         "target", "booleans or 0 and 1"),
        (machining_runs(), "csv", {"model": "rul-lstm"}, "dataset_id", "reads columns"),
        (machining_runs(), "csv", {"model": "defect-cnn", "target": "machine"}, "dataset_id",
         "one image column"),
        (surface_images(per_class=2), "jsonl",
         {"model": "defect-cnn", "target": "label", "hyperparameters": {"epochs": 99}},
         "hyperparameters.epochs", "less than or equal to 50"),
    ],
)  # fmt: skip
def test_data_a_family_cannot_learn_from_is_refused(
    tmp_path: Path, data: bytes, fmt: str, request_fields: dict[str, Any], field: str, says: str
) -> None:
    dataset = dataset_of(tmp_path, data, fmt)
    with pytest.raises(PlanError) as caught:
        plan_training("tj", TrainingJobRequest(dataset_id=dataset.id, **request_fields), dataset)
    assert caught.value.field == field
    assert says in caught.value.message


@pytest.mark.slow
def test_the_entity_tagger_retrains_with_the_tenants_texts(tmp_path: Path) -> None:
    dataset = dataset_of(tmp_path, work_orders(count=45), "jsonl")
    folds, model = run(tmp_path, dataset, model="maintenance-ner",
                       hyperparameters={"tenant_weight": 2})  # fmt: skip
    assert all(0.5 < fold["f1"] <= 1.0 and 0.5 < fold["base_f1"] <= 1.0 for fold in folds)
    assert model.spec.task == "token-classification"
    (extraction,) = model.predictor.predict(["replaced worn bearing on pump 3"], None)
    assert {entity.type for entity in extraction.entities} >= {"Activity", "PhysicalObject"}


def test_entities_that_do_not_fit_their_text_fail_the_unit(tmp_path: Path) -> None:
    entity = {"start": 0, "end": 40, "type": "PhysicalObject"}
    data = json.dumps({"text": "pump leaking", "entities": [entity]}).encode() + b"\n"
    dataset = dataset_of(tmp_path, data * 12, "jsonl")
    plan = plan_training(
        "tj", TrainingJobRequest(dataset_id=dataset.id, model="maintenance-ner"), dataset
    )
    with pytest.raises(ValueError, match=r"row 0: .* needs 0 <= start < end <= 12"):
        final_unit(TableRef(str(tmp_path), columns_needed(plan)), plan, 0, NotCancelled())


def test_cancel_stops_a_network_between_two_batches(tmp_path: Path) -> None:
    """Fifty epochs on 4,000 rows take seconds; the cancellation is seen within a batch."""
    import time

    from aiaas_mock.model_loader import worker_models
    from aiaas_mock.workers import Cancelled

    class After:
        def __init__(self, seconds: float) -> None:
            self.at = time.monotonic() + seconds

        def is_set(self) -> bool:
            return time.monotonic() >= self.at

    dataset = dataset_of(tmp_path, pump_readings(rows=6000), "csv")
    plan = plan_training(
        "tj_stop",
        TrainingJobRequest(
            dataset_id=dataset.id,
            model="sensor-autoencoder",
            hyperparameters={"epochs": 50},
            validation=ValidationSettings(cv_folds=3),
        ),
        dataset,
    )
    source = TableRef(str(tmp_path), columns_needed(plan))
    worker_models(0).system("sensor-autoencoder")  # loaded, as on a worker's second fold
    flag = After(0.2)
    with pytest.raises(Cancelled):
        fold_unit(source, plan, 0, 0, flag)
    assert time.monotonic() - flag.at < 2.0


def test_defect_cnns_kept_views_go_when_their_table_does(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    from types import SimpleNamespace

    from aiaas_mock.datasets.files import Table
    from aiaas_mock.training.fine_tuning import defect_cnn

    monkeypatch.setattr(defect_cnn, "_frozen_outputs", lambda tuning, row, count: np.zeros(3))
    cache = defect_cnn.ViewCache()
    table = Table({"image": np.array(["a", "b", "c"], dtype=object)}, {"image": "image"})
    tuning = SimpleNamespace(
        table=table,
        plan=SimpleNamespace(features=("image",), seed=0),
        candidate=SimpleNamespace(hyperparameters={"mode": "head", "views": 2}),
        check=lambda: None,
    )
    kept, views = cache.of(tuning, np.array([0, 2]))  # type: ignore[arg-type]
    assert kept.shape == (2, 3)
    assert views == 2
    assert cache.rows_kept == 2
    del tuning, table
    gc.collect()
    assert cache.rows_kept == 0
