"""Generated run-to-failure engines for ``rul-lstm``, and their training windows.

The generator imitates NASA's C-MAPSS FD001 set (Saxena et al., 2008): engines
run from a healthy state, with some initial wear, until failure after 128 to 362
cycles. Wear grows slowly at first; damage then grows exponentially in the last
hundred or so cycles before failure, with an engine-specific time constant of 30
to 70 cycles, so that, as in the real data, how close an engine is to failure
shows in its sensors only in the last stretch of its life. The 14 sensors that
carry information in FD001 (the others are constant there) follow the health
with the direction, size and noise of the real data: temperatures and speeds
rise, pressures and coolant bleeds fall, and near failure most shifts are only
three to five noise widths. As usual for this
data set, the target is the remaining life capped at 125 cycles, predicted from
the last 30 cycles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

WINDOW = 30
RUL_CAP = 125.0

# name: (baseline, shift from new to failed, cycle-to-cycle noise sd), read off FD001.
SENSORS: dict[str, tuple[float, float, float]] = {
    "T24": (642.5, 1.2, 0.4),
    "T30": (1588.0, 15.0, 4.5),
    "T50": (1404.0, 25.0, 5.5),
    "P30": (554.0, -3.0, 0.6),
    "Nf": (2388.05, 0.2, 0.05),
    "Nc": (9055.0, 30.0, 10.0),
    "Ps30": (47.3, 0.9, 0.2),
    "phi": (521.8, -2.4, 0.5),
    "NRf": (2388.05, 0.2, 0.05),
    "NRc": (8135.0, 25.0, 9.0),
    "BPR": (8.42, 0.1, 0.028),
    "htBleed": (392.0, 4.0, 1.3),
    "W31": (38.9, -0.6, 0.15),
    "W32": (23.35, -0.36, 0.09),
}
SENSOR_NAMES = tuple(SENSORS)
_BASE, _SHIFT, _NOISE = (np.array([v[i] for v in SENSORS.values()]) for i in range(3))


@dataclass(frozen=True)
class Engine:
    readings: NDArray[np.float64]
    """``(cycles, 14)`` sensor readings, one row per cycle until failure."""

    @property
    def life(self) -> int:
        return len(self.readings)


def generate_engines(count: int, seed: int) -> list[Engine]:
    """``count`` engines run to failure; the same seed gives the same fleet."""
    rng = np.random.default_rng(seed)
    engines = []
    for _ in range(count):
        life = int(rng.integers(128, 363))
        time_constant = rng.uniform(30.0, 70.0)
        initial_wear = rng.uniform(0.0, 0.1)
        cycles_left = life - np.arange(1, life + 1)
        health_loss = (
            initial_wear
            + 0.05 * np.arange(1, life + 1) / life
            + (0.95 - initial_wear) * np.exp(-cycles_left / time_constant)
        )
        sensitivity = rng.uniform(0.8, 1.2, len(SENSORS))
        offset = rng.normal(0, 0.3, len(SENSORS)) * _NOISE
        noise = rng.normal(0, 1, (life, len(SENSORS))) * _NOISE
        readings = _BASE + offset + health_loss[:, None] * _SHIFT * sensitivity + noise
        engines.append(Engine(readings))
    return engines


def windows(engines: list[Engine]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Every 30-cycle window of every engine, with the capped RUL at its last cycle."""
    inputs, targets = [], []
    for engine in engines:
        for end in range(WINDOW, engine.life + 1):
            inputs.append(engine.readings[end - WINDOW : end])
            targets.append(min(engine.life - end, RUL_CAP))
    return np.stack(inputs), np.array(targets)


def truncated_test_set(
    engines: list[Engine], seed: int, cuts_per_engine: int = 1
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """As in the C-MAPSS test files: each engine cut at a random cycle (or at
    ``cuts_per_engine`` of them), with its true RUL."""
    rng = np.random.default_rng(seed)
    inputs, targets = [], []
    for engine in engines:
        for _ in range(cuts_per_engine):
            end = int(rng.integers(WINDOW, engine.life))
            inputs.append(engine.readings[end - WINDOW : end])
            targets.append(min(engine.life - end, RUL_CAP))
    return np.stack(inputs), np.array(targets, dtype=np.float64)
