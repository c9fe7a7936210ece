"""Writes the example data files with the mock server's generators (deterministic):
surface images, one engine's sensor log, a pump's readings and a line's
machining runs; with ``--photos FOLDER``, only a folder of labelled stand-in
photos of a line's steel surface (``class_name/*.jpg``, 30 a class).

    python examples/data/generate.py [--photos FOLDER]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from PIL import Image

from aiaas_mock.zoo.defect_cnn import data as defect_data
from aiaas_mock.zoo.rul_lstm import data as rul_data
from aiaas_mock.zoo.sensor_autoencoder import data as pump_data

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, help="write only the labelled photos, here")
    photos = parser.parse_args().photos
    if photos is not None:
        write_line_photos(photos, per_class=30, seed=404)
        return
    rng = np.random.default_rng(2026)
    for index, kind in enumerate(["scratches", "no_defect", "pitted_surface", "inclusion"]):
        image = defect_data.draw(kind, rng)  # 200 x 200, as NEU's camera
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

    write_line_runs(HERE / "line-3-runs.csv", rows=3000, seed=303)


def write_line_photos(folder: Path, per_class: int, seed: int) -> None:
    """Stand-ins for a line's own labelled photos: JPEGs of every defect class,
    drawn by a camera the shipped defect-cnn never saw (smaller, softer, noisier)."""
    images, labels = defect_data.generate_images(
        per_class, seed=seed, rendering=defect_data.OTHER_CAMERA
    )
    for index, (pixels, label) in enumerate(zip(images, labels, strict=True)):
        directory = folder / defect_data.CLASSES[label]
        directory.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(directory / f"shot-{index:03d}.jpg", quality=90)


def write_line_runs(path: Path, rows: int, seed: int) -> None:
    """Machining runs of line 3: each part is machined several times; energy follows
    speed and torque, failures follow torque, tool wear and machine B's worn
    spindle. A few torque readings are missing."""
    rng = np.random.default_rng(seed)
    part = rng.integers(0, 150, rows)
    machine = rng.choice(["A", "B", "C"], rows)
    speed = rng.normal(1500, 150, rows)
    torque = rng.normal(40, 8, rows)
    wear = rng.integers(0, 240, rows)
    coolant = rng.normal(22, 1.5, rows)
    energy = 0.004 * speed + 0.15 * torque + (machine == "C") * 1.5 + rng.normal(0, 0.3, rows)
    risk = 0.12 * (torque - 40) + 0.02 * (wear - 120) + 1.2 * (machine == "B") - 2.6
    failed = rng.random(rows) < 1 / (1 + np.exp(-risk))
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["part", "machine", "speed", "torque", "tool_wear", "coolant_c",
                         "energy_kwh", "failed"])  # fmt: skip
        for i in range(rows):
            writer.writerow(
                [
                    f"P{part[i]:03d}",
                    machine[i],
                    f"{speed[i]:.1f}",
                    "" if i % 97 == 13 else f"{torque[i]:.2f}",
                    wear[i],
                    f"{coolant[i]:.2f}",
                    f"{energy[i]:.3f}",
                    "true" if failed[i] else "false",
                ]
            )


if __name__ == "__main__":
    main()
