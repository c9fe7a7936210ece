"""A batch prediction from queue to results: the dataset cut into chunks, each
chunk's rows through the model on a worker, results stored as chunks finish."""

from __future__ import annotations

import functools
import json
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..datasets.files import DatasetFiles, table_bytes
from ..jobs.driver import JobContext, JobFailed, Record, job_dataset
from ..model_loader import ModelRef
from ..store import Store
from ..zoo.model_spec import SYSTEM_OWNER
from .units import RowsData, RowsRef, predict_unit

CHUNK_ROWS = 5000
"""Rows a unit predicts: few enough that results stream into the store, many
enough that loading the model on a worker is paid rarely."""


@dataclass(frozen=True)
class BatchWork:
    job_id: str
    model: ModelRef
    dataset_dir: Path
    rows: int
    input_column: str | None


class BatchDriver:
    def __init__(self, store: Store, data_seed: int, chunk_rows: int = CHUNK_ROWS) -> None:
        self._store = store
        self._data_seed = data_seed
        self._chunk_rows = chunk_rows

    def prepare(self, tenant_id: str, record: Record) -> BatchWork:
        dataset = job_dataset(self._store, tenant_id, record)
        model_id: str = record["model"]
        card = self._store.models.get(model_id, tenant_id)
        if card is None:
            raise JobFailed("model_missing", f"Model '{model_id}' is gone.")
        ref = ModelRef(model_id, self._data_seed)
        if card.owner != SYSTEM_OWNER:
            stored = self._store.models.artifact(model_id)
            if stored is None:
                raise JobFailed("model_missing", f"Model '{model_id}' cannot serve predictions.")
            ref = ModelRef(model_id, self._data_seed, stored[1], card.model_dump_json())
        return BatchWork(
            job_id=record["id"],
            model=ref,
            dataset_dir=self._store.dataset_dir(dataset.id),
            rows=dataset.rows,
            input_column=record.get("input_column"),
        )

    def run(self, work: BatchWork, context: JobContext) -> Record:
        executor = context.executor
        cancel = executor.cancel_flag(work.job_id)
        files = DatasetFiles(work.dataset_dir)
        types = files.schema()
        counts = {"done": 0, "failed": 0}

        def submit(start: int, stop: int) -> Future[Any]:
            rows: RowsRef | RowsData = RowsRef(str(work.dataset_dir), start, stop)
            if not executor.shares_disk:
                rows = RowsData(types, table_bytes(files.read_table(start, stop)))
            return context.submit(predict_unit, work.model, rows, start, work.input_column, cancel)

        def on_chunk(_: int, results: list[str]) -> None:
            context.add_results([(json.loads(text)["index"], text) for text in results])
            counts["done"] += len(results)
            counts["failed"] += sum(1 for text in results if '"error":' in text)
            context.update(
                {
                    "progress": round(counts["done"] / work.rows, 4),
                    "succeeded_rows": counts["done"] - counts["failed"],
                    "failed_rows": counts["failed"],
                }
            )

        # Two chunks per worker in flight: results are stored as chunks finish, so
        # the server's memory stays flat however large the dataset.
        tasks = (
            (start, functools.partial(submit, start, min(start + self._chunk_rows, work.rows)))
            for start in range(0, work.rows, self._chunk_rows)
        )
        context.gather(tasks, max(2, 2 * executor.workers), on_chunk)
        context.log(
            "progress",
            f"{counts['done']} of {work.rows} rows predicted, {counts['failed']} failed.",
            {"rows": counts["done"], "failed_rows": counts["failed"]},
        )
        return {}
