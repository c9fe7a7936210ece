"""The real C-MAPSS FD001 training engines (NASA, public data; see
``real_data/README.md``), as runs of the 14 sensors the model reads."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from ..shipped_weights import REAL_DATA_DIR
from .data import SENSOR_NAMES, Engine

FD001_PATH = REAL_DATA_DIR / "cmapss_train_FD001.txt.gz"

# Column of each sensor in the FD001 file: unit, cycle, three operational
# settings, then s1..s21 (so sN is column N + 4). The other seven sensors are
# constant in FD001.
_SENSOR_NUMBER = {
    "T24": 2,
    "T30": 3,
    "T50": 4,
    "P30": 7,
    "Nf": 8,
    "Nc": 9,
    "Ps30": 11,
    "phi": 12,
    "NRf": 13,
    "NRc": 14,
    "BPR": 15,
    "htBleed": 17,
    "W31": 20,
    "W32": 21,
}
_COLUMNS = [_SENSOR_NUMBER[name] + 4 for name in SENSOR_NAMES]


def load_fd001(path: Path = FD001_PATH) -> list[Engine]:
    """The 100 FD001 training engines, each run from its first cycle to failure."""
    with gzip.open(path, "rt") as file:
        table = np.loadtxt(file)
    engines = []
    for unit in np.unique(table[:, 0]):
        rows = table[table[:, 0] == unit]
        if not np.array_equal(rows[:, 1], np.arange(1, len(rows) + 1)):
            raise ValueError(f"engine {int(unit)}: cycles are not 1, 2, 3, ...")
        engines.append(Engine(np.ascontiguousarray(rows[:, _COLUMNS])))
    return engines
