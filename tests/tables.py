"""Plant tables for the dataset and training tests, generated from a seed."""

from __future__ import annotations

import io

import numpy as np


def machining_runs(rows: int = 600, seed: int = 0, parts: int = 40) -> bytes:
    """A CSV of machining runs: each part is machined several times (``part``
    groups rows), energy follows speed and torque, failures follow torque and
    tool wear. Some cells are empty, one column is constant."""
    rng = np.random.default_rng(seed)
    part = rng.integers(0, parts, rows)
    machine = rng.choice(["A", "B", "C"], rows)
    speed = rng.normal(1500, 150, rows).round(1)
    torque = rng.normal(40, 8, rows).round(2)
    wear = rng.integers(0, 240, rows)
    energy = (
        0.004 * speed + 0.15 * torque + (machine == "C") * 1.5 + rng.normal(0, 0.3, rows)
    ).round(3)
    risk = 0.08 * (torque - 40) + 0.025 * (wear - 120) + 0.8 * (machine == "B")
    failed = rng.random(rows) < 1 / (1 + np.exp(-(risk - 2.0)))
    out = io.StringIO()
    out.write("part,machine,speed,torque,tool_wear,site,energy_kwh,failed\n")
    for i in range(rows):
        torque_cell = "" if i % 50 == 7 else f"{torque[i]}"
        out.write(
            f"P{part[i]:03d},{machine[i]},{speed[i]},{torque_cell},{wear[i]},plant-1,"
            f"{energy[i]},{'true' if failed[i] else 'false'}\n"
        )
    return out.getvalue().encode()
