"""The classifiers behind ``quality-logreg`` and ``quality-svm``, the features
they see, and how they are fitted and cross-validated.

Each model is a failure classifier with a decision threshold, and a
failure-mode classifier trained on the failed runs whose mode is recorded.
Both see the same features: the measured columns and, for each failure
mechanism published with AI4I 2020, how far a run is past its physical limit
(a signed margin, its positive part, and a ramp that saturates just past the
limit). The models learn from the data how much each margin matters; a margin
alone is not a prediction.

``quality-logreg``: logistic regressions. ``quality-svm``: an RBF support vector
machine, Platt-scaled on cross-validated decision values, for the failure call,
with the logistic failure-mode head (scikit-learn's SVC ranks five classes by
one-against-one votes, which give no probabilities to rank a mode by).
Thresholds maximise F1 on out-of-fold probabilities of the training rows.
Both heads are served through their fitted parameters (numpy only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from ..kit.linear_pipeline import LinearPipeline
from ..kit.rbf_svm import PlattRbfSvm
from .ai4i import UNRECORDED_MODE
from .data import OVERSTRAIN_LIMIT, PRODUCT_TYPES, ProcessData

FOLDS = 5
_RAMP = 4.0
"""Slope of the saturating ramps, per unit of margin (K, 100 rpm, kW, 1,000 min·Nm)."""


class FailureScorer(Protocol):
    def positive_probability(self, x: NDArray[np.float64]) -> NDArray[np.float64]: ...


@dataclass(frozen=True)
class QualityClassifier:
    """A failure classifier, its decision threshold and a failure-mode classifier."""

    failure: FailureScorer
    mode: LinearPipeline
    threshold: float

    def failure_probability(self, data: ProcessData) -> NDArray[np.float64]:
        return self.failure.positive_probability(features(data))

    def failure_mode(self, data: ProcessData) -> NDArray[np.str_]:
        return self.mode.predict(features(data))

    def assess(self, data: ProcessData) -> tuple[NDArray[np.float64], NDArray[np.str_]]:
        """The failure probability and the likeliest failure mode of each run."""
        x = features(data)
        return self.failure.positive_probability(x), self.mode.predict(x)


Fit = Callable[[NDArray[np.float64], NDArray[np.int_]], FailureScorer]


def features(data: ProcessData) -> NDArray[np.float64]:
    """Measured columns, product type, and the margins past each published limit."""
    delta_t = data.process_temperature - data.air_temperature
    power_kw = data.torque * data.rotational_speed * 2.0 * np.pi / 60.0 / 1000.0
    limit = np.vectorize(OVERSTRAIN_LIMIT.__getitem__)(data.product_type)
    # Heat dissipation needs both a small temperature difference and a low speed.
    heat = np.minimum(8.6 - delta_t, (1380.0 - data.rotational_speed) / 100.0)
    power = np.maximum(3.5 - power_kw, power_kw - 9.0)
    strain = (data.tool_wear * data.torque - limit) / 1000.0
    wear = (data.tool_wear - 200.0) / 10.0
    product = np.stack([data.product_type == p for p in PRODUCT_TYPES], axis=1).astype(float)
    columns = [
        data.air_temperature,
        data.process_temperature,
        data.rotational_speed,
        data.torque,
        data.tool_wear,
        delta_t,
        power_kw,
    ]
    for margin in (heat, power, strain):
        columns += [margin, np.maximum(0.0, margin), np.clip(margin * _RAMP, 0.0, 1.0)]
    columns.append(np.maximum(0.0, wear))
    return np.column_stack([*columns, product])


def fit_logistic_failure(x: NDArray[np.float64], y: NDArray[np.int_]) -> LinearPipeline:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=10.0, max_iter=5000))
    return LinearPipeline.from_pipeline(pipeline.fit(x, y))


def fit_svm_failure(x: NDArray[np.float64], y: NDArray[np.int_]) -> PlattRbfSvm:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    svm = make_pipeline(StandardScaler(), SVC(C=1.0, gamma="scale"))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    calibrated = CalibratedClassifierCV(svm, method="sigmoid", cv=folds, ensemble=False)
    return PlattRbfSvm.from_calibrated(calibrated.fit(x, y))


def fit_mode(x: NDArray[np.float64], modes: NDArray[np.str_]) -> LinearPipeline:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=10.0, max_iter=5000))
    return LinearPipeline.from_pipeline(pipeline.fit(x, modes))


def fit(fit_failure: Fit, data: ProcessData) -> QualityClassifier:
    """Both heads on ``data``; the threshold from out-of-fold probabilities of ``data``."""
    x, y = features(data), data.failed
    threshold = best_f1_threshold(y, out_of_fold(fit_failure, x, y, seed=1))
    recorded = (y == 1) & (data.failure_mode != UNRECORDED_MODE)
    return QualityClassifier(
        failure=fit_failure(x, y),
        mode=fit_mode(x[recorded], data.failure_mode[recorded]),
        threshold=threshold,
    )


def out_of_fold(
    fit_failure: Fit, x: NDArray[np.float64], y: NDArray[np.int_], seed: int
) -> NDArray[np.float64]:
    """Each row's failure probability from a model fitted without its fold."""
    from sklearn.model_selection import StratifiedKFold

    proba = np.zeros(len(y))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(x, y):
        proba[test] = fit_failure(x[train], y[train]).positive_probability(x[test])
    return proba


