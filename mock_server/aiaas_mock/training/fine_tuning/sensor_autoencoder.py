"""Fine-tuning ``sensor-autoencoder``: pump readings (the six sensors); an
optional boolean target marks anomalous rows, which are never trained on."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from aiaas.types import Dataset, TrainingJobRequest

from ...datasets.files import Table
from ...zoo.kit.scaling import Scaler, ScalerState
from ...zoo.model_spec import Predictor
from ...zoo.sensor_autoencoder.data import SENSORS
from ...zoo.sensor_autoencoder.network import Detector, build_network, calibrate, train
from ...zoo.sensor_autoencoder.serving import PumpAnomalyDetector
from ..metrics import roc_auc
from ..plan import PlanError, TrainingPlan
from .tuner import (
    FamilyTuner,
    Rows,
    Tuning,
    epochs,
    learning_rate,
    load_state,
    numeric_columns,
    state_bytes,
)


def check(request: TrainingJobRequest, dataset: Dataset) -> tuple[tuple[str, ...], str | None, str]:
    columns = {c.name: c for c in dataset.columns}
    numeric_columns(columns, SENSORS, "sensor-autoencoder")
    metric = "reconstruction_mse"
    if request.target is not None:
        target = columns[request.target]
        values = set((target.top_values or {}).keys())
        if target.type not in ("boolean", "integer") or not values <= {"0", "1", "true", "false"}:
            raise PlanError(
                f"sensor-autoencoder's target marks anomalous rows: '{request.target}' must "
                "hold booleans or 0 and 1.",
                "target",
            )
        if len(values) == 2:
            metric = "roc_auc"
    return SENSORS, None, metric


def _rows(table: Table, plan: TrainingPlan, rows: Rows) -> tuple[Any, Any]:
    values = np.column_stack([table.columns[name][rows] for name in SENSORS])
    if plan.target is None:
        return values, np.zeros(len(rows), dtype=bool)
    return values, table.columns[plan.target][rows] > 0.5


def _fit(tuning: Tuning, values: Any) -> Any:
    shipped = tuning.base.predictor.model  # type: ignore[attr-defined]
    network, scaler = train(
        values,
        seed=tuning.plan.seed,
        epochs=epochs(tuning.candidate),
        learning_rate=learning_rate(tuning.candidate),
        on_batch=tuning.check,
        model=copy.deepcopy(shipped.network),
        scaler=shipped.scaler,
    )
    return calibrate(network, scaler, values)


def _measure(detector: Any, values: Any, anomalous: Any) -> dict[str, float]:
    scores, _ = detector.assess(values)
    normal = ~anomalous
    residuals = detector.residuals(values[normal])
    metrics = {
        "reconstruction_mse": float((residuals**2).mean()),
        "false_alarm_rate": float((scores[normal] >= detector.threshold).mean()),
    }
    if anomalous.any() and normal.any():
        metrics["roc_auc"] = roc_auc(anomalous, scores)
        metrics["detection_rate"] = float((scores[anomalous] >= detector.threshold).mean())
    return metrics


def fold(tuning: Tuning, train: Rows, test: Rows) -> dict[str, float]:
    values, anomalous = _rows(tuning.table, tuning.plan, train)
    normal_train = values[~anomalous]
    detector = _fit(tuning, normal_train)
    test_values, test_anomalous = _rows(tuning.table, tuning.plan, test)
    shipped = tuning.base.predictor.model  # type: ignore[attr-defined]
    base_detector = calibrate(shipped.network, shipped.scaler, normal_train)
    metrics = _measure(detector, test_values, test_anomalous)
    for name, value in _measure(base_detector, test_values, test_anomalous).items():
        metrics[f"base_{name}"] = value
    return metrics


def final(tuning: Tuning, rows: Rows) -> dict[str, Any]:
    values, anomalous = _rows(tuning.table, tuning.plan, rows)
    detector = _fit(tuning, values[~anomalous])
    return {
        "state": state_bytes(detector.network),
        "scaler": detector.scaler.state().model_dump(),
        "precision": detector.precision.tolist(),
        "threshold": detector.threshold,
    }


def restore(artifact: dict[str, Any]) -> Predictor:
    network = load_state(build_network(), artifact["state"])
    scaler = Scaler.from_state(ScalerState.model_validate(artifact["scaler"]))
    detector = Detector(network, scaler, np.array(artifact["precision"]), artifact["threshold"])
    return PumpAnomalyDetector(detector)


TUNER = FamilyTuner(
    "sensor-autoencoder", "anomaly-detection", "reconstruction_mse", False,
    check, fold, final, restore,
)  # fmt: skip
