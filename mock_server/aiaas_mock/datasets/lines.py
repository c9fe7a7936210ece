"""Line lengths of a file's bytes, counted with numpy a chunk at a time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray


def line_lengths(chunk: bytes, open_line: int) -> NDArray[np.intp]:
    """Bytes of each line in ``chunk``, newlines not counted: the first goes on
    from the ``open_line`` bytes before the chunk, the last is still open."""
    ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
    starts = np.concatenate(([0], ends + 1))
    lengths = np.append(ends, len(chunk)) - starts
    lengths[0] += open_line
    return lengths


def longest_line(path: Path) -> int:
    """Bytes of the file's longest line."""
    longest = open_line = 0
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            lengths = line_lengths(chunk, open_line)
            open_line = int(lengths[-1])
            longest = max(longest, int(lengths.max()))
    return longest
