"""``energy-regression``: energy use of a production line in one hour.

The generator walks hour by hour through two years of a three-shift line:

* ambient temperature: a seasonal swing of 9-27 degC over the year, a daily swing
  of +-4 degC and weather that persists for days (AR(1));
* throughput: about 240 units/h on the early shift, 220 late and 150 at night on
  weekdays, less on Saturday, a skeleton crew on Sunday, with order-driven
  variation;
* energy = idle load (higher on Monday's start-up hours) + 0.55 kWh a unit +
  cooling (chillers work harder above 16 degC, more so at high throughput) +
  night lighting, plus noise of sd 12 kWh.

The model sees only throughput, ambient temperature, shift and weekday. It is a
ridge regression on splines of the temperature, their interaction with throughput
and one-hot (weekday, shift); its prediction interval is split-conformal, from
absolute residuals on separate validation hours. The seasonal-naive baseline
predicts the same hour one week before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from aiaas.types.inputs import LineHour
from aiaas.types.outputs import EnergyForecast

from .base import LoadedModel, ModelSpec, TrainedOnLoad

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SHIFTS = ("early", "late", "night")
NOISE_SD = 12.0
HOURS_PER_WEEK = 168
_SHIFT_THROUGHPUT = np.array([240.0, 220.0, 150.0])
_DAY_FACTOR = np.array([1.0, 1.0, 1.0, 1.0, 0.95, 0.55, 0.12])


class EnergyParameters(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    coverage: float = Field(
        default=0.9, ge=0.5, le=0.99, description="Share of hours the interval should cover"
    )


@dataclass(frozen=True)
class LineHours:
    """Hourly records in time order; ``expected`` is the energy without noise."""

    throughput: NDArray[np.float64]
    ambient_temperature: NDArray[np.float64]
    shift: NDArray[np.int_]
    weekday: NDArray[np.int_]
    energy: NDArray[np.float64]
    expected: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.energy)

    def slice(self, start: int, stop: int | None = None) -> LineHours:
        part = slice(start, stop)
        return LineHours(
            self.throughput[part],
            self.ambient_temperature[part],
            self.shift[part],
            self.weekday[part],
            self.energy[part],
            self.expected[part],
        )

    @classmethod
    def from_inputs(cls, inputs: Sequence[LineHour]) -> LineHours:
        empty = np.zeros(len(inputs))
        return cls(
            throughput=np.array([i.throughput for i in inputs], dtype=float),
            ambient_temperature=np.array([i.ambient_temperature for i in inputs], dtype=float),
            shift=np.array([SHIFTS.index(i.shift) for i in inputs], dtype=int),
            weekday=np.array([WEEKDAYS.index(i.weekday) for i in inputs], dtype=int),
            energy=empty,
            expected=empty,
        )


def expected_energy(
    throughput: NDArray[np.float64],
    temperature: NDArray[np.float64],
    shift: NDArray[np.int_],
    weekday: NDArray[np.int_],
) -> NDArray[np.float64]:
    """kWh the line draws in an hour, before noise."""
    idle = np.where((weekday == 0) & (shift == 0), 150.0, 110.0)
    warm = np.maximum(0.0, temperature - 16.0)
    cooling = (1.6 * warm + 0.09 * warm**2) * (1.0 + throughput / 300.0)
    lighting = np.where(shift == 2, 18.0, 0.0)
    result: NDArray[np.float64] = idle + 0.55 * throughput + cooling + lighting
    return result


def generate_line_hours(hours: int, seed: int) -> LineHours:
    """``hours`` consecutive hours from a Monday 00:00 in January; deterministic per seed."""
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    hour_of_day = t % 24
    day = t // 24
    weekday = (day % 7).astype(int)
    early = (hour_of_day >= 6) & (hour_of_day < 14)
    late = (hour_of_day >= 14) & (hour_of_day < 22)
    shift = np.select([early, late], [0, 1], 2).astype(int)
    # Night hours before 06:00 belong to the previous day's night shift.
    weekday = np.where(hour_of_day < 6, (weekday - 1) % 7, weekday).astype(int)
    weather = np.zeros(hours)
    steps = rng.normal(0.0, 0.35, hours)
    for i in range(1, hours):
        weather[i] = 0.985 * weather[i - 1] + steps[i]
    season = 18.0 - 9.0 * np.cos(2 * np.pi * (day - 15) / 365.0)
    daily = -4.0 * np.cos(2 * np.pi * (hour_of_day - 3) / 24.0)
    temperature = season + daily + weather
    planned = _SHIFT_THROUGHPUT[shift] * _DAY_FACTOR[weekday]
    throughput = np.clip(planned * rng.lognormal(0.0, 0.15, hours), 0.0, None)
    expected = expected_energy(throughput, temperature, shift, weekday)
    energy = expected + rng.normal(0.0, NOISE_SD, hours)
    return LineHours(throughput, temperature, shift, weekday, energy, expected)


def design_matrix(spline: Any, data: LineHours) -> NDArray[np.float64]:
    """Throughput, temperature splines alone and scaled by throughput, and one-hot
    (weekday, shift): a line's idle and start-up load differ by both."""
    splines = spline.transform(data.ambient_temperature.reshape(-1, 1))
    slot = np.eye(len(WEEKDAYS) * len(SHIFTS))[data.weekday * len(SHIFTS) + data.shift]
    per_unit = splines * (data.throughput / 300.0)[:, None]
    return np.column_stack([data.throughput, splines, per_unit, slot])


