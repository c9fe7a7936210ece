"""Held-out metrics of one fold, per task; and which of them ranks candidates."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .algorithms import Task

PRIMARY_METRIC: dict[Task, tuple[str, bool]] = {
    "classification": ("f1", True),
    "regression": ("rmse", False),
    "clustering": ("silhouette", True),
}
"""The metric that ranks candidates, and whether higher is better."""

SILHOUETTE_SAMPLE = 2000


def classification_metrics(
    codes: NDArray[np.int64], proba: NDArray[np.float64], positive: int | None
) -> dict[str, float]:
    """Accuracy, F1 (of the positive class for two classes, else macro) and, for
    two classes, ROC-AUC and PR-AUC of the positive class's probability."""
    from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

    predicted = proba.argmax(axis=1)
    metrics = {"accuracy": float((predicted == codes).mean())}
    if positive is not None:
        metrics["f1"] = float(f1_score(codes, predicted, pos_label=positive, zero_division=0))
        truth = (codes == positive).astype(int)
        if 0 < truth.sum() < len(truth):
            metrics["roc_auc"] = float(roc_auc_score(truth, proba[:, positive]))
            metrics["pr_auc"] = float(average_precision_score(truth, proba[:, positive]))
    else:
        metrics["f1"] = float(f1_score(codes, predicted, average="macro", zero_division=0))
    return metrics


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


def clustering_metrics(
    scaled: NDArray[np.float64],
    labels: NDArray[np.int64],
    distances: NDArray[np.float64],
    seed: int,
) -> dict[str, float]:
    from sklearn.metrics import silhouette_score

    metrics = {"inertia_per_row": float((distances**2).mean())}
    if 1 < len(set(labels.tolist())) < len(labels):
        metrics["silhouette"] = float(
            silhouette_score(
                scaled, labels, sample_size=min(SILHOUETTE_SAMPLE, len(labels)), random_state=seed
            )
        )
    else:
        metrics["silhouette"] = -1.0
    return metrics


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
