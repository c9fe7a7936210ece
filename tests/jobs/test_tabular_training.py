"""Training plans, folds, and tabular models served from their parameters."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from aiaas.types import Dataset, TrainingJobRequest
from aiaas_mock.datasets.files import load_table
from aiaas_mock.training import algorithms
from aiaas_mock.training.cross_validation import folds_of, labels_of, usable_rows
from aiaas_mock.training.driver import plan_training
from aiaas_mock.training.plan import PlanError
from aiaas_mock.training.serving import load, trained_card
from aiaas_mock.training.units import TableRef, columns_needed, final_unit, fold_unit
from aiaas_mock.workers import Cancelled
from tests.jobs.ingested import ingested
from tests.tables import machining_runs


class NotCancelled:
    def is_set(self) -> bool:
        return False


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Dataset]:
    directory = tmp_path_factory.mktemp("runs")
    dataset = ingested(directory, machining_runs(rows=800), "failed", dataset_id="ds_runs")
    return directory, dataset


def plan(dataset: Dataset, **request: Any) -> Any:
    return plan_training("tj_test", TrainingJobRequest(dataset_id=dataset.id, **request), dataset)


@pytest.mark.parametrize(
    ("request_fields", "field", "says"),
    [
        ({"model": "xgboost", "target": "failed"}, "model", "Unknown algorithm 'xgboost'"),
        ({"model": "ridge", "target": "nope"}, "target", "no column 'nope'"),
        ({"model": "ridge", "target": "machine"}, "target", "predicts a number"),
        ({"model": "logistic-regression", "target": "speed"}, "target", "predicts classes"),
        ({"model": "ridge"}, "target", "name the target"),
        ({"model": "ridge", "target": "energy_kwh", "hyperparameters": {"alpha": -1}},
         "hyperparameters.alpha", "greater than or equal"),
        ({"model": "ridge", "target": "energy_kwh", "hyperparameters": {"beta": 1}},
         "hyperparameters.beta", "its hyperparameters: alpha"),
        ({"model": "ridge", "target": "energy_kwh", "search": {"space": {"alpha": [1, 2, 3]},
                                                               "max_candidates": 2}},
         "search.space", "3 combinations"),
        ({"model": "ridge", "target": "energy_kwh", "search": {"space": {"gamma": [1]}}},
         "search.space.gamma", "no hyperparameter 'gamma'"),
        ({"model": "ridge", "target": "energy_kwh", "features": ["energy_kwh"]}, "features",
         "is the target"),
        ({"model": "ridge", "target": "energy_kwh", "features": ["pressure"]}, "features",
         "no column 'pressure'"),
        ({"model": "ridge", "target": "energy_kwh", "validation": {"cv_folds": 20,
                                                                   "group_by": "machine"}},
         "validation.cv_folds", "3 groups, too few for 20 folds"),
        ({"model": ["ridge", "logistic-regression"], "target": "energy_kwh"}, "model.1",
         "compare algorithms of one task"),
        ({"model": ["ridge", "ridge"], "target": "energy_kwh"}, "model", "named twice"),
        ({"model": "k-means", "features": ["speed"], "hyperparameters": {"n_clusters": 1}},
         "hyperparameters.n_clusters", "greater than or equal to 2"),
        ({"model": "ridge", "target": "energy_kwh", "metric": "f1"}, "metric",
         "ranked by one of rmse, mae, r2"),
        ({"model": "ridge", "target": "energy_kwh", "threshold": "f1"}, "threshold",
         "two classes"),
        ({"model": "random-forest", "target": "machine", "threshold": "f1"}, "threshold",
         "two classes"),
        ({"model": ["ridge", "random-forest"], "target": "energy_kwh",
          "search": {"space": {"svm": {"C": [1]}}}}, "search.space",
         "not among the compared"),
        ({"model": ["ridge", "random-forest"], "target": "energy_kwh",
          "search": {"space": {"ridge": {"alpha": [1, 2, 3]},
                               "random-forest": {"max_depth": [2, 4, 6]}},
                     "max_candidates": 5}}, "search.space", "grids hold 6 candidates"),
        ({"model": ["ridge", "random-forest"], "target": "energy_kwh",
          "search": {"space": {"ridge": {"beta": [1]}}}}, "search.space.ridge.beta",
         "no hyperparameter 'beta'"),
    ],
)  # fmt: skip
def test_a_request_the_dataset_cannot_serve_is_refused_before_it_runs(
    runs: tuple[Path, Dataset], request_fields: dict[str, Any], field: str, says: str
) -> None:
    with pytest.raises(PlanError) as caught:
        plan(runs[1], **request_fields)
    assert caught.value.field == field
    assert says in caught.value.message


def test_too_few_rows_of_a_class_for_stratified_folds(tmp_path: Path) -> None:
    rows = b"".join(f"{i},{'a' if i < 3 else 'b'}\n".encode() for i in range(40))
    dataset = ingested(tmp_path, b"x,y\n" + rows)
    with pytest.raises(PlanError) as caught:
        plan(dataset, model="logistic-regression", target="y")
    assert caught.value.field == "validation.cv_folds"
    assert "Class 'a' of 'y' has 3 rows" in caught.value.message


def test_searches_are_bounded_and_distinct(runs: tuple[Path, Dataset]) -> None:
    grid = plan(
        runs[1],
        model="random-forest",
        target="failed",
        search={"method": "grid", "space": {"max_depth": [2, 4], "n_estimators": [5, 10, 5]}},
    )
    assert [c.hyperparameters["max_depth"] for c in grid.candidates] == [2, 2, 4, 4]
    drawn = plan(
        runs[1],
        model="ridge",
        target="energy_kwh",
        search={
            "method": "random",
            "space": {"alpha": {"low": 0.001, "high": 1000, "log": True}},
            "max_candidates": 20,
        },
    )
    alphas = [c.hyperparameters["alpha"] for c in drawn.candidates]
    assert len(alphas) == 20
    assert all(0.001 <= a <= 1000 for a in alphas)
    assert min(alphas) < 0.1
    assert max(alphas) > 10
    assert drawn.units == 20 * 5 + 1


def test_folds_are_stratified_or_grouped_and_the_same_every_time(
    runs: tuple[Path, Dataset],
) -> None:
    directory, dataset = runs
    stratified = plan(dataset, model="logistic-regression", target="failed", features=["speed"])
    table = load_table(directory, list(columns_needed(stratified)))
    rows = usable_rows(table, stratified)
    folds = folds_of(table, stratified, rows)
    labels = table.columns["failed"]
    shares = [labels[test].mean() for _, test in folds]
    assert max(shares) - min(shares) < 2 / len(folds[0][1])
    held = np.concatenate([test for _, test in folds])
    assert sorted(held.tolist()) == rows.tolist()  # every row held out exactly once
    again = folds_of(table, stratified, rows)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again, strict=True))

    grouped = plan(
        dataset,
        model="ridge",
        target="energy_kwh",
        features=["speed"],
        validation={"cv_folds": 4, "group_by": "part"},
    )
    table = load_table(directory, list(columns_needed(grouped)))
    for train, test in folds_of(table, grouped, usable_rows(table, grouped)):
        parts = table.columns["part"]
        assert not set(parts[train]) & set(parts[test])


def _fit_and_serve(directory: Path, training: Any) -> tuple[Any, Any]:
    ref = TableRef(str(directory), columns_needed(training))
    artifact = final_unit(ref, training, 0, NotCancelled())
    card = trained_card(
        "m",
        artifact,
        tenant_id="t",
        dataset_name="runs",
        dataset_id="ds_runs",
        rows=800,
        folds=training.folds,
        grouped_by=training.group_by,
        metrics={},
        training_job_id="tj_test",
    )
    return load("m", artifact, card), card


@pytest.mark.parametrize(
    ("model", "target"),
    [
        ("logistic-regression", "failed"),
        ("svm", "failed"),
        ("random-forest", "failed"),
        ("random-forest", "machine"),
        ("linear-regression", "energy_kwh"),
        ("ridge", "energy_kwh"),
        ("random-forest", "energy_kwh"),
        ("hist-gradient-boosting", "failed"),
        ("hist-gradient-boosting", "machine"),
        ("hist-gradient-boosting", "energy_kwh"),
        ("k-means", None),
    ],
)
def test_served_parameters_answer_as_scikit_learn_does(
    runs: tuple[Path, Dataset], model: str, target: str | None
) -> None:
    directory, dataset = runs
    features = [name for name in ("machine", "speed", "torque", "tool_wear") if name != target]
    training = plan(dataset, model=model, target=target, features=features)
    loaded, card = _fit_and_serve(directory, training)
    assert card.task in ("tabular-classification", "tabular-regression", "clustering")
    table = load_table(directory)
    rows = [{name: _plain(table.columns[name][i]) for name in features} for i in range(0, 800, 7)]
    inputs = [loaded.spec.input_type.model_validate(row) for row in rows]
    served = loaded.predictor.predict(inputs, None)
    # The same fit with scikit-learn's own predict, on the same encoded rows.
    predictor = loaded.predictor
    x = predictor.encoder.encode_rows(rows)
    if training.task == "clustering":
        assert [o.cluster for o in served] == predictor.model.assign(x)[0].tolist()
        return
    reference = _sklearn_reference(model, training, directory, features, target)
    if training.task == "classification":
        expected = reference.predict_proba(_sklearn_x(reference, x))
        got = np.array([[o.probabilities[k] for k in o.probabilities] for o in served])
        np.testing.assert_allclose(got, expected, atol=2e-6)  # served rounds to 6 places
    else:
        expected = reference.predict(_sklearn_x(reference, x))
        np.testing.assert_allclose([o.prediction for o in served], expected, rtol=1e-9)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and np.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _sklearn_x(reference: Any, x: Any) -> Any:
    standardise = getattr(reference, "_aiaas_standardise", None)
    return standardise(x) if standardise else x


def _sklearn_reference(
    model: str, training: Any, directory: Path, features: list[str], target: str | None
) -> Any:
    """The same algorithm fitted by scikit-learn directly on the same encoding."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from aiaas_mock.training.features import FeatureEncoder

    table = load_table(directory)
    rows = usable_rows(table, training)
    encoder = FeatureEncoder.fit(table, features, rows)
    x = encoder.encode_table(table, rows)
    y = labels_of(table, training, rows)
    if training.task == "classification":
        classes = sorted(set(y.tolist()), key=lambda v: (type(v).__name__, v))
        y = np.array([classes.index(v) for v in y.tolist()])
    hp: Any = training.candidates[0].hyperparameters
    if model == "logistic-regression":
        return make_pipeline(StandardScaler(), LogisticRegression(C=hp["C"], max_iter=2000)).fit(
            x, y
        )
    if model == "svm":
        return CalibratedClassifierCV(
            make_pipeline(StandardScaler(), SVC(C=hp["C"], gamma=hp["gamma"])),
            method="sigmoid",
            ensemble=False,
            cv=3,
        ).fit(x, y)
    if model == "hist-gradient-boosting":
        boosting = (
            HistGradientBoostingClassifier
            if training.task == "classification"
            else HistGradientBoostingRegressor
        )
        return boosting(early_stopping=False, random_state=training.seed).fit(x, y)
    if model == "random-forest":
        kind = (
            RandomForestClassifier if training.task == "classification" else RandomForestRegressor
        )
        return kind(
            n_estimators=hp["n_estimators"],
            max_depth=hp["max_depth"],
            min_samples_leaf=hp["min_samples_leaf"],
            random_state=training.seed,
            n_jobs=1,
        ).fit(x, y)
    mean, scale = algorithms.standardise(x)
    regressor = Ridge(alpha=hp["alpha"]) if model == "ridge" else LinearRegression()
    regressor.fit((x - mean) / scale, y)
    regressor._aiaas_standardise = lambda v: (v - mean) / scale
    return regressor


