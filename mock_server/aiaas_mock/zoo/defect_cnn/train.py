"""How the shipped ``defect-cnn`` is trained and measured, reproducibly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..kit.torch_helpers import save_weights
from ..model_spec import Needs
from .data import CLASSES, generate_images
from .network import probabilities, train
from .serving import DefectWeights


def accuracy(network: Any, images: NDArray[Any], labels: NDArray[np.int64]) -> float:
    return float(np.mean(probabilities(network, images).argmax(axis=1) == labels))


def digits_accuracy(seed: int = 0, epochs: int = 15) -> float:
    """The same network and training on scikit-learn's bundled handwritten digits
    (real images, 8 x 8): accuracy on a stratified quarter held out.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    train_x, test_x, train_y, test_y = train_test_split(
        digits.images, digits.target, test_size=0.25, stratify=digits.target, random_state=seed
    )
    network = train(train_x, train_y.astype(np.int64), 10, seed=seed, epochs=epochs)
    return accuracy(network, test_x, test_y.astype(np.int64))


PER_CLASS = 1_000
EPOCHS = 15


def confusion(network: Any, images: NDArray[Any], labels: NDArray[np.int64]) -> NDArray[np.int64]:
    """Counts of (true class, predicted class)."""
    predicted = probabilities(network, images).argmax(axis=1)
    counts = np.zeros((len(CLASSES), len(CLASSES)), dtype=np.int64)
    np.add.at(counts, (labels, predicted), 1)
    return counts


def confusion_metrics(counts: NDArray[np.int64]) -> dict[str, float]:
    """Accuracy, each class's recall, and the share of defects called ``no_defect``."""
    clean = CLASSES.index("no_defect")
    defects = np.delete(counts, clean, axis=0)
    metrics = {"accuracy": round(float(np.trace(counts) / counts.sum()), 4)}
    for index, name in enumerate(CLASSES):
        metrics[f"recall_{name}"] = round(float(counts[index, index] / counts[index].sum()), 4)
    metrics["defects_called_no_defect"] = round(float(defects[:, clean].sum() / defects.sum()), 4)
    return metrics


def train_and_measure(weights: Path, needs: Needs) -> DefectWeights:
    """Train on generated images of every class, measure on others, and measure the
    same recipe on scikit-learn's digits."""
    images, labels = generate_images(PER_CLASS, seed=0)
    network = train(images, labels, len(CLASSES), seed=0, epochs=EPOCHS)
    save_weights(network, weights)
    test_images, test_labels = generate_images(200, seed=1)
    counts = confusion(network, test_images, test_labels)
    return DefectWeights(
        metrics=confusion_metrics(counts),
        # A separately trained network of the same design: a check of the recipe on
        # real images, not a measurement of the served weights.
        references={"digits_accuracy": round(digits_accuracy(seed=0), 4)},
        classes=list(CLASSES),
        data={
            "train": f"{PER_CLASS:,} generated images per class, seed 0",
            "test": "200 generated images per class, seed 1",
            "confusion": "rows true, columns predicted, in class order: "
            + "; ".join(" ".join(str(n) for n in row) for row in counts),
        },
    )
