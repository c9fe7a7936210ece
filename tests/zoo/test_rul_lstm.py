"""rul-lstm: the generator, the shipped weights' RMSE, training determinism."""

from __future__ import annotations

import numpy as np
import pytest

from aiaas_mock.zoo.rul_lstm import RUL_LSTM
from aiaas_mock.zoo.rul_lstm import data as rul
from aiaas_mock.zoo.rul_lstm.network import train
from aiaas_mock.zoo.rul_lstm.serving import RulPredictor
from aiaas_mock.zoo.rul_lstm.train import evaluate, nasa_score


def test_generator_is_deterministic_and_fd001_shaped() -> None:
    engines = rul.generate_engines(20, seed=4)
    again = rul.generate_engines(20, seed=4)
    assert all(np.array_equal(a.readings, b.readings) for a, b in zip(engines, again, strict=True))
    assert all(128 <= e.life <= 362 for e in engines)
    assert engines[0].readings.shape[1] == 14
    # Temperatures rise towards failure, pressures fall.
    t50 = rul.SENSOR_NAMES.index("T50")
    p30 = rul.SENSOR_NAMES.index("P30")
    for engine in engines:
        assert engine.readings[-10:, t50].mean() > engine.readings[:10, t50].mean()
        assert engine.readings[-10:, p30].mean() < engine.readings[:10, p30].mean()


def test_windows_and_targets() -> None:
    engine = rul.generate_engines(1, seed=0)[0]
    inputs, targets = rul.windows([engine])
    assert inputs.shape == (engine.life - 29, 30, 14)
    assert targets[-1] == 0
    assert targets.max() == min(engine.life - 30, 125)


def test_nasa_score_punishes_late_predictions_more() -> None:
    actual = np.array([50.0])
    assert nasa_score(actual + 10, actual) > nasa_score(actual - 10, actual)
    assert nasa_score(actual, actual) == 0


def test_shipped_weights_beat_the_mean_by_their_card() -> None:
    model = RUL_LSTM.load(0, {})
    predictor = model.predictor
    assert isinstance(predictor, RulPredictor)
    _, targets = rul.windows(rul.generate_engines(100, seed=0))
    test_inputs, test_targets = rul.truncated_test_set(rul.generate_engines(100, seed=1), seed=2)
    metrics = evaluate(predictor.network, predictor.scaler, test_inputs, test_targets, targets)
    assert metrics["rmse"] <= 0.65 * metrics["baseline_rmse"]
    assert metrics["rmse"] == pytest.approx(model.metrics["rmse"], abs=1e-3)
    assert "nasa_score" in model.metrics


def test_training_is_deterministic_for_a_seed() -> None:
    inputs, targets = rul.windows(rul.generate_engines(3, seed=1))

    def weights() -> list[np.ndarray]:
        network, _ = train(inputs[:256], targets[:256], seed=5, epochs=1)
        return [p.detach().numpy().copy() for p in network.parameters()]

    assert all(np.array_equal(a, b) for a, b in zip(weights(), weights(), strict=True))
