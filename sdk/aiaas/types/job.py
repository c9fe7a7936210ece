"""What every kind of job has: its state, progress, error and log."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, JsonValue

from .api_object import APIObject

__all__ = ["Job", "JobError", "JobEvent", "JobStatus"]

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
TERMINAL_STATUSES: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


class JobError(BaseModel):
    """Why a job failed."""

    code: str
    message: str


class Job(APIObject):
    """A job: a training job or a batch prediction."""

    id: str
    dataset_id: str
    status: JobStatus
    progress: float = 0.0
    """Share of the job's work done, 0 to 1."""
    error: JobError | None = None
    created_at: int
    started_at: int | None = None
    finished_at: int | None = None

    @property
    def done(self) -> bool:
        """Whether the job has finished, one way or another."""
        return self.status in TERMINAL_STATUSES


class JobEvent(APIObject):
    """One entry of a job's log: progress, a fold's metrics, a state change."""

    object: Literal["job.event"] = "job.event"
    seq: int
    type: str
    """``queued``, ``started``, ``fold``, ``candidate``, ``model``, ``progress``,
    ``succeeded``, ``failed``, ``cancelled``."""
    message: str
    data: dict[str, JsonValue] = Field(default_factory=dict)
    created_at: float
