"""Everything that builds a model input, in one place, without the SDK needing numpy.

Rows of the tabular and sensor models are typed (``ProcessRun``, ``LineHour``,
``FlightSettings``, ``PumpReading``: the wire types of :mod:`aiaas.types`, which
the server validates with); images and sensor windows have helpers that turn
everyday data into the input; text models take plain strings.

>>> client.models.predict("quality-logreg", inputs=[aiaas.inputs.ProcessRun(...)])
>>> client.models.predict("defect-cnn", inputs=[aiaas.inputs.image("part-17.png")])
>>> client.models.predict("rul-lstm", inputs=[aiaas.inputs.sensor_window(readings)])
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._image_sets import JPEG_SIGNATURE, PNG_SIGNATURE, labelled_images
from .types import inputs as _typed_inputs
from .types.inputs import *  # noqa: F403 (every typed input, listed in types.inputs.__all__)
from .types.inputs import PixelImage, PngImage, SensorWindow

__all__ = ["image", "labelled_images", "sensor_window"]
__all__ += _typed_inputs.__all__


def image(source: bytes | str | os.PathLike[str] | Any) -> PngImage | PixelImage:
    """One ``defect-cnn`` input from PNG or JPEG bytes, the path of such a file, a
    Pillow image (sent as a PNG, losing nothing), or a 2-D array of grey levels
    (nested lists, or anything with ``tolist()`` such as a numpy array).
    Grayscale or colour (read as grey), any size from 8 to 2048 pixels a side;
    the server scales it.
    """
    if isinstance(source, (str, os.PathLike)):
        source = Path(source).read_bytes()
    elif callable(save := getattr(source, "save", None)) and hasattr(source, "mode"):
        # A PIL.Image.Image, recognised without importing Pillow.
        buffer = io.BytesIO()
        save(buffer, format="PNG")
        source = buffer.getvalue()
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data.startswith((PNG_SIGNATURE, JPEG_SIGNATURE)):
            raise ValueError("image bytes must be a PNG or JPEG file")
        return PngImage(image=base64.b64encode(data).decode("ascii"))
    rows = _as_lists(source)
    if (
        not rows
        or not all(isinstance(row, list) for row in rows)
        or any(isinstance(value, list) for row in rows for value in row)
    ):
        raise ValueError(
            "an image array must be 2-D (rows of grey levels); convert colour "
            "images to grayscale first"
        )
    return PixelImage(pixels=rows)


def sensor_window(
    readings: Mapping[str, Sequence[float]] | Any, names: Sequence[str] | None = None
) -> SensorWindow:
    """One ``rul-lstm`` input: the latest readings of each sensor, oldest first.

    ``readings`` is either a mapping from sensor name to its readings, or a 2-D
    array of cycles x sensors whose columns ``names`` names.
    """
    if isinstance(readings, Mapping):
        if names is not None:
            raise ValueError("pass names only with an array of cycles x sensors")
        return SensorWindow(
            sensors={str(k): [float(v) for v in _as_lists(vs)] for k, vs in readings.items()}
        )
    if names is None:
        raise ValueError("an array of cycles x sensors needs the sensor names")
    rows = _as_lists(readings)
    if not rows or any(not isinstance(row, list) or len(row) != len(names) for row in rows):
        raise ValueError(f"each cycle must have {len(names)} readings, one per name")
    columns = list(zip(*rows, strict=True))
    return SensorWindow(
        sensors={
            name: [float(v) for v in column] for name, column in zip(names, columns, strict=True)
        }
    )


def _as_lists(value: Any) -> Any:
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    if isinstance(value, (list, tuple)):
        return [_as_lists(item) for item in value]
    return value
