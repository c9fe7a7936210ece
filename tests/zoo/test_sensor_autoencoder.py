"""sensor-autoencoder: the physics, the shipped detector's ROC-AUC against PCA."""

from __future__ import annotations

import numpy as np
import pytest

from aiaas_mock.zoo.sensor_autoencoder import SENSOR_AUTOENCODER
from aiaas_mock.zoo.sensor_autoencoder import data as pump
from aiaas_mock.zoo.sensor_autoencoder.network import train
from aiaas_mock.zoo.sensor_autoencoder.serving import PumpAnomalyDetector
from aiaas_mock.zoo.sensor_autoencoder.train import evaluate


def test_affinity_laws_hold() -> None:
    # At a fixed valve, flow scales with speed, head with its square, power with its cube.
    points = np.array([[0.8, 0.6, 22.0], [1.0, 0.6, 22.0]])
    low, high = pump.physics(points)
    ratio = 1.0 / 0.8
    assert high[0] / low[0] == pytest.approx(ratio, rel=0.08)
    assert high[1] / low[1] == pytest.approx(ratio**2, rel=0.12)
    assert high[2] / low[2] == pytest.approx(ratio**3, rel=0.15)


def test_generator_is_deterministic_and_injects_each_fault() -> None:
    readings = pump.generate_readings(600, seed=9, fault_share=0.5)
    again = pump.generate_readings(600, seed=9, fault_share=0.5)
    assert np.array_equal(readings.values, again.values)
    assert set(readings.fault) == {"", "offset", "stuck", "drift"}
    assert 0.4 < readings.anomalous.mean() < 0.6


def test_shipped_detector_beats_pca_on_held_out_faults() -> None:
    model = SENSOR_AUTOENCODER.load(0, {})
    assert isinstance(model.predictor, PumpAnomalyDetector)
    detector = model.predictor.model
    train = pump.generate_readings(40_000, seed=0)
    normal = pump.generate_readings(5_000, seed=3).values
    test = pump.generate_readings(4_000, seed=1, fault_share=0.5)
    metrics = evaluate(detector, train.values, normal, test)
    assert metrics["roc_auc"] >= 0.95
    assert metrics["roc_auc"] > metrics["pca_roc_auc"]
    assert metrics["false_alarm_rate"] <= 0.03
    assert metrics["roc_auc"] == pytest.approx(model.metrics["roc_auc"], abs=1e-4)


def test_training_is_deterministic_for_a_seed() -> None:
    values = pump.generate_readings(500, seed=2).values

    def weights() -> list[np.ndarray]:
        network, _ = train(values, seed=4, epochs=1)
        return [p.detach().numpy().copy() for p in network.parameters()]

    assert all(np.array_equal(a, b) for a, b in zip(weights(), weights(), strict=True))
