"""Cross-validating a training plan on a worker: the rows a job learns from, its
folds, one candidate fitted and measured on one fold, the chosen one fitted on
every row.

Imports scikit-learn (through :mod:`.fitting`) and the fine-tuned families: only
the units in :mod:`.units`, which run on workers, import this module.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..datasets.columns import value_text
from ..datasets.files import Table
from ..model_loader import worker_models
from ..workers import CancelFlag, Cancelled
from ..zoo.kit.folds import group_folds
from . import fitting
from .algorithms import ALGORITHMS, Algorithm, FittedModel, sort_key
from .features import FeatureEncoder
from .fine_tuning import TUNERS, artifact_of
from .fine_tuning.tuner import Tuning
from .metrics import OUT_OF_FOLD_ROWS, FoldOutcome, classification_metrics, regression_metrics
from .plan import Candidate, TrainingPlan

ARTIFACT_FORMAT = "aiaas-tabular/1"


def algorithm_of(plan: TrainingPlan, candidate: Candidate) -> Algorithm:
    return next(a for a in ALGORITHMS[candidate.algorithm] if a.task == plan.task)


# -- rows, labels and folds -----------------------------------------------------


def usable_rows(table: Table, plan: TrainingPlan) -> NDArray[np.int64]:
    """Rows with a target (every row for clustering)."""
    if plan.target is None:
        return np.arange(table.rows)
    values = table.columns[plan.target]
    if values.dtype == object:
        present = np.array([value is not None for value in values])
    else:
        present = ~np.isnan(values)
    return np.flatnonzero(present)


def labels_of(table: Table, plan: TrainingPlan, rows: NDArray[np.int64]) -> NDArray[Any]:
    """Target values of ``rows`` as the dataset typed them (ints, booleans, texts)."""
    assert plan.target is not None
    values = table.columns[plan.target][rows]
    kind = table.types[plan.target]
    if plan.task == "regression":
        return values.astype(np.float64)
    if kind == "integer":
        return np.array([int(v) for v in values], dtype=object)
    if kind == "boolean":
        return np.array([bool(v) for v in values], dtype=object)
    return values


def folds_of(
    table: Table, plan: TrainingPlan, rows: NDArray[np.int64]
) -> list[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """Training and held-out rows of each fold; the same for every unit of a job."""
    rng = np.random.default_rng(plan.seed)
    if plan.group_by is not None:
        groups = table.columns[plan.group_by][rows]
        keys = [str(value) for value in groups]
        unique = sorted(set(keys))
        result = []
        for _, held_out in group_folds(unique, plan.folds, plan.seed):
            held = set(held_out)
            test_mask = np.array([key in held for key in keys])
            result.append((rows[~test_mask], rows[test_mask]))
        return result
    assignment = np.empty(len(rows), dtype=np.int64)
    if plan.task == "classification":
        labels = labels_of(table, plan, rows)
        dealt = 0
        for label in sorted(set(labels.tolist()), key=sort_key):
            members = np.flatnonzero(labels == label)
            members = members[rng.permutation(len(members))]
            # Deal each class round-robin, continuing where the last class ended,
            # so folds differ in size by at most one row.
            assignment[members] = (dealt + np.arange(len(members))) % plan.folds
            dealt += len(members)
    else:
        assignment[rng.permutation(len(rows))] = np.arange(len(rows)) % plan.folds
    return [(rows[assignment != k], rows[assignment == k]) for k in range(plan.folds)]


# -- units ----------------------------------------------------------------------


def _fit(
    table: Table,
    plan: TrainingPlan,
    candidate: Candidate,
    rows: NDArray[np.int64],
    check: Callable[[], None],
) -> tuple[FeatureEncoder, FittedModel]:
    algorithm = algorithm_of(plan, candidate)
    encoder = FeatureEncoder.fit(table, plan.features, rows)
    x = encoder.encode_table(table, rows)
    y = labels_of(table, plan, rows) if plan.target is not None else None
    hyperparameters = algorithm.hyperparameters.model_validate(candidate.hyperparameters)
    return encoder, fitting.fit(algorithm, hyperparameters, x, y, plan.seed, check)


def evaluate(
    table: Table,
    plan: TrainingPlan,
    encoder: FeatureEncoder,
    model: FittedModel,
    rows: NDArray[np.int64],
) -> FoldOutcome:
    x = encoder.encode_table(table, rows)
    if plan.task == "clustering":
        labels, distances = model.assign(x)  # type: ignore[union-attr]
        scaled = (x - model.mean) / model.scale  # type: ignore[union-attr]
        return FoldOutcome(fitting.clustering_metrics(scaled, labels, distances, plan.seed))
    truth = labels_of(table, plan, rows)
    keep = table.rows <= OUT_OF_FOLD_ROWS
    if plan.task == "regression":
        predicted = model.predict(x)  # type: ignore[union-attr]
        held_out = [
            {"index": int(row), "truth": float(t), "predicted": round(float(p), 6)}
            for row, t, p in zip(rows, truth, predicted, strict=True)
        ]
        return FoldOutcome(
            regression_metrics(truth, predicted), held_out=held_out if keep else None
        )
    classes = model.classes  # type: ignore[union-attr]
    index = {label: i for i, label in enumerate(classes)}
    # A held-out class the fold's training rows lacked scores as always wrong.
    codes = np.array([index.get(label, -1) for label in truth.tolist()], dtype=np.int64)
    positive = positive_class(classes)
    proba = model.predict_proba(x)  # type: ignore[union-attr]
    metrics = classification_metrics(codes, proba, positive)
    answers: list[dict[str, Any]] | None = (
        _class_answers(rows, truth.tolist(), classes, proba) if keep else None
    )
    if plan.threshold is None or positive is None:
        return FoldOutcome(metrics, held_out=answers)
    # Out-of-fold scores, for the driver to tune the decision threshold on.
    return FoldOutcome(metrics, proba[:, positive].tolist(), (codes == positive).tolist(), answers)


def _class_answers(
    rows: NDArray[np.int64], truth: list[Any], classes: list[Any], proba: NDArray[np.float64]
) -> list[dict[str, Any]]:
    """Held-out rows' answers as a served classifier gives them (classes typed as
    the dataset typed them, probabilities keyed by their text)."""
    keys = [value_text(label) for label in classes]
    return [
        {
            "index": int(row),
            "truth": actual,
            "predicted": classes[int(line.argmax())],
            "probabilities": {k: round(float(p), 6) for k, p in zip(keys, line, strict=True)},
        }
        for row, actual, line in zip(rows, truth, proba, strict=True)
    ]


def positive_class(classes: list[Any]) -> int | None:
    """For two classes, the index of the one whose F1 is reported: true, 1, or
    else the second in order (classes are sorted, so ``False`` and 0 come first)."""
    if len(classes) != 2:
        return None
    return 1


def training_rows(table: Table, plan: TrainingPlan) -> NDArray[np.int64]:
    rows = usable_rows(table, plan)
    if plan.family is not None:
        # A fine-tuned network reads every feature: rows missing one are left out.
        for name in plan.features:
            values = table.columns[name]
            if values.dtype != object:
                rows = rows[~np.isnan(values[rows])]
    return rows


def _checker(cancel: CancelFlag) -> Callable[[], None]:
    def check() -> None:
        if cancel.is_set():
            raise Cancelled

    return check


def fold_outcome(
    table: Table, plan: TrainingPlan, candidate: int, fold: int, cancel: CancelFlag
) -> FoldOutcome:
    """Held-out metrics of candidate ``candidate`` trained without fold ``fold``."""
    rows = training_rows(table, plan)
    train, test = folds_of(table, plan, rows)[fold]
    chosen = plan.candidates[candidate]
    check = _checker(cancel)
    if plan.family is not None:
        base = worker_models(plan.data_seed).system(plan.family)
        check()  # loading the shipped network may have taken seconds
        tuning = Tuning(table, plan, chosen, base, check)
        return FoldOutcome(TUNERS[plan.family].fold(tuning, train, test))
    encoder, model = _fit(table, plan, chosen, train, check)
    return evaluate(table, plan, encoder, model, test)


def final_artifact(
    table: Table, plan: TrainingPlan, candidate: int, threshold: float | None, cancel: CancelFlag
) -> bytes:
    """The chosen candidate trained on every usable row, as a model artifact (with
    its tuned decision ``threshold``, if any)."""
    rows = training_rows(table, plan)
    chosen = plan.candidates[candidate]
    check = _checker(cancel)
    if plan.family is not None:
        base = worker_models(plan.data_seed).system(plan.family)
        state = TUNERS[plan.family].final(Tuning(table, plan, chosen, base, check), rows)
        return artifact_of(plan, chosen, state)
    encoder, model = _fit(table, plan, chosen, rows, check)
    artifact: dict[str, Any] = {
        "format": ARTIFACT_FORMAT,
        "task": plan.task,
        "algorithm": chosen.algorithm,
        "hyperparameters": chosen.hyperparameters,
        "target": plan.target,
        "target_type": table.types[plan.target] if plan.target is not None else None,
        "encoder": encoder.to_params(),
        "model": model.to_params(),
    }
    if threshold is not None:
        artifact["threshold"] = threshold
    return json.dumps(artifact, separators=(",", ":")).encode()
