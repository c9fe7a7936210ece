"""What the runner asks of each kind of job, and what a job may ask of the runner.

A :class:`JobDriver` owns one kind's decisions (which units, what their results
mean, what the finished job says); the runner owns claiming, cancelling and
recording outcomes. A driver sees the runner only through a
:class:`JobContext`, so a test can run it with a context of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from aiaas.types import Dataset, Model

from ..store import Store
from ..workers import Executor

WorkT = TypeVar("WorkT")
TagT = TypeVar("TagT")

Record = dict[str, Any]
"""A job as the store keeps it (its wire fields)."""


class JobCancelled(Exception):
    """The job's cancellation was seen; the runner records it."""


class JobFailed(Exception):
    """The job cannot go on, for a reason its owner can act on (``code``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def job_dataset(store: Store, tenant_id: str, record: Record) -> Dataset:
    """The dataset a claimed job reads; :class:`JobFailed` if it is gone."""
    dataset = store.datasets.get(record["dataset_id"], tenant_id)
    if dataset is None:
        raise JobFailed("dataset_missing", f"Dataset '{record['dataset_id']}' is gone.")
    return dataset


class JobContext(Protocol):
    """The running job as its driver sees it."""

    @property
    def job_id(self) -> str: ...

    @property
    def executor(self) -> Executor: ...

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Queue one unit of the job on the executor, as its tenant's (tenants'
        units take turns on the workers)."""
        ...

    def gather(
        self,
        tasks: Iterable[tuple[TagT, Callable[[], Future[Any]]]],
        in_flight: int,
        on_done: Callable[[TagT, Any], None],
    ) -> None:
        """Submit ``tasks`` (a tag, and how to submit the unit), at most
        ``in_flight`` at once, calling ``on_done(tag, result)`` as each finishes;
        :class:`JobCancelled` once the job is cancelled, :class:`JobFailed` for
        the first unit that raises."""
        ...

    def update(self, fields: Record, event: tuple[str, str, Record] | None = None) -> None:
        """Change the job's record (its progress, counts), with an event for its log."""
        ...

    def log(self, kind: str, message: str, data: Record) -> None: ...

    def add_results(self, results: list[tuple[int, str]]) -> None:
        """Store rows' results (a batch prediction's), by row number."""
        ...

    def save_model(self, card: Model, artifact: bytes) -> None:
        """Store a model the job trained, for its tenant."""
        ...


class JobDriver(Protocol[WorkT]):
    """One kind of job: ``prepare`` turns a claimed record into its work (in the
    API process, reading the store), ``run`` does it through the context and
    returns the fields of the succeeded record."""

    def prepare(self, tenant_id: str, record: Record) -> WorkT: ...

    def run(self, work: WorkT, context: JobContext) -> Record: ...