def test_fold_metrics_measure_held_out_rows(runs: tuple[Path, Dataset]) -> None:
    directory, dataset = runs
    training = plan(
        dataset, model="ridge", target="energy_kwh", features=["machine", "speed", "torque"]
    )
    ref = TableRef(str(directory), columns_needed(training))
    metrics = [fold_unit(ref, training, 0, fold, NotCancelled()).metrics for fold in range(5)]
    # energy = 0.004 speed + 0.15 torque + 1.5 [machine C] + noise of sd 0.3 (and
    # the rows whose torque is missing are imputed): a held-out RMSE near 0.3.
    rmse = np.mean([m["rmse"] for m in metrics])
    assert 0.25 < rmse < 0.45
    assert all(m["r2"] > 0.8 for m in metrics)


def test_a_cancelled_unit_does_no_work(runs: tuple[Path, Dataset]) -> None:

    class Set:
        def is_set(self) -> bool:
            return True

    directory, dataset = runs
    training = plan(dataset, model="ridge", target="energy_kwh")
    with pytest.raises(Cancelled):
        fold_unit(TableRef(str(directory), columns_needed(training)), training, 0, 0, Set())


def test_more_clusters_than_a_fold_fits_on_are_refused(tmp_path: Path) -> None:
    small = ingested(tmp_path, machining_runs(rows=40), None)
    with pytest.raises(PlanError, match="a fold's model is fitted on 32 of the 40 rows") as caught:
        plan(small, model="k-means", features=["speed"], hyperparameters={"n_clusters": 33})
    assert caught.value.field == "hyperparameters.n_clusters"
    assert plan(small, model="k-means", features=["speed"], hyperparameters={"n_clusters": 32})


