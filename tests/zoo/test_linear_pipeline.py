"""Serving a scaler → logistic regression pipeline through its parameters gives
scikit-learn's answers."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from aiaas_mock.zoo.kit.linear_pipeline import LinearPipeline
from aiaas_mock.zoo.quality import data as process_runs
from aiaas_mock.zoo.quality.model import features

# Same arithmetic in another order (numpy's matmul against scikit-learn's
# safe_sparse_dot and expit): differences are a few ulps of a probability.
TOLERANCE = 1e-12


@pytest.fixture(scope="module")
def runs() -> process_runs.ProcessData:
    return process_runs.generate_process_runs(6_000, seed=21)


def test_binary_pipeline_matches_scikit_learn(runs: process_runs.ProcessData) -> None:
    x = features(runs)
    fitted = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    fitted.fit(x[:4_000], runs.failed[:4_000])
    served = LinearPipeline.from_pipeline(fitted)
    held_out = x[4_000:]
    expected = fitted.predict_proba(held_out)
    assert np.abs(served.predict_proba(held_out) - expected).max() < TOLERANCE
    assert np.array_equal(served.predict(held_out), fitted.predict(held_out))
    assert expected[:, 1].max() > 0.5  # the comparison covers both classes


def test_multiclass_pipeline_matches_scikit_learn(runs: process_runs.ProcessData) -> None:
    failed = runs.failed == 1
    x, modes = features(runs)[failed], runs.failure_mode[failed]
    fitted = make_pipeline(StandardScaler(), LogisticRegression(C=10.0, max_iter=5000))
    fitted.fit(x, modes)
    served = LinearPipeline.from_pipeline(fitted)
    assert len(served.classes) > 2
    assert np.abs(served.predict_proba(x) - fitted.predict_proba(x)).max() < TOLERANCE
    assert np.array_equal(served.predict(x), fitted.predict(x))


def test_single_row_matches_scikit_learn(runs: process_runs.ProcessData) -> None:
    x = features(runs)
    fitted = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(x, runs.failed)
    served = LinearPipeline.from_pipeline(fitted)
    for row in x[:20]:
        one = row.reshape(1, -1)
        assert np.abs(served.predict_proba(one) - fitted.predict_proba(one)).max() < TOLERANCE


def test_other_pipelines_are_refused() -> None:
    x = np.arange(20.0).reshape(10, 2)
    y = np.array([0, 1] * 5)
    with pytest.raises(TypeError, match="LogisticRegression"):
        LinearPipeline.from_pipeline(make_pipeline(StandardScaler(), SVC()).fit(x, y))
