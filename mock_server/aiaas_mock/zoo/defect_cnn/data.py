"""Generated images for ``defect-cnn``: hot-rolled steel strip surfaces.

The generator draws grayscale images of steel surface in the six classes of the
NEU surface-defect database (Song and Yan, 2013) plus ``no_defect``, at NEU's
200 x 200 pixels by default.

Real strip photos (NEU's are 200 x 200 greyscale) vary far more than the
defects do: uneven illumination, low contrast, sensor noise, blur, and the
texture of the bare steel (grain, streaks along the rolling direction, mottling).
Every defect image draws all of that at random, from clean to rough, so a
defect is learnt on any surface; ``no_defect`` images are only the clean end of
it, so a textured surface is not read as a clean one. The rolling direction is
horizontal or vertical. The defects, as NEU shows them:

* crazing: a fine network of thin dark cracks over much of the surface, on a
  mottled background;
* inclusion: dark (now and then light) elongated spots or strips along the
  rolling direction, with ragged edges and uneven width, often in a broken row;
* patches: large irregular regions, darker or lighter than the strip;
* pitted_surface: many small dark pits, scattered or in a cluster, of mixed size;
* rolled_in_scale: flakes pressed into the surface, scattered, irregular, dark
  with a lighter rim;
* scratches: long, thin, straight lines of even width, light or dark, mostly
  along the rolling direction.

What makes it hard: inclusions and scratches are both elongated, told apart by
width, edge and straightness; pits, scale and inclusions are all dark marks
told apart by size, shape and arrangement; faint patches resemble uneven
illumination.

The geometry is written in the pixels of a 64 x 64 image and scaled to the
size drawn; grain, sensor noise and camera blur stay one pixel wide. That is
what 3.0.0 changed: a defect-cnn on pretrained features reads texture at the
scale a 200 px photo shows it, and a 64 px drawing enlarged to the network's
224 px turned every grain into a smooth blob no real strip has. A
:class:`Rendering` holds the camera's settings, so held-out sets can be drawn
with other ones (:data:`OTHER_CAMERA`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

CLASSES: tuple[str, ...] = (
    "crazing",
    "inclusion",
    "patches",
    "pitted_surface",
    "rolled_in_scale",
    "scratches",
    "no_defect",
)
SIZE = 200
UNIT = 64
"""The drawing's geometry is in pixels of a ``UNIT`` x ``UNIT`` image."""

Image = NDArray[np.float64]


@dataclass(frozen=True)
class Rendering:
    """What the camera does to a surface: size, blur, noise, contrast, light."""

    size: int = SIZE
    blur: tuple[float, float] = (1.0, 1.6)
    """Most Gaussian blur, in pixels, of clean and of rough surfaces."""
    noise: tuple[float, float] = (0.015, 0.04)
    """Most sensor noise of clean and rough surfaces (grey levels / 255)."""
    contrast: tuple[float, float] = (0.5, 1.4)
    light: float = 0.12
    """Standard deviation of the illumination's slope across the image."""


TRAINING = Rendering()
OTHER_CAMERA = Rendering(
    size=128, blur=(1.6, 2.2), noise=(0.03, 0.06), contrast=(0.3, 0.9), light=0.2
)
"""A held-out camera: smaller, softer, noisier, flatter images under less even
light than any the shipped model was trained on (its held-out ``other_camera``
metrics, and the fine-tuning stand-ins)."""


@functools.cache
def _grid(size: int) -> Image:
    grid: Image = np.mgrid[0:size, 0:size].astype(np.float64)
    return grid


def _scale(image: Image) -> float:
    return float(image.shape[0]) / UNIT


def _segment_distance(size: int, y0: float, x0: float, y1: float, x1: float) -> Image:
    """Distance of every pixel to the segment (y0, x0)-(y1, x1)."""
    ys, xs = _grid(size)
    dy, dx = y1 - y0, x1 - x0
    length2 = dy * dy + dx * dx or 1e-9
    t = np.clip(((ys - y0) * dy + (xs - x0) * dx) / length2, 0.0, 1.0)
    distance: Image = np.hypot(ys - (y0 + t * dy), xs - (x0 + t * dx))
    return distance


