"""Generated turbofan cycles for ``regime-kmeans``.

The generator follows the six operating conditions of NASA's C-MAPSS FD002 data
(altitude, Mach number and throttle resolver angle), each observed with sensor
noise of the size seen in the real settings columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# (altitude in kft, Mach, throttle resolver angle in degrees), as in FD002.
OPERATING_CONDITIONS: tuple[tuple[float, float, float], ...] = (
    (0.0, 0.00, 100.0),
    (10.0, 0.25, 100.0),
    (20.0, 0.70, 100.0),
    (25.0, 0.62, 60.0),
    (35.0, 0.84, 100.0),
    (42.0, 0.84, 100.0),
)


SETTING_NOISE = (0.15, 0.003, 0.3)


@dataclass(frozen=True)
class RegimeData:
    settings: NDArray[np.float64]
    regime: NDArray[np.int_]


def generate_cycles(n: int, seed: int) -> RegimeData:
    """``n`` engine cycles spread over the six regimes; the same seed gives the same data."""
    rng = np.random.default_rng(seed)
    regime = rng.integers(0, len(OPERATING_CONDITIONS), n)
    centres = np.array(OPERATING_CONDITIONS)[regime]
    settings = centres + rng.normal(0.0, 1.0, (n, 3)) * np.array(SETTING_NOISE)
    settings[:, 1] = np.abs(settings[:, 1])  # a Mach number is never negative
    return RegimeData(settings, regime)
