"""The units of a training job, as the job's driver submits them: one candidate
on one fold, or the chosen candidate on every row.

Units are plain functions of picklable arguments, so the embedded process pool
and a Dask cluster run the same code. A unit gets its table either as a
:class:`TableRef` (a directory the worker can read: the embedded pool) or as
the :class:`Table` itself (shipped to a cluster's workers once per job).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from ..datasets.files import Table, cached_table
from ..workers import CancelFlag, Cancelled
from .metrics import FoldOutcome
from .plan import TrainingPlan


@dataclass(frozen=True)
class TableRef:
    directory: str
    columns: tuple[str, ...]


TableSource = TableRef | Table


def table_of(source: TableSource) -> Table:
    if isinstance(source, Table):
        return source
    return cached_table(source.directory, source.columns)


def columns_needed(plan: TrainingPlan) -> tuple[str, ...]:
    extra = [name for name in (plan.target, plan.group_by) if name is not None]
    return tuple(dict.fromkeys([*plan.features, *extra]))


def _cross_validation() -> ModuleType:
    # Imported where a unit runs, a worker: it brings scikit-learn (1.2 s, 120 MB)
    # and the fine-tuned families, which the API process submitting units never needs.
    from . import cross_validation

    return cross_validation


def fold_unit(
    source: TableSource, plan: TrainingPlan, candidate: int, fold: int, cancel: CancelFlag
) -> FoldOutcome:
    """Held-out metrics of candidate ``candidate`` trained without fold ``fold``;
    :class:`Cancelled` as soon as the fit sees the job cancelled."""
    if cancel.is_set():
        raise Cancelled
    outcome: FoldOutcome = _cross_validation().fold_outcome(
        table_of(source), plan, candidate, fold, cancel
    )
    return outcome


def final_unit(
    source: TableSource,
    plan: TrainingPlan,
    candidate: int,
    cancel: CancelFlag,
    threshold: float | None = None,
) -> bytes:
    """The chosen candidate trained on every usable row, as a model artifact."""
    if cancel.is_set():
        raise Cancelled
    artifact: bytes = _cross_validation().final_artifact(
        table_of(source), plan, candidate, threshold, cancel
    )
    return artifact
