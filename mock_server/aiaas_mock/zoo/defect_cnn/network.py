"""The ``defect-cnn`` network: a small CNN over standardized 64 x 64 images, how
it is fitted, and its class probabilities for images of any size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..kit.torch_helpers import fit, infer, torch_module
from .data import SIZE


def standardize(images: NDArray[Any]) -> NDArray[np.float32]:
    """Per-image zero mean and unit variance, so brightness and contrast do not matter."""
    pixels = images.astype(np.float32)
    mean = pixels.mean(axis=(-2, -1), keepdims=True)
    std = pixels.std(axis=(-2, -1), keepdims=True)
    result: NDArray[np.float32] = ((pixels - mean) / np.maximum(std, 1e-3)).astype(np.float32)
    return result


def build_network(num_classes: int) -> Any:
    """A small CNN: four 3x3 convolution blocks, global average pooling, a linear head."""
    nn = torch_module().nn

    def block(channels_in: int, channels_out: int, pool: bool) -> list[Any]:
        layers = [
            nn.Conv2d(channels_in, channels_out, 3, padding=1),
            nn.BatchNorm2d(channels_out),
            nn.ReLU(),
        ]
        return [*layers, nn.MaxPool2d(2)] if pool else layers

    return nn.Sequential(
        *block(1, 16, pool=True),
        *block(16, 32, pool=True),
        *block(32, 64, pool=True),
        *block(64, 64, pool=False),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(64, num_classes),
    )


def prepare(images: NDArray[Any]) -> NDArray[np.float32]:
    """Images of any size as standardized ``(n, 1, 64, 64)`` network input."""
    if images.shape[-2:] != (SIZE, SIZE):
        images = resize(images)
    return standardize(images)[:, None, :, :]


def resize(images: NDArray[Any], size: int = SIZE) -> NDArray[np.float32]:
    """A stack of 2-D images resized to ``size`` x ``size``: averaged over areas when
    shrinking (which undoes an integer enlargement exactly), bilinear when growing.
    """
    torch = torch_module()
    tensor = torch.from_numpy(images.astype(np.float32))[:, None]
    functional = torch.nn.functional
    if images.shape[-1] >= size and images.shape[-2] >= size:
        resized = functional.interpolate(tensor, size=(size, size), mode="area")
    else:
        resized = functional.interpolate(
            tensor, size=(size, size), mode="bilinear", align_corners=False
        )
    result: NDArray[np.float32] = resized[:, 0].numpy()
    return result


def resampled(images: NDArray[Any], seed: int, share: float = 0.4) -> NDArray[np.float32]:
    """A ``share`` of the images enlarged by a random factor and shrunk back, as images
    from cameras of other resolutions are before they reach the network.
    """
    rng = np.random.default_rng(seed)
    result = images.astype(np.float32)
    for index in np.flatnonzero(rng.random(len(images)) < share):
        bigger = round(SIZE * rng.uniform(1.2, 3.0))
        result[index] = resize(resize(result[index][None], bigger), SIZE)[0]
    return result


def train(
    images: NDArray[Any],
    labels: NDArray[np.int64],
    num_classes: int,
    *,
    seed: int,
    epochs: int = 12,
    model: Any = None,
    learning_rate: float = 3e-3,
    on_batch: Callable[[], None] | None = None,
) -> Any:
    """A CNN trained on ``images`` (any size; 2-D grayscale) and integer ``labels``.

    Pass ``model`` to continue training it (fine-tuning) instead of a new one, at a
    lower ``learning_rate``; ``on_batch`` may stop the training (see ``fit``).
    """
    torch = torch_module()
    torch.manual_seed(seed)
    network = model if model is not None else build_network(num_classes)
    if images.shape[-2:] == (SIZE, SIZE):
        images = resampled(images, seed)
    fit(
        network,
        prepare(images),
        labels.astype(np.int64),
        loss=torch.nn.functional.cross_entropy,
        epochs=epochs,
        batch_size=64,
        learning_rate=learning_rate,
        seed=seed,
        weight_decay=1e-4,
        on_batch=on_batch,
    )
    return network


def probabilities(network: Any, images: NDArray[Any]) -> NDArray[np.float64]:
    logits = infer(network, prepare(images))
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: NDArray[np.float64] = shifted / shifted.sum(axis=1, keepdims=True)
    return result
