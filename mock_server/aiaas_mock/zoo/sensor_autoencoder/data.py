"""Generated readings of a centrifugal pump for ``sensor-autoencoder``.

The generator runs a pump at varying speed against a throttled system:

* the pump curve follows the affinity laws: head H = H0 s^2 - k Q^2 at speed
  ratio s, flow Q at the intersection with the system curve H = Hs + R/v^2 Q^2
  for valve opening v;
* shaft power = hydraulic power / efficiency, which falls off away from the best
  efficiency point; the motor current follows the power; winding temperature
  rises with power above the ambient of a ventilated pump room (21-23 degC);
  vibration grows with speed squared and away from the best efficiency point.

Normal readings lie close to a curved two-dimensional surface (speed, valve) in
the six-dimensional sensor space. (Were the ambient free to roam, a faulty
temperature sensor would look like another day's weather: no model could tell.)
Faults push one sensor off it: an offset (a miscalibrated or fouled sensor), a
stuck sensor (frozen at a reading of another operating point) or a drift (a bias
that grew over time), of five to fifteen noise widths (smaller ones cannot be
told from noise by any detector). The autoencoder learns the surface from normal
data; the anomaly score is how far a reading is from its reconstruction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

SENSORS: tuple[str, ...] = ("flow", "head", "power", "temperature", "current", "vibration")
NOISE = np.array([0.8, 0.25, 0.15, 0.3, 0.25, 0.04])
"""Sensor noise sd, in each sensor's unit."""
FAULTS = ("offset", "stuck", "drift")


def operating_points(rng: np.random.Generator, n: int) -> NDArray[np.float64]:
    """Speed ratio, valve opening and ambient temperature of ``n`` moments."""
    return np.column_stack(
        [rng.uniform(0.6, 1.0, n), rng.uniform(0.3, 1.0, n), rng.uniform(21.0, 23.0, n)]
    )


def physics(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Noise-free sensor readings at the given operating points."""
    speed, valve, ambient = points.T
    head0, k, static, resistance = 55.0, 0.0012, 8.0, 0.0016
    flow = np.sqrt((head0 * speed**2 - static) / (k + resistance / valve**2))  # m3/h
    head = static + resistance / valve**2 * flow**2
    best_flow = 140.0 * speed
    efficiency = 0.78 * (1.0 - 0.55 * (flow / best_flow - 1.0) ** 2)
    power = 1000 * 9.81 * (flow / 3600.0) * head / np.maximum(efficiency, 0.2) / 1000.0  # kW
    current = power * 1000.0 / (np.sqrt(3) * 400.0 * 0.86 * 0.93)
    temperature = ambient + 1.6 * power
    vibration = 1.2 * speed**2 * (1.0 + 1.5 * (flow / best_flow - 1.0) ** 2)
    return np.column_stack([flow, head, power, temperature, current, vibration])


@dataclass(frozen=True)
class Readings:
    values: NDArray[np.float64]
    """``(n, 6)`` readings in sensor units."""
    fault: NDArray[np.str_]
    """Fault kind per reading, '' for normal ones."""

    @property
    def anomalous(self) -> NDArray[np.int_]:
        flags: NDArray[np.int_] = (self.fault != "").astype(int)
        return flags


def generate_readings(n: int, seed: int, fault_share: float = 0.0) -> Readings:
    """``n`` readings, a ``fault_share`` of them faulty; the same seed, the same set."""
    rng = np.random.default_rng(seed)
    values = physics(operating_points(rng, n)) + rng.normal(0, 1, (n, 6)) * NOISE
    fault = np.full(n, "", dtype="<U6")
    faulty = np.flatnonzero(rng.random(n) < fault_share)
    others = physics(operating_points(rng, len(faulty)))
    for row, other in zip(faulty, others, strict=True):
        sensor = rng.integers(0, 6)
        kind = FAULTS[rng.integers(0, 3)]
        size = rng.uniform(5.0, 15.0) * NOISE[sensor] * rng.choice([-1.0, 1.0])
        if kind == "offset":
            values[row, sensor] += size
        elif kind == "drift":
            values[row, sensor] += size * rng.uniform(0.5, 1.5)
        else:
            values[row, sensor] = other[sensor]
        fault[row] = kind
    return Readings(values, fault)
