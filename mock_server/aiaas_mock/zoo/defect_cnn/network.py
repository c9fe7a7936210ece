"""The ``defect-cnn`` network: the pretrained backbone's trunk, its top (a copy, so
fine-tuning may change it), and a linear head over the 1,280 pooled features;
how the head and the top learn, and the class probabilities of images of any
size.

Training runs on the trunk's maps (or the top's pooled features), computed once
per image and view: the trunk never learns, so running it again every epoch
would only repeat the same arithmetic.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..kit.torch_helpers import fit, infer, torch_module
from . import backbone


@functools.cache
def _frozen_norm_sequential() -> type:
    nn = torch_module().nn

    class FrozenNormSequential(nn.Sequential):  # type: ignore[misc,name-defined]
        """Batch norm keeps the pretrained statistics while the rest learns: a few
        dozen images a class estimate them far worse than ImageNet did."""

        def train(self, mode: bool = True) -> Any:
            super().train(mode)
            for module in self.modules():
                if isinstance(module, nn.BatchNorm2d):
                    module.eval()
            return self

    return FrozenNormSequential


def build_top(network: Any) -> Any:
    """A trainable copy of the backbone's top: maps ``(n, 192, 7, 7)`` to ``(n, 1280)``."""
    nn = torch_module().nn
    layers = [copy.deepcopy(block) for block in network._blocks[-backbone.TOP_BLOCKS :]]
    top = _frozen_norm_sequential()(
        *layers,
        copy.deepcopy(network._conv_head),
        copy.deepcopy(network._bn1),
        nn.ReLU6(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
    )
    for parameter in top.parameters():
        parameter.requires_grad_(True)
    top.eval()
    return top


@functools.cache
def _standardize() -> type:
    torch = torch_module()

    class Standardize(torch.nn.Module):  # type: ignore[misc,name-defined]
        """Brings features of a camera's images to the statistics of the images the
        head learnt from: ``(x - mean) / std * reference_std + reference_mean``.

        The shipped head's ``mean`` and ``std`` are its reference's (nothing
        moves); fine-tuning sets them from the tenant's own images, so a camera
        that is darker, softer or noisier than the generator's starts from
        features the head already reads. Measured on another camera's generated
        images, 5 a class: the shipped head 0.738, fine-tuned without it 0.727,
        with it 0.765."""

        def __init__(self) -> None:
            super().__init__()
            for name in ("mean", "reference_mean"):
                self.register_buffer(name, torch.zeros(backbone.FEATURES))
            for name in ("std", "reference_std"):
                self.register_buffer(name, torch.ones(backbone.FEATURES))

        def forward(self, x: Any) -> Any:
            return (x - self.mean) / self.std * self.reference_std + self.reference_mean

    return Standardize


def build_head(num_classes: int) -> Any:
    nn = torch_module().nn
    return nn.Sequential(
        _standardize()(), nn.Dropout(0.2), nn.Linear(backbone.FEATURES, num_classes)
    )


def set_statistics(head: Any, features: NDArray[np.float32], *, reference: bool) -> None:
    """Set the head's input statistics (and with ``reference``, its reference's too)
    to those of ``features``."""
    torch = torch_module()
    mean = torch.from_numpy(features.mean(axis=0).astype(np.float32))
    std = torch.from_numpy(features.std(axis=0).astype(np.float32) + 1e-3)
    standardize = head[0]
    with torch.no_grad():
        standardize.mean.copy_(mean)
        standardize.std.copy_(std)
        if reference:
            standardize.reference_mean.copy_(mean)
            standardize.reference_std.copy_(std)


@dataclass
class DefectNetwork:
    """The served network. ``top`` is ``None`` while it is the backbone's own."""

    trunk: Any
    head: Any
    top: Any = None

    def features(self, maps: NDArray[np.float32]) -> NDArray[np.float32]:
        if self.top is None:
            return backbone.pooled(self.trunk, maps)
        result: NDArray[np.float32] = infer(self.top, maps, batch_size=64)
        return result

    def probabilities_of_maps(self, maps: NDArray[np.float32]) -> NDArray[np.float64]:
        return softmax(infer(self.head, self.features(maps)))

    def probabilities(self, images: NDArray[Any]) -> NDArray[np.float64]:
        """Class probabilities of grey images of one size (any size)."""
        return self.probabilities_of_maps(backbone.trunk_maps(self.trunk, images))


def softmax(logits: NDArray[Any]) -> NDArray[np.float64]:
    shifted = np.exp(logits.astype(np.float64) - logits.max(axis=1, keepdims=True))
    result: NDArray[np.float64] = shifted / shifted.sum(axis=1, keepdims=True)
    return result


def maps_of_sizes(trunk: Any, images: Sequence[NDArray[Any]]) -> NDArray[np.float32]:
    """The trunk's maps of grey images of any sizes, in their order (images of one
    size run together)."""
    maps = np.empty(
        (len(images), backbone.TRUNK_CHANNELS, backbone.TRUNK_SIDE, backbone.TRUNK_SIDE),
        dtype=np.float32,
    )
    by_shape: dict[tuple[int, ...], list[int]] = {}
    for index, image in enumerate(images):
        by_shape.setdefault(image.shape, []).append(index)
    for indices in by_shape.values():
        maps[indices] = backbone.trunk_maps(trunk, np.stack([images[i] for i in indices]))
    return maps


def _fit_classes(
    model: Any,
    inputs: NDArray[np.float32],
    labels: NDArray[np.int64],
    settings: dict[str, Any],
    parameter_groups: list[dict[str, Any]] | None = None,
) -> None:
    """``model`` trained in place by cross-entropy, as every defect-cnn part learns."""
    torch = torch_module()
    fit(
        model,
        inputs,
        labels,
        loss=torch.nn.functional.cross_entropy,
        batch_size=32,
        weight_decay=1e-4,
        parameter_groups=parameter_groups,
        **settings,
    )


def train_head(
    head: Any,
    features: NDArray[np.float32],
    labels: NDArray[np.int64],
    *,
    seed: int,
    epochs: int,
    learning_rate: float,
    on_batch: Callable[[], None] | None = None,
) -> Any:
    """``head`` trained in place on pooled features."""
    settings = {
        "seed": seed,
        "epochs": epochs,
        "learning_rate": learning_rate,
        "on_batch": on_batch,
    }
    _fit_classes(head, features, labels, settings)
    return head


def train_top_and_head(
    top: Any,
    head: Any,
    maps: NDArray[np.float32],
    labels: NDArray[np.int64],
    *,
    seed: int,
    epochs: int,
    learning_rate: float,
    on_batch: Callable[[], None] | None = None,
) -> None:
    """``top`` and ``head`` trained in place together on trunk maps; the top at a
    tenth of the head's rate, so a few images nudge the pretrained filters rather
    than overwrite them."""
    settings = {
        "seed": seed,
        "epochs": epochs,
        "learning_rate": learning_rate,
        "on_batch": on_batch,
    }
    _fit_classes(
        _frozen_norm_sequential()(top, head),
        maps,
        labels,
        settings,
        parameter_groups=[
            {"params": list(top.parameters()), "lr": learning_rate / 10},
            {"params": list(head.parameters()), "lr": learning_rate},
        ],
    )
