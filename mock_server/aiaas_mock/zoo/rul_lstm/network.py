"""The ``rul-lstm`` network: an LSTM over scaled 30-cycle windows, how it is
fitted, and its remaining-life predictions in cycles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..kit.scaling import Scaler
from ..kit.torch_helpers import fit_scaled, infer, torch_module
from .data import RUL_CAP, SENSORS


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
    learning_rate: float = 3e-3,
    on_batch: Callable[[], None] | None = None,
) -> tuple[Any, Scaler]:
    """An LSTM trained on ``(n, 30, 14)`` windows and their RUL (capped at 125).

    Pass ``model`` and its ``scaler`` to continue training (fine-tuning).
    """
    capped = (np.minimum(targets, RUL_CAP) / RUL_CAP).astype(np.float32)
    return fit_scaled(
        build_network,
        inputs,
        capped,
        seed=seed,
        epochs=epochs,
        model=model,
        scaler=scaler,
        learning_rate=learning_rate,
        on_batch=on_batch,
    )


def predict(network: Any, scaler: Scaler, inputs: NDArray[np.float64]) -> NDArray[np.float64]:
    """Predicted RUL in cycles, between 0 and 125."""
    raw: NDArray[np.float64] = infer(network, scaler.apply(inputs)).astype(np.float64)
    return np.clip(raw * RUL_CAP, 0.0, RUL_CAP)
