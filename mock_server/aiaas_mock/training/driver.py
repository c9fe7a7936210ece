"""A training job from queue to model: its plan, every candidate on every fold
(progress and events as folds finish), the ranking, the chosen candidate fitted
on every row, and the model's card.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aiaas.types import Dataset, TrainingJobRequest

from ..datasets.files import load_table
from ..jobs.driver import JobContext, Record, job_dataset
from ..store import Store
from . import serving
from .fine_tuning import TUNERS, plan_fine_tuning
from .metrics import FoldOutcome, mean_metrics, ranking_key, tuned_threshold
from .plan import TrainingPlan, plan_tabular
from .units import TableRef, columns_needed, final_unit, fold_unit


def plan_training(
    job_id: str, request: TrainingJobRequest, dataset: Dataset, data_seed: int = 0
) -> TrainingPlan:
    """The plan of ``request`` on ``dataset``: fine-tuning a zoo family, or
    tabular algorithms; :class:`~.plan.PlanError` if it cannot run."""
    if isinstance(request.model, str) and request.model in TUNERS:
        return plan_fine_tuning(job_id, request, dataset, data_seed)
    return plan_tabular(job_id, request, dataset, fine_tunable=tuple(sorted(TUNERS)))


@dataclass(frozen=True)
class TrainingWork:
    plan: TrainingPlan
    dataset_dir: Path
    dataset_name: str
    dataset_rows: int
    tenant_id: str


Outcomes = list[list[FoldOutcome | None]]


class TrainingDriver:
    def __init__(self, store: Store, data_seed: int) -> None:
        self._store = store
        self._data_seed = data_seed

    def prepare(self, tenant_id: str, record: Record) -> TrainingWork:
        dataset = job_dataset(self._store, tenant_id, record)
        fields = TrainingJobRequest.model_fields
        request = TrainingJobRequest.model_validate(
            {name: record[name] for name in fields if name in record}
        )
        return TrainingWork(
            plan=plan_training(record["id"], request, dataset, self._data_seed),
            dataset_dir=self._store.dataset_dir(dataset.id),
            dataset_name=dataset.name,
            dataset_rows=dataset.rows,
            tenant_id=tenant_id,
        )

    def run(self, work: TrainingWork, context: JobContext) -> Record:
        plan = work.plan
        executor = context.executor
        source: Any = TableRef(str(work.dataset_dir), columns_needed(plan))
        if not executor.shares_disk:
            source = executor.share(load_table(work.dataset_dir, list(columns_needed(plan))))
        cancel = executor.cancel_flag(plan.job_id)
        # With one candidate there is nothing to choose: its final fit runs beside
        # the folds, so the job takes one round of the workers, not two.
        early: list[bytes] | None = [] if len(plan.candidates) == 1 else None
        outcomes = cross_validate(plan, source, cancel, context, early)
        ranked = rank(plan, outcomes)
        best = ranked[0]
        index, threshold = best.pop("_index"), best.get("decision_threshold")
        keep_out_of_fold(context, outcomes[index])
        artifacts: list[bytes] = []
        if early:  # (a fine-tuned network's artifact takes no threshold)
            tuned = (
                early[0] if plan.family is not None else serving.with_threshold(early[0], threshold)
            )
            artifacts.append(tuned)
        else:
            final = functools.partial(
                context.submit, final_unit, source, plan, index, cancel, threshold
            )
            context.gather([(None, final)], 1, lambda _, artifact: artifacts.append(artifact))
        for entry in ranked:
            entry.pop("_index", None)
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
        context.save_model(card, artifacts[0])
        context.log("model", f"Model '{model_id}' is ready.", {"model_id": model_id})
        return {"metrics": best["metrics"], "candidates": ranked, "result_model_id": model_id}


def keep_out_of_fold(context: JobContext, outcomes: list[FoldOutcome | None]) -> None:
    """The chosen candidate's answer for every held-out row, kept with the job
    (``GET /v1/training-jobs/{id}/out-of-fold``), one record per row."""
    answers = [answer for o in outcomes if o is not None for answer in o.held_out or ()]
    for start in range(0, len(answers), 10_000):
        chunk = answers[start : start + 10_000]
        context.add_results([(a["index"], json.dumps(a, separators=(",", ":"))) for a in chunk])


def cross_validate(
    plan: TrainingPlan,
    source: Any,
    cancel: Any,
    context: JobContext,
    final: list[bytes] | None = None,
) -> Outcomes:
    """Every candidate's held-out outcome on every fold, reported as they come;
    with a ``final`` list, the first candidate's final fit too, into it."""
    outcomes: Outcomes = [[None] * plan.folds for _ in plan.candidates]
    done = 0

    def on_done(tag: tuple[int, int] | None, result: Any) -> None:
        if tag is None:
            assert final is not None
            final.append(result)
        else:
            on_fold(tag, result)

    def on_fold(tag: tuple[int, int], outcome: FoldOutcome) -> None:
        nonlocal done
        candidate, fold = tag
        outcomes[candidate][fold] = outcome
        metrics = outcome.metrics
        done += 1
        progress = round(done / plan.units, 4)
        chosen = plan.candidates[candidate]
        value = metrics.get(plan.metric, float("nan"))
        context.update(
            {"progress": progress},
            (
                "fold",
                f"{chosen.algorithm} candidate {candidate + 1}, fold {fold + 1} of "
                f"{plan.folds}: {plan.metric} {value:.4f}",
                {"candidate": candidate, "fold": fold, "metrics": metrics, "progress": progress},
            ),
        )
        finished = outcomes[candidate]
        if all(o is not None for o in finished):
            mean = mean_metrics([o.metrics for o in finished if o is not None])
            context.log(
                "candidate",
                f"{chosen.algorithm} {json.dumps(chosen.hyperparameters)}: "
                f"mean {plan.metric} {mean.get(plan.metric, float('nan')):.4f}",
                {**chosen.describe(), "candidate": candidate, "metrics": mean},
            )

    # At most one unit per worker in flight (see JobContext.gather). The final
    # fit, on every row, is the longest unit: it goes first.
    units: list[tuple[tuple[int, int] | None, Any]] = []
    if final is not None:
        units.append((None, functools.partial(context.submit, final_unit, source, plan, 0, cancel)))
    units += [
        ((c, f), functools.partial(context.submit, fold_unit, source, plan, c, f, cancel))
        for c in range(len(plan.candidates))
        for f in range(plan.folds)
    ]
    context.gather(units, max(1, context.executor.workers), on_done)
    return outcomes


def rank(plan: TrainingPlan, outcomes: Outcomes) -> list[dict[str, Any]]:
    """The candidates best first by the plan's metric, each with its mean and
    per-fold metrics (and ``_index``, its place in the plan). With a threshold
    to tune, a candidate's metrics are at its tuned threshold."""
    entries = []
    for i, candidate in enumerate(plan.candidates):
        done = [outcome for outcome in outcomes[i] if outcome is not None]
        entry: dict[str, Any] = {**candidate.describe(), "_index": i}
        fold_metrics = [outcome.metrics for outcome in done]
        if plan.threshold is not None:
            scored = [
                (np.asarray(o.scores, dtype=np.float64), np.asarray(o.truth, dtype=bool))
                for o in done
            ]
            entry["decision_threshold"], fold_metrics = tuned_threshold(scored, *plan.threshold)
        entry["metrics"] = mean_metrics(fold_metrics)
        entry["fold_metrics"] = fold_metrics
        entries.append(entry)
    return sorted(
        entries,
        key=lambda entry: ranking_key(plan.metric, plan.higher_is_better, entry["metrics"]),
    )
