"""The ``energy-regression`` model, and how it is measured.

A ridge regression on splines of the temperature, their interaction with
throughput and one-hot (weekday, shift); its prediction interval is
split-conformal, from absolute residuals on separate calibration hours. The
seasonal-naive baseline predicts the same hour one week before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..kit.splines import SplineFeatures
from .data import HOURS_PER_WEEK, NOISE_SD, SHIFTS, WEEKDAYS, LineHours


def design_matrix(spline: SplineFeatures, data: LineHours) -> NDArray[np.float64]:
    """Throughput, temperature splines alone and scaled by throughput, and one-hot
    (weekday, shift): a line's idle and start-up load differ by both."""
    splines = spline.transform(data.ambient_temperature)
    slot = np.eye(len(WEEKDAYS) * len(SHIFTS))[data.weekday * len(SHIFTS) + data.shift]
    per_unit = splines * (data.throughput / 300.0)[:, None]
    return np.column_stack([data.throughput, splines, per_unit, slot])


@dataclass(frozen=True)
class EnergyModel:
    """Ridge regression on spline features, with split-conformal intervals; served
    from its parameters with numpy."""

    spline: SplineFeatures
    coef: NDArray[np.float64]
    intercept: float
    residuals: NDArray[np.float64]
    """Absolute calibration residuals, sorted."""

    def predict_kwh(self, data: LineHours) -> NDArray[np.float64]:
        result: NDArray[np.float64] = design_matrix(self.spline, data) @ self.coef + self.intercept
        return result

    def half_width(self, coverage: float) -> float:
        """The conformal quantile: covers at least ``coverage`` of exchangeable hours."""
        n = len(self.residuals)
        rank = min(n - 1, int(np.ceil((n + 1) * coverage)) - 1)
        return float(self.residuals[rank])

    def to_params(self) -> dict[str, Any]:
        return {
            "spline": self.spline.to_params(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "residuals": self.residuals.tolist(),
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> EnergyModel:
        return cls(
            SplineFeatures.from_params(params["spline"]),
            np.array(params["coef"], dtype=np.float64),
            float(params["intercept"]),
            np.array(params["residuals"], dtype=np.float64),
        )


def train(data: LineHours, calibration: LineHours) -> EnergyModel:
    """Fit on ``data``; take the interval's residuals from ``calibration``."""
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import SplineTransformer

    transformer = SplineTransformer(n_knots=8, degree=3, extrapolation="linear")
    temperature = data.ambient_temperature.reshape(-1, 1)
    spline = SplineFeatures.from_transformer(transformer.fit(temperature))
    ridge = Ridge(alpha=1.0).fit(design_matrix(spline, data), data.energy)
    fitted = ridge.predict(design_matrix(spline, calibration))
    return EnergyModel(
        spline,
        np.asarray(ridge.coef_, dtype=np.float64),
        float(ridge.intercept_),
        np.sort(np.abs(calibration.energy - fitted)),
    )


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
