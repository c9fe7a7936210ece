"""The deep models through the SDK, sync and async, with the SDK's input helpers."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

import aiaas
from aiaas.types import AnomalyAssessment, DefectClassification, RulPrediction
from aiaas_mock.zoo.defect_cnn import data as defect_data
from aiaas_mock.zoo.rul_lstm import data as rul_data
from aiaas_mock.zoo.sensor_autoencoder import data as pump_data
from tests.contract.conftest import LiveTenant
from tests.helpers import collect, resolve


def png_bytes(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_defect_classification_from_bytes_paths_and_arrays(
    live: LiveTenant, tmp_path: Path
) -> None:
    rng = np.random.default_rng(11)
    pits, crazing, clean = (
        defect_data.draw(c, rng) for c in ("pitted_surface", "crazing", "no_defect")
    )
    path = tmp_path / "coil-7.png"
    path.write_bytes(png_bytes(crazing))
    inputs = [
        aiaas.inputs.image(png_bytes(pits)),
        aiaas.inputs.image(path),
        aiaas.inputs.image(clean),
    ]
    prediction = await resolve(live.client().models.predict("defect-cnn", inputs=inputs))
    results = prediction.outputs_as(DefectClassification)
    assert [r.label for r in results] == ["pitted_surface", "crazing", "no_defect"]
    assert all(r.probabilities[r.label] > 0.5 for r in results)


async def test_remaining_useful_life(live: LiveTenant) -> None:
    engine = rul_data.generate_engines(1, seed=77)[0]
    near_end = engine.readings[-40:]
    healthy = engine.readings[:40]
    inputs = [
        aiaas.inputs.sensor_window(near_end, names=rul_data.SENSOR_NAMES),
        aiaas.inputs.sensor_window({n: healthy[:, i] for i, n in enumerate(rul_data.SENSOR_NAMES)}),
    ]
    prediction = await resolve(live.client().models.predict("rul-lstm", inputs=inputs))
    soon, later = prediction.outputs_as(RulPrediction)
    assert soon.rul < 30
    assert later.rul > 90


async def test_anomaly_scores(live: LiveTenant) -> None:
    readings = pump_data.generate_readings(2, seed=21)
    normal = dict(zip(pump_data.SENSORS, readings.values[0].tolist(), strict=True))
    faulty = {**normal, "vibration": normal["vibration"] + 0.6}
    prediction = await resolve(
        live.client().models.predict("sensor-autoencoder", inputs=[normal, faulty])
    )
    ok, bad = prediction.outputs_as(AnomalyAssessment)
    assert not ok.is_anomaly
    assert bad.is_anomaly
    assert bad.contributions[0].sensor == "vibration"
    assert bad.anomaly_score > 10 * ok.anomaly_score


async def test_cards_of_the_deep_models(live: LiveTenant) -> None:
    cards = {m.id: m for m in await collect(live.client().models.list())}
    assert cards["defect-cnn"].metrics["accuracy"] >= 0.9
    assert cards["defect-cnn"].metrics["defects_called_no_defect"] <= 0.05
    assert cards["defect-cnn"].metrics["other_camera_accuracy"] < 0.9  # said, not hidden
    assert cards["defect-cnn"].references["digits_accuracy"] >= 0.9
    assert cards["defect-cnn"].version == "3.0.0"
    assert "EfficientNet-Lite0" in cards["defect-cnn"].algorithm
    image_schema = cards["defect-cnn"].input_schema["properties"]["image"]["anyOf"][0]
    assert image_schema["contentEncoding"] == "base64"
    assert "PNG or JPEG" in image_schema["description"]
    assert cards["rul-lstm"].metrics["rmse"] <= 0.65 * cards["rul-lstm"].metrics["baseline_rmse"]
    assert cards["sensor-autoencoder"].metrics["roc_auc"] >= 0.95
    image_models = [
        m.id for m in await collect(live.client().models.list(task="image-classification"))
    ]
    assert image_models == ["defect-cnn"]