class EnergyModel:
    """Ridge regression on spline features, with split-conformal intervals."""

    def __init__(self, spline: Any, ridge: Any, residuals: NDArray[np.float64]) -> None:
        self._spline = spline
        self._ridge = ridge
        self._residuals = np.sort(np.abs(residuals))

    def predict_kwh(self, data: LineHours) -> NDArray[np.float64]:
        result: NDArray[np.float64] = self._ridge.predict(design_matrix(self._spline, data))
        return result

    def half_width(self, coverage: float) -> float:
        """The conformal quantile: covers at least ``coverage`` of exchangeable hours."""
        n = len(self._residuals)
        rank = min(n - 1, int(np.ceil((n + 1) * coverage)) - 1)
        return float(self._residuals[rank])

    def predict(self, inputs: Sequence[LineHour], parameters: EnergyParameters) -> list[BaseModel]:
        kwh = self.predict_kwh(LineHours.from_inputs(inputs))
        width = self.half_width(parameters.coverage)
        return [
            EnergyForecast(
                energy_kwh=round(float(k), 3),
                lower_kwh=round(float(max(0.0, k - width)), 3),
                upper_kwh=round(float(k + width), 3),
                coverage=parameters.coverage,
            )
            for k in kwh
        ]


def train(data: LineHours, calibration: LineHours) -> EnergyModel:
    """Fit on ``data``; take the interval's residuals from ``calibration``."""
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import SplineTransformer

    spline = SplineTransformer(n_knots=8, degree=3, extrapolation="linear")
    spline.fit(data.ambient_temperature.reshape(-1, 1))
    ridge = Ridge(alpha=1.0).fit(design_matrix(spline, data), data.energy)
    fitted = ridge.predict(design_matrix(spline, calibration))
    return EnergyModel(spline, ridge, calibration.energy - fitted)


def seasonal_naive(history: LineHours, test: LineHours) -> NDArray[np.float64]:
    """Each test hour's energy one week earlier; ``history`` immediately precedes ``test``."""
    joined = np.concatenate([history.energy[-HOURS_PER_WEEK:], test.energy])
    result: NDArray[np.float64] = joined[: len(test)]
    return result


def evaluate(model: EnergyModel, history: LineHours, test: LineHours) -> dict[str, float]:
    """R² and MAE on ``test``, next to the noise-limited ceiling and the baseline."""
    from sklearn.metrics import mean_absolute_error, r2_score

    predicted = model.predict_kwh(test)
    naive = seasonal_naive(history, test)
    width = model.half_width(0.9)
    covered = np.abs(test.energy - predicted) <= width
    return {
        "r2": round(float(r2_score(test.energy, predicted)), 4),
        "r2_noise_ceiling": round(float(r2_score(test.energy, test.expected)), 4),
        "mae_kwh": round(float(mean_absolute_error(test.energy, predicted)), 3),
        "seasonal_naive_r2": round(float(r2_score(test.energy, naive)), 4),
        "seasonal_naive_mae_kwh": round(float(mean_absolute_error(test.energy, naive)), 3),
        "interval_90_coverage": round(float(covered.mean()), 4),
        "noise_sd_kwh": NOISE_SD,
    }


SPEC = ModelSpec(
    id="energy-regression",
    task="tabular-regression",
    algorithm="scikit-learn Ridge on temperature splines, throughput interactions and "
    "one-hot weekday and shift; split-conformal prediction interval",
    version="1.0.0",
    description="Energy a production line uses in one hour, in kWh, from throughput, "
    "ambient temperature, shift and weekday, with a prediction interval.",
    data="Two years of a synthetic three-shift line, hourly, with seasonal and daily "
    "temperature, weekly production pattern and chiller load (noise sd 12 kWh); trained "
    "on the first 15 months, intervals calibrated on the next 3, metrics on the last 6, "
    "next to the noise-limited R² and a same-hour-last-week baseline.",
    input_type=LineHour,
    output_type=EnergyForecast,
    parameters_type=EnergyParameters,
)

_TRAIN_HOURS = 15 * 730
_CALIBRATION_HOURS = 3 * 730


def train_and_evaluate(data_seed: int) -> LoadedModel:
    """The served model: trained, calibrated and measured on consecutive periods."""
    hours = generate_line_hours(2 * 8760, data_seed)
    calibration_end = _TRAIN_HOURS + _CALIBRATION_HOURS
    train_part = hours.slice(0, _TRAIN_HOURS)
    calibration = hours.slice(_TRAIN_HOURS, calibration_end)
    model = train(train_part, calibration)
    metrics = evaluate(model, calibration, hours.slice(calibration_end))
    return LoadedModel(SPEC, model, metrics)


ENERGY_REGRESSION = TrainedOnLoad(SPEC, train_and_evaluate)
