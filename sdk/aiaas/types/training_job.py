"""Training jobs: a model trained on a dataset, cross-validated, optionally searched."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from ._html import fields_table, heading, rows_table
from .api_object import APIObject
from .job import Job
from .outputs import ClassProbabilities

__all__ = [
    "OutOfFoldPrediction",
    "SearchSettings",
    "ThresholdTarget",
    "TrainingCandidate",
    "TrainingJob",
    "TrainingJobRequest",
    "ValidationSettings",
]


class ValidationSettings(BaseModel):
    """How a training job measures its candidates: k-fold cross-validation."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    cv_folds: int = Field(default=5, ge=2, le=20)
    group_by: str | None = None
    """A column whose rows belong together (an engine, a part): a group is never
    split between training and held-out folds."""
    seed: int = Field(default=0, ge=0, le=2**32 - 1)


class SearchSettings(BaseModel):
    """A bounded hyperparameter search.

    ``space`` maps a hyperparameter to a list of values, or (``random`` only) to a
    range ``{"low": ..., "high": ..., "log": true}``. A grid may hold at most
    ``max_candidates`` combinations; ``random`` draws ``max_candidates`` of them.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    method: Literal["grid", "random"] = "grid"
    space: dict[str, JsonValue]
    max_candidates: int = Field(default=20, ge=1, le=50)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)


class ThresholdTarget(BaseModel):
    """A binary classifier's decision threshold: the highest one whose
    cross-validated recall reaches ``min_recall``, or the one of best F1 among
    those whose precision reaches ``min_precision``."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    min_recall: float | None = Field(default=None, gt=0.0, le=1.0)
    min_precision: float | None = Field(default=None, gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _one_goal(self) -> ThresholdTarget:
        if (self.min_recall is None) == (self.min_precision is None):
            raise ValueError("give one of min_recall and min_precision")
        return self


class TrainingJobRequest(BaseModel):
    """The body of ``POST /v1/training-jobs`` (what ``training_jobs.create`` sends)."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid", protected_namespaces=())

    model: str | list[str] = Field(
        description="An algorithm (or zoo family) to train; a list of algorithms "
        "compares them on the same folds and keeps the best."
    )
    dataset_id: str = Field(min_length=1, max_length=64)
    target: str | None = None
    features: list[str] | None = Field(
        default=None, description="Columns to learn from (default: every usable column)."
    )
    hyperparameters: dict[str, JsonValue] = Field(default_factory=dict)
    validation: ValidationSettings = Field(default_factory=ValidationSettings)
    search: SearchSettings | None = None
    metric: str | None = Field(
        default=None,
        description="The cross-validated metric that ranks candidates: f1, pr_auc, roc_auc, "
        "balanced_accuracy, accuracy or log_loss (classification); rmse, mae or r2 "
        "(regression). Default: f1, rmse, silhouette.",
    )
    threshold: Literal["f1"] | ThresholdTarget | None = Field(
        default=None,
        description="For a binary classifier: tune its decision threshold on out-of-fold "
        "probabilities, for the best F1 ('f1') or a minimum recall or precision. "
        "Without it, the likelier class is predicted.",
    )


class TrainingCandidate(BaseModel):
    """One algorithm with one set of hyperparameters, as cross-validation measured it."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    algorithm: str
    hyperparameters: dict[str, JsonValue]
    metrics: dict[str, float]
    """The mean over the folds."""
    fold_metrics: list[dict[str, float]]
    decision_threshold: float | None = None
    """The tuned decision threshold (with ``threshold``): the positive class is
    predicted when its probability reaches it."""


class TrainingJob(Job):
    """A training job and, once it has succeeded, the model it made."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow", protected_namespaces=())

    object: Literal["training_job"] = "training_job"
    model: str | list[str]
    """The algorithm or zoo family trained; a list compares them on the same folds."""
    target: str | None = None
    features: list[str] | None = None
    """The columns learnt from (``None``: every usable column)."""
    hyperparameters: dict[str, JsonValue] = Field(default_factory=dict)
    validation: ValidationSettings = Field(default_factory=ValidationSettings)
    search: SearchSettings | None = None
    metric: str | None = None
    threshold: Literal["f1"] | ThresholdTarget | None = None
    metrics: dict[str, float] = Field(default_factory=dict)
    """Cross-validated metrics of the chosen candidate (mean over folds)."""
    candidates: list[TrainingCandidate] = Field(default_factory=list)
    """Every candidate tried, with its metrics, best first."""
    result_model_id: str | None = None

    def _repr_html_(self) -> str:
        """The job as a notebook shows it: its state and every candidate's metrics,
        best first."""
        fields = [
            ("status", self.status), ("progress", f"{self.progress:.0%}"),
            ("model", self.model), ("dataset", self.dataset_id), ("target", self.target),
            ("result model", self.result_model_id),
            ("error", self.error.message if self.error is not None else None),
        ]  # fmt: skip
        names = sorted({name for c in self.candidates for name in c.metrics})
        rows = [
            {"algorithm": c.algorithm, "hyperparameters": c.hyperparameters, **c.metrics}
            for c in self.candidates
        ]
        table = rows_table(rows, ["algorithm", "hyperparameters", *names]) if rows else ""
        return heading(f"training job {self.id}") + fields_table(fields) + table


class OutOfFoldPrediction(APIObject):
    """The chosen candidate's answer for one training row, from the fold that held
    the row out: what the model said of data it had not learnt from."""

    index: int
    """The row's position in the dataset."""
    truth: str | int | bool | float
    """The row's target, as the dataset typed it."""
    predicted: str | int | bool | float
    """The class (or value) the candidate predicted."""
    probabilities: ClassProbabilities | None = None
    """A classifier's probability of each class, keyed by the class as text and
    found by the class itself too."""
