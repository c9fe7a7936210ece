"""Held-out metrics of one fold, and which of them ranks candidates.

Computed with numpy, not scikit-learn, so that the API process (which plans
jobs and serves fine-tuned models) never pays scikit-learn's import (1.2 s and
120 MB); each function is tested against scikit-learn's on the same inputs.
Silhouettes, which need scikit-learn, are computed in :mod:`.fitting`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

Direction = Literal["higher", "lower"]

METRICS: dict[str, dict[str, Direction]] = {
    "classification": {
        "f1": "higher",
        "pr_auc": "higher",
        "recall": "higher",
        "precision": "higher",
        "roc_auc": "higher",
        "balanced_accuracy": "higher",
        "accuracy": "higher",
        "log_loss": "lower",
    },
    "regression": {"rmse": "lower", "mae": "lower", "r2": "higher"},
    "clustering": {"silhouette": "higher", "inertia_per_row": "lower"},
}
"""The metrics a job may rank by, per task, and which way is better."""

PRIMARY_METRIC: dict[str, str] = {
    "classification": "f1",
    "regression": "rmse",
    "clustering": "silhouette",
}
"""The metric that ranks candidates when the request names none."""

LOG_LOSS_EPSILON = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class FoldOutcome:
    """What one candidate showed on one held-out fold."""

    metrics: dict[str, float]
    scores: list[float] | None = None
    """With a threshold to tune: the positive class's probability of each held-out row."""
    truth: list[bool] | None = None
    """With a threshold to tune: whether each held-out row is of the positive class."""
    held_out: list[dict[str, Any]] | None = None
    """Each held-out row's out-of-fold answer (``index``, ``truth``, ``predicted``,
    a classifier's ``probabilities``), for the job to keep; ``None`` for datasets
    above :data:`OUT_OF_FOLD_ROWS` rows, clustering and fine-tuned families."""


OUT_OF_FOLD_ROWS = 200_000
"""Datasets up to this many rows keep every row's out-of-fold answer."""


def _curve(
    truth: NDArray[np.bool_], score: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """True and false positives at each distinct score, highest first, and the scores."""
    order = np.argsort(-score, kind="mergesort")
    score, truth = score[order], truth[order]
    last = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]
    tps = np.cumsum(truth, dtype=np.float64)[last]
    fps = (last + 1).astype(np.float64) - tps
    return tps, fps, score[last]


def roc_auc(truth: NDArray[np.bool_], score: NDArray[np.float64]) -> float:
    """Area under the ROC curve; ties share their area, as scikit-learn's does."""
    tps, fps, _ = _curve(truth, score)
    tpr = np.r_[0.0, tps / tps[-1]]
    fpr = np.r_[0.0, fps / fps[-1]]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0))


def average_precision(truth: NDArray[np.bool_], score: NDArray[np.float64]) -> float:
    """PR-AUC as scikit-learn's ``average_precision_score``: precision at each
    threshold weighted by the recall it adds."""
    tps, fps, _ = _curve(truth, score)
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def f1(truth: NDArray[np.bool_], predicted: NDArray[np.bool_]) -> float:
    """F1 of the positive class (0 when nothing is predicted or true)."""
    true_positive = float(np.sum(truth & predicted))
    denominator = float(np.sum(truth) + np.sum(predicted))
    return 2.0 * true_positive / denominator if denominator else 0.0


