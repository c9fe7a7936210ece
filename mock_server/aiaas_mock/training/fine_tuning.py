"""Fine-tuning the zoo's deep families on a tenant's data.

Each tuner starts from the shipped network (a copy: the served system model is
untouched), continues its training on the tenant's rows for a few epochs, and is
measured on held-out folds next to the shipped network on the same rows
(``base_*`` metrics), so a card shows what fine-tuning bought. The result
serves like its family: same inputs, outputs and parameters.

- ``sensor-autoencoder``: pump readings (the six sensors); an optional boolean
  target marks anomalous rows, which are never trained on.
- ``rul-lstm``: run-to-failure sensor rows (``unit``, ``cycle``, the 14 FD001
  sensors); the remaining life is the ``target`` column or, without one, the
  cycles left to the unit's last row. Folds never split a unit.
- ``defect-cnn``: an image column (base64 PNG) and a target of defect classes.
- ``maintenance-ner``: JSON lines of ``text`` and ``entities`` (``start``, ``end``,
  ``type``); CRFs are retrained rather than continued: the shipped recipe's texts
  plus the tenant's, counted ``tenant_weight`` times.
"""

from __future__ import annotations

import base64
import copy
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from aiaas.types import ColumnProfile, Dataset, Model

from ..datasets.files import Table
from ..zoo.model_spec import LoadedModel, ModelSpec, Predictor
from .algorithms import Algorithm, Hyperparameters
from .plan import (
    MIN_ROWS_PER_FOLD,
    Candidate,
    PlanError,
    TrainingPlan,
    TrainingRequest,
    candidates_of,
)
from .serving import FINE_TUNED as FORMAT


class FineTuneHyperparameters(Hyperparameters):
    epochs: int = Field(default=5, ge=1, le=50)
    """Epochs of further training on the tenant's rows."""


class TaggerHyperparameters(Hyperparameters):
    tenant_weight: int = Field(default=1, ge=1, le=10)
    """How many times as much as a MaintIE gold text each of the tenant's texts
    counts in training (CRFsuite takes no sample weights: texts are repeated)."""


def _numeric(columns: dict[str, ColumnProfile], names: tuple[str, ...], family: str) -> None:
    missing = [name for name in names if name not in columns]
    if missing:
        raise PlanError(
            f"{family} reads columns {', '.join(names)}; the dataset lacks {', '.join(missing)}.",
            "dataset_id",
        )
    for name in names:
        if columns[name].type not in ("integer", "number"):
            raise PlanError(f"{family}: column '{name}' must hold numbers.", "dataset_id")


