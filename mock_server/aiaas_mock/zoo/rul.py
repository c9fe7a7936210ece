"""``rul-lstm``: remaining useful life of a turbofan engine from a window of sensor readings.

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
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .scaling import Scaler
from .torch_support import fit, infer, torch_module

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
    engines: list[Engine], seed: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """As in the C-MAPSS test files: each engine cut at a random cycle, its true RUL known."""
    rng = np.random.default_rng(seed)
    inputs, targets = [], []
    for engine in engines:
        end = int(rng.integers(WINDOW, engine.life))
        inputs.append(engine.readings[end - WINDOW : end])
        targets.append(min(engine.life - end, RUL_CAP))
    return np.stack(inputs), np.array(targets)


def build_network() -> Any:
    """An LSTM over the window; its last state through a small head gives RUL / 125."""
    nn = torch_module().nn

    class RulNetwork(nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(len(SENSORS), 64, batch_first=True)
            self.head = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

        def forward(self, x: Any) -> Any:
            states, _ = self.lstm(x)
            return self.head(states[:, -1]).squeeze(-1)

    return RulNetwork()


def train(
    inputs: NDArray[np.float64],
    targets: NDArray[np.float64],
    *,
    seed: int,
    epochs: int = 20,
    model: Any = None,
    scaler: Scaler | None = None,
) -> tuple[Any, Scaler]:
    """An LSTM trained on ``(n, 30, 14)`` windows and their RUL (capped at 125).

    Pass ``model`` and its ``scaler`` to continue training (fine-tuning).
    """
    torch = torch_module()
    torch.manual_seed(seed)
    scaler = scaler or Scaler.fit(inputs)
    network = model if model is not None else build_network()
    fit(
        network,
        scaler.apply(inputs),
        (np.minimum(targets, RUL_CAP) / RUL_CAP).astype(np.float32),
        loss=torch.nn.functional.mse_loss,
        epochs=epochs,
        batch_size=128,
        learning_rate=3e-3,
        seed=seed,
    )
    return network, scaler


def predict(network: Any, scaler: Scaler, inputs: NDArray[np.float64]) -> NDArray[np.float64]:
    """Predicted RUL in cycles, between 0 and 125."""
    raw: NDArray[np.float64] = infer(network, scaler.apply(inputs)).astype(np.float64)
    return np.clip(raw * RUL_CAP, 0.0, RUL_CAP)


def nasa_score(predicted: NDArray[np.float64], actual: NDArray[np.float64]) -> float:
    """The PHM08 asymmetric score: late predictions cost more than early ones."""
    d = predicted - actual
    return float(np.sum(np.where(d < 0, np.expm1(-d / 13.0), np.expm1(d / 10.0))))


def evaluate(
    network: Any,
    scaler: Scaler,
    inputs: NDArray[np.float64],
    targets: NDArray[np.float64],
    train_targets: NDArray[np.float64],
) -> dict[str, float]:
    predicted = predict(network, scaler, inputs)
    rmse = float(np.sqrt(np.mean((predicted - targets) ** 2)))
    baseline = float(np.sqrt(np.mean((train_targets.mean() - targets) ** 2)))
    return {
        "rmse": round(rmse, 3),
        "baseline_rmse": round(baseline, 3),
        "rmse_to_baseline": round(rmse / baseline, 4),
        "nasa_score": round(nasa_score(predicted, targets), 1),
    }
