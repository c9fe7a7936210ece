"""Plant tables for the dataset and training tests, generated from a seed."""

from __future__ import annotations

import io
from pathlib import Path

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


def pump_readings(rows: int = 1500, seed: int = 7, fault_share: float = 0.1) -> bytes:
    """A CSV of readings of a pump unlike the shipped model's (its flow meter reads
    4 % high, its vibration sensor 10 % high), a ``fault_share`` of them faulty
    (``anomalous``)."""
    from aiaas_mock.zoo.sensor_autoencoder.data import SENSORS, generate_readings

    readings = generate_readings(rows, seed=seed, fault_share=fault_share)
    values = readings.values * np.array([1.04, 1.0, 1.0, 1.0, 1.0, 1.10])
    out = io.StringIO()
    out.write(",".join((*SENSORS, "anomalous")) + "\n")
    for row, flag in zip(values, readings.anomalous, strict=True):
        out.write(",".join(f"{v:.5f}" for v in row) + f",{'true' if flag else 'false'}\n")
    return out.getvalue().encode()


def engine_runs(engines: int = 20, seed: int = 11) -> bytes:
    """A CSV of generated engines run to failure: ``unit``, ``cycle`` and the 14 sensors."""
    from aiaas_mock.zoo.rul_lstm.data import SENSOR_NAMES, generate_engines

    out = io.StringIO()
    out.write(",".join(("unit", "cycle", *SENSOR_NAMES)) + "\n")
    for unit, engine in enumerate(generate_engines(engines, seed=seed), 1):
        for cycle, row in enumerate(engine.readings, 1):
            out.write(f"{unit},{cycle}," + ",".join(f"{v:.4f}" for v in row) + "\n")
    return out.getvalue().encode()


def surface_images(per_class: int = 12, seed: int = 5, other_camera: bool = False) -> bytes:
    """JSON lines of generated steel-surface images (base64 PNG) and their class;
    ``other_camera`` draws them as a camera the shipped model never saw does."""
    import base64
    import json

    from PIL import Image

    from aiaas_mock.zoo.defect_cnn.data import CLASSES, OTHER_CAMERA, TRAINING, generate_images

    rendering = OTHER_CAMERA if other_camera else TRAINING
    images, labels = generate_images(per_class, seed=seed, rendering=rendering)
    out = io.StringIO()
    for image, label in zip(images, labels, strict=True):
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG")
        record = {"image": base64.b64encode(buffer.getvalue()).decode(), "label": CLASSES[label]}
        out.write(json.dumps(record) + "\n")
    return out.getvalue().encode()


def work_orders(count: int = 60, seed: int = 9) -> bytes:
    """JSON lines of labelled work orders: ``text`` and ``entities`` with offsets."""
    import json

    from aiaas_mock.zoo.maintenance_text.work_orders import generate_work_orders

    out = io.StringIO()
    for order in generate_work_orders(count, seed=seed):
        entities = [{"start": s.start, "end": s.end, "type": s.type} for s in order.entities]
        out.write(json.dumps({"text": order.text, "entities": entities}) + "\n")
    return out.getvalue().encode()


def write_wide_rows(path: Path, rows: int, seed: int = 0) -> None:
    """A CSV of ``rows`` rows of 8 random texts of 130,000 letters each (just
    under the cell limit): the wide-row case, written without holding it."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
    with path.open("wb") as file:
        file.write(b",".join(f"c{i}".encode() for i in range(8)) + b"\n")
        for _ in range(rows):
            cells = [letters[rng.integers(0, 26, 130_000)].tobytes() for _ in range(8)]
            file.write(b",".join(cells) + b"\n")
