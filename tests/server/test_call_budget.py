"""A call's cost is bounded before work starts (text characters, decoded pixels),
announced at GET /v1/limits; inference runs in bounded slots, and stops for a
client that has gone."""

from __future__ import annotations

import base64
import io
import threading
import time
from collections.abc import Sequence
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from pydantic import BaseModel

import aiaas
from aiaas_mock import MockServer, ServerConfig
from aiaas_mock.api.inference import CHUNK, InferenceSlots
from aiaas_mock.api.problems import ProblemError
from tests.server.conftest import make_harness

SRL = "/v1/models/maintenance-srl/predict"
DEFECTS = "/v1/models/defect-cnn/predict"


def _png(side: int) -> str:
    buffer = io.BytesIO()
    Image.fromarray(np.full((side, side), 128, dtype=np.uint8)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_limits_are_announced() -> None:
    config = ServerConfig(max_text_chars=1234, max_pixels=5678, max_concurrent_inference=3)
    for harness in make_harness(config):
        limits = harness.http.get("/v1/limits").json()
        assert limits["max_text_chars"] == 1234
        assert limits["max_pixels"] == 5678
        assert limits["max_concurrent_inference"] == 3
        assert limits["max_inputs"] == config.max_inputs


def test_texts_are_counted_in_characters_before_any_work() -> None:
    for harness in make_harness(ServerConfig(max_text_chars=100)):
        within = harness.http.post(
            SRL, json={"inputs": ["x" * 50, "y" * 50]}, headers=harness.auth()
        )
        assert within.status_code == 200
        over = harness.http.post(SRL, json={"inputs": ["x" * 50] * 3}, headers=harness.auth())
        assert over.status_code == 413
        problem = over.json()
        assert (problem["code"], problem["limit"], problem["asked"]) == (
            "call_too_expensive",
            "max_text_chars",
            150,
        )
        embeddings = harness.http.post(
            "/v1/embeddings",
            json={"model": "maintenance-word2vec", "input": ["z" * 60] * 2},
            headers=harness.auth(),
        )
        assert embeddings.json()["limit"] == "max_text_chars"


def test_images_are_counted_in_decoded_pixels_from_their_headers() -> None:
    for harness in make_harness(ServerConfig(max_pixels=20_000)):
        one = harness.http.post(
            DEFECTS, json={"inputs": [{"image": _png(100)}]}, headers=harness.auth()
        )
        assert one.status_code == 200, one.text
        three = [{"image": _png(100)}, {"image": _png(100)}, {"pixels": [[0.5] * 10] * 10}]
        over = harness.http.post(DEFECTS, json={"inputs": three}, headers=harness.auth())
        assert over.status_code == 413
        assert (over.json()["limit"], over.json()["asked"]) == ("max_pixels", 20_100)
        assert harness.admin.prediction_count(harness.tenant.id) == 1


def _jpeg(width: int, height: int, comments: int = 0) -> str:
    buffer = io.BytesIO()
    image = Image.fromarray(np.full((height, width), 90, dtype=np.uint8)).convert("RGB")
    image.save(buffer, format="JPEG")
    data = buffer.getvalue()
    # Comment segments of 60 KB each, before the frame header, as metadata can be.
    comment = b"\xff\xfe" + (60_002).to_bytes(2, "big") + b"c" * 60_000
    return base64.b64encode(data[:2] + comment * comments + data[2:]).decode()


def test_jpeg_images_are_counted_from_their_frame_headers() -> None:
    from aiaas_mock.api.call_budget import LARGEST_IMAGE, _jpeg_pixels

    assert _jpeg_pixels(_jpeg(120, 80)) == 120 * 80
    assert _jpeg_pixels(_jpeg(120, 80, comments=1)) == 120 * 80
    # A frame header past the first 64 KiB counts as the largest image there may
    # be, never as nothing.
    assert _jpeg_pixels(_jpeg(120, 80, comments=2)) == LARGEST_IMAGE
    assert _jpeg_pixels(_png(10)) == 0
    for harness in make_harness(ServerConfig(max_pixels=20_000)):
        two = [{"image": _jpeg(100, 100)}, {"image": _jpeg(101, 100)}]
        over = harness.http.post(DEFECTS, json={"inputs": two}, headers=harness.auth())
        assert over.status_code == 413
        assert (over.json()["limit"], over.json()["asked"]) == ("max_pixels", 20_100)
        one = harness.http.post(DEFECTS, json={"inputs": two[:1]}, headers=harness.auth())
        assert one.status_code == 200, one.text


class _Done(BaseModel):
    pass


class _Slow:
    """A predictor that takes 50 ms a chunk and remembers when each call ended."""

    def __init__(self) -> None:
        self.finished: dict[str, float] = {}

    def predict(self, inputs: Sequence[Any], parameters: Any) -> list[BaseModel]:
        time.sleep(0.05)
        self.finished[str(parameters)] = time.monotonic()
        return [_Done() for _ in inputs]


def test_a_full_house_is_a_503_not_a_queue_without_end() -> None:
    slots = InferenceSlots(1, queue_timeout=0.05)
    slots._slots.acquire(timeout=1)  # another call holds the only slot
    with pytest.raises(ProblemError) as busy:
        slots.run(_Slow(), [1], None, lambda: False)
    assert (busy.value.status, busy.value.code) == (503, "inference_busy")


def test_a_cheap_call_takes_turns_with_an_expensive_one() -> None:
    """One slot: a 10-chunk call started first does not make a 1-chunk call wait
    for all ten chunks."""
    slots, model = InferenceSlots(1, queue_timeout=5), _Slow()
    expensive = threading.Thread(
        target=slots.run, args=(model, list(range(10 * CHUNK)), "expensive", lambda: False)
    )
    expensive.start()
    time.sleep(0.02)
    slots.run(model, [1], "cheap", lambda: False)
    expensive.join()
    assert model.finished["cheap"] < model.finished["expensive"] - 0.2


def test_inference_stops_when_the_client_has_gone() -> None:
    text = ("hyd hose leaking on loader 7 - replaced seal and checked pump 3 bearing. " * 13)[:990]
    with MockServer() as server:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(
                f"{server.base_url}{SRL}",
                json={"inputs": [text] * 24},
                headers={"Authorization": f"Bearer {server.api_key}"},
                timeout=httpx.Timeout(10.0, read=0.5),
            )
        deadline = time.monotonic() + 20
        while server.services.inference.abandoned == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.services.inference.abandoned == 1
        assert server.tenant is not None
        assert server.admin.prediction_count(server.tenant.id) == 0
        with aiaas.Client(api_key=server.api_key, base_url=server.base_url) as client:
            assert client.models.predict("maintenance-srl", inputs=[text]).outputs
