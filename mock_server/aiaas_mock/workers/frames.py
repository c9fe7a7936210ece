"""The frames a worker process and its pool exchange over the process's pipes:
a 4-byte big-endian length, then that many bytes."""

from __future__ import annotations

import struct
from typing import IO

_HEADER = struct.Struct(">I")


def read_frame(stream: IO[bytes]) -> bytes | None:
    """One frame's payload; ``None`` at end of stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return payload


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()
