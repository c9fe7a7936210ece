"""Generated images for ``defect-cnn``: hot-rolled steel strip surfaces.

The generator draws 64 x 64 grayscale images of steel surface in the six classes
of the NEU surface-defect database (Song and Yan, 2013) plus ``no_defect``: a
textured background (low-frequency shading, streaks along the rolling direction,
fine grain) with defects drawn as soft-edged shapes:

* crazing: a web of short, thin, dark cracks;
* inclusion: one to three dark streaks, elongated along the rolling direction;
* patches: large soft regions, darker or lighter than the strip;
* pitted_surface: many small dark pits;
* rolled_in_scale: small dark flakes clustered in a band along the rolling direction;
* scratches: one to three long thin straight lines at any angle, dark or bright.

Brightness, contrast, grain and defect position, size, count and strength vary
per image, and defects may be faint. What makes it hard: inclusions, scale and
pits are all small dark marks told apart by shape and arrangement; faint patches
resemble background shading. Real NEU images are harder still (200 x 200,
stronger texture); this generator exists to make the task learnable offline.
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


def _background(rng: np.random.Generator) -> Image:
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
    grain = rng.normal(0, 1, (SIZE, SIZE))
    background: Image = (
        0.5 + 0.03 * shade + rng.uniform(0.01, 0.03) * streaks + rng.uniform(0.02, 0.05) * grain
    )
    return background


def _crazing(image: Image, rng: np.random.Generator, strength: float) -> None:
    for _ in range(rng.integers(2, 5)):
        y, x = rng.uniform(0, SIZE, 2)
        angle = rng.uniform(0, 2 * np.pi)
        for _ in range(rng.integers(4, 9)):
            length = rng.uniform(4, 10)
            angle += rng.uniform(-1.2, 1.2)
            y2, x2 = y + np.sin(angle) * length, x + np.cos(angle) * length
            distance = _segment_distance(y, x, y2, x2)
            image -= strength * np.exp(-((distance / rng.uniform(0.5, 0.9)) ** 2))
            y, x = y2, x2


def _inclusion(image: Image, rng: np.random.Generator, strength: float) -> None:
    for _ in range(rng.integers(1, 4)):
        _ellipse(
            image,
            *_place(rng, 6, SIZE - 6, 2),
            angle=rng.normal(0, 0.25),
            length=rng.uniform(8, 18),
            width=rng.uniform(1.8, 3.5),
            strength=-strength,
        )


def _patches(image: Image, rng: np.random.Generator, strength: float) -> None:
    sign = rng.choice([-1.0, 1.0])
    for _ in range(rng.integers(1, 4)):
        _ellipse(
            image,
            *_place(rng, 0, SIZE, 2),
            angle=rng.uniform(0, np.pi),
            length=rng.uniform(16, 40),
            width=rng.uniform(12, 30),
            strength=sign * strength * 0.8,
            hardness=rng.uniform(2, 4),
        )


def _pits(image: Image, rng: np.random.Generator, strength: float) -> None:
    for _ in range(rng.integers(15, 45)):
        radius = rng.uniform(0.8, 1.8)
        _ellipse(
            image,
            *_place(rng, 0, SIZE, 2),
            angle=0.0,
            length=2 * radius,
            width=2 * radius,
            strength=-strength * rng.uniform(0.6, 1.2),
        )


def _scale(image: Image, rng: np.random.Generator, strength: float) -> None:
    band, spread = rng.uniform(10, SIZE - 10), rng.uniform(3, 8)
    for _ in range(rng.integers(8, 18)):
        _ellipse(
            image,
            band + rng.normal(0, spread),
            rng.uniform(0, SIZE),
            angle=rng.normal(0, 0.3),
            length=rng.uniform(3, 7),
            width=rng.uniform(1.2, 2.5),
            strength=-strength * rng.uniform(0.6, 1.1),
            hardness=rng.uniform(1.5, 3),
        )


def _scratches(image: Image, rng: np.random.Generator, strength: float) -> None:
    sign = rng.choice([-1.0, 1.0])
    for _ in range(rng.integers(1, 4)):
        _line(
            image,
            *_place(rng, 16, SIZE - 16, 2),
            angle=rng.uniform(0, np.pi),
            length=rng.uniform(30, 70),
            width=rng.uniform(0.5, 1.1),
            strength=sign * strength,
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


def draw(label: str, rng: np.random.Generator) -> NDArray[np.uint8]:
    """One image of class ``label`` as 8-bit grayscale pixels."""
    image = _background(rng)
    _DRAW[label](image, rng, rng.uniform(0.15, 0.3))
    contrast, brightness = rng.uniform(0.7, 1.3), rng.uniform(-0.12, 0.12)
    image = (image - 0.5) * contrast + 0.5 + brightness
    return np.clip(image * 255.0, 0, 255).astype(np.uint8)


def generate_images(per_class: int, seed: int) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """``per_class`` images of every class, shuffled; the same seed gives the same set."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(CLASSES)), per_class)
    rng.shuffle(labels)
    images = np.stack([draw(CLASSES[label], rng) for label in labels])
    return images, labels