def test_a_comparison_searches_each_algorithm_in_its_own_space(
    runs: tuple[Path, Dataset],
) -> None:
    training = plan(
        runs[1],
        model=["logistic-regression", "random-forest", "hist-gradient-boosting"],
        target="failed",
        hyperparameters={"random-forest": {"n_estimators": 20}},
        search={
            "space": {
                "logistic-regression": {"C": [0.1, 1.0], "class_weight": [None, "balanced"]},
                "random-forest": {"max_depth": [3, 6]},
            }
        },
        metric="pr_auc",
    )
    described = [(c.algorithm, c.hyperparameters) for c in training.candidates]
    assert [name for name, _ in described].count("logistic-regression") == 4
    forests = [hp for name, hp in described if name == "random-forest"]
    assert [hp["max_depth"] for hp in forests] == [3, 6]
    assert all(hp["n_estimators"] == 20 for hp in forests)
    assert [name for name, _ in described].count("hist-gradient-boosting") == 1
    assert (training.metric, training.higher_is_better) == ("pr_auc", True)


@pytest.mark.parametrize("field", ["validation", "search"])
def test_a_negative_seed_is_refused_by_the_request_type(field: str) -> None:
    from pydantic import ValidationError

    extra: dict[str, Any] = {"seed": -1}
    if field == "search":
        extra["space"] = {"alpha": [1.0]}
    with pytest.raises(ValidationError):
        TrainingJobRequest.model_validate({"model": "ridge", "dataset_id": "d", field: extra})


