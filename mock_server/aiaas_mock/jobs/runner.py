"""Running jobs: a queue, a few driver threads, and an executor for the work.

A driver takes one job at a time. It sends the job's units to the executor
(the embedded pool or a Dask cluster), records progress and events as units
finish, watches for cancellation, and writes the outcome. Drivers compute
nothing themselves: the API process stays free to answer requests.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..batch.units import ModelRef, RowLines, RowsRef, predict_unit
from ..datasets.files import DatasetFiles, load_table
from ..store import Store
from ..training import serving
from ..training.metrics import mean_metrics, ranking_key
from ..training.plan import TrainingPlan
from ..training.units import Cancelled, TableRef, columns_needed, final_unit, fold_unit
from .executors import Executor, WorkerLost

logger = logging.getLogger("aiaas_mock.jobs")

POLL_SECONDS = 0.25
"""How often a driver looks for a cancellation while units run."""
BATCH_CHUNK_ROWS = 5000


class JobCancelled(Exception):
    pass


class JobFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TrainingWork:
    plan: TrainingPlan
    dataset_dir: Path
    dataset_name: str
    dataset_rows: int
    tenant_id: str


@dataclass(frozen=True)
class BatchWork:
    job_id: str
    model: ModelRef
    dataset_dir: Path
    rows: int
    input_column: str | None


Work = TrainingWork | BatchWork


def _now() -> int:
    return int(time.time())


class JobRunner:
    """Runs the queued jobs this server instance accepted.

    The queue is the jobs table: a job is runnable once its creation has
    committed, whichever way the request that created it ended. Drivers claim
    the oldest queued job, build its work with ``prepare`` and run it.
    """

    def __init__(
        self,
        store: Store,
        executor_factory: Callable[[], Executor],
        prepare: Callable[[str, str, dict[str, Any]], Work],
        drivers: int,
    ) -> None:
        self._store = store
        self._executor_factory = executor_factory
        self._prepare = prepare
        self._executor: Executor | None = None
        self._executor_lock = threading.Lock()
        self._wake = threading.Condition()
        self._stopping = False
        self._drivers = drivers
        self._threads: list[threading.Thread] = []
        self._running: set[str] = set()
        self._lock = threading.Lock()

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._threads:
                return
            self._stopping = False
            for i in range(self._drivers):
                thread = threading.Thread(
                    target=self._drive, name=f"aiaas-job-driver-{i}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        with self._lock:
            threads, self._threads = self._threads, []
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        with self._executor_lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.close()
        for thread in threads:
            thread.join(timeout=10)

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

    # -- drivers ------------------------------------------------------------

    def _drive(self) -> None:
        owner = self._store.instances.id
        while True:
            with self._wake:
                if self._stopping:
                    return
            claimed = self._store.jobs.claim_next(owner, self._where)
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
            work = self._prepare(kind, tenant_id, record)
            if isinstance(work, TrainingWork):
                self._train(work)
            else:
                self._batch(work)
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

    def _gather(
        self,
        job_id: str,
        tasks: Iterable[tuple[Any, Callable[[], Future[Any]]]],
        in_flight: int,
        on_done: Callable[[Any, Any], None],
    ) -> None:
        """Submit ``tasks`` (a tag, and how to submit it), at most ``in_flight`` at
        once, calling ``on_done(tag, result)`` as each finishes; raise
        :class:`JobCancelled` when the job is cancelled, or the first unit's error.

        Few units in flight per job let jobs running side by side take turns on
        the workers (and keep a batch's results from piling up in memory)."""
        waiting = iter(tasks)
        futures: dict[Future[Any], Any] = {}

        def top_up() -> None:
            for tag, submit in itertools.islice(waiting, max(0, in_flight - len(futures))):
                futures[submit()] = tag

        executor = self.executor()
        top_up()
        try:
            while futures:
                done, _ = wait(futures, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                if self._store.jobs.cancel_requested(job_id):
                    executor.set_cancelled(job_id)
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

    # -- training -----------------------------------------------------------

    def _train(self, work: TrainingWork) -> None:
        plan = work.plan
        executor = self.executor()
        source: Any = TableRef(str(work.dataset_dir), columns_needed(plan))
        if not executor.shares_disk:
            source = executor.share(load_table(work.dataset_dir, list(columns_needed(plan))))
        cancel = executor.cancel_flag(plan.job_id)
        jobs = self._store.jobs
        fold_metrics: list[list[dict[str, float] | None]] = [
            [None] * plan.folds for _ in plan.candidates
        ]
        done_units = 0

        def on_fold(tag: tuple[int, int], metrics: dict[str, float]) -> None:
            nonlocal done_units
            candidate, fold = tag
            fold_metrics[candidate][fold] = metrics
            done_units += 1
            progress = round(done_units / plan.units, 4)
            chosen = plan.candidates[candidate]
            jobs.update(
                plan.job_id,
                lambda record: record.update(progress=progress),
                (
                    "fold",
                    f"{chosen.algorithm} candidate {candidate + 1}, fold {fold + 1} of "
                    f"{plan.folds}: {plan.primary_metric} "
                    f"{metrics.get(plan.primary_metric, float('nan')):.4f}",
                    {
                        "candidate": candidate,
                        "fold": fold,
                        "metrics": metrics,
                        "progress": progress,
                    },
                ),
            )
            finished = fold_metrics[candidate]
            if all(m is not None for m in finished):
                mean = mean_metrics([m for m in finished if m is not None])
                jobs.log(
                    plan.job_id,
                    "candidate",
                    f"{chosen.algorithm} {json.dumps(chosen.hyperparameters)}: "
                    f"mean {plan.primary_metric} {mean.get(plan.primary_metric, float('nan')):.4f}",
                    {**chosen.describe(), "candidate": candidate, "metrics": mean},
                )

        # At most one unit per worker in flight (see _gather).
        folds = (
            ((c, f), functools.partial(executor.submit, fold_unit, source, plan, c, f, cancel))
            for c in range(len(plan.candidates))
            for f in range(plan.folds)
        )
        self._gather(plan.job_id, folds, max(1, executor.workers), on_fold)
        ranked = sorted(
            (
                {
                    **candidate.describe(),
                    "metrics": mean_metrics([m for m in fold_metrics[i] if m is not None]),
                    "fold_metrics": fold_metrics[i],
                    "_index": i,
                }
                for i, candidate in enumerate(plan.candidates)
            ),
            key=lambda entry: ranking_key(plan.metric, plan.higher_is_better, entry["metrics"]),
        )
        best = ranked[0]
        artifacts: list[bytes] = []
        final = functools.partial(executor.submit, final_unit, source, plan, best["_index"], cancel)
        self._gather(
            plan.job_id, [(None, final)], 1, lambda _, artifact: artifacts.append(artifact)
        )
        model_id = f"{best['algorithm']}-{plan.job_id.removeprefix('tj_')[:12]}"
        card = serving.trained_card(
            model_id,
            artifacts[0],
            tenant_id=work.tenant_id,
            dataset_name=work.dataset_name,
            dataset_id=plan.dataset_id,
            rows=work.dataset_rows,
            folds=plan.folds,
            grouped_by=plan.group_by,
            metrics=best["metrics"],
            training_job_id=plan.job_id,
        )
        self._store.models.add_trained(card, work.tenant_id, "tabular", artifacts[0])
        for entry in ranked:
            entry.pop("_index")

        def succeed(record: dict[str, Any]) -> None:
            _finish("succeeded")(record)
            record.update(
                progress=1.0, metrics=best["metrics"], candidates=ranked, result_model_id=model_id
            )

        jobs.log(plan.job_id, "model", f"Model '{model_id}' is ready.", {"model_id": model_id})
        jobs.update(plan.job_id, succeed, ("succeeded", "The job succeeded.", {}))

    # -- batch predictions --------------------------------------------------

    def _batch(self, work: BatchWork) -> None:
        executor = self.executor()
        cancel = executor.cancel_flag(work.job_id)
        jobs = self._store.jobs
        files = DatasetFiles(work.dataset_dir)
        names = tuple(files.schema())
        counts = {"done": 0, "failed": 0}
        chunks = [
            (start, min(start + BATCH_CHUNK_ROWS, work.rows))
            for start in range(0, work.rows, BATCH_CHUNK_ROWS)
        ]

        def submit(start: int, stop: int) -> Future[Any]:
            rows: RowsRef | RowLines = RowsRef(str(work.dataset_dir), start, stop)
            if not executor.shares_disk:
                rows = RowLines(names, files.read_lines(start, stop))
            return executor.submit(predict_unit, work.model, rows, start, work.input_column, cancel)

        def on_chunk(_: Any, results: list[str]) -> None:
            failed = sum(1 for text in results if '"error":' in text)
            jobs.add_results(work.job_id, [(json.loads(text)["index"], text) for text in results])
            counts["done"] += len(results)
            counts["failed"] += failed
            progress = round(counts["done"] / work.rows, 4)
            jobs.update(
                work.job_id,
                lambda record: record.update(
                    progress=progress,
                    succeeded_rows=counts["done"] - counts["failed"],
                    failed_rows=counts["failed"],
                ),
            )

        # Two chunks per worker in flight: results are stored as chunks finish, so
        # the server's memory stays flat however large the dataset.
        tasks = ((start, functools.partial(submit, start, stop)) for start, stop in chunks)
        self._gather(work.job_id, tasks, max(2, 2 * executor.workers), on_chunk)
        jobs.log(
            work.job_id,
            "progress",
            f"{counts['done']} of {work.rows} rows predicted, {counts['failed']} failed.",
            {"rows": counts["done"], "failed_rows": counts["failed"]},
        )

        def succeed(record: dict[str, Any]) -> None:
            _finish("succeeded")(record)
            record["progress"] = 1.0

        jobs.update(work.job_id, succeed, ("succeeded", "The job succeeded.", {}))


def _finish(status: str) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        record["status"] = status
        record["finished_at"] = _now()

    return change
