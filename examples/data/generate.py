"""Writes the example data files with the mock server's generators (deterministic):
surface images, one engine's sensor log and a pump's readings.

    python examples/data/generate.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image

from aiaas_mock.zoo.defect_cnn import data as defect_data
from aiaas_mock.zoo.rul_lstm import data as rul_data
from aiaas_mock.zoo.sensor_autoencoder import data as pump_data

HERE = Path(__file__).resolve().parent


def main() -> None:
    rng = np.random.default_rng(2026)
    for index, kind in enumerate(["scratches", "no_defect", "pitted_surface", "inclusion"]):
        image = np.kron(defect_data.draw(kind, rng), np.ones((2, 2), dtype=np.uint8))  # 128 x 128
        Image.fromarray(image).save(HERE / f"coil-{index + 1}.png", optimize=True)

    engine = rul_data.generate_engines(1, seed=1717)[0]
    with (HERE / "engine-17.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["cycle", *rul_data.SENSOR_NAMES])
        for cycle, row in enumerate(engine.readings[:-12], start=1):  # 12 cycles before failure
            writer.writerow([cycle, *(f"{value:.4f}" for value in row)])

    readings = pump_data.generate_readings(60, seed=606).values
    drift = np.linspace(0.0, 0.8, 20)  # the bearing starts to go
    readings[40:, pump_data.SENSORS.index("vibration")] += drift
    with (HERE / "pump-p3.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["minute", *pump_data.SENSORS])
        for minute, row in enumerate(readings):
            writer.writerow([minute, *(f"{value:.3f}" for value in row)])


if __name__ == "__main__":
    main()
