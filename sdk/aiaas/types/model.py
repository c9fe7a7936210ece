"""Model cards: what a model does, takes, returns and how well it does it."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from ._html import fields_table, heading, rows_table
from .api_object import APIObject


class Model(APIObject):
    """The card of a model that can be called with ``predict``."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow", protected_namespaces=())

    id: str
    object: Literal["model"] = "model"
    task: str
    """What the model does, e.g. ``tabular-classification`` or ``clustering``."""
    algorithm: str
    version: str
    owner: str
    """``system`` for the service's own models, else the owning tenant's id."""
    created_at: int
    """Unix time in seconds."""
    description: str = ""
    input_schema: dict[str, JsonValue] = Field(default_factory=dict)
    """JSON Schema of one element of ``inputs``."""
    output_schema: dict[str, JsonValue] = Field(default_factory=dict)
    """JSON Schema of one element of ``outputs``."""
    parameters_schema: dict[str, JsonValue] = Field(default_factory=dict)
    metrics: dict[str, float] = Field(default_factory=dict)
    """Quality of this model measured on data it was not trained on, by metric name
    (``evaluation`` says how)."""
    data: str = ""
    """What the model was trained on, in words."""
    training_data: str = ""
    """``generated``, ``real``, or ``real and generated``."""
    evaluation: str = ""
    """How ``metrics`` were measured: the held-out data and the protocol."""
    references: dict[str, float] = Field(default_factory=dict)
    """Published figures for orientation (such as other models' results on the same
    benchmark): not measurements of this model."""
    target: str | None = None
    """Of a model trained on a tenant's dataset: the column it predicts."""
    features: list[str] | None = None
    """Of a model trained on a tenant's dataset: the columns it reads."""
    hyperparameters: dict[str, JsonValue] | None = None
    """Of a model trained on a tenant's dataset: the settings it was trained with."""
    training_job_id: str | None = None
    """Of a model trained on a tenant's dataset: the job that trained it."""
    decision_threshold: float | None = None
    """Of a binary classifier trained with a tuned threshold: the positive class
    (the second of its labels: true, 1) is predicted when its probability reaches it."""

    def _repr_html_(self) -> str:
        """The card as a notebook shows it: who, what, and the held-out metrics."""
        fields = [
            ("task", self.task), ("algorithm", self.algorithm), ("version", self.version),
            ("owner", self.owner), ("description", self.description),
            ("training data", self.training_data), ("data", self.data),
            ("evaluation", self.evaluation), ("target", self.target),
            ("features", self.features), ("hyperparameters", self.hyperparameters),
        ]  # fmt: skip
        metrics = [{"metric": k, "value": v} for k, v in sorted(self.metrics.items())]
        return (
            heading(f"model {self.id}")
            + fields_table(fields)
            + (rows_table(metrics, ["metric", "value"]) if metrics else "")
        )


class ModelDeleted(APIObject):
    """What ``DELETE /v1/models/{id}`` answers."""

    id: str
    object: Literal["model.deleted"] = "model.deleted"
    deleted: bool = True


class ModelUpdate(BaseModel):
    """The body of ``PATCH /v1/models/{id}``: a tenant's model under a new id."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
    """Letters, digits, ``.``, ``_``, ``:`` and ``-``, starting with a letter or digit."""
