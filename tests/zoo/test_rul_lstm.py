"""rul-lstm: the real FD001 engines, the generator, the shipped weights' scores,
training determinism."""

from __future__ import annotations

import numpy as np
import pytest

from aiaas_mock.zoo.rul_lstm import RUL_LSTM
from aiaas_mock.zoo.rul_lstm import data as rul
from aiaas_mock.zoo.rul_lstm.fd001 import load_fd001
from aiaas_mock.zoo.rul_lstm.network import predict, train
from aiaas_mock.zoo.rul_lstm.serving import RulPredictor
from aiaas_mock.zoo.rul_lstm.train import cross_validate, evaluate, nasa_score


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


def test_fd001_holds_the_100_real_training_engines() -> None:
    engines = load_fd001()
    assert len(engines) == 100
    assert sum(engine.life for engine in engines) == 20_631
    assert {engine.readings.shape[1] for engine in engines} == {14}
    # The real sensors sit where the generator puts them (same names, same scale).
    real_mean = np.concatenate([e.readings for e in engines]).mean(axis=0)
    baselines = np.array([rul.SENSORS[name][0] for name in rul.SENSOR_NAMES])
    assert np.all(np.abs(real_mean - baselines) / baselines < 0.01)


def test_card_reports_cross_validation_on_real_engines_beside_the_mean() -> None:
    card = RUL_LSTM.card()
    metrics = card.metrics
    assert metrics["rmse"] <= 0.4 * metrics["baseline_rmse"]
    assert metrics["nasa_score"] <= 0.05 * metrics["baseline_nasa_score"]
    assert abs(metrics["mean_error"]) < 5  # neither late nor early on average
    assert "published_fd001_lstm_rmse" not in metrics
    assert RUL_LSTM.spec.training_data == "real"


def test_shipped_weights_on_generated_engines_match_their_card() -> None:
    model = RUL_LSTM.load(0, {})
    predictor = model.predictor
    assert isinstance(predictor, RulPredictor)
    _, targets = rul.windows(load_fd001())
    test_inputs, test_targets = rul.truncated_test_set(rul.generate_engines(100, seed=1), seed=2)
    metrics = evaluate(predictor.network, predictor.scaler, test_inputs, test_targets, targets)
    assert metrics["rmse"] <= 0.5 * metrics["baseline_rmse"]
    # float32 inference differs across CPU kernels in the last bits; RMSE by far less.
    assert metrics["rmse"] == pytest.approx(model.metrics["generated_rmse"], abs=0.01)


def test_shipped_weights_tell_near_failure_from_healthy_on_real_engines() -> None:
    predictor = RUL_LSTM.load(0, {}).predictor
    assert isinstance(predictor, RulPredictor)
    engines = load_fd001()
    near_end = np.stack([e.readings[-30:] for e in engines])  # RUL 0
    early = np.stack([e.readings[:30] for e in engines])  # RUL capped at 125
    assert np.median(predict(predictor.network, predictor.scaler, near_end)) < 10
    assert np.median(predict(predictor.network, predictor.scaler, early)) > 110


@pytest.mark.slow
def test_cross_validation_reproduces_the_card() -> None:
    metrics = cross_validate(load_fd001(), seed=0)
    card = RUL_LSTM.card().metrics
    # Retraining on another CPU's kernels moves the result a little, not by cycles.
    assert metrics["rmse"] == pytest.approx(card["rmse"], abs=1.0)
    assert metrics["baseline_rmse"] == pytest.approx(card["baseline_rmse"], abs=1e-3)


def test_training_is_deterministic_for_a_seed() -> None:
    inputs, targets = rul.windows(rul.generate_engines(3, seed=1))

    def weights() -> list[np.ndarray]:
        network, _ = train(inputs[:256], targets[:256], seed=5, epochs=1)
        return [p.detach().numpy().copy() for p in network.parameters()]

    assert all(np.array_equal(a, b) for a, b in zip(weights(), weights(), strict=True))
