"""Typed outputs of the system models: ``prediction.outputs_as(DefectClassification)``."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = [
    "AnomalyAssessment",
    "Argument",
    "ChatReply",
    "ClassPrediction",
    "ClassProbabilities",
    "ClusterAssignment",
    "DefectClassification",
    "EnergyForecast",
    "Entity",
    "EntityExtraction",
    "Frame",
    "QualityOutcome",
    "RegimeAssignment",
    "RegimeCentre",
    "RulPrediction",
    "SemanticFrames",
    "SensorContribution",
    "SimilarTerm",
    "TermEmbedding",
    "ValuePrediction",
]


class _Output(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow", protected_namespaces=())


class QualityOutcome(_Output):
    """``quality-logreg`` and ``quality-svm``: pass or fail of one machining run."""

    prediction: Literal["pass", "fail"]
    failure_probability: float
    threshold: float
    failure_mode: str = Field(
        description="The failure mode the run is most at risk of, should it fail: "
        "TWF, HDF, PWF, OSF or RNF"
    )


class EnergyForecast(_Output):
    """``energy-regression``: energy a production line uses in one hour."""

    energy_kwh: float
    lower_kwh: float = Field(description="Lower end of the prediction interval")
    upper_kwh: float = Field(description="Upper end of the prediction interval")
    coverage: float = Field(description="Share of hours the interval is meant to cover")


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


class Entity(_Output):
    """A named entity in a maintenance text; ``text == input[start:end]``."""

    text: str
    type: Literal["PhysicalObject", "Activity", "State", "Process", "Property"]
    start: int = Field(description="Offset of the first character, in code points")
    end: int = Field(description="Offset after the last character")


class EntityExtraction(_Output):
    """``maintenance-ner``: the entities of one text, in order."""

    entities: list[Entity]


class Argument(_Output):
    """What a predicate acts on (``patient``) or what acts (``agent``)."""

    role: Literal["patient", "agent"]
    text: str
    start: int
    end: int


class Frame(_Output):
    """One predicate (an activity, state or process) and its arguments."""

    predicate: Entity
    arguments: list[Argument]


class SemanticFrames(_Output):
    """``maintenance-srl``: the predicate-argument frames of one text."""

    frames: list[Frame]


class SimilarTerm(_Output):
    term: str
    similarity: float = Field(description="Cosine similarity, -1 to 1")


class ChatReply(_Output):
    """``smollm2-135m-instruct`` through ``predict``: the answer to one text."""

    text: str
    finish_reason: str = Field(description="stop (end of turn) or length (max_tokens)")
    completion_tokens: int


class TermEmbedding(_Output):
    """``maintenance-word2vec``: the vector of a term and its nearest terms."""

    text: str
    known_tokens: list[str] = Field(description="The tokens the model has vectors for")
    vector: list[float] | None = Field(
        description="Frequency-weighted (SIF) mean of the known tokens' unit vectors, "
        "renormalised; "
        "null when no token is known or vectors were not asked for"
    )
    most_similar: list[SimilarTerm]


class ValuePrediction(_Output):
    """A regression model trained on a tenant's dataset: the predicted target value."""

    prediction: float


def class_key(label: str | int | bool) -> str:
    """A class as JSON names it in ``probabilities``: ``true``/``false``, ``3``, ``B``."""
    if isinstance(label, bool):
        return "true" if label else "false"
    return str(label)


class ClassProbabilities(dict[str, float]):
    """The probability of each class, keyed by the class as text (JSON's keys are
    text) and found by the class itself too: ``probabilities[True]`` is
    ``probabilities["true"]``, ``probabilities[3]`` is ``probabilities["3"]``,
    so ``probabilities[prediction.label]`` always works."""

    def __getitem__(self, label: str | int | bool) -> float:
        return super().__getitem__(class_key(label))

    def __contains__(self, label: object) -> bool:
        return isinstance(label, (str, int)) and super().__contains__(class_key(label))

    def get(self, label: str | int | bool, default: Any = None) -> Any:
        return super().get(class_key(label), default)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(cls, handler(dict[str, float]))


class ClassPrediction(_Output):
    """A classifier trained on a tenant's dataset: the predicted class (as the
    dataset typed it: text, integer or boolean) and the probability of each class,
    which the class itself looks up (``probabilities[label]``)."""

    label: str | int | bool
    probabilities: ClassProbabilities


class ClusterAssignment(_Output):
    """A k-means model trained on a tenant's dataset: the nearest centre."""

    cluster: int
    distance: float
