"""Augmented views of a grey image, at the backbone's input size, for learning from
few images: view 0 is the image as serving sees it; the others are flipped or
turned, cropped a little and shown brighter or darker, with more or less
contrast — what another coil, camera position or lamp would change, and never
what tells one defect from another."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .backbone import INPUT, to_input_size

SMALLEST_CROP = 0.8
"""Share of each side a crop keeps at least: more would cut a scratch or an
inclusion out of the picture."""


def _augmented(image: NDArray[np.float32], rng: np.random.Generator) -> NDArray[np.float32]:
    height, width = image.shape
    share = rng.uniform(SMALLEST_CROP, 1.0)
    rows, columns = max(8, round(height * share)), max(8, round(width * share))
    top = int(rng.integers(0, height - rows + 1))
    left = int(rng.integers(0, width - columns + 1))
    view = image[top : top + rows, left : left + columns]
    if rng.random() < 0.5:
        view = view[::-1]
    if rng.random() < 0.5:
        view = view[:, ::-1]
    if rng.random() < 0.5:  # the rolling direction turned
        view = view.T
    mean = float(view.mean())
    contrast, brightness = rng.uniform(0.7, 1.3), rng.uniform(-0.12, 0.12) * 255
    adjusted = np.clip((view - mean) * contrast + mean + brightness, 0, 255)
    resized: NDArray[np.float32] = to_input_size(adjusted[None])[0]
    return resized


def views(image: NDArray[Any], count: int, seed: int) -> NDArray[np.float32]:
    """``count`` views of a grey image at the backbone's input size; the first is
    the image itself. The same image and seed give the same views."""
    rng = np.random.default_rng(seed)
    pixels = np.asarray(image, dtype=np.float32)
    result = np.empty((count, INPUT, INPUT), dtype=np.float32)
    result[0] = to_input_size(pixels[None])[0]
    for index in range(1, count):
        result[index] = _augmented(pixels, rng)
    return result
