"""quality-logreg: the generator follows AI4I 2020, the model holds its metrics."""

from __future__ import annotations

import numpy as np
import pytest

from aiaas_mock.zoo import quality


@pytest.fixture(scope="module")
def data() -> quality.ProcessData:
    return quality.generate_process_runs(20_000, seed=11)


def test_generator_is_deterministic() -> None:
    a = quality.generate_process_runs(500, seed=3)
    b = quality.generate_process_runs(500, seed=3)
    c = quality.generate_process_runs(500, seed=4)
    assert np.array_equal(a.torque, b.torque)
    assert np.array_equal(a.failure_mode, b.failure_mode)
    assert not np.array_equal(a.torque, c.torque)


def test_generator_marginals_match_ai4i(data: quality.ProcessData) -> None:
    assert data.air_temperature.mean() == pytest.approx(300.0, abs=0.1)
    assert (data.process_temperature - data.air_temperature).mean() == pytest.approx(10, abs=0.05)
    assert data.rotational_speed.mean() == pytest.approx(1538, abs=10)
    assert data.torque.mean() == pytest.approx(40, abs=0.3)
    assert np.corrcoef(data.torque, data.rotational_speed)[0, 1] < -0.8
    shares = [np.mean(data.product_type == p) for p in quality.PRODUCT_TYPES]
    assert shares == pytest.approx([0.5, 0.3, 0.2], abs=0.02)


def test_failures_follow_the_published_rules(data: quality.ProcessData) -> None:
    assert 0.02 < data.failed.mean() < 0.08  # "a few per cent", AI4I has 3.4 %
    modes = {m: np.mean(data.failure_mode == m) for m in quality.FAILURE_MODES}
    assert all(share > 0 for share in modes.values()), modes
    hdf = data.failure_mode == "HDF"
    delta_t = data.process_temperature - data.air_temperature
    assert np.all(delta_t[hdf] < 8.6)
    assert np.all(data.rotational_speed[hdf] < 1380)
    power = data.torque * data.rotational_speed * 2 * np.pi / 60
    pwf = data.failure_mode == "PWF"
    assert np.all((power[pwf] < 3500) | (power[pwf] > 9000))
    osf = data.failure_mode == "OSF"
    limits = np.vectorize(quality.OVERSTRAIN_LIMIT.__getitem__)(data.product_type[osf])
    assert np.all(data.tool_wear[osf] * data.torque[osf] > limits)


def test_held_out_quality() -> None:
    model = quality.QUALITY_LOGREG.load(data_seed=0)
    held_out = quality.evaluate(model.predictor, quality.generate_process_runs(10_000, 99))  # type: ignore[arg-type]
    assert held_out["roc_auc"] >= 0.85
    assert held_out["pr_auc"] >= 0.6
    assert held_out["f1"] >= 0.6
    assert model.metrics["roc_auc"] >= 0.85


def test_training_is_deterministic() -> None:
    train = quality.generate_process_runs(5_000, 1)
    validation = quality.generate_process_runs(2_000, 2)
    probe = quality.generate_process_runs(200, 3)
    first = quality.train(train, validation)
    second = quality.train(train, validation)
    assert np.array_equal(first.failure_probability(probe), second.failure_probability(probe))
    assert first.threshold == second.threshold