def classification_metrics(
    codes: NDArray[np.int64],
    proba: NDArray[np.float64],
    positive: int | None,
    threshold: float | None = None,
) -> dict[str, float]:
    """Metrics of held-out rows whose true class indices are ``codes`` (-1 for a
    class the fold's model never saw) and whose predicted probabilities are ``proba``.

    For two classes, F1, ROC-AUC and PR-AUC are the ``positive`` class's, and the
    positive class is predicted when its probability reaches ``threshold`` (the
    likelier class when none is given); for more, F1 is the macro mean over the
    classes that are true or predicted."""
    classes = proba.shape[1]
    predicted = proba.argmax(axis=1)
    if positive is not None and threshold is not None:
        predicted = np.where(proba[:, positive] >= threshold, positive, 1 - positive)
    present = [k for k in range(classes) if np.any(codes == k) or np.any(predicted == k)]
    recalls = [
        float(np.mean(predicted[codes == k] == k)) for k in range(classes) if np.any(codes == k)
    ]
    seen = np.clip(codes, 0, classes - 1)
    likelihood = np.where(codes >= 0, proba[np.arange(len(codes)), seen], 0.0)
    metrics = {
        "accuracy": float(np.mean(predicted == codes)),
        "balanced_accuracy": float(np.mean(recalls)) if recalls else 0.0,
        "log_loss": float(-np.mean(np.log(np.clip(likelihood, LOG_LOSS_EPSILON, 1.0)))),
    }
    if positive is not None:
        truth = codes == positive
        found = predicted == positive
        metrics["f1"] = f1(truth, found)
        metrics["recall"] = float(np.sum(truth & found) / max(np.sum(truth), 1))
        metrics["precision"] = float(np.sum(truth & found) / max(np.sum(found), 1))
        if 0 < truth.sum() < len(truth):
            metrics["roc_auc"] = roc_auc(truth, proba[:, positive])
            metrics["pr_auc"] = average_precision(truth, proba[:, positive])
    else:
        scores = [f1(codes == k, predicted == k) for k in present]
        metrics["f1"] = float(np.mean(scores)) if scores else 0.0
    return metrics


def best_threshold(
    truth: NDArray[np.bool_], score: NDArray[np.float64], goal: str, target: float | None
) -> float:
    """The decision threshold on ``score`` that maximises F1 (``goal="f1"``), or
    the highest one whose recall (``"recall"``) or precision (``"precision"``)
    reaches ``target`` (best F1 among them for precision)."""
    tps, fps, cuts = _curve(truth, score)
    positives = max(float(tps[-1]), 1.0)
    recall = tps / positives
    precision = tps / np.maximum(tps + fps, 1.0)
    scores = 2.0 * tps / (positives + tps + fps)
    if goal == "recall":
        assert target is not None
        meeting = np.flatnonzero(recall >= target)
        return float(cuts[meeting[0]]) if len(meeting) else float(cuts[-1])
    if goal == "precision":
        assert target is not None
        meeting = np.flatnonzero(precision >= target)
        if not len(meeting):
            return float(cuts[0])
        return float(cuts[meeting[int(np.argmax(scores[meeting]))]])
    return float(cuts[int(np.argmax(scores))])


def tuned_threshold(
    folds: Sequence[tuple[NDArray[np.float64], NDArray[np.bool_]]],
    goal: str,
    target: float | None,
) -> tuple[float, list[dict[str, float]]]:
    """A binary classifier's decision threshold tuned on every fold's out-of-fold
    ``(scores, truth)``, and each fold's metrics at the threshold tuned on the
    *other* folds: a fold's metrics never see its own labels twice."""
    per_fold = []
    for k, (score, truth) in enumerate(folds):
        others = [fold for i, fold in enumerate(folds) if i != k]
        cut = best_threshold(
            np.concatenate([t for _, t in others]),
            np.concatenate([s for s, _ in others]),
            goal,
            target,
        )
        proba = np.column_stack([1.0 - score, score])
        per_fold.append(classification_metrics(truth.astype(np.int64), proba, 1, cut))
    every_truth = np.concatenate([t for _, t in folds])
    every_score = np.concatenate([s for s, _ in folds])
    return best_threshold(every_truth, every_score, goal, target), per_fold


def regression_metrics(
    truth: NDArray[np.float64], predicted: NDArray[np.float64]
) -> dict[str, float]:
    error = predicted - truth
    total = float(((truth - truth.mean()) ** 2).sum())
    return {
        "rmse": float(np.sqrt((error**2).mean())),
        "mae": float(np.abs(error).mean()),
        "r2": 1.0 - float((error**2).sum()) / total if total > 0 else 0.0,
    }


def mean_metrics(folds: list[dict[str, float]]) -> dict[str, float]:
    names = set.intersection(*(set(fold) for fold in folds)) if folds else set()
    return {
        name: round(float(np.mean([fold[name] for fold in folds])), 6) for name in sorted(names)
    }


def ranking_key(name: str, higher_is_better: bool, metrics: dict[str, Any]) -> float:
    """Smaller is better: sorts candidates best first by metric ``name``."""
    value = float(metrics.get(name, np.nan))
    if np.isnan(value):
        return np.inf
    return -value if higher_is_better else value