def _state_bytes(network: Any) -> str:
    from ..zoo.kit.torch_helpers import torch_module

    buffer = io.BytesIO()
    torch_module().save(network.state_dict(), buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def _load_state(network: Any, encoded: str) -> Any:
    from ..zoo.kit.torch_helpers import torch_module

    torch = torch_module()
    state = torch.load(io.BytesIO(base64.b64decode(encoded)), weights_only=True)
    network.load_state_dict(state)
    network.eval()
    return network


def _system(model_id: str) -> LoadedModel:
    from ..batch.units import SystemModelRef, load_model

    return load_model(SystemModelRef(model_id, 0))


@dataclass(frozen=True)
class FamilyTuner:
    family: str
    task: str
    """How the plan's folds are drawn: ``classification`` stratifies by target."""
    metric: str
    higher_is_better: bool
    check: Callable[[TrainingRequest, Dataset], tuple[tuple[str, ...], str | None, str]]
    """The request's feature columns, grouping column and ranking metric, or PlanError."""
    fold: Callable[..., dict[str, float]]
    final: Callable[..., dict[str, Any]]
    restore: Callable[[dict[str, Any]], Predictor]
    hyperparameters: type[Hyperparameters] = FineTuneHyperparameters


def _epochs(candidate: Candidate) -> int:
    return FineTuneHyperparameters.model_validate(candidate.hyperparameters).epochs


# -- sensor-autoencoder ---------------------------------------------------------


def _pump_check(
    request: TrainingRequest, dataset: Dataset
) -> tuple[tuple[str, ...], str | None, str]:
    from ..zoo.sensor_autoencoder.data import SENSORS

    columns = {c.name: c for c in dataset.columns}
    _numeric(columns, SENSORS, "sensor-autoencoder")
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


def _pump_rows(table: Table, plan: TrainingPlan, rows: NDArray[np.int64]) -> tuple[Any, Any]:
    from ..zoo.sensor_autoencoder.data import SENSORS

    values = np.column_stack([table.columns[name][rows] for name in SENSORS])
    if plan.target is None:
        return values, np.zeros(len(rows), dtype=bool)
    return values, table.columns[plan.target][rows] > 0.5


def _pump_fit(values: Any, epochs: int, seed: int) -> Any:
    from ..zoo.sensor_autoencoder.network import calibrate, train

    base = _system("sensor-autoencoder").predictor.model  # type: ignore[attr-defined]
    network, scaler = train(
        values, seed=seed, epochs=epochs, model=copy.deepcopy(base.network), scaler=base.scaler
    )
    return calibrate(network, scaler, values)


def _pump_measure(detector: Any, values: Any, anomalous: Any) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    scores, _ = detector.assess(values)
    normal = ~anomalous
    residuals = detector.residuals(values[normal])
    metrics = {
        "reconstruction_mse": float((residuals**2).mean()),
        "false_alarm_rate": float((scores[normal] >= detector.threshold).mean()),
    }
    if anomalous.any() and normal.any():
        metrics["roc_auc"] = float(roc_auc_score(anomalous, scores))
        metrics["detection_rate"] = float((scores[anomalous] >= detector.threshold).mean())
    return metrics


def _pump_fold(
    table: Table, plan: TrainingPlan, candidate: Candidate, train: Any, test: Any
) -> dict[str, float]:
    from ..zoo.sensor_autoencoder.network import calibrate

    values, anomalous = _pump_rows(table, plan, train)
    normal_train = values[~anomalous]
    detector = _pump_fit(normal_train, _epochs(candidate), plan.seed)
    test_values, test_anomalous = _pump_rows(table, plan, test)
    base = _system("sensor-autoencoder").predictor.model  # type: ignore[attr-defined]
    base_detector = calibrate(base.network, base.scaler, normal_train)
    metrics = _pump_measure(detector, test_values, test_anomalous)
    for name, value in _pump_measure(base_detector, test_values, test_anomalous).items():
        metrics[f"base_{name}"] = value
    return metrics


def _pump_final(
    table: Table, plan: TrainingPlan, candidate: Candidate, rows: Any
) -> dict[str, Any]:
    values, anomalous = _pump_rows(table, plan, rows)
    detector = _pump_fit(values[~anomalous], _epochs(candidate), plan.seed)
    return {
        "state": _state_bytes(detector.network),
        "scaler": detector.scaler.state().model_dump(),
        "precision": detector.precision.tolist(),
        "threshold": detector.threshold,
    }


def _pump_restore(artifact: dict[str, Any]) -> Predictor:
    from ..zoo.kit.scaling import Scaler, ScalerState
    from ..zoo.sensor_autoencoder.network import Detector, build_network
    from ..zoo.sensor_autoencoder.serving import PumpAnomalyDetector

    network = _load_state(build_network(), artifact["state"])
    scaler = Scaler.from_state(ScalerState.model_validate(artifact["scaler"]))
    detector = Detector(network, scaler, np.array(artifact["precision"]), artifact["threshold"])
    return PumpAnomalyDetector(detector)


# -- rul-lstm --------------------------------------------------------------------


def _rul_check(
    request: TrainingRequest, dataset: Dataset
) -> tuple[tuple[str, ...], str | None, str]:
    from ..zoo.rul_lstm.data import SENSOR_NAMES, WINDOW

    columns = {c.name: c for c in dataset.columns}
    group = request.validation.group_by or "unit"
    _numeric(columns, (*SENSOR_NAMES, "cycle"), "rul-lstm")
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


def _rul_windows(table: Table, plan: TrainingPlan, rows: Any) -> tuple[Any, Any]:
    from ..zoo.rul_lstm.data import SENSOR_NAMES, WINDOW

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


def _rul_fit(inputs: Any, targets: Any, epochs: int, seed: int) -> tuple[Any, Any]:
    from ..zoo.rul_lstm.network import train

    base = _system("rul-lstm").predictor
    return train(
        inputs,
        targets,
        seed=seed,
        epochs=epochs,
        model=copy.deepcopy(base.network),  # type: ignore[attr-defined]
        scaler=base.scaler,  # type: ignore[attr-defined]
    )


def _rul_fold(
    table: Table, plan: TrainingPlan, candidate: Candidate, train: Any, test: Any
) -> dict[str, float]:
    from ..zoo.rul_lstm.data import RUL_CAP
    from ..zoo.rul_lstm.network import predict

    network, scaler = _rul_fit(*_rul_windows(table, plan, train), _epochs(candidate), plan.seed)
    inputs, targets = _rul_windows(table, plan, test)
    truth = np.minimum(targets, RUL_CAP)
    base = _system("rul-lstm").predictor

    def rmse(predicted: Any) -> float:
        return float(np.sqrt(np.mean((predicted - truth) ** 2)))

    return {
        "rmse": rmse(predict(network, scaler, inputs)),
        "mae": float(np.mean(np.abs(predict(network, scaler, inputs) - truth))),
        "base_rmse": rmse(predict(base.network, base.scaler, inputs)),  # type: ignore[attr-defined]
    }


def _rul_final(table: Table, plan: TrainingPlan, candidate: Candidate, rows: Any) -> dict[str, Any]:
    network, scaler = _rul_fit(*_rul_windows(table, plan, rows), _epochs(candidate), plan.seed)
    return {"state": _state_bytes(network), "scaler": scaler.state().model_dump()}


def _rul_restore(artifact: dict[str, Any]) -> Predictor:
    from ..zoo.kit.scaling import Scaler, ScalerState
    from ..zoo.rul_lstm.network import build_network
    from ..zoo.rul_lstm.serving import RulPredictor

    network = _load_state(build_network(), artifact["state"])
    return RulPredictor(network, Scaler.from_state(ScalerState.model_validate(artifact["scaler"])))


# -- defect-cnn ------------------------------------------------------------------


def _defect_classes() -> list[str]:
    return list(_system("defect-cnn").predictor.classes)  # type: ignore[attr-defined]


def _image_column(dataset: Dataset) -> str:
    images = [c.name for c in dataset.columns if c.type == "image"]
    if len(images) != 1:
        raise PlanError(
            f"defect-cnn learns from one image column (base64 PNG); the dataset has {len(images)}.",
            "dataset_id",
        )
    return images[0]


def _defect_check(
    request: TrainingRequest, dataset: Dataset
) -> tuple[tuple[str, ...], str | None, str]:
    image = _image_column(dataset)
    if request.target is None:
        raise PlanError("defect-cnn learns a class: name the target column.", "target")
    target = next(c for c in dataset.columns if c.name == request.target)
    labels = set((target.top_values or {}).keys())
    known = set(_defect_classes())
    if target.type != "string" or not labels or not labels <= known:
        raise PlanError(
            f"defect-cnn's target holds its classes ({', '.join(sorted(known))}); "
            f"'{request.target}' also has {', '.join(sorted(labels - known)) or 'other values'}.",
            "target",
        )
    return (image,), request.validation.group_by, "accuracy"


def _defect_examples(table: Table, plan: TrainingPlan, rows: Any) -> tuple[Any, Any]:
    from ..zoo.defect_cnn.serving import _to_size, decode_png

    (image,) = plan.features
    assert plan.target is not None
    classes = _defect_classes()
    pixels = np.stack([_to_size(decode_png(value)) for value in table.columns[image][rows]])
    labels = np.array([classes.index(v) for v in table.columns[plan.target][rows]], dtype=np.int64)
    return pixels, labels


def _defect_fit(pixels: Any, labels: Any, epochs: int, seed: int) -> Any:
    from ..zoo.defect_cnn.network import train

    base = _system("defect-cnn").predictor
    return train(
        pixels,
        labels,
        len(base.classes),  # type: ignore[attr-defined]
        seed=seed,
        epochs=epochs,
        model=copy.deepcopy(base.network),  # type: ignore[attr-defined]
    )


def _defect_fold(
    table: Table, plan: TrainingPlan, candidate: Candidate, train: Any, test: Any
) -> dict[str, float]:
    from ..zoo.defect_cnn.network import probabilities

    network = _defect_fit(*_defect_examples(table, plan, train), _epochs(candidate), plan.seed)
    pixels, labels = _defect_examples(table, plan, test)
    base = _system("defect-cnn").predictor
    return {
        "accuracy": float((probabilities(network, pixels).argmax(axis=1) == labels).mean()),
        "base_accuracy": float(
            (probabilities(base.network, pixels).argmax(axis=1) == labels).mean()  # type: ignore[attr-defined]
        ),
    }


def _defect_final(
    table: Table, plan: TrainingPlan, candidate: Candidate, rows: Any
) -> dict[str, Any]:
    network = _defect_fit(*_defect_examples(table, plan, rows), _epochs(candidate), plan.seed)
    return {"state": _state_bytes(network), "classes": _defect_classes()}


def _defect_restore(artifact: dict[str, Any]) -> Predictor:
    from ..zoo.defect_cnn.network import build_network
    from ..zoo.defect_cnn.serving import DefectClassifier

    classes = artifact["classes"]
    return DefectClassifier(_load_state(build_network(len(classes)), artifact["state"]), classes)


# -- maintenance-ner ---------------------------------------------------------------


def _tagger_check(
    request: TrainingRequest, dataset: Dataset
) -> tuple[tuple[str, ...], str | None, str]:
    columns = {c.name: c for c in dataset.columns}
    if columns.get("text") is None or columns["text"].type != "string":
        raise PlanError("maintenance-ner learns from a 'text' column of work orders.", "dataset_id")
    if columns.get("entities") is None or columns["entities"].type != "json":
        raise PlanError(
            "maintenance-ner learns from an 'entities' column: per text, a list of "
            '{"start", "end", "type"} with character offsets (JSON lines).',
            "dataset_id",
        )
    if request.target not in (None, "entities"):
        raise PlanError("maintenance-ner's target is its 'entities' column.", "target")
    return ("text", "entities"), request.validation.group_by, "f1"


def _orders(table: Table, rows: Any) -> list[Any]:
    from ..zoo.kit.text_spans import Span
    from ..zoo.maintenance_text.work_orders import ENTITY_TYPES, WorkOrder

    orders = []
    for row in rows.tolist():
        text, entities = table.columns["text"][row], table.columns["entities"][row]
        if not isinstance(text, str) or not isinstance(entities, list):
            raise ValueError(f"row {row}: 'text' must be a text and 'entities' a list")
        spans = []
        for entity in entities:
            kind = entity.get("type", entity.get("label")) if isinstance(entity, dict) else None
            start, end = (entity.get("start"), entity.get("end")) if kind else (None, None)
            if not (
                isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
            ):
                raise ValueError(
                    f"row {row}: entity {entity!r} needs 0 <= start < end <= {len(text)}"
                )
            if kind not in ENTITY_TYPES:
                raise ValueError(
                    f"row {row}: entity type {kind!r} is not one of {', '.join(ENTITY_TYPES)}"
                )
            spans.append(Span(start, end, kind))
        orders.append(WorkOrder(text, tuple(sorted(set(spans))), ()))
    return orders


def _tagger_fit(orders: list[Any], weight: int, directory: Any) -> Any:
    from ..zoo.maintenance_ner.model import train
    from ..zoo.maintenance_ner.train import TRAIN_ORDERS
    from ..zoo.maintenance_text.maintie import load_maintie
    from ..zoo.maintenance_text.work_orders import generate_work_orders

    # The shipped recipe (which repeats every real text REAL_WEIGHT times), with the
    # tenant's texts among the real ones, each ``weight`` times.
    real = list(load_maintie().orders)
    extra = [order for order in orders for _ in range(weight)]
    return train(generate_work_orders(TRAIN_ORDERS, seed=0), [*real, *extra], directory / "tagger")


def _tagger_f1(tagger: Any, orders: list[Any]) -> float:
    from ..zoo.maintenance_text.scoring import span_scores

    scores = span_scores(
        [set(o.entities) for o in orders], [set(tagger.entities(o.text)) for o in orders]
    )
    return float(scores["f1"])


def _tagger_fold(
    table: Table, plan: TrainingPlan, candidate: Candidate, train: Any, test: Any
) -> dict[str, float]:
    import tempfile
    from pathlib import Path

    weight = TaggerHyperparameters.model_validate(candidate.hyperparameters).tenant_weight
    held_out = _orders(table, test)
    with tempfile.TemporaryDirectory() as scratch:
        tagger = _tagger_fit(_orders(table, train), weight, Path(scratch))
        f1 = _tagger_f1(tagger, held_out)
    base = _system("maintenance-ner").predictor.model  # type: ignore[attr-defined]
    return {"f1": f1, "base_f1": _tagger_f1(base, held_out)}


def _tagger_final(
    table: Table, plan: TrainingPlan, candidate: Candidate, rows: Any
) -> dict[str, Any]:
    import tempfile
    from pathlib import Path

    weight = TaggerHyperparameters.model_validate(candidate.hyperparameters).tenant_weight
    with tempfile.TemporaryDirectory() as scratch:
        _tagger_fit(_orders(table, rows), weight, Path(scratch))
        archive = (Path(scratch) / "tagger").read_bytes()
    return {"tagger": base64.b64encode(archive).decode()}


def _tagger_restore(artifact: dict[str, Any]) -> Predictor:
    import tempfile
    from pathlib import Path

    from ..zoo.maintenance_ner.model import EntityTagger
    from ..zoo.maintenance_ner.serving import EntityPredictor

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "tagger.zip"
        path.write_bytes(base64.b64decode(artifact["tagger"]))
        return EntityPredictor(EntityTagger.from_file(path))


TUNERS: dict[str, FamilyTuner] = {
    tuner.family: tuner
    for tuner in (
        FamilyTuner("sensor-autoencoder", "anomaly-detection", "reconstruction_mse", False,
                    _pump_check, _pump_fold, _pump_final, _pump_restore),
        FamilyTuner("rul-lstm", "regression", "rmse", False,
                    _rul_check, _rul_fold, _rul_final, _rul_restore),
        FamilyTuner("defect-cnn", "classification", "accuracy", True,
                    _defect_check, _defect_fold, _defect_final, _defect_restore),
        FamilyTuner("maintenance-ner", "token-classification", "f1", True,
                    _tagger_check, _tagger_fold, _tagger_final, _tagger_restore,
                    TaggerHyperparameters),
    )
}  # fmt: skip
"""The zoo families a tenant can fine-tune, by model id."""


def plan_fine_tuning(job_id: str, request: TrainingRequest, dataset: Dataset) -> TrainingPlan:
    """The plan of fine-tuning the family ``request.model`` names on ``dataset``."""
    assert isinstance(request.model, str)
    tuner = TUNERS[request.model]
    features, group_by, metric = tuner.check(request, dataset)
    algorithm = Algorithm(tuner.family, tuner.task, tuner.hyperparameters, "fine-tuning")  # type: ignore[arg-type]
    folds = request.validation.cv_folds
    if dataset.rows < folds * MIN_ROWS_PER_FOLD:
        raise PlanError(
            f"{dataset.rows} rows are too few for {folds} folds.", "validation.cv_folds"
        )
    return TrainingPlan(
        job_id=job_id,
        dataset_id=dataset.id,
        task=tuner.task,  # type: ignore[arg-type]
        target=request.target,
        features=features,
        candidates=tuple(candidates_of(request, [algorithm])),
        folds=folds,
        group_by=group_by,
        seed=request.validation.seed,
        family=tuner.family,
        metric=metric,
        higher_is_better=metric in ("roc_auc", "accuracy", "f1"),
    )


def artifact(plan: TrainingPlan, candidate: Candidate, state: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "format": FORMAT,
            "family": plan.family,
            "task": plan.task,
            "algorithm": candidate.algorithm,
            "hyperparameters": candidate.hyperparameters,
            "target": plan.target,
            "features": list(plan.features),
            **state,
        },
        separators=(",", ":"),
    ).encode()


def load(model_id: str, artifact_json: dict[str, Any], card: Model) -> LoadedModel:
    """A fine-tuned model, serving like its family."""
    tuner = TUNERS[artifact_json["family"]]
    base = _system(tuner.family).spec
    spec = ModelSpec(
        id=model_id,
        task=base.task,
        algorithm=card.algorithm,
        version=card.version,
        description=card.description,
        data=card.data,
        input_type=base.input_type,
        output_type=base.output_type,
        parameters_type=base.parameters_type,
        training_data=card.training_data,
        evaluation=card.evaluation,
    )
    return LoadedModel(spec, tuner.restore(artifact_json), dict(card.metrics))


def base_spec(family: str) -> ModelSpec:
    from ..zoo.registry import SYSTEM_MODELS

    return next(entry.spec for entry in SYSTEM_MODELS if entry.spec.id == family)
