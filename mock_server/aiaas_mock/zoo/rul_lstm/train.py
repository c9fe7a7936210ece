"""How the shipped ``rul-lstm`` is trained and measured, reproducibly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..kit.scaling import Scaler
from ..kit.torch_helpers import save_weights
from ..model_spec import Needs
from .data import generate_engines, truncated_test_set, windows
from .network import predict, train
from .serving import RulWeights


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


def train_and_measure(weights: Path, needs: Needs) -> RulWeights:
    """Train on every window of 100 engines; measure on 100 others, each cut at a
    random cycle as in the C-MAPSS test files."""
    inputs, targets = windows(generate_engines(100, seed=0))
    network, scaler = train(inputs, targets, seed=0)
    save_weights(network, weights)
    test_inputs, test_targets = truncated_test_set(generate_engines(100, seed=1), seed=2)
    metrics = evaluate(network, scaler, test_inputs, test_targets, targets)
    metrics["published_fd001_lstm_rmse"] = 16.0
    return RulWeights(
        metrics=metrics,
        scaler=scaler.state(),
        data={"train": "100 engines, seed 0", "test": "100 engines, seed 1, cut with seed 2"},
    )
