"""Generated images for ``defect-cnn``: hot-rolled steel strip surfaces.

The generator draws 64 x 64 grayscale images of steel surface in the six classes
of the NEU surface-defect database (Song and Yan, 2013) plus ``no_defect``.

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
"""

from __future__ import annotations

from collections.abc import Callable

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
SIZE = 64

Image = NDArray[np.float64]
_GRID = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)


def _segment_distance(y0: float, x0: float, y1: float, x1: float) -> Image:
    """Distance of every pixel to the segment (y0, x0)-(y1, x1)."""
    ys, xs = _GRID
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
    dy, dx = np.sin(angle) * length / 2, np.cos(angle) * length / 2
    distance = _segment_distance(y - dy, x - dx, y + dy, x + dx)
    image += strength * np.exp(-((distance / width) ** 2))


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
    ys, xs = _GRID
    cos, sin = np.cos(angle), np.sin(angle)
    along = (xs - x) * cos + (ys - y) * sin
    across = -(xs - x) * sin + (ys - y) * cos
    radius = np.hypot(along / (length / 2), across / (width / 2))
    image += strength * np.exp(-(radius**hardness))


def _place(rng: np.random.Generator, low: float, high: float, size: int = 2) -> tuple[float, float]:
    """A random position (row, column) within ``[low, high)``."""
    y, x = rng.uniform(low, high, size)
    return float(y), float(x)


def _smooth(field: Image, width: float) -> Image:
    """``field`` blurred by a Gaussian of ``width`` pixels (separable, edges reflected)."""
    if width <= 0.1:
        return field
    radius = int(3 * width) + 1
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / width) ** 2)
    taps /= taps.sum()
    padded = np.pad(field, radius, mode="reflect")
    rows = np.apply_along_axis(lambda r: np.convolve(r, taps, mode="valid"), 1, padded)
    result: Image = np.apply_along_axis(lambda c: np.convolve(c, taps, mode="valid"), 0, rows)
    return result


def _background(rng: np.random.Generator, roughness: float) -> Image:
    """Bare strip: shading, streaks along the rolling direction (the x axis), mottling
    and grain; ``roughness`` in [0, 1] scales the texture from clean to rough."""
    ys, xs = _GRID / SIZE
    shade = sum(
        rng.normal(0, 1)
        * np.cos(
            2 * np.pi * (rng.uniform(0, 2) * xs + rng.uniform(0, 2) * ys)
            + rng.uniform(0, 2 * np.pi)
        )
        for _ in range(3)
    )
    rows = np.convolve(rng.normal(0, 1, SIZE + 8), np.ones(5) / 5, mode="same")[4:-4]
    streaks = rows[:, None] * (1 + 0.3 * rng.normal(0, 1, (1, SIZE)))
    mottle = _smooth(rng.normal(0, 1, (SIZE, SIZE)), rng.uniform(1.5, 4.0))
    mottle /= mottle.std() or 1.0
    grain = rng.normal(0, 1, (SIZE, SIZE))
    background: Image = (
        0.5
        + 0.03 * shade
        + (0.01 + 0.03 * roughness) * rng.uniform(0.5, 1.0) * streaks
        + 0.05 * roughness * rng.uniform(0.3, 1.0) * mottle
        + (0.015 + 0.04 * roughness) * rng.uniform(0.5, 1.0) * grain
    )
    return background


def _crazing(image: Image, rng: np.random.Generator, strength: float) -> None:
    # A net of short cracks over much of the surface, each turning a little.
    cracks = np.zeros_like(image)
    for _ in range(rng.integers(6, 14)):
        y, x = rng.uniform(0, SIZE, 2)
        angle = rng.uniform(0, 2 * np.pi)
        for _ in range(rng.integers(3, 8)):
            length = rng.uniform(3, 9)
            angle += rng.uniform(-1.3, 1.3)
            y2, x2 = y + np.sin(angle) * length, x + np.cos(angle) * length
            distance = _segment_distance(y, x, y2, x2)
            cracks = np.maximum(cracks, np.exp(-((distance / rng.uniform(0.5, 0.9)) ** 2)))
            y, x = y2, x2
    mottle = _smooth(rng.normal(0, 1, image.shape), rng.uniform(2.0, 4.0))
    image -= strength * (0.8 * cracks + 0.3 * mottle / (mottle.std() or 1.0))


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
        y, x = _place(rng, 6, SIZE - 6, 2)
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
            *_place(rng, 0, SIZE, 2),
            angle=rng.uniform(0, np.pi),
            length=rng.uniform(14, 40),
            width=rng.uniform(10, 30),
            strength=1.0,
            hardness=rng.uniform(2, 4),
        )
    ragged = region * (1 + 0.4 * _smooth(rng.normal(0, 1, image.shape), 2.0))
    image += sign * strength * 0.9 * np.clip(ragged, 0, 1.5)


