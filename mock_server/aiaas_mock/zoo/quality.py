"""``quality-logreg`` and ``quality-svm``: pass/fail of a machining run, and the
failure mode it is most at risk of.

Both are trained on runs from :mod:`.process_runs`: a failure classifier with a
decision threshold chosen for F1 on validation runs, and a failure-mode
classifier trained on the failed runs alone. Logistic regression works on the
engineered physical features; the RBF support vector machine on the raw columns,
with its decision values turned into probabilities by Platt scaling on the
validation runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from aiaas.types.inputs import ProcessRun
from aiaas.types.outputs import QualityOutcome

from .base import LoadedModel, ModelSpec, TrainedOnLoad
from .process_runs import ProcessData, features, generate_process_runs, raw_features

Featurizer = Callable[[ProcessData], NDArray[np.float64]]


class QualityParameters(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    threshold: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="Failure probability from which a run counts as 'fail'; "
        "defaults to the F1-optimal threshold chosen on validation data.",
    )


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
        proba: NDArray[np.float64] = self.failure.predict_proba(self.featurize(data))[:, 1]
        return proba

    def failure_mode(self, data: ProcessData) -> NDArray[np.str_]:
        modes: NDArray[np.str_] = self.mode.predict(self.featurize(data))
        return modes

    def predict(
        self, inputs: Sequence[ProcessRun], parameters: QualityParameters
    ) -> list[BaseModel]:
        threshold = round(parameters.threshold or self.threshold, 4)
        data = ProcessData.from_runs(inputs)
        proba = self.failure_probability(data)
        return [
            QualityOutcome(
                prediction="fail" if p >= threshold else "pass",
                failure_probability=round(float(p), 6),
                threshold=threshold,
                failure_mode=str(mode),
            )
            for p, mode in zip(proba, self.failure_mode(data), strict=True)
        ]


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
    return _with_threshold(QualityClassifier(features, failure, mode), validation)


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


_DESCRIPTION = (
    "Pass/fail of a machining run from air and process temperature, spindle speed, "
    "torque, tool wear and product type, with the failure mode it is most at risk of "
    "(TWF tool wear, HDF heat dissipation, PWF power, OSF overstrain, RNF random)."
)
_DATA = (
    "Synthetic runs following the AI4I 2020 predictive-maintenance failure rules; "
    "trained on {train} runs, threshold chosen on 5,000, metrics on 10,000 held-out runs "
    "(failure_mode_accuracy on the held-out failed runs)."
)

LOGREG_SPEC = ModelSpec(
    id="quality-logreg",
    task="tabular-classification",
    algorithm="scikit-learn LogisticRegression on engineered process features",
    version="1.1.0",
    description=_DESCRIPTION,
    data=_DATA.format(train="20,000"),
    input_type=ProcessRun,
    output_type=QualityOutcome,
    parameters_type=QualityParameters,
)

SVM_SPEC = replace(
    LOGREG_SPEC,
    id="quality-svm",
    algorithm="scikit-learn SVC (RBF kernel) on the raw process columns, Platt-scaled",
    version="1.0.0",
    data=_DATA.format(train="10,000"),
)


def _trained(
    spec: ModelSpec, fit: Callable[[ProcessData, ProcessData], QualityClassifier], n_train: int
) -> Callable[[int], LoadedModel]:
    def train_and_evaluate(data_seed: int) -> LoadedModel:
        """The served model: trained, thresholded and measured on separate generated runs."""
        model = fit(
            generate_process_runs(n_train, data_seed), generate_process_runs(5_000, data_seed + 1)
        )
        metrics = evaluate(model, generate_process_runs(10_000, data_seed + 2))
        return LoadedModel(spec, model, metrics)

    return train_and_evaluate


QUALITY_LOGREG = TrainedOnLoad(LOGREG_SPEC, _trained(LOGREG_SPEC, train_logreg, 20_000))
QUALITY_SVM = TrainedOnLoad(SVM_SPEC, _trained(SVM_SPEC, train_svm, 10_000))