def _line(
    image: Image,
    y: float,
    x: float,
    angle: float,
    length: float,
    width: float,
    strength: float,
) -> None:
    """A line; position, length and width in units (scaled to the image)."""
    s = _scale(image)
    dy, dx = np.sin(angle) * length / 2, np.cos(angle) * length / 2
    distance = _segment_distance(
        image.shape[0], s * (y - dy), s * (x - dx), s * (y + dy), s * (x + dx)
    )
    image += strength * np.exp(-((distance / (s * width)) ** 2))


def _ellipse(
    image: Image,
    y: float,
    x: float,
    angle: float,
    length: float,
    width: float,
    strength: float,
    hardness: float = 2.0,
) -> None:
    """An ellipse; position and axes in units (scaled to the image)."""
    s = _scale(image)
    ys, xs = _grid(image.shape[0]) / s
    cos, sin = np.cos(angle), np.sin(angle)
    along = (xs - x) * cos + (ys - y) * sin
    across = -(xs - x) * sin + (ys - y) * cos
    radius = np.hypot(along / (length / 2), across / (width / 2))
    image += strength * np.exp(-(radius**hardness))


def _place(rng: np.random.Generator, low: float, high: float, size: int = 2) -> tuple[float, float]:
    """A random position (row, column) within ``[low, high)`` units."""
    y, x = rng.uniform(low, high, size)
    return float(y), float(x)


def _smooth(field: Image, width: float) -> Image:
    """``field`` blurred by a Gaussian of ``width`` pixels (edges reflected)."""
    if width <= 0.1:
        return field
    # Imported here: a server that only serves never draws, and starts faster.
    from scipy.ndimage import gaussian_filter

    result: Image = gaussian_filter(field, width, mode="reflect", truncate=3.0)
    return result


def _noise_field(rng: np.random.Generator, image: Image, width: float) -> Image:
    """Smooth random texture of ``width`` units, unit standard deviation."""
    field = _smooth(rng.normal(0, 1, image.shape), width * _scale(image))
    normed: Image = field / (field.std() or 1.0)
    return normed


def _background(rng: np.random.Generator, size: int, roughness: float) -> Image:
    """Bare strip: shading, streaks along the rolling direction (the x axis), mottling
    and grain; ``roughness`` in [0, 1] scales the texture from clean to rough."""
    ys, xs = _grid(size) / size
    shade = sum(
        rng.normal(0, 1)
        * np.cos(
            2 * np.pi * (rng.uniform(0, 2) * xs + rng.uniform(0, 2) * ys)
            + rng.uniform(0, 2 * np.pi)
        )
        for _ in range(3)
    )
    s = size / UNIT
    rows = _smooth(rng.normal(0, 1, size), 1.2 * s)
    rows /= rows.std() or 1.0
    streaks = rows[:, None] * (1 + 0.3 * _smooth(rng.normal(0, 1, (1, size)), s))
    background = np.zeros((size, size))
    mottle = _noise_field(rng, background, rng.uniform(1.5, 4.0))
    grain = rng.normal(0, 1, (size, size))  # one pixel: the sensor's, at any size
    background += (
        0.5
        + 0.03 * shade
        + (0.01 + 0.03 * roughness) * rng.uniform(0.5, 1.0) * streaks
        + 0.05 * roughness * rng.uniform(0.3, 1.0) * mottle
        + (0.015 + 0.04 * roughness) * rng.uniform(0.5, 1.0) * grain
    )
    return background


