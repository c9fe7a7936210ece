"""Running jobs: a queue, a few threads that run one job each, and an executor
for their units.

The runner claims a queued job, hands it to the driver of its kind (see
:mod:`.driver`), watches for cancellation and records the outcome. Drivers
compute nothing themselves, and neither does the runner: the API process
stays free to answer requests while the units run on workers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from ..store import Store
from ..workers import Executor, WorkerLost
from .context import StoreContext
from .driver import JobCancelled, JobDriver, JobFailed

logger = logging.getLogger("aiaas_mock.jobs")


def _now() -> int:
    return int(time.time())


class JobRunner:
    """Runs the queued jobs this server instance accepted.

    The queue is the jobs table: a job is runnable once its creation has
    committed, whichever way the request that created it ended. Each of
    ``threads`` threads claims the oldest queued job and runs it with the driver
    of its kind.
    """

    def __init__(
        self,
        store: Store,
        executor_factory: Callable[[], Executor],
        drivers: Mapping[str, JobDriver[Any]],
        threads: int,
    ) -> None:
        self._store = store
        self._executor_factory = executor_factory
        self._kinds = dict(drivers)
        self._executor: Executor | None = None
        self._executor_lock = threading.Lock()
        self._wake = threading.Condition()
        self._stopping = False
        self._thread_count = threads
        self._threads: list[threading.Thread] = []
        self._running: set[str] = set()
        self._lock = threading.Lock()

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._threads:
                return
            self._stopping = False
            for i in range(self._thread_count):
                thread = threading.Thread(
                    target=self._drive, name=f"aiaas-job-runner-{i}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        with self._lock:
            threads, self._threads = self._threads, []
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        # The threads first (a running job sees the stop within a poll and submits
        # nothing more), then the workers: a unit submitted to a closed pool would
        # start workers nobody stops.
        for thread in threads:
            thread.join(timeout=10)
        with self._executor_lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.close()

    def executor(self) -> Executor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = self._executor_factory()
            return self._executor

    # -- requests from the API ----------------------------------------------

    def wake(self) -> None:
        """A job was queued: a free driver claims it now rather than at its next look."""
        self.start()
        with self._wake:
            self._wake.notify()

    def cancel(self, job_id: str) -> None:
        """Ask the job to stop: a queued job is cancelled at once, a running one
        as soon as its driver sees the request (its running units see it too)."""
        self._store.jobs.request_cancel(job_id)
        cancelled = self._store.jobs.update(
            job_id,
            _finish("cancelled"),
            ("cancelled", "The job was cancelled before it started.", {}),
            only_if_status="queued",
        )
        if cancelled is None and job_id in self._running:
            self.executor().set_cancelled(job_id)

    # -- running ------------------------------------------------------------

    def _drive(self) -> None:
        owner = self._store.instances.id
        while True:
            with self._wake:
                if self._stopping:
                    return
            claimed = self._store.jobs.claim_next(
                owner, self._where, lambda tenant: self._store.quotas.of(tenant).running_jobs
            )
            if claimed is None:
                with self._wake:
                    if not self._stopping:
                        self._wake.wait(timeout=1.0)
                continue
            self._run(*claimed)

    def _where(self) -> dict[str, Any]:
        """Where a job runs, for its log."""
        executor = self.executor()
        return {"executor": executor.kind, "workers": executor.workers}

    def _run(self, kind: str, tenant_id: str, record: dict[str, Any]) -> None:
        job_id = record["id"]
        self._running.add(job_id)
        try:
            driver = self._kinds[kind]
            work = driver.prepare(tenant_id, record)
            context = StoreContext(
                job_id, tenant_id, self._store, self.executor(), lambda: self._stopping
            )
            fields = driver.run(work, context)

            def succeed(change: dict[str, Any]) -> None:
                _finish("succeeded")(change)
                change.update(progress=1.0, **fields)

            self._store.jobs.update(job_id, succeed, ("succeeded", "The job succeeded.", {}))
        except JobCancelled:
            self._store.jobs.update(
                job_id, _finish("cancelled"), ("cancelled", "The job was cancelled.", {})
            )
        except JobFailed as failure:
            self._fail(job_id, failure.code, failure.message)
        except WorkerLost as lost:
            self._fail(job_id, "worker_lost", f"The job's worker stopped: {lost}.")
        except Exception:
            logger.exception("Job %s failed", job_id)
            self._fail(job_id, "internal_error", "The job failed unexpectedly on the server.")
        finally:
            self._running.discard(job_id)
            try:
                self.executor().forget(job_id)
            except Exception:
                logger.debug("could not clear job %s on the executor", job_id)

    def _fail(self, job_id: str, code: str, message: str) -> None:
        def change(record: dict[str, Any]) -> None:
            _finish("failed")(record)
            record["error"] = {"code": code, "message": message}

        self._store.jobs.update(job_id, change, ("failed", message, {"code": code}))


def _finish(status: str) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        record["status"] = status
        record["finished_at"] = _now()

    return change
