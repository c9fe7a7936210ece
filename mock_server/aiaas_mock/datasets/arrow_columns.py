"""Column blocks as Arrow arrays: the type of a block of CSV texts or Parquet
values, its typed array for storage, and row hashes for counting duplicates.

Every function here works on a whole column block with Arrow's (or numpy's)
kernels: a block of thousands of cells costs a few calls, not one per cell.
The rules are those of :mod:`.columns`: a number is finite (``1e400``, ``inf``
and ``nan`` are text, in a CSV cell, a JSON line or a Parquet float alike), an
integer fits 64 bits, a boolean is ``true``/``false`` in any of three cases.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from .columns import _IMAGE_PREFIXES, FALSE_TEXT, TRUE_TEXT

STORED_TYPES: dict[str, pa.DataType] = {
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "string": pa.string(),
    "image": pa.string(),
    "json": pa.string(),  # the value's JSON text
}
_BOOLEAN_TEXT = pa.array(sorted(TRUE_TEXT | FALSE_TEXT))
_TRUE = pa.array(sorted(TRUE_TEXT))
_IMAGE_MIN_CHARS = 65


def stored_schema(types: dict[str, str]) -> pa.Schema:
    return pa.schema([pa.field(name, STORED_TYPES[kind]) for name, kind in types.items()])


# -- CSV texts -------------------------------------------------------------------


_GROUPED = r"^\s*[+-]?\d{1,3}(\.\d{3})*(,\d*)?\s*$"
_HEAD = 64
"""Texts tried first: a cast that fails costs as much as one that succeeds over
the whole block, so a block that is not numbers is told from its first few."""


def _cast(texts: pa.Array, target: pa.DataType) -> pa.Array | None:
    try:
        if len(texts) > _HEAD:
            pc.cast(texts.slice(0, _HEAD), target)
        return pc.cast(texts, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _parsed(texts: pa.Array, target: pa.DataType, decimal: str) -> pa.Array | None:
    """The texts read as ``target``, or ``None`` if one cannot be. Arrow's parsers
    take no padding or ``+``; numpy's (and Python's) do, so a failure is retried
    on the texts without them. With decimal commas a point is no decimal mark:
    it may only group thousands (``1.234,5``), as spreadsheets write them."""
    source = texts
    if target == pa.float64() and decimal == ",":
        if pc.any(pc.match_substring(texts, ".")).as_py():
            if not pc.all(pc.match_substring_regex(texts, _GROUPED)).as_py():
                return None
            source = pc.replace_substring(texts, ".", "")  # thousands: 1.234,5
        source = pc.replace_substring(source, ",", ".")
    parsed = _cast(source, target)
    if parsed is not None or _cast(_trimmed(source.slice(0, _HEAD)), target) is None:
        return parsed
    return _cast(_trimmed(source), target)


def _trimmed(texts: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(pc.utf8_trim_whitespace(texts), r"^\+", "")


def _finite(numbers: pa.Array) -> bool:
    return bool(pc.all(pc.is_finite(numbers)).as_py() is not False)


def text_type(
    texts: pa.Array, decimal: str = ".", known: str | None = None
) -> tuple[str | None, pa.Array | None]:
    """The narrowest type that reads every present text of a CSV column block
    (``None`` when all are missing) and, for a numeric one, the block as its
    numbers (missing where the text is). A column ``known`` to hold numbers is
    not tried as integers again."""
    if texts.null_count == len(texts):
        return None, None
    integers = _parsed(texts, pa.int64(), decimal) if known != "number" else None
    if integers is not None:
        return "integer", integers
    numbers = _parsed(texts, pa.float64(), decimal)
    if numbers is not None:
        return ("number", numbers) if _finite(numbers) else ("string", None)
    present = texts.drop_null()
    if pc.all(pc.is_in(present, value_set=_BOOLEAN_TEXT)).as_py():
        return "boolean", None
    if _all_images(present):
        return "image", None
    return "string", None


def _all_images(present: pa.Array) -> bool:
    long_enough = pc.greater_equal(pc.utf8_length(present), _IMAGE_MIN_CHARS)
    if not pc.all(long_enough).as_py():
        return False
    marked = pc.starts_with(present, _IMAGE_PREFIXES[0])
    for prefix in _IMAGE_PREFIXES[1:]:
        marked = pc.or_(marked, pc.starts_with(present, prefix))
    return bool(pc.all(marked).as_py())


def typed_texts(
    texts: pa.Array, column_type: str, decimal: str = ".", parsed: pa.Array | None = None
) -> pa.Array:
    """A CSV column block as its settled type's stored array (nulls kept);
    ``parsed`` is the block as numbers, when the survey read them already."""
    if parsed is not None and column_type in ("integer", "number"):
        wanted = pa.int64() if column_type == "integer" else pa.float64()
        return parsed if parsed.type == wanted else pc.cast(parsed, wanted, safe=False)
    if column_type in ("integer", "number"):
        target = pa.int64() if column_type == "integer" else pa.float64()
        parsed = _parsed(texts, target, decimal if column_type == "number" else ".")
        assert parsed is not None, "the survey settled a type every text reads as"
        return parsed
    if column_type == "boolean":
        return pc.if_else(pc.is_valid(texts), pc.is_in(texts, value_set=_TRUE), None)
    return texts.cast(pa.string())


# -- Parquet values --------------------------------------------------------------


def arrow_type(values: pa.Array) -> str | None:
    """The type of a block of a Parquet column (``None`` when all are missing)."""
    kind = values.type
    if pa.types.is_dictionary(kind):
        return arrow_type(values.dictionary_decode())
    present = values.drop_null()
    if pa.types.is_floating(kind) and len(present):
        present = pc.filter(present, pc.invert(pc.is_nan(present)))  # pandas' missing
    if len(present) == 0:
        return None
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_integer(kind):
        fits = not pa.types.is_uint64(kind) or pc.max(present).as_py() <= 2**63 - 1
        return "integer" if fits else "number"
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "number" if _finite(pc.cast(present, pa.float64(), safe=False)) else "string"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "image" if _all_images(present) else "string"
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return "image"
    if pa.types.is_nested(kind):
        return "json"
    return "string"  # dates, times, durations: their ISO text


def typed_arrow(values: pa.Array, column_type: str) -> pa.Array:
    """A Parquet column block as its settled type's stored array; NaN is missing."""
    kind = values.type
    if pa.types.is_dictionary(kind):
        return typed_arrow(values.dictionary_decode(), column_type)
    if pa.types.is_floating(kind):
        values = pc.if_else(pc.is_nan(values), None, values)
    if column_type == "json":
        texts = [None if v is None else json.dumps(v, default=str) for v in values.to_pylist()]
        return pa.array(texts, pa.string())
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        encoded = [None if v is None else base64.b64encode(v).decode() for v in values.to_pylist()]
        return pa.array(encoded, pa.string())
    if column_type == "number":
        return pc.cast(values, pa.float64(), safe=False)
    if column_type == "string" and pa.types.is_floating(kind):
        # Non-finite floats as the text JSON and CSV files write for them.
        return pa.array([None if v is None else repr(v) for v in values.to_pylist()], pa.string())
    return pc.cast(values, STORED_TYPES[column_type])


