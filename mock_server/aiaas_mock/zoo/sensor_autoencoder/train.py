"""How the shipped ``sensor-autoencoder`` is trained, calibrated and measured,
next to a PCA baseline scored the same way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..kit.scaling import Scaler
from ..kit.torch_helpers import save_weights
from ..model_spec import Needs
from .data import Readings, generate_readings
from .network import Detector, calibrate, train, whitened
from .serving import AutoencoderWeights


def pca_scores(
    train_values: NDArray[np.float64], normal: NDArray[np.float64], values: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The linear baseline: a 2-component PCA in place of the autoencoder, scored alike."""
    from sklearn.decomposition import PCA

    scaler = Scaler.fit(train_values)
    pca = PCA(n_components=2).fit(scaler.apply(train_values))

    def residuals(x: NDArray[np.float64]) -> NDArray[np.float64]:
        scaled = scaler.apply(x)
        result: NDArray[np.float64] = pca.inverse_transform(pca.transform(scaled)) - scaled
        return result

    precision = np.linalg.inv(np.cov(residuals(normal).T)).astype(np.float64)
    scores, _ = whitened(residuals(values), precision)
    return scores


def evaluate(
    detector: Detector,
    train_values: NDArray[np.float64],
    normal: NDArray[np.float64],
    test: Readings,
) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    scores, _ = detector.assess(test.values)
    flagged = scores >= detector.threshold
    normal_rows = test.anomalous == 0
    return {
        "roc_auc": round(float(roc_auc_score(test.anomalous, scores)), 4),
        "pca_roc_auc": round(
            float(roc_auc_score(test.anomalous, pca_scores(train_values, normal, test.values))), 4
        ),
        "detection_rate": round(float(flagged[~normal_rows].mean()), 4),
        "false_alarm_rate": round(float(flagged[normal_rows].mean()), 4),
    }


def train_and_measure(weights: Path, needs: Needs) -> AutoencoderWeights:
    """Train on 40,000 normal readings, calibrate on 5,000 more, and measure on 4,000
    held-out readings of which half are faulty."""
    normal_training = generate_readings(40_000, seed=0).values
    network, scaler = train(normal_training, seed=0, epochs=100)
    save_weights(network, weights)
    normal = generate_readings(5_000, seed=3).values
    detector = calibrate(network, scaler, normal)
    test = generate_readings(4_000, seed=1, fault_share=0.5)
    return AutoencoderWeights(
        metrics=evaluate(detector, normal_training, normal, test),
        scaler=scaler.state(),
        precision=detector.precision.tolist(),
        threshold=detector.threshold,
        data={
            "train": "40,000 normal, seed 0",
            "calibration": "5,000 normal, seed 3",
            "test": "4,000, half faulty, seed 1",
        },
    )
