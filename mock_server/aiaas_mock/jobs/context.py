"""The runner's side of :class:`~.driver.JobContext`: a job's units on the
executor, its record and log in the store."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any, TypeVar

from aiaas.types import Model

from ..store import Store
from ..workers import Cancelled, Executor, WorkerLost
from .driver import JobCancelled, JobFailed, Record

TagT = TypeVar("TagT")

POLL_SECONDS = 0.25
"""How often a running job looks for a cancellation while its units run."""


class StoreContext:
    def __init__(
        self,
        job_id: str,
        tenant_id: str,
        store: Store,
        executor: Executor,
        stopping: Callable[[], bool] = lambda: False,
    ) -> None:
        self._job_id = job_id
        self._tenant_id = tenant_id
        self._store = store
        self._executor = executor
        self._stopping = stopping

    @property
    def job_id(self) -> str:
        return self._job_id

    @property
    def executor(self) -> Executor:
        return self._executor

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self._executor.submit(fn, *args, owner=self._tenant_id)

    def gather(
        self,
        tasks: Iterable[tuple[TagT, Callable[[], Future[Any]]]],
        in_flight: int,
        on_done: Callable[[TagT, Any], None],
    ) -> None:
        # Few units in flight per job let jobs running side by side take turns on
        # the workers (and keep a batch's results from piling up in memory).
        waiting = iter(tasks)
        futures: dict[Future[Any], TagT] = {}

        def top_up() -> None:
            if self._stopping():
                raise WorkerLost("the server is stopping")
            for tag, submit in itertools.islice(waiting, max(0, in_flight - len(futures))):
                futures[submit()] = tag

        top_up()
        try:
            while futures:
                done, _ = wait(futures, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                if self._stopping():
                    raise WorkerLost("the server is stopping")
                if self._store.jobs.cancel_requested(self._job_id):
                    self._executor.set_cancelled(self._job_id)
                    raise JobCancelled
                for future in done:
                    error = future.exception()
                    if isinstance(error, Cancelled):
                        raise JobCancelled
                    if isinstance(error, WorkerLost):
                        raise error
                    if error is not None:
                        raise JobFailed("unit_failed", f"{type(error).__name__}: {error}")
                    on_done(futures.pop(future), future.result())
                top_up()
        finally:
            for future in futures:
                future.cancel()

    def update(self, fields: Record, event: tuple[str, str, Record] | None = None) -> None:
        self._store.jobs.update(self._job_id, lambda record: record.update(fields), event)

    def log(self, kind: str, message: str, data: Record) -> None:
        self._store.jobs.log(self._job_id, kind, message, data)

    def add_results(self, results: list[tuple[int, str]]) -> None:
        self._store.jobs.add_results(self._job_id, results)

    def save_model(self, card: Model, artifact: bytes) -> None:
        self._store.models.add_trained(card, self._tenant_id, "tabular", artifact)
