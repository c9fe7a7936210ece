"""The ``energy-regression`` model, and how it is measured.

A ridge regression on splines of the temperature, their interaction with
throughput and one-hot (weekday, shift); its prediction interval is
split-conformal, from absolute residuals on separate calibration hours. The
seasonal-naive baseline predicts the same hour one week before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .data import HOURS_PER_WEEK, NOISE_SD, SHIFTS, WEEKDAYS, LineHours


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
