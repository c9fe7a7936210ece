"""The classifiers behind ``quality-logreg`` and ``quality-svm``, and the features
they see.

Both are trained on runs from :mod:`.data`: a failure classifier with a
decision threshold chosen for F1 on validation runs, and a failure-mode
classifier trained on the failed runs alone. Logistic regression works on the
engineered physical features; the RBF support vector machine on the raw columns,
with its decision values turned into probabilities by Platt scaling on the
validation runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..kit.linear_pipeline import LinearPipeline
from .data import OVERSTRAIN_LIMIT, PRODUCT_TYPES, ProcessData

Featurizer = Callable[[ProcessData], NDArray[np.float64]]


@dataclass
class QualityClassifier:
    """A failure classifier, its decision threshold and a failure-mode classifier."""

    featurize: Featurizer
    failure: Any
    """Fitted scikit-learn classifier with ``predict_proba``; class 1 is 'failed'."""
    mode: Any
    """Fitted scikit-learn classifier whose classes are failure-mode names."""
    threshold: float = 0.5

    def failure_probability(self, data: ProcessData) -> NDArray[np.float64]:
        return self.assess(data)[0]

    def failure_mode(self, data: ProcessData) -> NDArray[np.str_]:
        return self.assess(data)[1]

    def assess(self, data: ProcessData) -> tuple[NDArray[np.float64], NDArray[np.str_]]:
        """The failure probability and the likeliest failure mode of each run."""
        x = self.featurize(data)
        return self.failure.predict_proba(x)[:, 1], self.mode.predict(x)


def best_f1_threshold(y: NDArray[np.int_], proba: NDArray[np.float64]) -> float:
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(y, proba)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[int(np.argmax(f1[:-1]))])


def train_logreg(data: ProcessData, validation: ProcessData) -> QualityClassifier:
    """Logistic regressions on engineered features; threshold chosen on ``validation``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = features(data)
    failure = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    failure.fit(x, data.failed)
    mode = make_pipeline(StandardScaler(), LogisticRegression(C=10.0, max_iter=5000))
    failed = data.failed == 1
    mode.fit(x[failed], data.failure_mode[failed])
    served = QualityClassifier(
        features, LinearPipeline.from_pipeline(failure), LinearPipeline.from_pipeline(mode)
    )
    return _with_threshold(served, validation)


def train_svm(data: ProcessData, validation: ProcessData) -> QualityClassifier:
    """RBF SVMs on the raw columns, Platt-scaled and thresholded on ``validation``."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    x = raw_features(data)
    svm = make_pipeline(StandardScaler(), SVC(C=10.0, gamma="scale")).fit(x, data.failed)
    failure = CalibratedClassifierCV(FrozenEstimator(svm), method="sigmoid")
    failure.fit(raw_features(validation), validation.failed)
    failed = data.failed == 1
    mode = make_pipeline(StandardScaler(), SVC(C=10.0, gamma="scale"))
    mode.fit(x[failed], data.failure_mode[failed])
    return _with_threshold(QualityClassifier(raw_features, failure, mode), validation)


def _with_threshold(model: QualityClassifier, validation: ProcessData) -> QualityClassifier:
    model.threshold = best_f1_threshold(validation.failed, model.failure_probability(validation))
    return model


def evaluate(model: QualityClassifier, data: ProcessData) -> dict[str, float]:
    """ROC-AUC, PR-AUC and F1 of the failure call; accuracy of the mode on failed runs."""
    from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

    proba = model.failure_probability(data)
    y = data.failed
    failed = y == 1
    mode_hits = model.failure_mode(data)[failed] == data.failure_mode[failed]
    return {
        "roc_auc": round(float(roc_auc_score(y, proba)), 4),
        "pr_auc": round(float(average_precision_score(y, proba)), 4),
        "f1": round(float(f1_score(y, proba >= model.threshold)), 4),
        "failure_mode_accuracy": round(float(mode_hits.mean()), 4),
        "failure_rate": round(float(y.mean()), 4),
    }


def features(data: ProcessData) -> NDArray[np.float64]:
    """Raw columns plus the physical quantities the failure rules depend on."""
    delta_t = data.process_temperature - data.air_temperature
    power_kw = data.torque * data.rotational_speed * 2.0 * np.pi / 60.0 / 1000.0
    limit = np.vectorize(OVERSTRAIN_LIMIT.__getitem__)(data.product_type)
    strain = data.tool_wear * data.torque / limit
    heat_risk = np.maximum(0.0, 8.6 - delta_t) * np.maximum(0.0, 1380.0 - data.rotational_speed)
    product = np.stack([data.product_type == p for p in PRODUCT_TYPES], axis=1).astype(float)
    columns = [
        data.air_temperature,
        data.process_temperature,
        data.rotational_speed,
        data.torque,
        data.tool_wear,
        delta_t,
        power_kw,
        (power_kw - 6.4) ** 2,
        strain,
        np.maximum(0.0, strain - 0.8),
        heat_risk / 100.0,
        np.maximum(0.0, data.tool_wear - 200.0),
    ]
    return np.column_stack([*columns, product])


def raw_features(data: ProcessData) -> NDArray[np.float64]:
    """The measured columns and the product type, one-hot."""
    product = np.stack([data.product_type == p for p in PRODUCT_TYPES], axis=1).astype(float)
    return np.column_stack(
        [
            data.air_temperature,
            data.process_temperature,
            data.rotational_speed,
            data.torque,
            data.tool_wear,
            product,
        ]
    )
