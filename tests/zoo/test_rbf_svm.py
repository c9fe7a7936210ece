"""Serving a Platt-scaled RBF SVM through its parameters gives scikit-learn's answers."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from aiaas_mock.zoo.kit.linear_pipeline import LinearPipeline
from aiaas_mock.zoo.kit.rbf_svm import PlattRbfSvm
from aiaas_mock.zoo.quality import data as process_runs
from aiaas_mock.zoo.quality.model import features

# The kernel is summed in another order than libsvm's; a probability moves by a
# few ulps of its decision value.
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def fitted() -> tuple[CalibratedClassifierCV, np.ndarray]:
    runs = process_runs.generate_process_runs(3_000, seed=31)
    x = features(runs)
    svm = make_pipeline(StandardScaler(), SVC(C=1.0, gamma="scale"))
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    model = CalibratedClassifierCV(svm, method="sigmoid", cv=folds, ensemble=False)
    return model.fit(x[:2_000], runs.failed[:2_000]), x[2_000:]


def test_probabilities_match_scikit_learn(
    fitted: tuple[CalibratedClassifierCV, np.ndarray],
) -> None:
    model, held_out = fitted
    served = PlattRbfSvm.from_calibrated(model)
    expected = model.predict_proba(held_out)[:, 1]
    assert np.abs(served.positive_probability(held_out) - expected).max() < TOLERANCE
    assert expected.max() > 0.5 > expected.min()  # both classes are covered


def test_parameters_survive_their_file_form(
    fitted: tuple[CalibratedClassifierCV, np.ndarray],
) -> None:
    model, held_out = fitted
    served = PlattRbfSvm.from_calibrated(model)
    again = PlattRbfSvm.from_params(served.to_params())
    assert np.array_equal(
        again.positive_probability(held_out), served.positive_probability(held_out)
    )


def test_linear_pipeline_parameters_survive_their_file_form() -> None:
    runs = process_runs.generate_process_runs(2_000, seed=32)
    x = features(runs)
    from sklearn.linear_model import LogisticRegression

    pipeline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(
        x, runs.failed
    )
    served = LinearPipeline.from_pipeline(pipeline)
    again = LinearPipeline.from_params(served.to_params())
    assert np.array_equal(again.predict_proba(x), served.predict_proba(x))
    assert np.array_equal(again.predict(x), served.predict(x))


def test_refuses_what_it_cannot_serve() -> None:
    runs = process_runs.generate_process_runs(600, seed=33)
    x = features(runs)
    linear = make_pipeline(StandardScaler(), SVC(kernel="linear"))
    model = CalibratedClassifierCV(linear, method="sigmoid", cv=3, ensemble=False)
    with pytest.raises(TypeError, match="RBF"):
        PlattRbfSvm.from_calibrated(model.fit(x, runs.failed))