def best_f1_threshold(y: NDArray[np.int_], proba: NDArray[np.float64]) -> float:
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(y, proba)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[int(np.argmax(f1[:-1]))])


def cross_validate(fit_failure: Fit, data: ProcessData, seed: int = 0) -> dict[str, float]:
    """The whole recipe (heads and threshold) fitted on 4/5 of the runs and scored
    on the fifth it never saw, over 5 stratified folds."""
    from sklearn.metrics import average_precision_score, f1_score, roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    y = data.failed
    proba = np.zeros(len(y))
    called = np.zeros(len(y), dtype=bool)
    mode_hits: list[bool] = []
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    for train, test in folds.split(features(data), y):
        model = fit(fit_failure, data.subset(train))
        held_out = data.subset(test)
        proba[test], modes = model.assess(held_out)
        called[test] = proba[test] >= model.threshold
        recorded = (held_out.failed == 1) & (held_out.failure_mode != UNRECORDED_MODE)
        mode_hits += list(modes[recorded] == held_out.failure_mode[recorded])
    return {
        "f1": round(float(f1_score(y, called)), 4),
        "pr_auc": round(float(average_precision_score(y, proba)), 4),
        "roc_auc": round(float(roc_auc_score(y, proba)), 4),
        "failure_mode_accuracy": round(float(np.mean(mode_hits)), 4),
        "failure_rate": round(float(y.mean()), 4),
    }


def evaluate(model: QualityClassifier, data: ProcessData) -> dict[str, float]:
    """ROC-AUC, PR-AUC and F1 of the failure call; accuracy of the mode on failed runs."""
    from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

    proba, modes = model.assess(data)
    y = data.failed
    failed = y == 1
    return {
        "roc_auc": round(float(roc_auc_score(y, proba)), 4),
        "pr_auc": round(float(average_precision_score(y, proba)), 4),
        "f1": round(float(f1_score(y, proba >= model.threshold)), 4),
        "failure_mode_accuracy": round(
            float(np.mean(modes[failed] == data.failure_mode[failed])), 4
        ),
    }


def to_params(model: QualityClassifier) -> dict[str, Any]:
    """What the weights file holds: both heads' parameters and the threshold."""
    failure = model.failure
    if not isinstance(failure, (LinearPipeline, PlattRbfSvm)):
        raise TypeError(f"cannot write a {type(failure).__name__} failure head")
    kind = "logistic" if isinstance(failure, LinearPipeline) else "rbf_svm"
    return {
        "threshold": model.threshold,
        "failure": {"kind": kind, **failure.to_params()},
        "mode": model.mode.to_params(),
    }


def from_params(params: dict[str, Any]) -> QualityClassifier:
    head = dict(params["failure"])
    kind = head.pop("kind")
    failure: FailureScorer = (
        LinearPipeline.from_params(head) if kind == "logistic" else PlattRbfSvm.from_params(head)
    )
    return QualityClassifier(
        failure=failure,
        mode=LinearPipeline.from_params(params["mode"]),
        threshold=float(params["threshold"]),
    )
