"""Malformed inputs to the deep models are 422s naming the field, never 500s."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pytest
from PIL import Image

from aiaas_mock.zoo.defect_cnn import data as defect_data
from aiaas_mock.zoo.rul_lstm import data as rul_data
from tests.server.conftest import Harness
from tests.server.test_problems import assert_problem


def png(pixels: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def window(cycles: int = 30, **changes: Any) -> dict[str, Any]:
    engine = rul_data.generate_engines(1, seed=0)[0]
    readings = engine.readings[-cycles:]
    sensors = {name: readings[:, i].tolist() for i, name in enumerate(rul_data.SENSOR_NAMES)}
    sensors.update(changes)
    return {"sensors": sensors}


READING = {
    "flow": 100.0,
    "head": 30.0,
    "power": 10.0,
    "temperature": 38.0,
    "current": 20.0,
    "vibration": 1.0,
}


def predict(harness: Harness, model: str, inputs: list[Any]) -> Any:
    return harness.http.post(
        f"/v1/models/{model}/predict", json={"inputs": inputs}, headers=harness.auth()
    )


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({}, "body.inputs.0"),
        ({"image": png(np.zeros((64, 64))), "pixels": [[0] * 8] * 8}, "body.inputs.0"),
        ({"image": ""}, "body.inputs.0.image"),
        ({"image": "not base64!"}, "body.inputs.0.image"),
        ({"image": base64.b64encode(b"GIF89a-not-a-png").decode()}, "body.inputs.0.image"),
        (
            {"image": base64.b64encode(b"\x89PNG\r\n\x1a\n-truncated").decode()},
            "body.inputs.0.image",
        ),
        ({"image": png(np.zeros((4, 4)))}, "body.inputs.0.image"),
        ({"image": png(np.zeros((10, 3000)))}, "body.inputs.0.image"),
        ({"image": 123}, "body.inputs.0.image"),
        ({"pixels": []}, "body.inputs.0.pixels"),
        ({"pixels": [1, 2, 3]}, "body.inputs.0.pixels"),
        ({"pixels": [[1.0] * 16] * 15 + [[1.0] * 15]}, "body.inputs.0.pixels"),
        ({"pixels": [["dark"] * 16] * 16}, "body.inputs.0.pixels"),
        ({"pixels": [[[1.0]] * 16] * 16}, "body.inputs.0.pixels"),
        ({"pixels": [["NaN"] * 16] * 16}, "body.inputs.0.pixels"),
        ({"pixels": [[1.0] * 4] * 4}, "body.inputs.0.pixels"),
    ],
)
def test_bad_images(harness: Harness, item: dict[str, Any], field: str) -> None:
    body = assert_problem(predict(harness, "defect-cnn", [item]), 422, "validation_error")
    assert body["errors"][0]["field"] == field


def test_a_huge_png_is_refused_from_its_header(harness: Harness) -> None:
    # 2049 x 2049 black pixels compress to a few kB; it must be refused unread.
    body = assert_problem(
        predict(harness, "defect-cnn", [{"image": png(np.zeros((2049, 2049)))}]),
        422,
        "validation_error",
    )
    assert "2048" in body["errors"][0]["message"]


def test_images_of_any_size_and_form(harness: Harness) -> None:
    # Some generated scratches are faint on rough surfaces: take a clear one.
    rng = np.random.default_rng(0)
    draws = [defect_data.draw("scratches", rng) for _ in range(8)]
    native = predict(harness, "defect-cnn", [{"pixels": d.tolist()} for d in draws]).json()
    scratch = draws[[o["label"] for o in native["outputs"]].index("scratches")]
    big = np.kron(scratch, np.ones((3, 3)))  # 192 x 192
    inputs = [{"image": png(scratch)}, {"pixels": scratch.tolist()}, {"image": png(big)}]
    response = predict(harness, "defect-cnn", inputs)
    assert response.status_code == 200, response.text
    outputs = response.json()["outputs"]
    assert [o["label"] for o in outputs] == ["scratches"] * 3
    assert set(outputs[0]["probabilities"]) == set(defect_data.CLASSES)
    assert sum(outputs[0]["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({}, "body.inputs.0.sensors"),
        (window(T24=None), "body.inputs.0.sensors.T24"),
        (window(T24=[1.0] * 29), "body.inputs.0.sensors.T24"),
        (window(T30=["hot"] * 30), "body.inputs.0.sensors.T30.0"),
        (window(P30=["NaN"] * 30), "body.inputs.0.sensors.P30.0"),
        (window(extra=[1.0] * 30), "body.inputs.0.sensors.extra"),
        (window(cycles=40, T50=[1400.0] * 35), "body.inputs.0"),
    ],
)
def test_bad_sensor_windows(harness: Harness, item: dict[str, Any], field: str) -> None:
    sensors = item.get("sensors", {})
    if "T24" in sensors and sensors["T24"] is None:
        del sensors["T24"]
    body = assert_problem(predict(harness, "rul-lstm", [item]), 422, "validation_error")
    assert field in {error["field"] for error in body["errors"]}


def test_a_long_window_uses_its_last_thirty_cycles(harness: Harness) -> None:
    response = predict(harness, "rul-lstm", [window(cycles=30), window(cycles=120)])
    assert response.status_code == 200, response.text
    first, second = (o["rul"] for o in response.json()["outputs"])
    assert first == pytest.approx(second, abs=1e-6)
    assert 0 <= first <= 125


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"flow": -1.0}, "body.inputs.0.flow"),
        ({"vibration": "Infinity"}, "body.inputs.0.vibration"),
        ({"power": None}, "body.inputs.0.power"),
        ({"pressure": 3.0}, "body.inputs.0.pressure"),
    ],
)
def test_bad_pump_readings(harness: Harness, change: dict[str, Any], field: str) -> None:
    body = assert_problem(
        predict(harness, "sensor-autoencoder", [{**READING, **change}]), 422, "validation_error"
    )
    assert body["errors"][0]["field"] == field


def test_a_batch_runs_as_one(harness: Harness) -> None:
    response = predict(harness, "sensor-autoencoder", [READING] * 32)
    assert response.status_code == 200
    assert len(response.json()["outputs"]) == 32
    assert response.json()["usage"]["inputs"] == 32
