"""/v2, the Open Inference Protocol: metadata from each model's types, answers
equal to /v1 predict's, the binary extension, errors as {"error"}, and v1's
credentials and tenancy."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from typing import Any

import pytest

from aiaas.oip import HEADER_LENGTH, Tensor
from aiaas_mock.api.tensor_signature import signature
from aiaas_mock.zoo.examples import example_inputs
from aiaas_mock.zoo.model_spec import card
from aiaas_mock.zoo.registry import SYSTEM_MODELS, system_model_ids
from tests.helpers import healthy_run
from tests.server.conftest import Harness, make_harness

EXAMPLES = example_inputs()


@pytest.fixture(scope="module")
def shared() -> Iterator[Harness]:
    yield from make_harness()


def _tensors(model: str, rows: list[Any]) -> list[dict[str, Any]]:
    """The JSON inputs of a V2 request for ``rows``, as a client reading the
    model's metadata would build them."""
    spec = next(e.spec for e in SYSTEM_MODELS if e.spec.id == model)
    fields = signature(spec).inputs
    if not isinstance(rows[0], dict):
        return [{"name": "text", "datatype": "BYTES", "shape": [len(rows)], "data": rows}]
    inputs = []
    for field in fields:
        if field.name not in rows[0]:
            continue
        values = [row[field.name] for row in rows]
        if field.json:
            values = [json.dumps(v) for v in values]
        inputs.append(
            {"name": field.name, "datatype": field.datatype, "shape": [len(rows)], "data": values}
        )
    return inputs


def test_server_metadata_and_health_need_no_credentials(shared: Harness) -> None:
    assert shared.http.get("/v2").json()["extensions"] == ["binary_tensor_data"]
    assert shared.http.get("/v2/health/live").status_code == 200
    assert shared.http.get("/v2/health/ready").json() == {"ready": True}


@pytest.mark.parametrize("model", system_model_ids())
def test_metadata_follows_the_models_types(shared: Harness, model: str) -> None:
    answer = shared.http.get(f"/v2/models/{model}", headers=shared.auth())
    assert answer.status_code == 200, answer.text
    metadata = answer.json()
    assert metadata["name"] == model
    assert all(t["shape"] == [-1] for t in metadata["inputs"] + metadata["outputs"])
    spec = next(e.spec for e in SYSTEM_MODELS if e.spec.id == model)
    outputs = card(spec, {}).output_schema["properties"]
    assert isinstance(outputs, dict)
    assert [t["name"] for t in metadata["outputs"]] == list(outputs)
    version = metadata["versions"][0]
    assert (
        shared.http.get(
            f"/v2/models/{model}/versions/{version}/ready", headers=shared.auth()
        ).status_code
        == 200
    )
    missing = shared.http.get(f"/v2/models/{model}/versions/0.0.0", headers=shared.auth())
    assert missing.status_code == 404
    assert "version" in missing.json()["error"]


@pytest.mark.parametrize("model", system_model_ids())
def test_answers_equal_v1_predict(shared: Harness, model: str) -> None:
    rows = [EXAMPLES[model], EXAMPLES[model]]
    v1 = shared.http.post(
        f"/v1/models/{model}/predict", json={"inputs": rows}, headers=shared.auth()
    )
    assert v1.status_code == 200, v1.text
    v2 = shared.http.post(
        f"/v2/models/{model}/infer",
        json={"id": "r-7", "inputs": _tensors(model, rows)},
        headers=shared.auth(),
    )
    assert v2.status_code == 200, v2.text
    answer = v2.json()
    assert (answer["id"], answer["model_name"]) == ("r-7", model)
    metadata = {
        t["name"]: t
        for t in shared.http.get(f"/v2/models/{model}", headers=shared.auth()).json()["outputs"]
    }
    for output in answer["outputs"]:
        assert output["shape"] == [2]
        assert output["datatype"] == metadata[output["name"]]["datatype"]
        expected = [row[output["name"]] for row in v1.json()["outputs"]]
        if (metadata[output["name"]].get("parameters") or {}).get("content_type") == "json":
            assert [json.loads(x) for x in output["data"]] == expected
        else:
            assert output["data"] == expected


def test_binary_inputs_and_outputs(shared: Harness) -> None:
    run = healthy_run()
    fields = [k for k in run if k != "product_type"]
    header: dict[str, Any] = {
        "parameters": {"binary_data_output": True},
        "inputs": [{"name": "product_type", "datatype": "BYTES", "shape": [1], "data": ["M"]}],
        "outputs": [
            {"name": "failure_probability"},
            {"name": "prediction", "parameters": {"binary_data": False}},
        ],
    }
    chunks = []
    for name in fields:
        chunk = struct.pack("<d", float(run[name]))
        header["inputs"].append(
            {"name": name, "datatype": "FP64", "shape": [1], "parameters": {"binary_data_size": 8}}
        )
        chunks.append(chunk)
    text = json.dumps(header).encode()
    answer = shared.http.post(
        "/v2/models/quality-logreg/infer",
        content=text + b"".join(chunks),
        headers={
            **shared.auth(),
            HEADER_LENGTH: str(len(text)),
            "Content-Type": "application/octet-stream",
        },
    )
    assert answer.status_code == 200, answer.text
    split = int(answer.headers[HEADER_LENGTH])
    meta = json.loads(answer.content[:split])
    probability, prediction = meta["outputs"]
    assert probability["parameters"]["binary_data_size"] == 8
    assert prediction["data"] == ["pass"]
    (value,) = struct.unpack("<d", answer.content[split:])
    v1 = shared.http.post(
        "/v1/models/quality-logreg/predict", json={"inputs": [run]}, headers=shared.auth()
    )
    assert value == v1.json()["outputs"][0]["failure_probability"]


