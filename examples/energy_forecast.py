"""Forecasting a production line's energy for next week's plan.

Sends one input per shift (planned throughput, forecast temperature, shift and
weekday) and sums the hourly forecasts and their intervals per day; then shows
what a heat wave would add.
"""

from __future__ import annotations

from typing import Literal

import aiaas
from aiaas.system_models import energy_regression
from aiaas.types import LineHour
from aiaas.types.inputs import Weekday

WEEKDAYS: list[Weekday] = [
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
]  # fmt: skip
# Planned units an hour on a weekday, by shift:
PLAN: dict[Literal["early", "late", "night"], float] = {
    "early": 240.0,
    "late": 220.0,
    "night": 150.0,
}
DAY_SHARE = [1.0, 1.0, 1.0, 1.0, 0.95, 0.55, 0.12]
SHIFT_TEMPERATURE = {"early": 17.0, "late": 22.0, "night": 13.0}  # the forecast, degC


def week(heat: float = 0.0) -> list[LineHour]:
    return [
        LineHour(
            throughput=round(PLAN[shift] * share, 1),
            ambient_temperature=SHIFT_TEMPERATURE[shift] + heat,
            shift=shift,
            weekday=day,
        )
        for day, share in zip(WEEKDAYS, DAY_SHARE, strict=True)
        for shift in PLAN
    ]


def main() -> None:
    with aiaas.Client() as client:
        card = client.models.retrieve("energy-regression")
        m = card.metrics
        print(
            f"{card.id}: R² {m['r2']:.3f} on held-out hours "
            f"(noise allows {m['r2_noise_ceiling']:.3f}; last week's same hour: "
            f"{m['seasonal_naive_r2']:.3f})"
        )
        plan = week()
        forecast = client.models.predict(energy_regression, inputs=plan).outputs
        total = 0.0
        for d, day in enumerate(WEEKDAYS):
            shifts = forecast[3 * d : 3 * d + 3]
            kwh = 8 * sum(f.energy_kwh for f in shifts)  # each shift is eight hours
            total += kwh
            low, high = 8 * sum(f.lower_kwh for f in shifts), 8 * sum(f.upper_kwh for f in shifts)
            print(f"  {day:9} {kwh:7.0f} kWh   (hourly 90 % intervals sum to {low:.0f}-{high:.0f})")
        print(f"  week      {total:7.0f} kWh")

        hot = client.models.predict(energy_regression, inputs=week(heat=10.0)).outputs
        extra = 8 * sum(f.energy_kwh for f in hot) - total
        print(f"a week 10 degC hotter adds {extra:.0f} kWh of cooling")


if __name__ == "__main__":
    main()
