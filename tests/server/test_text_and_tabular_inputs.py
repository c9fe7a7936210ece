"""Malformed inputs to the tabular and text models, and to /v1/embeddings, are
422s naming the field; long texts and big batches are bounded."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from aiaas_mock import ServerConfig
from aiaas_mock.zoo.maintenance_text.inputs import MAX_TEXT_CHARS
from tests.server.conftest import Harness, make_harness
from tests.server.test_problems import assert_problem

TEXT_MODELS = ["maintenance-ner", "maintenance-srl", "maintenance-word2vec"]
LINE_HOUR = {"throughput": 200.0, "ambient_temperature": 21.0, "shift": "late", "weekday": "friday"}


@pytest.fixture(scope="module")
def small() -> Iterator[Harness]:
    """A server that takes at most five inputs a call."""
    yield from make_harness(ServerConfig(max_inputs=5))


def predict(harness: Harness, model: str, inputs: Any, parameters: Any = None) -> Any:
    body: dict[str, Any] = {"inputs": inputs}
    if parameters is not None:
        body["parameters"] = parameters
    return harness.http.post(f"/v1/models/{model}/predict", json=body, headers=harness.auth())


def embed(harness: Harness, **body: Any) -> Any:
    return harness.http.post("/v1/embeddings", json=body, headers=harness.auth())


def field_of(response: Any) -> str:
    body = assert_problem(response, 422, "validation_error")
    return str(body["errors"][0]["field"])


@pytest.mark.parametrize("model", TEXT_MODELS)
@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        (["ok", ""], "body.inputs.1"),
        (["x" * (MAX_TEXT_CHARS + 1)], "body.inputs.0"),
        (["ok", 42], "body.inputs.1"),
        ([{"text": "replace brg"}], "body.inputs.0"),
        ([None], "body.inputs.0"),
    ],
)
def test_bad_texts(small: Harness, model: str, inputs: list[Any], field: str) -> None:
    assert field_of(predict(small, model, inputs)) == field


@pytest.mark.parametrize("model", [*TEXT_MODELS, "quality-svm", "energy-regression"])
def test_batches_are_bounded(small: Harness, model: str) -> None:
    item = LINE_HOUR if model == "energy-regression" else "pump 3 seized"
    body = assert_problem(predict(small, model, [item] * 6), 422, "validation_error")
    assert body["errors"][0]["field"] == "body.inputs"
    assert "At most 5" in body["errors"][0]["message"]


def test_a_text_at_the_limit_is_read(small: Harness) -> None:
    text = ("replace brg on pump 3 - " * 50)[:MAX_TEXT_CHARS]
    response = predict(small, "maintenance-ner", [text])
    assert response.status_code == 200, response.text
    assert len(response.json()["outputs"][0]["entities"]) > 50


@pytest.mark.parametrize(
    ("model", "parameters", "field"),
    [
        ("maintenance-word2vec", {"top_k": 51}, "body.parameters.top_k"),
        ("maintenance-word2vec", {"top_k": "many"}, "body.parameters.top_k"),
        ("maintenance-ner", {"threshold": 0.5}, "body.parameters.threshold"),
        ("energy-regression", {"coverage": 1.5}, "body.parameters.coverage"),
        ("quality-svm", {"threshold": 1.0}, "body.parameters.threshold"),
    ],
)
def test_bad_parameters(small: Harness, model: str, parameters: Any, field: str) -> None:
    item = LINE_HOUR if model == "energy-regression" else "pump seized"
    if model == "quality-svm":
        item = {"product_type": "L", "air_temperature": 300, "process_temperature": 310,
                "rotational_speed": 1500, "torque": 40, "tool_wear": 10}  # fmt: skip
    assert field_of(predict(small, model, [item], parameters)) == field


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"shift": "evening"}, "body.inputs.0.shift"),
        ({"weekday": 3}, "body.inputs.0.weekday"),
        ({"throughput": -1}, "body.inputs.0.throughput"),
        ({"ambient_temperature": "NaN"}, "body.inputs.0.ambient_temperature"),
        ({"hour": 7}, "body.inputs.0.hour"),
    ],
)
def test_bad_line_hours(small: Harness, change: dict[str, Any], field: str) -> None:
    assert field_of(predict(small, "energy-regression", [{**LINE_HOUR, **change}])) == field


def test_energy_interval_follows_the_coverage(small: Harness) -> None:
    narrow, wide = (
        predict(small, "energy-regression", [LINE_HOUR], {"coverage": c}).json()["outputs"][0]
        for c in (0.5, 0.99)
    )
    assert narrow["energy_kwh"] == wide["energy_kwh"]
    assert wide["lower_kwh"] < narrow["lower_kwh"] < narrow["energy_kwh"] < narrow["upper_kwh"]
    assert narrow["upper_kwh"] < wide["upper_kwh"]


# /v1/embeddings


def test_embeddings_in_openai_shape(small: Harness) -> None:
    response = embed(small, model="maintenance-word2vec", input=["replace brg", "qqq"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "list"
    assert body["model"] == "maintenance-word2vec"
    assert [d["index"] for d in body["data"]] == [0, 1]
    assert all(d["object"] == "embedding" for d in body["data"])
    first, unknown = (np.array(d["embedding"]) for d in body["data"])
    assert np.linalg.norm(first) == pytest.approx(1.0, abs=1e-4)
    assert not unknown.any()
    assert body["usage"] == {"prompt_tokens": 3, "total_tokens": 3}


def test_base64_is_the_same_vector(small: Harness) -> None:
    floats = embed(small, model="maintenance-word2vec", input="hyd hose leaking").json()
    packed = embed(
        small, model="maintenance-word2vec", input="hyd hose leaking", encoding_format="base64"
    ).json()
    unpacked = np.frombuffer(base64.b64decode(packed["data"][0]["embedding"]), dtype="<f4")
    assert np.allclose(unpacked, floats["data"][0]["embedding"], atol=1e-6)


def test_embedding_equals_the_models_own_vector(small: Harness) -> None:
    text = "conveyor belt torn"
    embedding = embed(small, model="maintenance-word2vec", input=text).json()["data"][0]
    output = predict(small, "maintenance-word2vec", [text]).json()["outputs"][0]
    assert np.allclose(embedding["embedding"], output["vector"], atol=1e-5)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": "defect-cnn", "input": "x"}, "body.model"),
        ({"model": "maintenance-word2vec", "input": [[1, 2, 3]]}, "body.input"),
        ({"model": "maintenance-word2vec", "input": [1, 2, 3]}, "body.input"),
        ({"model": "maintenance-word2vec", "input": []}, "body.input"),
        ({"model": "maintenance-word2vec", "input": ""}, "body.input"),
        ({"model": "maintenance-word2vec", "input": ["a", ""]}, "body.input.1"),
        ({"model": "maintenance-word2vec", "input": "x" * 1001}, "body.input"),
        ({"model": "maintenance-word2vec", "input": ["a"] * 6}, "body.input"),
        ({"model": "maintenance-word2vec", "input": "a", "dimensions": 32}, "body.dimensions"),
        ({"model": "maintenance-word2vec", "input": "a", "encoding_format": "hex"}, None),
        ({"model": "maintenance-word2vec"}, None),
        ({"input": "a"}, None),
    ],
)
def test_bad_embedding_requests(small: Harness, body: dict[str, Any], field: str | None) -> None:
    found = field_of(embed(small, **body))
    if field is not None:
        assert found == field


def test_unknown_embedding_model_is_404(small: Harness) -> None:
    assert_problem(embed(small, model="no-such-model", input="x"), 404, "not_found")


def test_embeddings_need_the_inference_scope(small: Harness) -> None:
    reader = small.admin.issue_key(small.tenant.id, scopes=["models:read"])
    response = small.http.post(
        "/v1/embeddings",
        json={"model": "maintenance-word2vec", "input": "x"},
        headers=small.auth(reader),
    )
    assert_problem(response, 403, "insufficient_scope")
