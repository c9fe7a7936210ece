"""How the shipped ``defect-cnn`` head is trained and measured, reproducibly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..kit.torch_helpers import infer, save_weights, torch_module
from ..model_spec import Needs
from . import backbone
from .data import CLASSES, OTHER_CAMERA, TRAINING, Rendering, generate_images
from .network import DefectNetwork, build_head, set_statistics, train_head
from .serving import DefectWeights

PER_CLASS = 600
TEST_PER_CLASS = 200
OTHER_CAMERA_PER_CLASS = 100
EPOCHS = 30
LEARNING_RATE = 3e-3


def head_on(features: NDArray[np.float32], labels: NDArray[np.int64], num_classes: int) -> Any:
    torch_module().manual_seed(0)  # the head's initial weights follow the seed
    head = build_head(num_classes)
    set_statistics(head, features, reference=True)
    return train_head(head, features, labels, seed=0, epochs=EPOCHS, learning_rate=LEARNING_RATE)


def generated_probabilities(
    network: DefectNetwork, per_class: int, seed: int, rendering: Rendering = TRAINING
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    images, labels = generate_images(per_class, seed, rendering)
    return network.probabilities(images), labels


def confusion(probabilities: NDArray[np.float64], labels: NDArray[np.int64]) -> NDArray[np.int64]:
    """Counts of (true class, predicted class)."""
    counts = np.zeros((len(CLASSES), len(CLASSES)), dtype=np.int64)
    np.add.at(counts, (labels, probabilities.argmax(axis=1)), 1)
    return counts


def calibration_error(probabilities: NDArray[np.float64], labels: NDArray[np.int64]) -> float:
    """Expected calibration error over ten bins of confidence: how far the stated
    confidence is from the share of answers that are right."""
    confidence = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == labels
    bins = np.minimum((confidence * 10).astype(int), 9)
    error = sum(
        abs(float(right[bins == b].mean()) - float(confidence[bins == b].mean()))
        * np.sum(bins == b)
        for b in range(10)
        if np.any(bins == b)
    )
    return float(error) / len(labels)


def confusion_metrics(counts: NDArray[np.int64]) -> dict[str, float]:
    """Accuracy, each class's recall, and the share of defects called ``no_defect``."""
    clean = CLASSES.index("no_defect")
    defects = np.delete(counts, clean, axis=0)
    metrics = {"accuracy": round(float(np.trace(counts) / counts.sum()), 4)}
    for index, name in enumerate(CLASSES):
        metrics[f"recall_{name}"] = round(float(counts[index, index] / counts[index].sum()), 4)
    metrics["defects_called_no_defect"] = round(float(defects[:, clean].sum() / defects.sum()), 4)
    return metrics


def digits_accuracy(seed: int = 0) -> float:
    """The same recipe (backbone features, a head trained the same way) on
    scikit-learn's real handwritten digits (8 x 8, enlarged): accuracy on a
    stratified quarter held out."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    pixels = digits.images * (255.0 / 16.0)
    maps = backbone.trunk_maps(backbone.shared(), pixels)
    features = backbone.pooled(backbone.shared(), maps)
    train_x, test_x, train_y, test_y = train_test_split(
        features, digits.target, test_size=0.25, stratify=digits.target, random_state=seed
    )
    head = head_on(train_x, train_y.astype(np.int64), 10)
    return float(np.mean(infer(head, test_x).argmax(axis=1) == test_y))


def _rows(counts: NDArray[np.int64]) -> str:
    return "; ".join(" ".join(str(n) for n in row) for row in counts)


def train_and_measure(weights: Path, needs: Needs) -> DefectWeights:
    """Train the head on generated images of every class over the pretrained
    backbone; measure on generated images of another seed, and of another camera."""
    trunk = backbone.shared()
    images, labels = generate_images(PER_CLASS, seed=0)
    features = backbone.pooled(trunk, backbone.trunk_maps(trunk, images))
    head = head_on(features, labels, len(CLASSES))
    save_weights(head, weights)
    network = DefectNetwork(trunk, head)
    probabilities, test_labels = generated_probabilities(network, TEST_PER_CLASS, seed=1)
    counts = confusion(probabilities, test_labels)
    other, other_labels = generated_probabilities(
        network, OTHER_CAMERA_PER_CLASS, seed=2, rendering=OTHER_CAMERA
    )
    other_counts = confusion(other, other_labels)
    metrics = confusion_metrics(counts)
    metrics["calibration_error"] = round(calibration_error(probabilities, test_labels), 4)
    metrics["other_camera_accuracy"] = round(float(np.trace(other_counts) / other_counts.sum()), 4)
    return DefectWeights(
        metrics=metrics,
        references={"digits_accuracy": round(digits_accuracy(seed=0), 4)},
        classes=list(CLASSES),
        backbone=f"{backbone.NAME}: {backbone.SOURCE}",
        backbone_sha256=backbone.WEIGHTS_SHA256,
        data={
            "train": f"{PER_CLASS:,} generated 200 x 200 images per class, seed 0",
            "test": f"{TEST_PER_CLASS} generated images per class, seed 1",
            "other_camera": f"{OTHER_CAMERA_PER_CLASS} generated images per class, seed 2, "
            "drawn by another camera (128 px, softer, noisier, flatter, less even light)",
            "confusion": "rows true, columns predicted, in class order: " + _rows(counts),
            "other_camera_confusion": _rows(other_counts),
            "real_images": "not measured here: no real steel images may be shipped",
        },
    )
