"""A training request checked against its dataset, before any work is queued.

Everything a job can be refused for is found here, so a bad request is a 422
naming the problem instead of a job that fails later: unknown algorithms and
hyperparameters, a target that is missing or of the wrong type, too few rows
or groups for the folds, a search too large.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from aiaas.types import ColumnProfile, Dataset, SearchSettings, TrainingJobRequest

from .algorithms import ALGORITHMS, Algorithm, Hyperparameters, Task
from .features import MAX_CATEGORIES, NUMERIC_TYPES
from .metrics import METRICS, PRIMARY_METRIC


class PlanError(Exception):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Candidate:
    algorithm: str
    hyperparameters: dict[str, Any]

    def describe(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "hyperparameters": self.hyperparameters}


@dataclass(frozen=True)
class TrainingPlan:
    """What a job will do: every candidate on every fold, then the best on all rows."""

    job_id: str
    dataset_id: str
    task: Task
    target: str | None
    features: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    folds: int
    group_by: str | None
    seed: int
    classes: int | None = None
    """Number of classes of a classification target."""
    family: str | None = None
    """The zoo family fine-tuned, for a fine-tuning job (else a tabular algorithm's)."""
    metric: str = ""
    """The metric that ranks candidates (by default, the task's)."""
    higher_is_better: bool = True
    threshold: tuple[str, float | None] | None = None
    """The goal of a binary classifier's tuned decision threshold, as
    :func:`~.metrics.best_threshold` takes it: ``("f1", None)``, ``("recall", 0.9)``."""
    data_seed: int = 0
    """The server's data seed: a fine-tuning job starts from the network it serves."""

    def __post_init__(self) -> None:
        if not self.metric:
            name = PRIMARY_METRIC[self.task]
            object.__setattr__(self, "metric", name)
            object.__setattr__(self, "higher_is_better", METRICS[self.task][name] == "higher")

    @property
    def units(self) -> int:
        """Fits the job makes: each candidate on each fold, and the final one."""
        return len(self.candidates) * self.folds + 1

    @property
    def primary_metric(self) -> str:
        return self.metric


MIN_ROWS_PER_FOLD = 2


def plan_tabular(
    job_id: str, request: TrainingJobRequest, dataset: Dataset, fine_tunable: tuple[str, ...] = ()
) -> TrainingPlan:
    """The plan of training tabular algorithms as ``request`` asks on ``dataset``;
    :class:`PlanError` if it cannot run. ``fine_tunable`` names the zoo families a
    job may fine-tune instead (for the message naming an unknown algorithm)."""
    names = [request.model] if isinstance(request.model, str) else list(request.model)
    if not names:
        raise PlanError("Name at least one algorithm.", "model")
    if len(names) != len(set(names)):
        raise PlanError("An algorithm is named twice.", "model")
    columns = {column.name: column for column in dataset.columns}
    target = _target_column(request, columns)
    trainable = ", ".join(sorted(ALGORITHMS)) + "; fine-tunable: " + ", ".join(fine_tunable)
    task = _task(names[0], target, trainable)
    algorithms = [
        _algorithm(name, task, target, i if len(names) > 1 else None, trainable)
        for i, name in enumerate(names)
    ]
    features = _features(request, columns)
    candidates = candidates_of(request, algorithms)
    classes = _check_rows(request, dataset, algorithms, target)
    _check_clusters(request, dataset, candidates)
    metric = _metric(request, task)
    return TrainingPlan(
        job_id=job_id,
        dataset_id=dataset.id,
        task=task,
        target=request.target,
        features=features,
        candidates=tuple(candidates),
        folds=request.validation.cv_folds,
        group_by=request.validation.group_by,
        seed=request.validation.seed,
        classes=classes,
        metric=metric,
        higher_is_better=METRICS[task][metric] == "higher",
        threshold=_threshold(request, task, classes),
    )


def _metric(request: TrainingJobRequest, task: Task) -> str:
    if request.metric is None:
        return PRIMARY_METRIC[task]
    if request.metric not in METRICS[task]:
        raise PlanError(
            f"{task} candidates are ranked by one of {', '.join(METRICS[task])}; "
            f"not '{request.metric}'.",
            "metric",
        )
    return request.metric


def _threshold(
    request: TrainingJobRequest, task: Task, classes: int | None
) -> tuple[str, float | None] | None:
    """The goal of a tuned decision threshold: ``("f1", None)``, ``("recall", 0.9)``
    or ``("precision", 0.8)``."""
    goal = request.threshold
    if goal is None:
        return None
    if task != "classification" or classes != 2:
        raise PlanError("A decision threshold is tuned for a target of two classes.", "threshold")
    if goal == "f1":
        return ("f1", None)
    if goal.min_recall is not None:
        return ("recall", goal.min_recall)
    return ("precision", goal.min_precision)


def _check_clusters(
    request: TrainingJobRequest, dataset: Dataset, candidates: list[Candidate]
) -> None:
    folds = request.validation.cv_folds
    # Each fold's model is fitted on the other folds' rows.
    fewest = dataset.rows - -(-dataset.rows // folds)
    for candidate in candidates:
        clusters = candidate.hyperparameters.get("n_clusters")
        if isinstance(clusters, int) and clusters > fewest:
            raise PlanError(
                f"{clusters} clusters need as many rows to fit on; a fold's model is "
                f"fitted on {fewest} of the {dataset.rows} rows.",
                "search.space.n_clusters" if request.search else "hyperparameters.n_clusters",
            )


def _target_column(
    request: TrainingJobRequest, columns: dict[str, ColumnProfile]
) -> ColumnProfile | None:
    if request.target is None:
        return None
    column = columns.get(request.target)
    if column is None:
        raise PlanError(f"The dataset has no column '{request.target}'.", "target")
    return column


def _task(name: str, target: ColumnProfile | None, trainable: str) -> Task:
    algorithms = ALGORITHMS.get(name)
    if algorithms is None:
        raise PlanError(f"Unknown algorithm '{name}'; trainable: {trainable}.", "model")
    tasks = {algorithm.task for algorithm in algorithms}
    if tasks == {"clustering"}:
        return "clustering"
    if target is None:
        raise PlanError(f"'{name}' learns a target: name the target column.", "target")
    if len(tasks) == 1:
        return next(iter(tasks))
    # random-forest: the target decides.
    return "classification" if _is_label(target) else "regression"


def _is_label(target: ColumnProfile) -> bool:
    if target.type in ("string", "boolean"):
        return True
    return (
        target.type == "integer"
        and target.distinct is not None
        and target.distinct <= MAX_CATEGORIES
    )


def _algorithm(
    name: str, task: Task, target: ColumnProfile | None, position: int | None, trainable: str
) -> Algorithm:
    field = "model" if position is None else f"model.{position}"
    choices = ALGORITHMS.get(name)
    if choices is None:
        raise PlanError(f"Unknown algorithm '{name}'; trainable: {trainable}.", field)
    for algorithm in choices:
        if algorithm.task == task:
            break
    else:
        raise PlanError(
            f"'{name}' does {choices[0].task}, not {task}: compare algorithms of one task.", field
        )
    if task == "clustering":
        return algorithm
    assert target is not None
    if task == "classification" and not _is_label(target):
        what = "numbers" if target.type in ("integer", "number") else f"{target.type} values"
        raise PlanError(
            f"'{name}' predicts classes, but the target '{target.name}' holds {what} "
            f"({target.distinct if target.distinct is not None else 'over 1000'} distinct); "
            f"a class target has at most {MAX_CATEGORIES} values. "
            "Use a regression algorithm for a number.",
            "target",
        )
    if task == "regression" and target.type not in ("integer", "number"):
        raise PlanError(
            f"'{name}' predicts a number, but the target '{target.name}' holds {target.type} "
            "values; use a classification algorithm.",
            "target",
        )
    return algorithm


def _features(request: TrainingJobRequest, columns: dict[str, ColumnProfile]) -> tuple[str, ...]:
    excluded = {request.target, request.validation.group_by}
    if request.features is not None:
        for name in request.features:
            column = columns.get(name)
            if column is None:
                raise PlanError(f"The dataset has no column '{name}'.", "features")
            if name in excluded:
                raise PlanError(f"'{name}' is the target or the grouping column.", "features")
            if not _usable(column):
                raise PlanError(f"Column '{name}' ({column.type}) cannot be a feature.", "features")
        chosen = list(request.features)
    else:
        chosen = [
            name for name, column in columns.items() if name not in excluded and _usable(column)
        ]
    if not chosen:
        raise PlanError(
            "No usable feature columns: numbers, booleans or texts of few values.", "features"
        )
    if request.validation.group_by is not None and request.validation.group_by not in columns:
        raise PlanError(
            f"The dataset has no column '{request.validation.group_by}'.", "validation.group_by"
        )
    return tuple(chosen)


def _usable(column: ColumnProfile) -> bool:
    if column.type in NUMERIC_TYPES:
        return True
    return (
        column.type == "string"
        and column.distinct is not None
        and column.distinct <= MAX_CATEGORIES
    )


def _hyperparameters(algorithm: Algorithm, values: dict[str, Any], field: str) -> Hyperparameters:
    try:
        return algorithm.hyperparameters.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        known = ", ".join(algorithm.hyperparameters.model_fields) or "none"
        raise PlanError(
            f"{algorithm.name}: hyperparameter '{where}': {error['msg']} "
            f"(its hyperparameters: {known}).",
            f"{field}.{where}" if where else field,
        ) from None


def candidates_of(request: TrainingJobRequest, algorithms: list[Algorithm]) -> list[Candidate]:
    """The candidates a job cross-validates: the one set of hyperparameters or the
    points of a search, per algorithm; compared algorithms each take their own
    hyperparameters and search space, keyed by name."""
    search = request.search
    if len(algorithms) == 1:
        (algorithm,) = algorithms
        return _candidates(
            algorithm, request.hyperparameters, search, "hyperparameters", "search.space"
        )
    names = {algorithm.name for algorithm in algorithms}
    for given, field in (
        (request.hyperparameters, "hyperparameters"),
        (search and search.space, "search.space"),
    ):
        for name, own in (given or {}).items():
            if name not in names:
                raise PlanError(f"'{name}' is not among the compared algorithms.", field)
            if not isinstance(own, dict):
                raise PlanError(
                    f"In a comparison, {field} is given per algorithm: "
                    '{"ridge": {"alpha": [0.1, 1.0]}}.',
                    f"{field}.{name}",
                )
    spaces: dict[str, Any] = dict(search.space) if search is not None else {}
    candidates = []
    for algorithm in algorithms:
        own = request.hyperparameters.get(algorithm.name, {})
        settings = None
        if search is not None and algorithm.name in spaces:
            share = search.max_candidates
            if search.method == "random":
                share = max(1, share // len(spaces))
            settings = search.model_copy(
                update={"space": spaces[algorithm.name], "max_candidates": share}
            )
        field = f"hyperparameters.{algorithm.name}"
        candidates += _candidates(algorithm, own, settings, field, f"search.space.{algorithm.name}")
    if search is not None and len(candidates) > search.max_candidates:
        raise PlanError(
            f"The comparison's grids hold {len(candidates)} candidates, over max_candidates "
            f"({search.max_candidates}); narrow them or use method='random'.",
            "search.space",
        )
    return candidates


def _candidates(
    algorithm: Algorithm,
    given: Any,
    search: SearchSettings | None,
    field: str,
    search_field: str,
) -> list[Candidate]:
    base = _hyperparameters(algorithm, given, field)
    if search is None:
        return [Candidate(algorithm.name, base.model_dump(mode="json"))]
    candidates = []
    seen: set[str] = set()
    for point in _search_points(search, algorithm, search_field):
        hp = _hyperparameters(algorithm, {**given, **point}, search_field)
        values = hp.model_dump(mode="json")
        key = repr(sorted(values.items()))
        if key not in seen:
            seen.add(key)
            candidates.append(Candidate(algorithm.name, values))
    return candidates


def _search_points(
    search: SearchSettings, algorithm: Algorithm, field: str = "search.space"
) -> list[dict[str, Any]]:
    if not search.space:
        raise PlanError("The search space is empty.", field)
    fields = algorithm.hyperparameters.model_fields
    for name in search.space:
        if name not in fields:
            known = ", ".join(fields) or "none"
            raise PlanError(
                f"{algorithm.name} has no hyperparameter '{name}' (its hyperparameters: {known}).",
                f"{field}.{name}",
            )
    if search.method == "grid":
        axes: list[list[Any]] = []
        for name, values in search.space.items():
            if not isinstance(values, list) or not values:
                raise PlanError(
                    f"A grid takes a non-empty list of values for '{name}'.", f"{field}.{name}"
                )
            axes.append(values)
        size = math.prod(len(axis) for axis in axes)
        if size > search.max_candidates:
            raise PlanError(
                f"The grid holds {size} combinations, over max_candidates "
                f"({search.max_candidates}); narrow it or use method='random'.",
                field,
            )
        return [dict(zip(search.space, point, strict=True)) for point in itertools.product(*axes)]
    rng = np.random.default_rng(search.seed)
    points = []
    for _ in range(search.max_candidates):
        point: dict[str, Any] = {}
        for name, values in search.space.items():
            point[name] = _draw(name, values, rng, f"{field}.{name}")
        points.append(point)
    return points


def _draw(name: str, values: Any, rng: np.random.Generator, field: str) -> Any:
    if isinstance(values, list) and values:
        return values[int(rng.integers(len(values)))]
    if isinstance(values, dict) and {"low", "high"} <= set(values):
        low, high = values["low"], values["high"]
        if (
            not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high))
            or low >= high
        ):
            raise PlanError(f"The range of '{name}' needs numbers low < high.", field)
        if values.get("log"):
            if low <= 0:
                raise PlanError(f"A log range of '{name}' needs low > 0.", field)
            return float(np.exp(rng.uniform(np.log(low), np.log(high))))
        if isinstance(low, int) and isinstance(high, int):
            return int(rng.integers(low, high + 1))
        return float(rng.uniform(low, high))
    raise PlanError(
        f'\'{name}\' takes a list of values or a range {{"low", "high", "log"}}.',
        field,
    )


def _check_rows(
    request: TrainingJobRequest,
    dataset: Dataset,
    algorithms: list[Algorithm],
    target: ColumnProfile | None,
) -> int | None:
    folds = request.validation.cv_folds
    rows = dataset.rows - (target.missing if target is not None else 0)
    if rows < folds * MIN_ROWS_PER_FOLD:
        raise PlanError(
            f"{rows} rows with a target are too few for {folds} folds "
            f"(at least {folds * MIN_ROWS_PER_FOLD}).",
            "validation.cv_folds",
        )
    for algorithm in algorithms:
        if algorithm.max_rows is not None and rows > algorithm.max_rows:
            raise PlanError(
                f"{algorithm.name} trains on at most {algorithm.max_rows} rows "
                f"(its cost grows with their square); this dataset has {rows}.",
                "model",
            )
    group_by = request.validation.group_by
    if group_by is not None:
        groups = next(column for column in dataset.columns if column.name == group_by)
        if groups.distinct is not None and groups.distinct < folds:
            raise PlanError(
                f"'{group_by}' has {groups.distinct} groups, too few for {folds} folds.",
                "validation.cv_folds",
            )
    if (
        target is None
        or dataset.quality.target is None
        or dataset.quality.target.column != target.name
    ):
        counts = None
    else:
        counts = dataset.quality.target.counts or None
    if algorithms[0].task != "classification" or target is None:
        return None
    if counts is None:
        counts = _class_counts(target)
    if len(counts) < 2:
        raise PlanError(f"The target '{target.name}' has a single class.", "target")
    if any(algorithm.binary_only for algorithm in algorithms) and len(counts) > 2:
        raise PlanError(
            f"svm takes a target of two classes; '{target.name}' has {len(counts)}. "
            "Use logistic-regression or random-forest.",
            "target",
        )
    smallest_class, smallest = min(counts.items(), key=lambda kv: kv[1])
    if group_by is None and smallest < folds:
        raise PlanError(
            f"Class '{smallest_class}' of '{target.name}' has {smallest} rows, too few for "
            f"{folds} stratified folds.",
            "validation.cv_folds",
        )
    return len(counts)


def _class_counts(target: ColumnProfile) -> dict[str, int]:
    # A label column's profile counts every one of its values (see ColumnProfile).
    return dict(target.top_values or {})
