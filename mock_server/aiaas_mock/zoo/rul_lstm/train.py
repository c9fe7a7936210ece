"""How the shipped ``rul-lstm`` is trained and measured, reproducibly.

The served network is trained on every window of the 100 real FD001 training
engines. Its card's metrics come from 5-fold cross-validation over engines: the
same recipe trained on 80 engines, scored on the 20 it never saw, each cut at
random cycles as the official test files are; the baseline predicts the training
windows' mean. On generated engines the served network is measured as well,
since tests and examples use the generator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..kit.folds import group_folds
from ..kit.scaling import Scaler
from ..kit.torch_helpers import save_weights
from ..model_spec import Needs
from .data import Engine, generate_engines, truncated_test_set, windows
from .fd001 import load_fd001
from .network import predict, train
from .serving import RulWeights

EPOCHS = 10
FOLDS = 5
CUTS_PER_ENGINE = 10
"""Random cut points per held-out engine: one per engine, as in the official
test file, leaves the RMSE of 100 engines noisy by about one cycle."""


def nasa_score(predicted: NDArray[np.float64], actual: NDArray[np.float64]) -> float:
    """The PHM08 asymmetric score: late predictions cost more than early ones."""
    d = predicted - actual
    return float(np.sum(np.where(d < 0, np.expm1(-d / 13.0), np.expm1(d / 10.0))))


def scores(
    predicted: NDArray[np.float64], actual: NDArray[np.float64], engines: int
) -> dict[str, float]:
    """RMSE, mean error (positive: late) and the NASA score of a test set of
    ``engines`` engines with one cut each (the official scale)."""
    per_cut = nasa_score(predicted, actual) / len(actual)
    return {
        "rmse": round(float(np.sqrt(np.mean((predicted - actual) ** 2))), 3),
        "mean_error": round(float(np.mean(predicted - actual)), 3),
        "nasa_score": round(per_cut * engines, 1),
    }


def evaluate(
    network: Any,
    scaler: Scaler,
    inputs: NDArray[np.float64],
    targets: NDArray[np.float64],
    train_targets: NDArray[np.float64],
) -> dict[str, float]:
    """The network's scores on ``inputs`` beside the training mean's."""
    predicted = predict(network, scaler, inputs)
    mine = scores(predicted, targets, len(targets))
    baseline = scores(np.full(len(targets), train_targets.mean()), targets, len(targets))
    return {
        **mine,
        "baseline_rmse": baseline["rmse"],
        "rmse_to_baseline": round(mine["rmse"] / baseline["rmse"], 4),
    }


def cross_validate(engines: list[Engine], seed: int) -> dict[str, float]:
    """Engine-wise k-fold scores of the training recipe, beside the mean baseline."""
    predicted, actual, baseline = [], [], []
    for fold, (kept, held_out) in enumerate(group_folds(engines, FOLDS, seed)):
        inputs, targets = windows(kept)
        network, scaler = train(inputs, targets, seed=seed + fold, epochs=EPOCHS)
        test_inputs, test_targets = truncated_test_set(
            held_out, seed=seed + 100 + fold, cuts_per_engine=CUTS_PER_ENGINE
        )
        predicted.append(predict(network, scaler, test_inputs))
        actual.append(test_targets)
        baseline.append(np.full(len(test_targets), targets.mean()))
    truth = np.concatenate(actual)
    mine = scores(np.concatenate(predicted), truth, engines=100)
    mean = scores(np.concatenate(baseline), truth, engines=100)
    return {
        **mine,
        "baseline_rmse": mean["rmse"],
        "baseline_nasa_score": mean["nasa_score"],
        "rmse_to_baseline": round(mine["rmse"] / mean["rmse"], 4),
    }


def train_and_measure(weights: Path, needs: Needs) -> RulWeights:
    """Cross-validate the recipe on the real engines, then train the served
    network on all of them."""
    engines = load_fd001()
    metrics = cross_validate(engines, seed=0)
    inputs, targets = windows(engines)
    network, scaler = train(inputs, targets, seed=0, epochs=EPOCHS)
    save_weights(network, weights)
    generated = truncated_test_set(generate_engines(100, seed=1), seed=2)
    on_generated = evaluate(network, scaler, *generated, targets)
    metrics["generated_rmse"] = on_generated["rmse"]
    metrics["generated_baseline_rmse"] = on_generated["baseline_rmse"]
    return RulWeights(
        metrics=metrics,
        scaler=scaler.state(),
        data={
            "train": "real: the 100 C-MAPSS FD001 training engines, every 30-cycle window",
            "evaluation": (
                f"{FOLDS}-fold cross-validation over engines (seed 0): each held-out engine "
                f"cut at {CUTS_PER_ENGINE} random cycles; nasa_score scaled to 100 engines; "
                "generated_*: the served network on 100 generated engines (seed 1, cut with seed 2)"
            ),
        },
    )
