"""The ``sensor-autoencoder`` network and the detector built on it: how far a
reading lies from its reconstruction, whitened on normal data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..kit.scaling import Scaler
from ..kit.torch_helpers import fit_scaled, infer, torch_module


def build_network() -> Any:
    """6 -> 64 -> 64 -> 2 -> 64 -> 64 -> 6, smooth activations for a smooth surface."""
    nn = torch_module().nn
    return nn.Sequential(
        nn.Linear(6, 64),
        nn.Tanh(),
        nn.Linear(64, 64),
        nn.Tanh(),
        nn.Linear(64, 2),
        nn.Linear(2, 64),
        nn.Tanh(),
        nn.Linear(64, 64),
        nn.Tanh(),
        nn.Linear(64, 6),
    )


def train(
    values: NDArray[np.float64],
    *,
    seed: int,
    epochs: int = 60,
    model: Any = None,
    scaler: Scaler | None = None,
    learning_rate: float = 3e-3,
    on_batch: Callable[[], None] | None = None,
) -> tuple[Any, Scaler]:
    """An autoencoder fitted to (normal) readings. Pass ``model`` and ``scaler`` to
    continue training them.
    """
    return fit_scaled(
        build_network,
        values,
        None,
        seed=seed,
        epochs=epochs,
        model=model,
        scaler=scaler,
        learning_rate=learning_rate,
        on_batch=on_batch,
    )


@dataclass(frozen=True)
class Detector:
    """Scores readings by how far they are from the autoencoder's reconstruction.

    Residuals are whitened with their covariance on normal data (a Mahalanobis
    distance), so that where the model fits less well it is not mistaken for a
    fault. The threshold is the 99th percentile of normal scores: about one
    normal reading in a hundred is flagged.
    """

    network: Any
    scaler: Scaler
    precision: NDArray[np.float64]
    threshold: float

    def residuals(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        scaled = self.scaler.apply(values)
        result: NDArray[np.float64] = infer(self.network, scaled).astype(np.float64) - scaled
        return result

    def assess(
        self, values: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Scores, and each sensor's share of its reading's score."""
        return whitened(self.residuals(values), self.precision)


def whitened(
    residuals: NDArray[np.float64], precision: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mahalanobis scores (per sensor) and the share of each sensor in them."""
    terms = residuals * (residuals @ precision)
    total = terms.sum(axis=1)
    shares = np.clip(terms, 0.0, None)
    shares = shares / np.maximum(shares.sum(axis=1, keepdims=True), 1e-12)
    return total / residuals.shape[1], shares


def calibrate(network: Any, scaler: Scaler, normal: NDArray[np.float64]) -> Detector:
    """A detector whose whitening and threshold come from normal readings."""
    residuals = Detector(network, scaler, np.eye(6), 0.0).residuals(normal)
    precision = np.linalg.inv(np.cov(residuals.T)).astype(np.float64)
    scores, _ = whitened(residuals, precision)
    return Detector(network, scaler, precision, float(np.percentile(scores, 99)))
