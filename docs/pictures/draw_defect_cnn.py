"""Draws docs/pictures/defect-cnn.png: generated images of every defect-cnn class
beside the shipped model's confusion matrix on held-out generated images (read
from its card, so the picture shows what was measured).

    python docs/pictures/draw_defect_cnn.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from aiaas_mock.zoo.defect_cnn import DEFECT_CNN
from aiaas_mock.zoo.defect_cnn.data import CLASSES, generate_images

OUT = Path(__file__).resolve().parent / "defect-cnn.png"
PER_CLASS, TILE, GAP, CELL = 5, 88, 4, 52
LABEL_WIDTH, MARGIN = 130, 16


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def confusion_counts() -> np.ndarray:
    text = DEFECT_CNN.card().data["confusion"].split(":", 1)[1]
    return np.array([[int(n) for n in row.split()] for row in text.split(";")])


def draw() -> Image.Image:
    images, labels = generate_images(PER_CLASS, seed=31)
    counts = confusion_counts()
    grid_width = LABEL_WIDTH + PER_CLASS * (TILE + GAP)
    matrix_left = MARGIN + grid_width + 2 * MARGIN + LABEL_WIDTH
    width = matrix_left + len(CLASSES) * CELL + MARGIN
    height = MARGIN * 3 + 24 + len(CLASSES) * (TILE + GAP)
    canvas = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(canvas)
    top = MARGIN * 2 + 24
    pen.text(
        (MARGIN, MARGIN), "generated images (200 px, shown smaller)", fill="black", font=_font(16)
    )
    for row, name in enumerate(CLASSES):
        y = top + row * (TILE + GAP)
        pen.text((MARGIN, y + TILE // 2 - 8), name, fill="black", font=_font(14))
        for column, index in enumerate(np.flatnonzero(labels == row)[:PER_CLASS]):
            tile = Image.fromarray(images[index]).resize((TILE, TILE), Image.Resampling.LANCZOS)
            canvas.paste(tile.convert("RGB"), (MARGIN + LABEL_WIDTH + column * (TILE + GAP), y))
    pen.text(
        (matrix_left - LABEL_WIDTH, MARGIN),
        "held-out confusion: rows true, columns predicted",
        fill="black",
        font=_font(16),
    )
    cell_top = top + (len(CLASSES) * (TILE + GAP) - len(CLASSES) * CELL) // 2
    for column, name in enumerate(CLASSES):
        short = "".join(word[0] for word in name.split("_")) if "_" in name else name[:2]
        x = matrix_left + column * CELL + CELL // 2
        pen.text((x, cell_top - 14), short, fill="black", font=_font(13), anchor="mm")
    for row, name in enumerate(CLASSES):
        y = cell_top + row * CELL
        pen.text((matrix_left - LABEL_WIDTH, y + CELL // 2 - 8), name, fill="black", font=_font(14))
        total = counts[row].sum()
        for column in range(len(CLASSES)):
            share = counts[row, column] / total
            shade = int(255 - 200 * share)
            colour = (shade, shade, 255) if row == column else (255, shade, shade)
            x = matrix_left + column * CELL
            pen.rectangle((x, y, x + CELL - 2, y + CELL - 2), fill=colour)
            pen.text(
                (x + CELL // 2, y + CELL // 2),
                str(counts[row, column]),
                fill="black" if share < 0.6 else "white",
                font=_font(13),
                anchor="mm",
            )
    return canvas


if __name__ == "__main__":
    # 256 grey levels and a few tints: a palette image is a third of the size.
    draw().quantize(colors=256).save(OUT, optimize=True)
    print(f"wrote {OUT}")
