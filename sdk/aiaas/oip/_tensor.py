"""The Open Inference Protocol's tensor, in plain Python: name, datatype, shape
and data, with the binary layout of the binary tensor data extension.

Data is kept flat (row-major). A tensor made from numpy, or read from binary
data, keeps its little-endian bytes and unpacks them only when ``data`` is
asked for, so large tensors never pass through Python lists.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

__all__ = ["DATATYPES", "Datatype", "Tensor"]

Datatype: TypeAlias = Literal[
    "BOOL",
    "UINT8",
    "UINT16",
    "UINT32",
    "UINT64",
    "INT8",
    "INT16",
    "INT32",
    "INT64",
    "FP16",
    "FP32",
    "FP64",
    "BYTES",
    "BF16",
]

_FORMATS: dict[str, str] = {
    "BOOL": "?",
    "UINT8": "B",
    "UINT16": "H",
    "UINT32": "I",
    "UINT64": "Q",
    "INT8": "b",
    "INT16": "h",
    "INT32": "i",
    "INT64": "q",
    "FP16": "e",
    "FP32": "f",
    "FP64": "d",
}
"""struct formats of the fixed-size datatypes (BF16 is packed by hand)."""
_NUMPY: dict[str, str] = {
    "BOOL": "bool",
    "UINT8": "<u1",
    "UINT16": "<u2",
    "UINT32": "<u4",
    "UINT64": "<u8",
    "INT8": "<i1",
    "INT16": "<i2",
    "INT32": "<i4",
    "INT64": "<i8",
    "FP16": "<f2",
    "FP32": "<f4",
    "FP64": "<f8",
    "BYTES": "object",
}
_INTEGER_RANGES = {
    "UINT8": (0, 2**8 - 1),
    "UINT16": (0, 2**16 - 1),
    "UINT32": (0, 2**32 - 1),
    "UINT64": (0, 2**64 - 1),
    "INT8": (-(2**7), 2**7 - 1),
    "INT16": (-(2**15), 2**15 - 1),
    "INT32": (-(2**31), 2**31 - 1),
    "INT64": (-(2**63), 2**63 - 1),
}
_FLOAT_LIMITS = {
    "FP16": (65504.0, 65520.0),
    "BF16": (3.3895313892515355e38, 2.0**128 - 2.0**119),
    "FP32": (3.4028234663852886e38, 2.0**128 - 2.0**103),
}
"""Each type's largest finite value, and the magnitude from which a finite value
rounds to infinity instead (below it, a value rounds to one the type holds, as an
engine's float32 printed in float64 does)."""
DATATYPES: tuple[str, ...] = (*_FORMATS, "BYTES", "BF16")
"""Every datatype of the protocol, and BF16 (binary only, where an engine has it)."""
FLOATS = frozenset({"FP16", "FP32", "FP64", "BF16"})


def element_size(datatype: str) -> int | None:
    """Bytes per element in binary form; ``None`` for BYTES (length-prefixed)."""
    if datatype == "BF16":
        return 2
    fmt = _FORMATS.get(datatype)
    return struct.calcsize("<" + fmt) if fmt else None


@dataclass(init=False, eq=False)
class Tensor:
    """One named tensor. ``data`` is flat, row-major; ``shape`` gives its dimensions.

    BYTES elements are ``bytes`` (``str`` is accepted and encoded as UTF-8).
    """

    name: str
    datatype: str
    shape: list[int]

    def __init__(
        self,
        name: str,
        datatype: str,
        shape: Sequence[int],
        data: Iterable[Any] | None = None,
        *,
        raw: bytes | None = None,
    ) -> None:
        if datatype not in DATATYPES:
            raise ValueError(f"unknown datatype {datatype!r}; one of {', '.join(DATATYPES)}")
        if not isinstance(name, str) or not name:
            raise ValueError("a tensor needs a non-empty name")
        if not isinstance(shape, (list, tuple)) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
        ):
            raise ValueError(f"tensor {name!r}: shape {shape!r} must list non-negative integers")
        self.name = name
        self.datatype = datatype
        self.shape = list(shape)
        if (data is None) == (raw is None):
            raise ValueError(f"tensor {name!r}: give data or raw bytes, one of them")
        self._raw = raw
        self._data: list[Any] | None = None
        if data is not None:
            self._data = _flat(data)
            count = len(self._data)
            # Checked once, here, whatever encoding sends it later.
            check_values(datatype, self._data, name)
        else:
            assert raw is not None
            count = _raw_count(datatype, raw)
        if count != self.size:
            raise ValueError(
                f"tensor {name!r}: {count} elements do not fill shape {self.shape} "
                f"({self.size} elements)"
            )

    @property
    def size(self) -> int:
        """How many elements the shape holds."""
        return math.prod(self.shape)

    @property
    def data(self) -> list[Any]:
        """The elements, flat and row-major."""
        if self._data is None:
            assert self._raw is not None
            self._data = unpack(self.datatype, self._raw)
        return self._data

    def nested(self) -> Any:
        """The elements as nested lists of the tensor's shape."""
        return _nest(self.data, self.shape)

    def binary(self) -> bytes:
        """The elements in the binary extension's layout: little-endian, row-major;
        BYTES as a 4-byte little-endian length before each element."""
        if self._raw is None:
            self._raw = pack(self.datatype, self.data)
        return self._raw

    @classmethod
    def from_numpy(cls, name: str, array: Any, datatype: str | None = None) -> Tensor:
        """A tensor of a numpy array; the datatype follows the array's unless given."""
        import numpy as np

        array = np.asarray(array)
        natural = _datatype_of(array) if array.dtype.kind in "biufOSU" else None
        datatype = datatype or natural or _datatype_of(array)
        if datatype != natural and datatype != "BYTES":
            # Another type than the array's: numpy would cast (wrap, round,
            # overflow to inf) without a word; the values are checked instead.
            return cls(name, datatype, array.shape, array.ravel().tolist())
        if datatype == "BYTES":
            items = [x if isinstance(x, bytes) else str(x).encode() for x in array.ravel()]
            return cls(name, datatype, array.shape, items)
        if datatype == "BF16":
            return cls(name, datatype, array.shape, array.astype("<f4").ravel().tolist())
        flat = np.ascontiguousarray(array, dtype=_NUMPY[datatype]).ravel()
        return cls(name, datatype, array.shape, raw=flat.tobytes())

    def to_numpy(self) -> Any:
        """The tensor as a numpy array of its shape (BF16 widened to float32)."""
        import numpy as np

        if self.datatype == "BYTES":
            array = np.empty(self.size, dtype=object)
            array[:] = self.data
            return array.reshape(self.shape)
        if self.datatype == "BF16":
            halves = np.frombuffer(self.binary(), dtype="<u2").astype("<u4") << 16
            return halves.view("<f4").reshape(self.shape)
        return np.frombuffer(self.binary(), dtype=_NUMPY[self.datatype]).reshape(self.shape)

    def json_data(self) -> list[Any]:
        """The elements as JSON values (BYTES as UTF-8 text); ``ValueError`` for what
        JSON cannot carry (NaN, infinity, BF16, bytes that are not UTF-8)."""
        data = self.data
        if self.datatype == "BF16":
            raise ValueError(f"tensor {self.name!r}: BF16 travels in binary only")
        if self.datatype == "BYTES":
            return [x.decode("utf-8") for x in data]
        # A finite sum (one pass in C) means every value is finite; only a sum that
        # overflows or is NaN needs the values looked at one by one.
        if (
            self.datatype in FLOATS
            and not math.isfinite(sum(data))
            and not all(math.isfinite(x) for x in data)
        ):
            raise ValueError(f"tensor {self.name!r}: NaN and infinity travel in binary only")
        return data

    def needs_binary(self) -> bool:
        """Whether JSON cannot carry this tensor faithfully, or engines refuse it there."""
        if self.datatype in ("BF16", "FP16"):
            return True
        try:
            self.json_data()
        except (ValueError, UnicodeDecodeError):
            return True
        return False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tensor):
            return NotImplemented
        return (self.name, self.datatype, self.shape, self.data) == (
            other.name,
            other.datatype,
            other.shape,
            other.data,
        )

    def __repr__(self) -> str:
        more = ", ..." if self.size > 6 else ""
        preview = ", ".join(repr(x) for x in self.data[:6]) if self.size <= 10**6 else "..."
        return (
            f"Tensor(name={self.name!r}, datatype={self.datatype!r}, shape={self.shape}, "
            f"data=[{preview}{more}])"
        )


