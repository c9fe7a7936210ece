"""Labelled images as dataset records: a folder laid out ``class_name/*.png|jpg``,
or a CSV of paths and labels, read one image at a time."""

from __future__ import annotations

import base64
import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

from ._frames import require

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg"})
MAX_ENCODED_BYTES = 96 * 1024
"""Largest image sent as it is: its base64 fits a dataset cell (128 Ki characters)."""
SHRUNK_SIDES = (512, 384, 256, 192, 128)
"""Sides a larger image is scaled to, largest first, until it fits a cell (as a
grayscale PNG, else JPEG): all at or above what ``defect-cnn`` looks at."""


def labelled_images(
    source: str | os.PathLike[str],
    *,
    image: str = "image",
    label: str = "label",
) -> Iterator[dict[str, str]]:
    """Records ``{image: <base64 PNG or JPEG>, label: <class>}`` of labelled images,
    for ``datasets.create(file=...)`` and ``defect-cnn`` fine-tuning.

    ``source`` is a folder with one sub-folder of ``.png``/``.jpg``/``.jpeg`` files
    per class (the folder's name is the label), or a CSV file with columns
    ``path`` and ``label`` (paths relative to the CSV). Grayscale and colour are
    both taken (the model reads grey). An image too large for a dataset cell
    (96 KiB) is scaled to grey and to at most 512 pixels a side, less if it
    still does not fit, which needs Pillow (``pip install 'aiaas[images]'``).
    """
    root = Path(source)
    if root.is_dir():
        pairs = _folder(root)
    elif root.is_file():
        pairs = _listing(root)
    else:
        raise FileNotFoundError(f"no folder or CSV file at {root}")
    for path, name in pairs:
        yield {image: _encoded(path), label: name}


def _folder(root: Path) -> Iterator[tuple[Path, str]]:
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise ValueError(f"{root} has no sub-folders: lay images out as <class name>/<image>")
    found = False
    for folder in classes:
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
                found = True
                yield path, folder.name
    if not found:
        raise ValueError(f"{root}'s class folders hold no .png, .jpg or .jpeg files")


def _listing(listing: Path) -> Iterator[tuple[Path, str]]:
    with listing.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        if reader.fieldnames is None or not {"path", "label"} <= set(reader.fieldnames):
            raise ValueError(f"{listing} must have the columns 'path' and 'label'")
        for line, row in enumerate(reader, start=2):
            if not row["path"] or not row["label"]:
                raise ValueError(f"{listing}, line {line}: a path and a label are needed")
            yield listing.parent / row["path"], row["label"]


def _encoded(path: Path) -> str:
    data = path.read_bytes()
    if not data.startswith((PNG_SIGNATURE, JPEG_SIGNATURE)):
        raise ValueError(f"{path} is not a PNG or JPEG file")
    if len(data) > MAX_ENCODED_BYTES:
        data = _shrunk(data, path)
    return base64.b64encode(data).decode("ascii")


def _shrunk(data: bytes, path: Path) -> bytes:
    pil = require("PIL.Image")  # the images extra: only large images need it
    with pil.open(io.BytesIO(data)) as image:
        grey = image.convert("L")
    for side in SHRUNK_SIDES:
        smaller = grey.copy()
        smaller.thumbnail((side, side))
        for fmt, options in (("PNG", {"optimize": True}), ("JPEG", {"quality": 90})):
            buffer = io.BytesIO()
            smaller.save(buffer, format=fmt, **options)
            if buffer.tell() <= MAX_ENCODED_BYTES:
                return buffer.getvalue()
    raise ValueError(f"{path} does not fit a dataset cell even at {SHRUNK_SIDES[-1]} pixels")
