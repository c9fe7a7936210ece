"""Reading a column's type from its values, a block of rows at a time.

A column's type only ever widens as more values arrive (``integer`` →
``number`` → ``string``), so the type of a whole file is known after one pass
however it is split into blocks. CSV texts are typed by Arrow's parsers a
column block at a time (:mod:`.arrow_columns`); JSON values by their own type.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal

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


def convert_json(value: Any, column_type: str) -> Any:
    """One JSONL value as the value of its column's type."""
    if value is None:
        return None
    if column_type == "number" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if column_type == "string" and not isinstance(value, str):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return value