def test_cancel_stops_a_large_forest_within_two_seconds(tmp_path: Path) -> None:
    """A fit in progress sees the cancellation between two chunks of trees."""
    dataset = ingested(tmp_path, machining_runs(rows=20_000, seed=2), "failed")
    training = plan(
        dataset,
        model="random-forest",
        target="failed",
        hyperparameters={"n_estimators": 200, "max_depth": 16},
    )

    class After:
        def __init__(self, seconds: float) -> None:
            self.at = time.monotonic() + seconds

        def is_set(self) -> bool:
            return time.monotonic() >= self.at

    ref = TableRef(str(tmp_path), columns_needed(training))
    flag = After(0.5)
    with pytest.raises(Cancelled):
        fold_unit(ref, training, 0, 0, flag)
    assert time.monotonic() - flag.at < 2.0


def test_columns_may_have_any_name() -> None:
    from aiaas_mock.training.features import FeatureEncoder
    from aiaas_mock.training.serving import input_type

    encoder = FeatureEncoder(
        numeric=("_id", "json"),
        medians=(0.0, 1.0),
        categorical=(("model_config", ("a", "b")),),
        types={"_id": "integer", "json": "number", "model_config": "string"},
    )
    row_type = input_type("m", encoder)
    row = row_type.model_validate({"_id": 3, "json": 2.5, "model_config": "b"})
    assert row.model_dump(by_alias=True) == {"_id": 3, "json": 2.5, "model_config": "b"}
    assert encoder.encode_rows([row.model_dump(by_alias=True)]).tolist() == [[3.0, 2.5, 0.0, 1.0]]
    assert list(row_type.model_json_schema()["properties"]) == ["_id", "json", "model_config"]
    with pytest.raises(ValueError, match="Extra inputs"):
        row_type.model_validate({"_id": 3, "typo": 1})