def _flat(data: Iterable[Any]) -> list[Any]:
    tolist = getattr(data, "tolist", None)
    if callable(tolist):
        data = tolist()
    out: list[Any] = []
    stack = [iter(data)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, (list, tuple)):
                stack.append(iter(item))
                break
            out.append(item.encode("utf-8") if isinstance(item, str) else item)
        else:
            stack.pop()
    return out


def _nest(flat: list[Any], shape: list[int]) -> Any:
    if len(shape) <= 1:
        return list(flat)
    step = math.prod(shape[1:])
    return [_nest(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def _raw_count(datatype: str, raw: bytes) -> int:
    size = element_size(datatype)
    if size is not None:
        if len(raw) % size:
            raise ValueError(f"{len(raw)} bytes are not a whole number of {datatype} elements")
        return len(raw) // size
    return len(_split_bytes(raw))


def _datatype_of(array: Any) -> str:
    kind, size = array.dtype.kind, array.dtype.itemsize
    if kind == "b":
        return "BOOL"
    if kind in "iu":
        return f"{'U' if kind == 'u' else ''}INT{size * 8}"
    if kind == "f" and size in (2, 4, 8):
        return f"FP{size * 8}"
    if kind in "OSU":
        return "BYTES"
    raise ValueError(f"no protocol datatype for numpy dtype {array.dtype}")


def pack(datatype: str, data: Sequence[Any]) -> bytes:
    """Elements (checked by :func:`check_values`) in the binary extension's layout."""
    if datatype == "BYTES":
        parts = []
        for item in data:
            value = item if isinstance(item, bytes) else str(item).encode("utf-8")
            parts.append(struct.pack("<I", len(value)))
            parts.append(value)
        return b"".join(parts)
    try:
        if datatype == "BF16":
            words = struct.unpack(f"<{len(data)}I", struct.pack(f"<{len(data)}f", *data))
            # Round to nearest even when dropping the low 16 bits of each float32.
            return struct.pack(
                f"<{len(data)}H",
                *(((w + 0x7FFF + ((w >> 16) & 1)) >> 16) & 0xFFFF for w in words),
            )
        return struct.pack(f"<{len(data)}{_FORMATS[datatype]}", *data)
    except (struct.error, OverflowError) as exc:
        raise ValueError(f"cannot pack the data as {datatype}: {exc}") from None


def check_values(datatype: str, data: Sequence[Any], name: str = "") -> None:
    """``ValueError`` naming the tensor, the element and the datatype for a value
    the datatype cannot hold: engines disagree on what they coerce (Triton refuses
    0/1 for BOOL), so nothing is coerced, in JSON and binary alike. NaN and
    infinity are floats' own values; a finite value past a type's largest is not."""
    if datatype in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[datatype]
        for index, item in enumerate(data):
            if isinstance(item, bool) or not isinstance(item, int) or not low <= item <= high:
                raise _not_a(name, index, item, datatype, f"integers {low} to {high}")
    elif datatype == "BOOL":
        for index, item in enumerate(data):
            if not isinstance(item, bool):
                raise _not_a(name, index, item, datatype, "True or False")
    elif datatype in FLOATS:
        largest, rounds_to_infinity = _FLOAT_LIMITS.get(datatype, (math.inf, math.inf))
        for index, item in enumerate(data):
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise _not_a(name, index, item, datatype, "a number")
            try:
                magnitude = abs(float(item))
            except OverflowError:  # an int past any float
                raise _not_a(name, index, item, datatype, f"finite up to {largest:g}") from None
            if math.isfinite(magnitude) and magnitude >= rounds_to_infinity:
                raise _not_a(name, index, item, datatype, f"finite up to {largest:g}")
    elif datatype == "BYTES":
        for index, item in enumerate(data):
            if not isinstance(item, bytes):
                raise _not_a(name, index, item, datatype, "bytes, or str sent as UTF-8")


def _not_a(name: str, index: int, item: Any, datatype: str, holds: str) -> ValueError:
    shown = repr(item) if len(repr(item)) <= 40 else repr(item)[:37] + "..."
    return ValueError(
        f"tensor {name!r}: element {index} is {shown}, not a {datatype} value ({holds})"
    )


def unpack(datatype: str, raw: bytes) -> list[Any]:
    """The elements of binary data of ``datatype``."""
    if datatype == "BYTES":
        return _split_bytes(raw)
    if datatype == "BF16":
        halves = struct.unpack(f"<{len(raw) // 2}H", raw)
        widened = struct.pack(f"<{len(halves)}I", *(h << 16 for h in halves))
        return list(struct.unpack(f"<{len(halves)}f", widened))
    fmt = _FORMATS[datatype]
    return list(struct.unpack(f"<{len(raw) // struct.calcsize(fmt)}{fmt}", raw))


def _split_bytes(raw: bytes) -> list[bytes]:
    items, position = [], 0
    while position < len(raw):
        if position + 4 > len(raw):
            raise ValueError("BYTES data ends inside a length prefix")
        (length,) = struct.unpack_from("<I", raw, position)
        position += 4
        if position + length > len(raw):
            raise ValueError("BYTES data ends inside an element")
        items.append(raw[position : position + length])
        position += length
    return items
