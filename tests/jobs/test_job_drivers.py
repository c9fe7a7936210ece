"""Each kind of job's driver run with a context of the test's own: units run
inline, and what the driver records is kept for the test to read."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from aiaas.types import Dataset, Model, TrainingJobRequest
from aiaas_mock.batch.driver import BatchDriver, BatchWork
from aiaas_mock.datasets.files import Table
from aiaas_mock.jobs.driver import JobCancelled, JobFailed
from aiaas_mock.model_loader import ModelRef
from aiaas_mock.training.cross_validation import folds_of
from aiaas_mock.training.driver import TrainingDriver, TrainingWork, plan_training
from aiaas_mock.training.plan import TrainingPlan
from aiaas_mock.workers import Cancelled
from tests.jobs.ingested import ingested
from tests.tables import machining_runs


class NotCancelled:
    def is_set(self) -> bool:
        return False


class InlineExecutor:
    """Runs each unit as it is submitted, in this process."""

    kind = "inline"
    shares_disk = True
    workers = 1

    def submit(self, fn: Callable[..., Any], *args: Any, owner: str = "") -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args))
        except Exception as error:
            future.set_exception(error)
        return future

    def share(self, table: Table) -> Any:
        return table

    def cancel_flag(self, job_id: str) -> NotCancelled:
        return NotCancelled()

    def set_cancelled(self, job_id: str) -> None: ...

    def forget(self, job_id: str) -> None: ...

    def close(self) -> None: ...


class RecordingContext:
    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.executor = InlineExecutor()
        self.updates: list[dict[str, Any]] = []
        self.events: list[tuple[str, str, dict[str, Any]]] = []
        self.results: list[tuple[int, str]] = []
        self.models: list[tuple[Model, bytes]] = []
        self.rounds: list[int] = []  # units per gather

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self.executor.submit(fn, *args, owner="tenant")

    def gather(
        self,
        tasks: Iterable[tuple[Any, Callable[[], Future[Any]]]],
        in_flight: int,
        on_done: Callable[[Any, Any], None],
    ) -> None:
        tasks = list(tasks)
        self.rounds.append(len(tasks))
        for tag, submit in tasks:
            future = submit()
            error = future.exception()
            if isinstance(error, Cancelled):
                raise JobCancelled
            if error is not None:
                raise JobFailed("unit_failed", str(error))
            on_done(tag, future.result())

    def update(self, fields: dict[str, Any], event: Any = None) -> None:
        self.updates.append(fields)
        if event is not None:
            self.events.append(event)

    def log(self, kind: str, message: str, data: dict[str, Any]) -> None:
        self.events.append((kind, message, data))

    def add_results(self, results: list[tuple[int, str]]) -> None:
        self.results.extend(results)

    def save_model(self, card: Model, artifact: bytes) -> None:
        self.models.append((card, artifact))


def dataset_of(directory: Path, data: bytes, target: str | None) -> Dataset:
    return ingested(directory, data, target)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Dataset, RecordingContext]:
    directory = tmp_path_factory.mktemp("runs")
    dataset = dataset_of(directory, machining_runs(rows=400), "failed")
    request = TrainingJobRequest(
        model=["logistic-regression", "random-forest"],
        dataset_id=dataset.id,
        target="failed",
        features=["machine", "speed", "torque", "tool_wear"],
        validation={"cv_folds": 3},  # type: ignore[arg-type]
    )
    work = TrainingWork(plan_training("tj_drive", request, dataset), directory, "runs", 400, "t1")
    context = RecordingContext("tj_drive")
    # run() needs no store: the work is prepared, and the context stores.
    fields = TrainingDriver(None, 0).run(work, context)  # type: ignore[arg-type]
    context.updates.append(fields)
    return directory, dataset, context


def test_a_training_job_reports_every_fold_ranks_and_saves_the_best(
    trained: tuple[Path, Dataset, RecordingContext],
) -> None:
    _, _, context = trained
    progress = [update["progress"] for update in context.updates if "progress" in update]
    assert progress == sorted(progress)
    assert progress[-1] == pytest.approx(6 / 7, abs=1e-4)
    assert [kind for kind, _, _ in context.events].count("fold") == 6
    result = context.updates[-1]
    ranked = [entry["metrics"]["f1"] for entry in result["candidates"]]
    assert ranked == sorted(ranked, reverse=True)
    assert all("_index" not in entry for entry in result["candidates"])
    ((card, artifact),) = context.models
    assert card.id == result["result_model_id"] == f"{result['candidates'][0]['algorithm']}-drive"
    assert card.metrics == result["metrics"] == result["candidates"][0]["metrics"]
    assert json.loads(artifact)["algorithm"] == result["candidates"][0]["algorithm"]
    assert context.rounds == [6, 1]  # two candidates: the folds, then the chosen one's fit


def test_one_candidates_final_fit_runs_beside_its_folds(tmp_path: Path) -> None:
    """Nothing to choose: the job is one round of units (a small job waits for a
    busy worker once, not twice), and a tuned threshold still reaches the model."""
    dataset = dataset_of(tmp_path, machining_runs(rows=400), "failed")
    request = TrainingJobRequest(
        model="logistic-regression",
        dataset_id=dataset.id,
        target="failed",
        features=["speed", "torque", "tool_wear"],
        validation={"cv_folds": 3},  # type: ignore[arg-type]
        threshold="f1",
    )
    work = TrainingWork(plan_training("tj_one", request, dataset), tmp_path, "runs", 400, "t1")
    context = RecordingContext("tj_one")
    fields = TrainingDriver(None, 0).run(work, context)  # type: ignore[arg-type]
    assert context.rounds == [4]  # three folds and the final fit
    ((card, artifact),) = context.models
    threshold = fields["candidates"][0]["decision_threshold"]
    assert json.loads(artifact)["threshold"] == threshold == card.decision_threshold
    assert sum(1 for kind, _, _ in context.events if kind == "fold") == 3


def test_a_batch_over_several_chunks_numbers_every_row_once(
    trained: tuple[Path, Dataset, RecordingContext],
) -> None:
    directory, dataset, context = trained
    ((card, artifact),) = context.models
    ref = ModelRef(card.id, 0, artifact, card.model_dump_json())
    work = BatchWork("bp_many", ref, directory, dataset.rows, None)
    batch = RecordingContext("bp_many")
    driver = BatchDriver(None, 0, chunk_rows=7)  # type: ignore[arg-type]
    assert driver.run(work, batch) == {}
    assert [row for row, _ in batch.results] == list(range(dataset.rows))
    assert [json.loads(text)["index"] for _, text in batch.results] == list(range(dataset.rows))
    last = batch.updates[-1]
    assert last["succeeded_rows"] + last["failed_rows"] == dataset.rows
    assert last["failed_rows"] == sum('"error"' in text for _, text in batch.results)
    assert len(batch.updates) == -(-dataset.rows // 7)


def _plan(task: str, folds: int, target: str | None = "y") -> TrainingPlan:
    return TrainingPlan(
        job_id="tj",
        dataset_id="ds",
        task=task,  # type: ignore[arg-type]
        target=target,
        features=("x",),
        candidates=(),
        folds=folds,
        group_by=None,
        seed=3,
    )


@pytest.mark.parametrize(("sizes", "folds"), [((301, 299), 5), ((7, 13, 50), 4), ((3, 3), 3)])
def test_stratified_folds_differ_in_size_by_at_most_one_row(
    sizes: tuple[int, ...], folds: int
) -> None:
    labels = np.array([f"c{k}" for k, size in enumerate(sizes) for _ in range(size)], dtype=object)
    table = Table({"x": np.zeros(len(labels)), "y": labels}, {"x": "number", "y": "string"})
    rows = np.arange(len(labels))
    held = [test for _, test in folds_of(table, _plan("classification", folds), rows)]
    lengths = [len(test) for test in held]
    assert max(lengths) - min(lengths) <= 1, lengths
    for k in range(len(sizes)):
        per_fold = [int(np.sum(labels[test] == f"c{k}")) for test in held]
        assert max(per_fold) - min(per_fold) <= 1, (k, per_fold)


@pytest.mark.parametrize("goal", ["f1", {"min_recall": 0.9}])
def test_a_tuned_threshold_is_ranked_on_stored_and_served(tmp_path: Path, goal: Any) -> None:
    from aiaas_mock.training.serving import load

    dataset = dataset_of(tmp_path, machining_runs(rows=900, seed=3), "failed")
    request = TrainingJobRequest(
        model="logistic-regression",
        dataset_id=dataset.id,
        target="failed",
        features=["machine", "speed", "torque", "tool_wear"],
        validation={"cv_folds": 4},  # type: ignore[arg-type]
        threshold=goal,
    )
    work = TrainingWork(plan_training("tj_cut", request, dataset), tmp_path, "runs", 900, "t1")
    context = RecordingContext("tj_cut")
    fields = TrainingDriver(None, 0).run(work, context)  # type: ignore[arg-type]
    (best,) = fields["candidates"]
    cut = best["decision_threshold"]
    assert 0.0 < cut < 1.0
    if goal != "f1":
        assert cut < 0.5  # finding 90 % of failures takes a lower bar than "likelier"
        assert best["metrics"]["recall"] > 0.75  # each fold at the others' threshold
    ((card, artifact),) = context.models
    assert card.decision_threshold == json.loads(artifact)["threshold"] == cut
    served = load(card.id, artifact, card)
    rows = [
        {"machine": m, "speed": 1500.0, "torque": t, "tool_wear": w}
        for m in ("A", "B")
        for t in (30.0, 45.0, 60.0)
        for w in (20, 120, 220)
    ]
    inputs = [served.spec.input_type.model_validate(row) for row in rows]
    for output in served.predictor.predict(inputs, None):
        assert output.label == (output.probabilities["true"] >= cut)  # type: ignore[attr-defined]