def _pits(image: Image, rng: np.random.Generator, strength: float) -> None:
    clustered = rng.random() < 0.5
    centre = _place(rng, 12, SIZE - 12, 2)
    for _ in range(rng.integers(15, 60)):
        radius = rng.uniform(0.6, 2.0)
        if clustered:
            y, x = centre[0] + rng.normal(0, 10), centre[1] + rng.normal(0, 10)
        else:
            y, x = _place(rng, 0, SIZE, 2)
        _ellipse(
            image,
            y,
            x,
            angle=0.0,
            length=2 * radius,
            width=2 * radius * rng.uniform(0.7, 1.0),
            strength=-strength * rng.uniform(0.5, 1.3),
        )


def _scale(image: Image, rng: np.random.Generator, strength: float) -> None:
    banded = rng.random() < 0.5
    band, spread = rng.uniform(10, SIZE - 10), rng.uniform(3, 10)
    for _ in range(rng.integers(12, 30)):
        y = band + rng.normal(0, spread) if banded else rng.uniform(0, SIZE)
        x = rng.uniform(0, SIZE)
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
            *_place(rng, 16, SIZE - 16, 2),
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
    "rolled_in_scale": _scale,
    "scratches": _scratches,
    "no_defect": lambda image, rng, strength: None,
}


def _camera(image: Image, rng: np.random.Generator, clean: bool) -> Image:
    """What lighting and the sensor do: uneven illumination, blur, noise, contrast."""
    ys, xs = _GRID / SIZE
    slope = rng.normal(0, 0.06 if clean else 0.12, 2)
    light = 1 + slope[0] * (ys - 0.5) + slope[1] * (xs - 0.5)
    if not clean and rng.random() < 0.4:  # a bright spot or vignette
        cy, cx = rng.uniform(0, 1, 2)
        light += rng.uniform(-0.25, 0.25) * np.exp(-((ys - cy) ** 2 + (xs - cx) ** 2) / 0.2)
    image = 0.5 + (image - 0.5) * light + 0.5 * (light - 1)
    image = _smooth(image, rng.uniform(0.0, 1.0 if clean else 1.4))
    noise = rng.uniform(0.004, 0.015 if clean else 0.04)
    image = image + rng.normal(0, noise, image.shape)
    contrast, brightness = rng.uniform(0.5, 1.4), rng.uniform(-0.15, 0.15)
    result: Image = (image - 0.5) * contrast + 0.5 + brightness
    return result


def draw(label: str, rng: np.random.Generator) -> NDArray[np.uint8]:
    """One image of class ``label`` as 8-bit grayscale pixels."""
    clean = label == "no_defect"
    image = _background(rng, roughness=rng.uniform(0.0, 0.25) if clean else rng.uniform(0, 1))
    _DRAW[label](image, rng, rng.uniform(0.12, 0.3))
    image = _camera(image, rng, clean)
    if rng.random() < 0.5:  # the rolling direction runs vertically
        image = image.T
    if rng.random() < 0.5:
        image = image[::-1]
    if rng.random() < 0.5:
        image = image[:, ::-1]
    return np.clip(image * 255.0, 0, 255).astype(np.uint8)


def generate_images(per_class: int, seed: int) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """``per_class`` images of every class, shuffled; the same seed gives the same set."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(CLASSES)), per_class)
    rng.shuffle(labels)
    images = np.stack([draw(CLASSES[label], rng) for label in labels])
    return images, labels