def _crazing(image: Image, rng: np.random.Generator, strength: float) -> None:
    # A net of short cracks over much of the surface, each turning a little.
    size, s = image.shape[0], _scale(image)
    cracks = np.zeros_like(image)
    for _ in range(rng.integers(6, 14)):
        y, x = rng.uniform(0, UNIT, 2)
        angle = rng.uniform(0, 2 * np.pi)
        for _ in range(rng.integers(3, 8)):
            length = rng.uniform(3, 9)
            angle += rng.uniform(-1.3, 1.3)
            y2, x2 = y + np.sin(angle) * length, x + np.cos(angle) * length
            distance = _segment_distance(size, s * y, s * x, s * y2, s * x2)
            # Cracks are hairlines: a pixel or two wide whatever the image size.
            width = rng.uniform(0.5, 0.9) * max(1.0, s / 2)
            cracks = np.maximum(cracks, np.exp(-((distance / width) ** 2)))
            y, x = y2, x2
    mottle = _noise_field(rng, image, rng.uniform(2.0, 4.0))
    image -= strength * (0.8 * cracks + 0.3 * mottle)


def _ragged_strip(
    image: Image, rng: np.random.Generator, y: float, x: float, length: float, strength: float
) -> None:
    """A strip along the rolling direction whose width and darkness vary along it."""
    pieces = rng.integers(3, 7)
    for i in range(pieces):
        offset = (i - (pieces - 1) / 2) * length / pieces
        _ellipse(
            image,
            y + rng.normal(0, 0.6),
            x + offset,
            angle=rng.normal(0, 0.12),
            length=length / pieces * rng.uniform(1.1, 1.8),
            width=rng.uniform(1.6, 4.0),
            strength=strength * rng.uniform(0.6, 1.1),
            hardness=rng.uniform(1.5, 2.5),
        )


def _inclusion(image: Image, rng: np.random.Generator, strength: float) -> None:
    sign = -1.0 if rng.random() < 0.85 else 1.0
    for _ in range(rng.integers(1, 4)):
        y, x = _place(rng, 6, UNIT - 6, 2)
        length = rng.uniform(8, 30)
        if rng.random() < 0.5:
            _ragged_strip(image, rng, y, x, length, sign * strength)
        else:  # a broken row of elongated spots
            for k in range(rng.integers(2, 6)):
                _ellipse(
                    image,
                    y + rng.normal(0, 0.8),
                    x + k * rng.uniform(4, 8) - length / 2,
                    angle=rng.normal(0, 0.15),
                    length=rng.uniform(3, 8),
                    width=rng.uniform(1.5, 3.0),
                    strength=sign * strength * rng.uniform(0.7, 1.2),
                )


def _patches(image: Image, rng: np.random.Generator, strength: float) -> None:
    sign = rng.choice([-1.0, 1.0])
    region = np.zeros_like(image)
    for _ in range(rng.integers(1, 5)):
        _ellipse(
            region,
            *_place(rng, 0, UNIT, 2),
            angle=rng.uniform(0, np.pi),
            length=rng.uniform(14, 40),
            width=rng.uniform(10, 30),
            strength=1.0,
            hardness=rng.uniform(2, 4),
        )
    ragged = region * (1 + 0.15 * _noise_field(rng, image, 2.0))
    image += sign * strength * 0.9 * np.clip(ragged, 0, 1.5)


def _pits(image: Image, rng: np.random.Generator, strength: float) -> None:
    clustered = rng.random() < 0.5
    centre = _place(rng, 12, UNIT - 12, 2)
    for _ in range(rng.integers(15, 60)):
        radius = rng.uniform(0.6, 2.0)
        if clustered:
            y, x = centre[0] + rng.normal(0, 10), centre[1] + rng.normal(0, 10)
        else:
            y, x = _place(rng, 0, UNIT, 2)
        _ellipse(
            image,
            y,
            x,
            angle=0.0,
            length=2 * radius,
            width=2 * radius * rng.uniform(0.7, 1.0),
            strength=-strength * rng.uniform(0.5, 1.3),
        )


