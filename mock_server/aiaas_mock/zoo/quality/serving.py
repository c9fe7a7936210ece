"""``quality-logreg`` and ``quality-svm`` as the server offers them: machining
runs in, pass/fail with the likely failure mode out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pydantic import BaseModel, ConfigDict, Field

from aiaas.types.inputs import ProcessRun
from aiaas.types.outputs import QualityOutcome

from ..model_spec import ModelAdapter, ModelSpec
from .data import ProcessData
from .model import QualityClassifier


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
