"""Turning user inputs into JSON: bytes as base64, arrays as nested lists."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

__all__ = ["dumps", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON types.

    Bytes become base64 text, pydantic models their JSON form, and anything with a
    ``tolist()`` method (numpy arrays and scalars) a list or number, so the SDK
    accepts arrays without depending on numpy.
    """
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return to_jsonable(tolist())
    raise TypeError(f"cannot send a value of type {type(value).__name__} as JSON")


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON; NaN and infinity are refused, as JSON has no such numbers."""
    try:
        text = json.dumps(
            to_jsonable(value), separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except ValueError as exc:
        raise ValueError(f"cannot send NaN or infinity as JSON: {exc}") from None
    return text.encode("utf-8")
