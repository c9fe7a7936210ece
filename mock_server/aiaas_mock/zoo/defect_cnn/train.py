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


def train_and_measure(weights: Path, needs: Needs) -> DefectWeights:
    """Train on 700 generated images per class, measure on 200 more per class, and
    measure the same recipe on scikit-learn's digits."""
    images, labels = generate_images(700, seed=0)
    network = train(images, labels, len(CLASSES), seed=0, epochs=12)
    save_weights(network, weights)
    test_images, test_labels = generate_images(200, seed=1)
    return DefectWeights(
        metrics={"accuracy": round(accuracy(network, test_images, test_labels), 4)},
        # A separately trained network of the same design: a check of the recipe on
        # real images, not a measurement of the served weights.
        references={"digits_accuracy": round(digits_accuracy(seed=0), 4)},
        classes=list(CLASSES),
        data={"train": "700 images per class, seed 0", "test": "200 per class, seed 1"},
    )
