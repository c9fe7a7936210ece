"""One valid input for every system model, drawn from the families' generators:
for smoke tests, benchmarks and trying a model by hand."""

from __future__ import annotations

from typing import Any

import numpy as np

import aiaas

from .defect_cnn import data as defect_data
from .regime_kmeans import data as regime_data
from .rul_lstm import data as rul_data
from .sensor_autoencoder import data as pump_data

PROCESS_RUN = {
    "product_type": "M",
    "air_temperature": 300.0,
    "process_temperature": 310.0,
    "rotational_speed": 1500.0,
    "torque": 40.0,
    "tool_wear": 60.0,
}
"""A machining run well inside the safe operating window."""
WORK_ORDER = "hyd hose leaking on loader 7 - replaced"


def example_inputs() -> dict[str, Any]:
    """Model id → one JSON-ready input for it."""
    rng = np.random.default_rng(0)
    engine = rul_data.generate_engines(1, seed=0)[0]
    settings = regime_data.OPERATING_CONDITIONS[3]
    pump = pump_data.generate_readings(1, seed=0).values[0]
    return {
        "quality-logreg": PROCESS_RUN,
        "quality-svm": PROCESS_RUN,
        "energy-regression": {
            "throughput": 230.0,
            "ambient_temperature": 24.0,
            "shift": "early",
            "weekday": "wednesday",
        },
        "regime-kmeans": dict(
            zip(["altitude", "mach", "throttle_resolver_angle"], settings, strict=True)
        ),
        "defect-cnn": aiaas.inputs.image(defect_data.draw("scratches", rng)),
        "rul-lstm": aiaas.inputs.sensor_window(engine.readings[-30:], names=rul_data.SENSOR_NAMES),
        "sensor-autoencoder": dict(zip(pump_data.SENSORS, pump.tolist(), strict=True)),
        "maintenance-word2vec": WORK_ORDER,
        "maintenance-ner": WORK_ORDER,
        "maintenance-srl": WORK_ORDER,
        "smollm2-135m-instruct": WORK_ORDER,
    }
