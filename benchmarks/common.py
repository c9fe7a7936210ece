"""Inputs shared by the benchmarks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aiaas_mock.zoo.examples import PROCESS_RUN

RUN = PROCESS_RUN
"""One machining run, the small payload of a quality-logreg prediction."""


def write_machining_runs(
    path: Path, size: int | None = None, seed: int = 0, rows_wanted: int | None = None
) -> int:
    """A CSV of machining runs of at least ``size`` bytes, or of ``rows_wanted``
    rows; its row count. Energy follows speed and torque; about one run in twenty
    fails."""
    rng = np.random.default_rng(seed)
    rows = written = 0
    with path.open("wb") as file:
        written += file.write(b"unit,machine,speed,torque,temperature,energy_kwh,failed\n")
        while (written < size) if size is not None else (rows < (rows_wanted or 0)):
            left = (size - written) // 45 if size is not None else (rows_wanted or 0) - rows
            n = min(50_000, max(1, left))
            machine = np.array(["A", "B", "C"])[rng.integers(0, 3, n)]
            speed = rng.normal(1500, 150, n)
            torque = rng.normal(40, 8, n)
            energy = 0.004 * speed + 0.15 * torque + rng.normal(0, 0.3, n)
            risk = 0.1 * (torque - 40) + (machine == "B") * 0.8 - 3.2
            failed = rng.random(n) < 1 / (1 + np.exp(-risk))
            columns = zip(
                rng.integers(0, 500, n), machine, speed, torque, rng.normal(300, 2, n),
                energy, failed, strict=True,
            )  # fmt: skip
            block = "".join(
                f"{u},{m},{s:.2f},{t:.3f},{k:.2f},{e:.3f},{'true' if f else 'false'}\n"
                for u, m, s, t, k, e, f in columns
            )
            written += file.write(block.encode())
            rows += n
    return rows
