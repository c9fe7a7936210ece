"""Typed outputs of the system models: ``prediction.outputs_as(DefectClassification)``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AnomalyAssessment",
    "DefectClassification",
    "QualityOutcome",
    "RegimeAssignment",
    "RegimeCentre",
    "RulPrediction",
    "SensorContribution",
]


class _Output(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())


class QualityOutcome(_Output):
    """``quality-logreg``: pass or fail of one machining run."""

    prediction: Literal["pass", "fail"]
    failure_probability: float
    threshold: float


class RegimeCentre(_Output):
    """Mean settings of a regime's training cycles."""

    altitude: float
    mach: float
    throttle_resolver_angle: float


class RegimeAssignment(_Output):
    """``regime-kmeans``: the operating regime of one cycle."""

    regime: int = Field(description="Regime number, ordered by altitude then throttle")
    distance: float = Field(description="Distance to the regime's centre, in scaled units")
    centre: RegimeCentre


class DefectClassification(_Output):
    """``defect-cnn``: the defect class of one surface image."""

    label: str = Field(description="The most probable class")
    probabilities: dict[str, float] = Field(description="Probability of every class")


class RulPrediction(_Output):
    """``rul-lstm``: remaining useful life of one engine."""

    rul: float = Field(description="Predicted remaining useful life, cycles")
    rul_cap: float = Field(description="Predictions are capped here, as in training")


class SensorContribution(_Output):
    sensor: str
    share: float = Field(description="Share of the anomaly score, 0 to 1")


class AnomalyAssessment(_Output):
    """``sensor-autoencoder``: how anomalous one reading is, and why."""

    anomaly_score: float
    threshold: float
    is_anomaly: bool
    contributions: list[SensorContribution] = Field(
        description="The three sensors that contribute most, largest first"
    )
