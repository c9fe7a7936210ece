"""regime-kmeans: finds the six FD002 regimes without being told how many."""

from __future__ import annotations

import numpy as np

from aiaas_mock.zoo.regime_kmeans import REGIME_KMEANS
from aiaas_mock.zoo.regime_kmeans import data as regimes
from aiaas_mock.zoo.regime_kmeans.model import evaluate, train
from aiaas_mock.zoo.regime_kmeans.serving import RegimePredictor


def test_generator_is_deterministic() -> None:
    a = regimes.generate_cycles(300, seed=5)
    b = regimes.generate_cycles(300, seed=5)
    assert np.array_equal(a.settings, b.settings)
    assert set(np.unique(a.regime)) == set(range(6))


def test_silhouette_picks_six_regimes_and_recovers_them() -> None:
    model = REGIME_KMEANS.load(0, {})
    assert model.metrics["k"] == 6
    assert model.metrics["adjusted_rand_index"] >= 0.95
    assert isinstance(model.predictor, RegimePredictor)
    held_out = evaluate(model.predictor.model, regimes.generate_cycles(2_000, 77))
    assert held_out["adjusted_rand_index"] >= 0.95


def test_regime_numbers_are_stable_across_seeds() -> None:
    probe = np.array(regimes.OPERATING_CONDITIONS)
    for seed in (1, 2):
        model, _ = train(regimes.generate_cycles(1_500, seed), seed=seed)
        numbers, _ = model.assign(probe)
        assert list(numbers) == [0, 1, 2, 3, 4, 5]
