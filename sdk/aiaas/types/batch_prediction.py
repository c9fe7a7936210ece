"""Batch predictions: a model run over every row of a dataset, as a job."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from .api_object import APIObject
from .job import Job, JobError

__all__ = ["BatchPrediction", "BatchPredictionRequest", "BatchResult"]


class BatchPredictionRequest(BaseModel):
    """The body of ``POST /v1/batch-predictions`` (what ``batch_predictions.create``
    sends)."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid", protected_namespaces=())

    model: str = Field(min_length=1, max_length=128)
    dataset_id: str = Field(min_length=1, max_length=64)
    input_column: str | None = Field(
        default=None,
        description="For a model that takes one value per input (a text), the column "
        "holding it; a model that takes rows gets each row whole.",
    )
    ignore_extra: bool = Field(
        default=True,
        description="Leave out the dataset's columns that the model does not take "
        "(ids, timestamps, the target); false refuses such a dataset, naming them.",
    )


class BatchPrediction(Job):
    """A batch prediction: a model over every row of a dataset."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow", protected_namespaces=())

    object: Literal["batch_prediction"] = "batch_prediction"
    model: str
    input_column: str | None = None
    """For models whose input is one value (a text), the column holding it."""
    rows: int
    succeeded_rows: int = 0
    failed_rows: int = 0


class BatchResult(APIObject):
    """The model's answer for one row, or why that row got none."""

    index: int
    """The row's position in the dataset."""
    output: dict[str, JsonValue] | None = None
    error: JobError | None = None