BAD_REQUESTS = [
    (b"{not json", "not valid JSON"),
    (
        json.dumps({"inputs": [{"name": "nope", "datatype": "FP64", "shape": [1], "data": [1.0]}]}),
        "unexpected inference input 'nope'",
    ),
    (
        json.dumps(
            {"inputs": [{"name": "torque", "datatype": "FP32", "shape": [1], "data": [1.0]}]}
        ),
        "expects FP64",
    ),
    (
        json.dumps(
            {"inputs": [{"name": "torque", "datatype": "FP64", "shape": [2], "data": [1.0]}]}
        ),
        "do not fill shape",
    ),
    (
        json.dumps(
            {"inputs": [{"name": "torque", "datatype": "FP64", "shape": [1], "data": [1.0]}]}
        ),
        "missing inference input",
    ),
    (json.dumps({"inputs": "x"}), "needs 'inputs'"),
    (
        json.dumps({"inputs": [{"name": "torque", "datatype": "FP64", "shape": [1]}]}),
        "neither 'data'",
    ),
    # Each once a 500 that closed the keep-alive connection.
    *(
        (
            json.dumps(
                {
                    "inputs": [
                        {
                            "name": "product_type",
                            "datatype": "BYTES",
                            "shape": [1],
                            "data": [element],
                        }
                    ]
                }
            ),
            "element 0 is",
        )
        for element in (123, None, {"a": 1})
    ),
    (
        json.dumps(
            {
                "inputs": [
                    {
                        "name": "torque",
                        "datatype": "FP64",
                        "shape": [1],
                        "data": [1.0],
                        "parameters": [1],
                    }
                ]
            }
        ),
        "'parameters' must be an object",
    ),
    (
        json.dumps({"inputs": [], "outputs": [{"name": "label", "parameters": "x"}]}),
        "'outputs' must be a list",
    ),
    ('{"inputs": ' + "[" * 1000 + "]" * 1000 + "}", "not valid JSON"),
]


@pytest.mark.parametrize(("body", "message"), BAD_REQUESTS)
def test_bad_tensors_are_400s_in_the_protocols_shape(
    shared: Harness, body: bytes | str, message: str
) -> None:
    answer = shared.http.post(
        "/v2/models/quality-logreg/infer",
        content=body,
        headers={**shared.auth(), "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert message in answer.json()["error"]
    assert answer.headers["x-request-id"]


def test_rows_are_validated_by_the_models_types(shared: Harness) -> None:
    rows = [{**healthy_run(), "torque": -5.0}]
    answer = shared.http.post(
        "/v2/models/quality-logreg/infer",
        json={"inputs": _tensors("quality-logreg", rows)},
        headers=shared.auth(),
    )
    assert answer.status_code == 400
    assert "inputs.0.torque" in answer.json()["error"]


def test_unknown_outputs_and_versions_are_refused(shared: Harness) -> None:
    body = {"inputs": _tensors("quality-logreg", [healthy_run()]), "outputs": [{"name": "nope"}]}
    answer = shared.http.post("/v2/models/quality-logreg/infer", json=body, headers=shared.auth())
    assert (answer.status_code, answer.json()) == (
        400,
        {"error": "unexpected inference output 'nope'"},
    )
    answer = shared.http.post(
        "/v2/models/quality-logreg/versions/9/infer", json=body, headers=shared.auth()
    )
    assert answer.status_code == 404


def test_credentials_scopes_and_tenancy_are_v1s(shared: Harness) -> None:
    assert shared.http.get("/v2/models/quality-logreg").status_code == 401
    assert "error" in shared.http.get("/v2/models/quality-logreg").json()
    reader = shared.admin.issue_key(shared.tenant.id, scopes=["models:read"])
    body = {"inputs": _tensors("quality-logreg", [healthy_run()])}
    refused = shared.http.post(
        "/v2/models/quality-logreg/infer", json=body, headers=shared.auth(reader)
    )
    assert refused.status_code == 403
    other = shared.admin.get_or_create_tenant("globex")
    private = card(SYSTEM_MODELS[0].spec, {}).model_copy(
        update={"id": "acme-private", "owner": shared.tenant.id}
    )
    shared.services.store.models.put(private, shared.tenant.id)
    stranger = shared.admin.issue_key(other.id)
    assert (
        shared.http.get("/v2/models/acme-private", headers=shared.auth(stranger)).status_code == 404
    )
    assert shared.http.get("/v2/models/nope", headers=shared.auth()).json() == {
        "error": "No model 'nope'. GET /v1/models lists the models you may use."
    }
    # A mistyped id is answered with the closest ids the caller may see, and
    # never with another tenant's.
    owner = shared.http.get("/v2/models/acme-privat", headers=shared.auth()).json()["error"]
    assert "Did you mean 'acme-private'?" in owner
    foreign = shared.http.get("/v2/models/acme-privat", headers=shared.auth(stranger)).json()
    assert "acme-private'" not in foreign["error"]
    typo = shared.http.get("/v2/models/quality-logistic", headers=shared.auth()).json()
    assert "Did you mean 'quality-logreg'" in typo["error"]


def test_texts_travel_as_bytes(shared: Harness) -> None:
    body = {
        "inputs": [
            {"name": "text", "datatype": "BYTES", "shape": [1], "data": ["replace brg on pump 3"]}
        ]
    }
    answer = shared.http.post("/v2/models/maintenance-ner/infer", json=body, headers=shared.auth())
    entities = json.loads(answer.json()["outputs"][0]["data"][0])
    assert {e["text"] for e in entities} >= {"replace", "brg", "pump"}
    as_tensor = Tensor("text", "BYTES", [1], ["replace brg on pump 3"])
    assert as_tensor.json_data() == ["replace brg on pump 3"]
