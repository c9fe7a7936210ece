"""The real AI4I 2020 rows the quality models are trained on (half of the data
set, CC BY 4.0; see ``real_data/README.md``), as :class:`ProcessData`."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..shipped_weights import REAL_DATA_DIR
from .data import FAILURE_MODES, OVERSTRAIN_LIMIT, ProcessData

AI4I_PATH = REAL_DATA_DIR / "ai4i2020_half.csv"

UNRECORDED_MODE = "n/a"
"""The mode of a failed run whose failure-mode columns are all 0 (a few in AI4I)."""


def load_ai4i(path: Path = AI4I_PATH) -> ProcessData:
    """The rows in file order; a failed run's mode is the first of its flagged modes."""
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))

    def column(name: str) -> NDArray[np.float64]:
        return np.array([float(row[name]) for row in rows])

    def mode(row: dict[str, str]) -> str:
        if row["Machine failure"] != "1":
            return ""
        return next((m for m in FAILURE_MODES if row[m] == "1"), UNRECORDED_MODE)

    return ProcessData(
        product_type=np.array([row["Type"] for row in rows]),
        air_temperature=column("Air temperature [K]"),
        process_temperature=column("Process temperature [K]"),
        rotational_speed=column("Rotational speed [rpm]"),
        torque=column("Torque [Nm]"),
        tool_wear=column("Tool wear [min]"),
        failure_mode=np.array([mode(row) for row in rows], dtype="<U3"),
    )


def published_rules(data: ProcessData) -> NDArray[np.bool_]:
    """Failure by the rules published with AI4I 2020 (heat dissipation, power,
    overstrain; tool wear and random failures cannot be told from the columns)."""
    delta_t = data.process_temperature - data.air_temperature
    power = data.torque * data.rotational_speed * 2.0 * np.pi / 60.0
    limit = np.vectorize(OVERSTRAIN_LIMIT.__getitem__)(data.product_type)
    heat = (delta_t < 8.6) & (data.rotational_speed < 1380.0)
    failed: NDArray[np.bool_] = (
        heat | (power < 3500.0) | (power > 9000.0) | (data.tool_wear * data.torque > limit)
    )
    return failed
