"""No input, however odd, makes the server answer 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiaas_mock import FaultConfig, ServerConfig
from aiaas_mock.zoo.registry import system_model_ids
from tests.helpers import healthy_run
from tests.server.conftest import Harness, make_harness

pixel_rows = st.lists(
    st.lists(
        st.integers(0, 255)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.lists(st.integers(0, 3), max_size=2),
        min_size=7,
        max_size=9,
    ),
    min_size=7,
    max_size=9,
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
run_fields = st.fixed_dictionaries(
    {},
    optional={
        name: json_values | st.floats(allow_nan=False, allow_infinity=False)
        for name in healthy_run()
    },
)
deep_inputs = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={"pixels": pixel_rows | json_values, "image": st.text(max_size=40) | json_values},
    ),
    st.fixed_dictionaries(
        {
            "sensors": st.dictionaries(
                st.sampled_from(["T24", "T30", "P30", "bogus"]),
                st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=35)
                | json_values,
                max_size=4,
            )
        }
    ),
)
texts = st.text(max_size=60) | st.text(min_size=990, max_size=1010)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"inputs": st.lists(deep_inputs, max_size=3)}),
    st.fixed_dictionaries(
        {"inputs": st.lists(texts | json_values, max_size=4)},
        optional={"parameters": json_values},
    ),
    st.fixed_dictionaries(
        {"inputs": st.lists(run_fields | json_values, max_size=4)},
        optional={"parameters": json_values},
    ),
)

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def shared() -> Iterator[Harness]:
    # The fault header is heard, so that its parsing is fuzzed too.
    yield from make_harness(ServerConfig(faults=FaultConfig(header_enabled=True)))


def check(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"]


@pytest.mark.parametrize("model", [*system_model_ids(), "nope"])
@SETTINGS
@given(body=bodies)
def test_predict_bodies(shared: Harness, model: str, body: Any) -> None:
    check(shared.http.post(f"/v1/models/{model}/predict", json=body, headers=shared.auth()))


embedding_bodies = json_values | st.fixed_dictionaries(
    {},
    optional={
        "model": st.sampled_from(["maintenance-word2vec", "defect-cnn", "nope"]) | json_values,
        "input": texts | st.lists(texts | st.integers(), max_size=4) | json_values,
        "encoding_format": st.sampled_from(["float", "base64"]) | json_values,
        "dimensions": st.integers(-2, 100) | json_values,
        "user": json_values,
    },
)


@SETTINGS
@given(body=embedding_bodies)
def test_embedding_bodies(shared: Harness, body: Any) -> None:
    check(shared.http.post("/v1/embeddings", json=body, headers=shared.auth()))


@SETTINGS
@given(
    raw=st.binary(max_size=200),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]
    ),
)
def test_raw_bodies(shared: Harness, raw: bytes, content_type: str) -> None:
    headers = {**shared.auth(), "content-type": content_type}
    check(shared.http.post("/v1/models/quality-logreg/predict", content=raw, headers=headers))


@SETTINGS
@given(
    query=st.dictionaries(
        st.sampled_from(["limit", "after", "task", "other"]), st.text(max_size=40), max_size=4
    ),
    model_id=st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=200),
    header=st.text(max_size=60).filter(lambda v: v.isprintable() and v.isascii()),
)
def test_queries_paths_and_headers(
    shared: Harness, query: dict[str, str], model_id: str, header: str
) -> None:
    check(shared.http.get("/v1/models", params=query, headers=shared.auth()))
    check(shared.http.get(f"/v1/models/{model_id}", headers=shared.auth()))
    check(shared.http.get("/v1/models", headers={"Authorization": header}))
    check(
        shared.http.post(
            "/v1/models/quality-logreg/predict",
            json={"inputs": [healthy_run()]},
            headers={**shared.auth(), "Idempotency-Key": header, "X-Aiaas-Fault": header},
        )
    )


tensor_entries = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["product_type", "torque", "tool_wear", "text", "x"]) | json_values,
        "datatype": st.sampled_from(["BYTES", "FP64", "FP32", "INT64", "BOOL", "FP16"])
        | json_values,
        "shape": st.lists(st.integers(-1, 3), max_size=3) | json_values,
        "data": json_values,
        "parameters": st.fixed_dictionaries(
            {}, optional={"binary_data_size": st.integers(-1, 16) | json_values}
        )
        | json_values,
    },
)
QUALITY_TENSORS = [
    {"name": "product_type", "datatype": "BYTES", "shape": [1], "data": ["M"]},
    *(
        {"name": name, "datatype": "FP64", "shape": [1], "data": [value]}
        for name, value in (
            ("air_temperature", 300.0),
            ("process_temperature", 310.0),
            ("rotational_speed", 1500.0),
            ("torque", 40.0),
            ("tool_wear", 60.0),
        )
    ),
]


@st.composite
def one_tensor_off(draw: st.DrawFn) -> dict[str, Any]:
    """A valid quality-logreg request with one field of one tensor changed: the
    requests that reach the model's own checks."""
    tensors = [dict(tensor) for tensor in QUALITY_TENSORS]
    tensor = tensors[draw(st.integers(0, len(tensors) - 1))]
    field = draw(st.sampled_from(["data", "datatype", "shape", "parameters"]))
    values: st.SearchStrategy[Any] = json_values | st.lists(json_values, min_size=1, max_size=1)
    tensor[field] = draw(values)
    return {"inputs": tensors}


v2_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"inputs": st.lists(tensor_entries, max_size=6) | json_values},
        optional={
            "id": json_values,
            "parameters": st.fixed_dictionaries({}, optional={"binary_data_output": json_values})
            | json_values,
            "outputs": st.lists(
                st.fixed_dictionaries(
                    {}, optional={"name": json_values, "parameters": json_values}
                ),
                max_size=3,
            )
            | json_values,
        },
    ),
)


@pytest.mark.parametrize("model", ["quality-logreg", "maintenance-ner"])
@SETTINGS
@given(
    body=v2_bodies,
    # Latin-1 without control characters: what an HTTP header can carry (² included).
    header=st.none()
    | st.text(st.characters(max_codepoint=255, exclude_categories=["Cc"]), max_size=4),
    tail=st.binary(max_size=24),
)
def test_v2_infer_bodies(
    shared: Harness, model: str, body: Any, header: str | None, tail: bytes
) -> None:
    """Open Inference Protocol requests, JSON or with binary data after a header of
    any length, to a real model: a 400 in the protocol's shape, never a 500."""
    import json

    raw = json.dumps(body).encode()
    headers: dict[str, Any] = {**shared.auth(), "content-type": "application/json"}
    if header is not None:
        headers["inference-header-content-length"] = header.encode("latin-1")
        raw += tail
    response = shared.http.post(f"/v2/models/{model}/infer", content=raw, headers=headers)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert isinstance(response.json()["error"], str)


@SETTINGS
@given(body=one_tensor_off())
def test_v2_infer_bodies_one_field_off(shared: Harness, body: Any) -> None:
    """A valid request with one tensor field changed reaches the model's own checks."""
    response = shared.http.post("/v2/models/quality-logreg/infer", json=body, headers=shared.auth())
    assert response.status_code < 500, response.text
