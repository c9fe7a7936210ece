"""Models served from their fitted parameters: the numpy arithmetic gives
scikit-learn's answers, the shipped parameters are what training gives, and a
server that loads them imports no scikit-learn."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from sklearn.preprocessing import SplineTransformer

from aiaas_mock.zoo.energy_regression import ENERGY_REGRESSION
from aiaas_mock.zoo.energy_regression.data import generate_line_hours
from aiaas_mock.zoo.energy_regression.serving import EnergyPredictor
from aiaas_mock.zoo.kit.splines import SplineFeatures
from aiaas_mock.zoo.regime_kmeans import REGIME_KMEANS
from aiaas_mock.zoo.regime_kmeans.data import generate_cycles
from aiaas_mock.zoo.regime_kmeans.serving import RegimePredictor


@pytest.mark.parametrize("degree", [1, 2, 3])
def test_spline_features_match_scikit_learn_inside_and_beyond_the_range(degree: int) -> None:
    values = np.random.default_rng(degree).normal(10.0, 8.0, 2_000)
    fitted = SplineTransformer(n_knots=8, degree=degree, extrapolation="linear")
    fitted.fit(values.reshape(-1, 1))
    served = SplineFeatures.from_transformer(fitted)
    probe = np.concatenate([np.linspace(-60.0, 80.0, 1_401), [values.min(), values.max()]])
    expected = fitted.transform(probe.reshape(-1, 1))
    # The same recursion summed in another order: a few ulps.
    assert np.abs(served.transform(probe) - expected).max() < 1e-12
    assert (probe < values.min()).any()
    assert (probe > values.max()).any()


def test_spline_features_refuse_other_settings() -> None:
    fitted = SplineTransformer(extrapolation="constant").fit(np.arange(20.0).reshape(-1, 1))
    with pytest.raises(TypeError, match="linear"):
        SplineFeatures.from_transformer(fitted)


def test_shipped_energy_parameters_are_what_training_gives() -> None:
    shipped, trained = ENERGY_REGRESSION.load(0, {}), ENERGY_REGRESSION.train(0)
    assert isinstance(shipped.predictor, EnergyPredictor)
    assert isinstance(trained.predictor, EnergyPredictor)
    # Rounded to four places; another CPU's kernels may move the last one.
    assert shipped.metrics == pytest.approx(trained.metrics, abs=0.005)
    hours = generate_line_hours(500, seed=9)
    # The ridge solve on another CPU's BLAS kernels ends a hair apart, not by watts.
    assert shipped.predictor.model.predict_kwh(hours) == pytest.approx(
        trained.predictor.model.predict_kwh(hours), abs=1e-6
    )
    assert shipped.predictor.model.half_width(0.9) == pytest.approx(
        trained.predictor.model.half_width(0.9), abs=1e-6
    )


def test_shipped_regime_parameters_are_what_training_gives() -> None:
    shipped, trained = REGIME_KMEANS.load(0, {}), REGIME_KMEANS.train(0)
    assert isinstance(shipped.predictor, RegimePredictor)
    assert isinstance(trained.predictor, RegimePredictor)
    # Rounded to four places; another CPU's kernels may move the last one.
    assert shipped.metrics == pytest.approx(trained.metrics, abs=0.005)
    settings = generate_cycles(500, seed=9).settings
    shipped_regimes, shipped_distances = shipped.predictor.model.assign(settings)
    trained_regimes, trained_distances = trained.predictor.model.assign(settings)
    assert np.array_equal(shipped_regimes, trained_regimes)
    assert shipped_distances == pytest.approx(trained_distances, abs=1e-9)


def test_another_data_seed_trains_on_its_own_data() -> None:
    assert REGIME_KMEANS.load(1, {}).predictor is not REGIME_KMEANS.load(0, {}).predictor


def test_a_server_answering_with_them_imports_no_scikit_learn() -> None:
    script = """
import sys
from aiaas_mock.zoo.registry import SYSTEM_MODELS
from aiaas_mock.model_loader import ModelLoader
catalogue = ModelLoader(SYSTEM_MODELS, data_seed=0)
for model_id in ("quality-logreg", "quality-svm", "energy-regression", "regime-kmeans"):
    catalogue.system(model_id)
print("sklearn" in sys.modules, "scipy" in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
