"""Generated hourly records of a production line for ``energy-regression``.

The generator walks hour by hour through two years of a three-shift line:

* ambient temperature: a seasonal swing of 9-27 degC over the year, a daily swing
  of +-4 degC and weather that persists for days (AR(1));
* throughput: about 240 units/h on the early shift, 220 late and 150 at night on
  weekdays, less on Saturday, a skeleton crew on Sunday, with order-driven
  variation;
* energy = idle load (higher on Monday's start-up hours) + 0.55 kWh a unit +
  cooling (chillers work harder above 16 degC, more so at high throughput) +
  night lighting, plus noise of sd 12 kWh.

The model (:mod:`.model`) sees only throughput, ambient temperature, shift and
weekday.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from aiaas.types.inputs import LineHour

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SHIFTS = ("early", "late", "night")
NOISE_SD = 12.0
HOURS_PER_WEEK = 168
_SHIFT_THROUGHPUT = np.array([240.0, 220.0, 150.0])
_DAY_FACTOR = np.array([1.0, 1.0, 1.0, 1.0, 0.95, 0.55, 0.12])


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
