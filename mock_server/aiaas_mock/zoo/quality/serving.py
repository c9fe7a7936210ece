"""``quality-logreg`` and ``quality-svm`` as the server offers them: machining
runs in, pass/fail with the likely failure mode out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from aiaas.types.inputs import ProcessRun
from aiaas.types.outputs import QualityOutcome

from ..model_spec import ModelAdapter, ModelSpec, Needs
from ..shipped_weights import WeightsCard
from .data import ProcessData
from .model import QualityClassifier, from_params


class QualityParameters(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    threshold: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="Failure probability from which a run counts as 'fail'; "
        "defaults to the F1-optimal threshold chosen on validation data.",
    )


_DESCRIPTION = (
    "Pass/fail of a machining run from air and process temperature, spindle speed, "
    "torque, tool wear and product type, with the failure mode it is most at risk of "
    "(TWF tool wear, HDF heat dissipation, PWF power, OSF overstrain, RNF random)."
)


_DATA = (
    "Real: 5,000 runs of the AI4I 2020 predictive-maintenance data set (CC BY 4.0), "
    "166 of them failed; failure modes from its TWF/HDF/PWF/OSF/RNF columns."
)
_EVALUATION = (
    "5-fold stratified cross-validation of the whole recipe (both heads and the "
    "threshold, chosen for F1 on out-of-fold probabilities of the training folds); "
    "failure_mode_accuracy on held-out failed runs with a recorded mode; generated_*: "
    "the served model on 10,000 generated runs. published_rules_f1: the failure rules "
    "published with AI4I 2020 applied to the same runs."
)


LOGREG_SPEC = ModelSpec(
    id="quality-logreg",
    task="tabular-classification",
    algorithm="Logistic regression (scikit-learn, served from its parameters) on the "
    "process columns and their margins past the published failure limits",
    version="2.0.0",
    description=_DESCRIPTION,
    data=_DATA,
    training_data="real",
    evaluation=_EVALUATION,
    input_type=ProcessRun,
    output_type=QualityOutcome,
    parameters_type=QualityParameters,
)


SVM_SPEC = replace(
    LOGREG_SPEC,
    id="quality-svm",
    algorithm="RBF support vector machine (scikit-learn SVC, Platt-scaled, served from "
    "its parameters) on the same features; failure mode by logistic regression",
)


class QualityPredictor(ModelAdapter[QualityClassifier]):
    """A quality classifier answering for validated runs."""

    def predict(
        self, inputs: Sequence[ProcessRun], parameters: QualityParameters
    ) -> list[BaseModel]:
        threshold = round(parameters.threshold or self.model.threshold, 4)
        data = ProcessData.from_runs(inputs)
        proba, modes = self.model.assess(data)
        return [
            QualityOutcome(
                prediction="fail" if p >= threshold else "pass",
                failure_probability=round(float(p), 6),
                threshold=threshold,
                failure_mode=str(mode),
            )
            for p, mode in zip(proba, modes, strict=True)
        ]


def restore(card: WeightsCard, weights: Path, needs: Needs) -> QualityPredictor:
    return QualityPredictor(from_params(json.loads(weights.read_text())))