def _rolled_in_scale(image: Image, rng: np.random.Generator, strength: float) -> None:
    banded = rng.random() < 0.5
    band, spread = rng.uniform(10, UNIT - 10), rng.uniform(3, 10)
    for _ in range(rng.integers(12, 30)):
        y = band + rng.normal(0, spread) if banded else rng.uniform(0, UNIT)
        x = rng.uniform(0, UNIT)
        length, width = rng.uniform(3, 8), rng.uniform(1.5, 3.5)
        angle = rng.uniform(0, np.pi)
        # A flake with ragged edges (two overlapping blobs) and a faint lighter rim.
        _ellipse(image, y, x, angle, length * 1.6, width * 1.8, strength * 0.2, 2.0)
        darkness = -strength * rng.uniform(1.0, 1.6)
        _ellipse(image, y, x, angle, length, width, darkness, rng.uniform(1.5, 3.0))
        _ellipse(
            image,
            y + rng.normal(0, 1.0),
            x + rng.normal(0, 1.5),
            angle + rng.normal(0, 0.6),
            length * 0.6,
            width * 0.8,
            darkness * 0.6,
            2.0,
        )


def _scratches(image: Image, rng: np.random.Generator, strength: float) -> None:
    sign = rng.choice([-1.0, 1.0])
    along = rng.random() < 0.7
    for _ in range(rng.integers(1, 4)):
        angle = rng.normal(0, 0.15) if along else rng.uniform(0, np.pi)
        _line(
            image,
            *_place(rng, 16, UNIT - 16, 2),
            angle=angle,
            length=rng.uniform(35, 80),
            width=rng.uniform(0.4, 0.9),
            strength=sign * strength * rng.uniform(0.8, 1.2),
        )


_DRAW: dict[str, Callable[[Image, np.random.Generator, float], None]] = {
    "crazing": _crazing,
    "inclusion": _inclusion,
    "patches": _patches,
    "pitted_surface": _pits,
    "rolled_in_scale": _rolled_in_scale,
    "scratches": _scratches,
    "no_defect": lambda image, rng, strength: None,
}


def _camera(image: Image, rng: np.random.Generator, clean: bool, rendering: Rendering) -> Image:
    """What lighting and the sensor do: uneven illumination, blur, noise, contrast."""
    ys, xs = _grid(image.shape[0]) / image.shape[0]
    slope = rng.normal(0, rendering.light / (2 if clean else 1), 2)
    light = 1 + slope[0] * (ys - 0.5) + slope[1] * (xs - 0.5)
    if not clean and rng.random() < 0.4:  # a bright spot or vignette
        cy, cx = rng.uniform(0, 1, 2)
        light += rng.uniform(-0.25, 0.25) * np.exp(-((ys - cy) ** 2 + (xs - cx) ** 2) / 0.2)
    image = 0.5 + (image - 0.5) * light + 0.5 * (light - 1)
    image = _smooth(image, rng.uniform(0.0, rendering.blur[0 if clean else 1]))
    noise = rng.uniform(0.004, rendering.noise[0 if clean else 1])
    image = image + rng.normal(0, noise, image.shape)
    contrast, brightness = rng.uniform(*rendering.contrast), rng.uniform(-0.15, 0.15)
    result: Image = (image - 0.5) * contrast + 0.5 + brightness
    return result


def draw(
    label: str, rng: np.random.Generator, rendering: Rendering = TRAINING
) -> NDArray[np.uint8]:
    """One image of class ``label`` as 8-bit grayscale pixels."""
    clean = label == "no_defect"
    roughness = rng.uniform(0.0, 0.25) if clean else rng.uniform(0, 1)
    image = _background(rng, rendering.size, roughness)
    _DRAW[label](image, rng, rng.uniform(0.12, 0.3))
    image = _camera(image, rng, clean, rendering)
    if rng.random() < 0.5:  # the rolling direction runs vertically
        image = image.T
    if rng.random() < 0.5:
        image = image[::-1]
    if rng.random() < 0.5:
        image = image[:, ::-1]
    return np.clip(image * 255.0, 0, 255).astype(np.uint8)


def generate_images(
    per_class: int, seed: int, rendering: Rendering = TRAINING
) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """``per_class`` images of every class, shuffled; the same seed gives the same set."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(CLASSES)), per_class)
    rng.shuffle(labels)
    images = np.stack([draw(CLASSES[label], rng, rendering) for label in labels])
    return images, labels
