"""Reading a column's type from its values, a block of rows at a time.

A column's type only ever widens as more values arrive (``integer`` →
``number`` → ``string``), so the type of a whole file is known after one pass
however it is split into blocks. Blocks are typed with numpy's string parsing,
so a block of thousands of cells costs a few calls, not one per cell.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

ColumnType = Literal["integer", "number", "boolean", "string", "image", "json"]

TRUE_TEXT = frozenset({"true", "True", "TRUE"})
FALSE_TEXT = frozenset({"false", "False", "FALSE"})
_IMAGE_PREFIXES = ("iVBORw0KGgo", "/9j/", "data:image/")
"""Base64 of the PNG and JPEG signatures, and data URLs."""


def widen(current: str | None, seen: str | None) -> str | None:
    """The type of a column that was ``current`` and now also holds ``seen``."""
    if seen is None:
        return current
    if current is None or current == seen:
        return seen
    if {current, seen} == {"integer", "number"}:
        return "number"
    return "json" if "json" in (current, seen) else "string"


def text_block_type(values: Sequence[str]) -> str | None:
    """The narrowest type that reads every (non-empty) text of a CSV block."""
    if not values:
        return None
    try:
        np.array(values, dtype=np.int64)
        return "integer"
    except (ValueError, OverflowError):
        pass
    try:
        as_float = np.array(values, dtype=np.float64)
    except ValueError:
        as_float = None
    if as_float is not None:
        return "number" if np.isfinite(as_float).all() else "string"
    if all(value in TRUE_TEXT or value in FALSE_TEXT for value in values):
        return "boolean"
    if all(looks_like_image(value) for value in values):
        return "image"
    return "string"


def value_type(value: Any) -> str | None:
    """The type of one JSON value (``None`` for null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "image" if looks_like_image(value) else "string"
    return "json"


def value_text(value: Any) -> str:
    """A value as a report counts it and a category names it: booleans as
    ``true``/``false`` (as JSON writes them), everything else as ``str`` does."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def looks_like_image(text: str) -> bool:
    return len(text) > 64 and text.startswith(_IMAGE_PREFIXES)


def image_bytes(text: str) -> bytes | None:
    """The encoded picture in a base64 (or data URL) value, or ``None``."""
    if text.startswith("data:"):
        _, _, text = text.partition(",")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def convert_texts(
    values: Sequence[str], column_type: str
) -> tuple[list[Any], NDArray[np.float64] | None]:
    """A block of one CSV column as its type's values (``None`` where empty) and,
    for a numeric column, its present values as an array. Numbers are parsed by
    numpy a block at a time."""
    if column_type not in ("integer", "number"):
        return [convert_text(value, column_type) for value in values], None
    dtype = np.int64 if column_type == "integer" else np.float64
    if "" not in values:
        parsed = np.array(values, dtype=dtype)
        return parsed.tolist(), parsed.astype(np.float64, copy=False)
    present = [i for i, value in enumerate(values) if value != ""]
    parsed = np.array([values[i] for i in present], dtype=dtype)
    typed: list[Any] = [None] * len(values)
    for i, value in zip(present, parsed.tolist(), strict=True):
        typed[i] = value
    return typed, parsed.astype(np.float64, copy=False)


def convert_text(value: str, column_type: str) -> Any:
    """One CSV cell as the value of its column's type (``None`` when empty)."""
    if value == "":
        return None
    if column_type == "integer":
        return int(value)
    if column_type == "number":
        return float(value)
    if column_type == "boolean":
        return value in TRUE_TEXT
    return value


def convert_json(value: Any, column_type: str) -> Any:
    """One JSONL value as the value of its column's type."""
    if value is None:
        return None
    if column_type == "number" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if column_type == "string" and not isinstance(value, str):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return value


def numeric(values: Sequence[Any]) -> NDArray[np.float64]:
    """Present numeric (or boolean) values of a block as floats."""
    return np.array([float(value) for value in values if value is not None], dtype=np.float64)