def python_values(values: list[Any], column_type: str) -> pa.Array:
    """Typed Python values (from JSON lines) as the stored array."""
    if column_type == "json":
        values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
    return pa.array(values, STORED_TYPES[column_type])


# -- rows ------------------------------------------------------------------------

_MIX = np.uint64(0x9E3779B97F4A7C15)
_NULL = np.uint64(0x6A09E667F3BCC909)


def _column_hashes(values: pa.Array) -> NDArray[np.uint64]:
    if pa.types.is_string(values.type):
        encoded = pc.dictionary_encode(values)
        texts = encoded.dictionary.to_pylist()
        table = np.fromiter((hash(t) for t in texts), dtype=np.int64, count=len(texts))
        indices = np.asarray(pc.fill_null(encoded.indices, 0), dtype=np.int64)
        hashes = table.view(np.uint64)[indices] if len(texts) else np.zeros(len(values), np.uint64)
    elif pa.types.is_boolean(values.type):
        hashes = np.asarray(pc.fill_null(values, False), dtype=np.uint64) + np.uint64(1)
    else:
        filled = np.asarray(pc.fill_null(values, 0))
        hashes = filled.astype(np.float64 if filled.dtype.kind == "f" else np.int64).view(np.uint64)
    if values.null_count:
        hashes = np.where(np.asarray(values.is_null()), _NULL, hashes)
    return np.asarray(hashes, dtype=np.uint64)


def row_hashes(batch: pa.RecordBatch) -> NDArray[np.int64]:
    """A 64-bit hash of each row's typed values: equal rows, equal hashes."""
    combined = np.zeros(batch.num_rows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in batch.columns:
            hashes = _column_hashes(column)
            combined = (combined ^ hashes) * _MIX
            combined ^= combined >> np.uint64(29)
    return combined.view(np.int64)


def rows_with_missing(batch: pa.RecordBatch) -> int:
    missing = np.zeros(batch.num_rows, dtype=bool)
    for column in batch.columns:
        if column.null_count:
            missing |= np.asarray(column.is_null())
    return int(missing.sum())
