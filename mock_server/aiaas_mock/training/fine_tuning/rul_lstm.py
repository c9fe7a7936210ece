"""Fine-tuning ``rul-lstm``: run-to-failure sensor rows (``unit``, ``cycle``, the 14
FD001 sensors); the remaining life is the ``target`` column or, without one, the
cycles left to the unit's last row. Folds never split a unit."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from aiaas.types import Dataset, TrainingJobRequest

from ...datasets.files import Table
from ...zoo.kit.scaling import Scaler, ScalerState
from ...zoo.model_spec import Predictor
from ...zoo.rul_lstm.data import RUL_CAP, SENSOR_NAMES, WINDOW
from ...zoo.rul_lstm.network import build_network, predict, train
from ...zoo.rul_lstm.serving import RulPredictor
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
    group = request.validation.group_by or "unit"
    numeric_columns(columns, (*SENSOR_NAMES, "cycle"), "rul-lstm")
    # ``cycle`` orders each engine's rows into windows.
    if group not in columns:
        raise PlanError(
            "rul-lstm needs a column naming each row's engine: 'unit', or validation.group_by.",
            "validation.group_by",
        )
    if request.target is not None and columns[request.target].type not in ("integer", "number"):
        raise PlanError(f"rul-lstm's target '{request.target}' must hold cycles.", "target")
    units = columns[group].distinct
    if units is not None and units < request.validation.cv_folds:
        raise PlanError(
            f"'{group}' has {units} engines, too few for {request.validation.cv_folds} folds.",
            "validation.cv_folds",
        )
    if dataset.rows < WINDOW:
        raise PlanError(f"rul-lstm needs runs of at least {WINDOW} cycles.", "dataset_id")
    return (*SENSOR_NAMES, "cycle"), group, "rmse"


def _windows(table: Table, plan: TrainingPlan, rows: Rows) -> tuple[Any, Any]:
    assert plan.group_by is not None
    units = table.columns[plan.group_by][rows]
    cycles = table.columns["cycle"][rows]
    values = np.column_stack([table.columns[name][rows] for name in SENSOR_NAMES])
    given = table.columns[plan.target][rows] if plan.target is not None else None
    inputs, targets = [], []
    for unit in sorted(set(units.tolist()), key=str):
        mine = np.flatnonzero(units == unit)
        mine = mine[np.argsort(cycles[mine], kind="stable")]
        readings = values[mine]
        life = given[mine] if given is not None else (len(mine) - 1 - np.arange(len(mine)))
        for end in range(WINDOW, len(mine) + 1):
            inputs.append(readings[end - WINDOW : end])
            targets.append(float(life[end - 1]))
    if not inputs:
        raise ValueError(f"no engine has {WINDOW} cycles")
    return np.stack(inputs), np.array(targets, dtype=np.float64)


def _fit(tuning: Tuning, rows: Rows) -> tuple[Any, Any]:
    inputs, targets = _windows(tuning.table, tuning.plan, rows)
    shipped: Any = tuning.base.predictor
    return train(
        inputs,
        targets,
        seed=tuning.plan.seed,
        epochs=epochs(tuning.candidate),
        learning_rate=learning_rate(tuning.candidate),
        on_batch=tuning.check,
        model=copy.deepcopy(shipped.network),
        scaler=shipped.scaler,
    )


def fold(tuning: Tuning, train: Rows, test: Rows) -> dict[str, float]:
    network, scaler = _fit(tuning, train)
    inputs, targets = _windows(tuning.table, tuning.plan, test)
    truth = np.minimum(targets, RUL_CAP)
    shipped: Any = tuning.base.predictor
    predicted = predict(network, scaler, inputs)
    return {
        "rmse": float(np.sqrt(np.mean((predicted - truth) ** 2))),
        "mae": float(np.mean(np.abs(predicted - truth))),
        "base_rmse": float(
            np.sqrt(np.mean((predict(shipped.network, shipped.scaler, inputs) - truth) ** 2))
        ),
    }


def final(tuning: Tuning, rows: Rows) -> dict[str, Any]:
    network, scaler = _fit(tuning, rows)
    return {"state": state_bytes(network), "scaler": scaler.state().model_dump()}


def restore(artifact: dict[str, Any]) -> Predictor:
    network = load_state(build_network(), artifact["state"])
    return RulPredictor(network, Scaler.from_state(ScalerState.model_validate(artifact["scaler"])))


TUNER = FamilyTuner("rul-lstm", "regression", "rmse", False, check, fold, final, restore)
