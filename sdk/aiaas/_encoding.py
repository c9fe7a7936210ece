"""Turning user inputs into JSON: bytes as base64, arrays as nested lists."""

from __future__ import annotations

import base64
import datetime
import decimal
import enum
import json
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

__all__ = ["dumps", "to_jsonable"]

# Values pydantic writes the way a JSON API expects them: ISO 8601 for times,
# strings for decimals and UUIDs, an enum's value.
_PYDANTIC_ENCODED = (
    datetime.date,
    datetime.time,
    datetime.timedelta,
    decimal.Decimal,
    uuid.UUID,
    enum.Enum,
)


def _encode(value: Any) -> Any:
    """What ``json`` cannot write by itself, as something it can."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return dict(value)
    # numpy arrays and scalars, without importing numpy.
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    if isinstance(value, _PYDANTIC_ENCODED):
        return to_jsonable_python(value)
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise TypeError(f"cannot send a value of type {type(value).__name__} as JSON")


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (what :func:`dumps` writes, as Python objects)."""
    return json.loads(dumps(value))


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON; NaN and infinity are refused, as JSON has no such numbers.

    The standard library's encoder does the walking (in C); only values it cannot
    write reach :func:`_encode`.
    """
    try:
        text = json.dumps(
            value, default=_encode, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except ValueError as exc:
        if "Circular" in str(exc):
            raise
        raise ValueError(f"cannot send NaN or infinity as JSON: {exc}") from None
    return text.encode("utf-8")
