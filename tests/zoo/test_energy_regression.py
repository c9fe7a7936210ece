"""energy-regression: the generator's patterns, and the model near the noise limit."""

from __future__ import annotations

import numpy as np
import pytest

from aiaas_mock.zoo import energy_regression
from aiaas_mock.zoo.energy_regression import data as energy
from aiaas_mock.zoo.energy_regression import model as energy_model
from aiaas_mock.zoo.energy_regression.serving import EnergyPredictor


def _model() -> energy_model.EnergyModel:
    predictor = energy_regression.ENERGY_REGRESSION.load(0, {}).predictor
    assert isinstance(predictor, EnergyPredictor)
    return predictor.model


@pytest.fixture(scope="module")
def year() -> energy.LineHours:
    return energy.generate_line_hours(8760, seed=5)


def test_generator_is_deterministic() -> None:
    a = energy.generate_line_hours(500, seed=1)
    b = energy.generate_line_hours(500, seed=1)
    c = energy.generate_line_hours(500, seed=2)
    assert np.array_equal(a.energy, b.energy)
    assert not np.array_equal(a.energy, c.energy)


def test_generator_has_weekly_and_cooling_patterns(year: energy.LineHours) -> None:
    weekday_mean = [year.energy[year.weekday == d].mean() for d in range(7)]
    assert weekday_mean[6] < weekday_mean[5] < min(weekday_mean[:5])
    assert year.throughput[year.shift == 2].mean() < year.throughput[year.shift == 0].mean()
    hot = year.ambient_temperature > 24
    mild = (year.ambient_temperature > 10) & (year.ambient_temperature < 16)
    per_unit_hot = (year.expected[hot] - 0.55 * year.throughput[hot]).mean()
    per_unit_mild = (year.expected[mild] - 0.55 * year.throughput[mild]).mean()
    assert per_unit_hot > per_unit_mild + 20
    assert np.std(year.energy - year.expected) == pytest.approx(energy.NOISE_SD, rel=0.05)


def test_night_hours_belong_to_the_shift_that_started_them() -> None:
    hours = energy.generate_line_hours(48, seed=0)  # Monday and Tuesday
    assert hours.shift[3] == 2
    assert hours.weekday[3] == 6
    assert hours.shift[23] == 2
    assert hours.weekday[23] == 0
    assert hours.shift[30] == 0
    assert hours.weekday[30] == 1


def test_held_out_quality_is_at_the_noise_limit() -> None:
    model = energy_regression.ENERGY_REGRESSION.load(0, {})
    metrics = model.metrics
    assert metrics["r2"] >= metrics["r2_noise_ceiling"] - 0.01
    assert metrics["r2"] > metrics["seasonal_naive_r2"] + 0.1
    assert metrics["mae_kwh"] < metrics["seasonal_naive_mae_kwh"]
    assert metrics["interval_90_coverage"] == pytest.approx(0.9, abs=0.03)
    # Fresh data from another seed: the model generalises, not just its own test split.
    hours = energy.generate_line_hours(2 * energy.HOURS_PER_WEEK * 26, seed=77)
    history, test = hours.slice(0, energy.HOURS_PER_WEEK), hours.slice(energy.HOURS_PER_WEEK)
    fresh = energy_model.evaluate(_model(), history, test)
    assert fresh["r2"] >= fresh["r2_noise_ceiling"] - 0.02
    assert fresh["r2"] > fresh["seasonal_naive_r2"]


def test_interval_widens_with_coverage() -> None:
    model = _model()
    widths = [model.half_width(c) for c in (0.5, 0.8, 0.9, 0.99)]
    assert widths == sorted(widths)
    # Gaussian noise of sd 12: the 90 % half-width is near 1.645 sd.
    assert widths[2] == pytest.approx(1.645 * energy.NOISE_SD, rel=0.15)
