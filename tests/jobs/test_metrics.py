"""Held-out metrics against scikit-learn's on the same inputs, and a fold's F1
against scikit-learn's for the positive class on imbalanced data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from aiaas.types import Dataset, TrainingJobRequest
from aiaas_mock.datasets.files import load_table
from aiaas_mock.training.cross_validation import folds_of, labels_of, training_rows
from aiaas_mock.training.driver import plan_training
from aiaas_mock.training.features import FeatureEncoder
from aiaas_mock.training.metrics import (
    average_precision,
    best_threshold,
    classification_metrics,
    regression_metrics,
    roc_auc,
)
from aiaas_mock.training.units import TableRef, columns_needed, fold_unit
from tests.jobs.ingested import ingested
from tests.tables import machining_runs

# The same arithmetic as scikit-learn's on the same machine: only summation order
# may differ.
CLOSE = 1e-9


class NotCancelled:
    def is_set(self) -> bool:
        return False


@pytest.mark.parametrize("seed", range(5))
def test_ranking_metrics_equal_scikit_learns_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    truth = rng.random(300) < 0.07  # rare failures, as plants have them
    truth[:2] = [True, False]
    score: Any = np.round(rng.random(300) * 0.6 + truth * 0.3, 1)  # coarse: many ties
    assert roc_auc(truth, score) == pytest.approx(roc_auc_score(truth, score), abs=CLOSE)
    assert average_precision(truth, score) == pytest.approx(
        average_precision_score(truth, score), abs=CLOSE
    )


@pytest.mark.parametrize("classes", [2, 4])
def test_classification_metrics_equal_scikit_learns(classes: int) -> None:
    rng = np.random.default_rng(classes)
    codes = rng.choice(classes, 400, p=[0.85, *[0.15 / (classes - 1)] * (classes - 1)])
    proba = rng.dirichlet(np.ones(classes), 400)
    proba[np.arange(400), codes] += 0.3
    proba /= proba.sum(axis=1, keepdims=True)
    positive = 1 if classes == 2 else None
    got = classification_metrics(codes, proba, positive)
    predicted = proba.argmax(axis=1)
    assert got["accuracy"] == pytest.approx(float(np.mean(predicted == codes)), abs=CLOSE)
    assert got["balanced_accuracy"] == pytest.approx(
        balanced_accuracy_score(codes, predicted), abs=CLOSE
    )
    assert got["log_loss"] == pytest.approx(
        log_loss(codes, proba, labels=list(range(classes))), abs=1e-6
    )
    if positive is None:
        assert got["f1"] == pytest.approx(f1_score(codes, predicted, average="macro"), abs=CLOSE)
    else:
        assert got["f1"] == pytest.approx(f1_score(codes, predicted, pos_label=1), abs=CLOSE)
        assert got["recall"] == pytest.approx(recall_score(codes, predicted), abs=CLOSE)
        assert got["precision"] == pytest.approx(precision_score(codes, predicted), abs=CLOSE)
        assert got["roc_auc"] == pytest.approx(roc_auc_score(codes, proba[:, 1]), abs=CLOSE)


def test_a_threshold_changes_the_predicted_class_and_f1() -> None:
    codes = np.array([0, 0, 0, 1, 1])
    proba = np.array([[0.9, 0.1], [0.7, 0.3], [0.75, 0.25], [0.65, 0.35], [0.2, 0.8]])
    assert classification_metrics(codes, proba, 1)["f1"] == pytest.approx(2 / 3)
    assert classification_metrics(codes, proba, 1, threshold=0.35)["f1"] == pytest.approx(1.0)
    assert best_threshold(codes == 1, proba[:, 1], "f1", None) == pytest.approx(0.35)
    # The highest threshold that still finds every failure.
    assert best_threshold(codes == 1, proba[:, 1], "recall", 1.0) == pytest.approx(0.35)


def test_regression_metrics_are_the_usual_ones() -> None:
    truth = np.array([1.0, 2.0, 3.0, 4.0])
    predicted = np.array([1.5, 2.0, 2.0, 5.0])
    got = regression_metrics(truth, predicted)
    assert got["mae"] == pytest.approx(0.625)
    assert got["rmse"] == pytest.approx(np.sqrt((0.25 + 0 + 1 + 1) / 4))
    assert got["r2"] == pytest.approx(1 - 2.25 / 5)


@pytest.fixture(scope="module")
def rare_failures(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Dataset]:
    directory = tmp_path_factory.mktemp("rare")
    dataset = ingested(directory, machining_runs(rows=1200, seed=3), "failed")
    return directory, dataset


def test_a_folds_f1_is_the_failures_f1_as_scikit_learn_computes_it(
    rare_failures: tuple[Path, Dataset],
) -> None:
    directory, dataset = rare_failures
    features = ["machine", "speed", "torque", "tool_wear"]
    request = TrainingJobRequest(
        model="logistic-regression", dataset_id=dataset.id, target="failed", features=features
    )
    plan = plan_training("tj_f1", request, dataset)
    table = load_table(directory, list(columns_needed(plan)))
    rows = training_rows(table, plan)
    labels = labels_of(table, plan, rows)
    assert 0.03 < np.mean(labels.astype(bool)) < 0.3, "the test needs imbalanced classes"
    for fold, (train, test) in enumerate(folds_of(table, plan, rows)):
        encoder = FeatureEncoder.fit(table, plan.features, train)
        truth: Any = labels_of(table, plan, test).astype(bool)
        reference = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        reference.fit(
            encoder.encode_table(table, train), labels_of(table, plan, train).astype(bool)
        )
        predicted = reference.predict(encoder.encode_table(table, test))
        expected = f1_score(truth, predicted, pos_label=True)
        assert expected != pytest.approx(f1_score(truth, predicted, pos_label=False), abs=0.2)
        metrics = fold_unit(
            TableRef(str(directory), columns_needed(plan)), plan, 0, fold, NotCancelled()
        ).metrics
        assert metrics["f1"] == pytest.approx(expected, abs=1e-6)
        assert metrics["roc_auc"] == pytest.approx(
            roc_auc_score(truth, reference.predict_proba(encoder.encode_table(table, test))[:, 1]),
            abs=1e-6,
        )
