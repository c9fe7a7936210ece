"""Batch predictions: a model run over every row of a dataset, as a job."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import ConfigDict, JsonValue

from .api_object import APIObject
from .training_job import JobError, JobStatus

__all__ = ["BatchPrediction", "BatchResult"]


class BatchPrediction(APIObject):
    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow", protected_namespaces=())

    id: str
    object: Literal["batch_prediction"] = "batch_prediction"
    model: str
    dataset_id: str
    input_column: str | None = None
    """For models whose input is one value (a text), the column holding it."""
    status: JobStatus
    progress: float = 0.0
    rows: int
    succeeded_rows: int = 0
    failed_rows: int = 0
    error: JobError | None = None
    created_at: int
    started_at: int | None = None
    finished_at: int | None = None

    @property
    def done(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")


class BatchResult(APIObject):
    """The model's answer for one row, or why that row got none."""

    index: int
    """The row's position in the dataset."""
    output: dict[str, JsonValue] | None = None
    error: JobError | None = None
