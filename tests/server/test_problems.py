"""Every error answer is an RFC 9457 problem with a stable code and a request id."""

from __future__ import annotations

from typing import Any

import pytest

from aiaas_mock import ServerConfig
from tests.helpers import healthy_run
from tests.server.conftest import Harness, make_harness

PREDICT = "/v1/models/quality-logreg/predict"


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"/problems/{code}"
    assert body["title"]
    assert body["request_id"] == response.headers["x-request-id"]
    return dict(body)


def test_every_response_has_a_request_id(harness: Harness) -> None:
    ok = harness.http.get("/v1/models", headers=harness.auth())
    assert ok.headers["x-request-id"].startswith("req_")
    health = harness.http.get("/healthz")
    assert health.headers["x-request-id"].startswith("req_")
    assert ok.headers["x-request-id"] != health.headers["x-request-id"]


def test_a_client_request_id_is_kept_if_well_formed(harness: Harness) -> None:
    kept = harness.http.get("/healthz", headers={"X-Request-Id": "client-id-0001"})
    assert kept.headers["x-request-id"] == "client-id-0001"
    replaced = harness.http.get("/healthz", headers={"X-Request-Id": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"].startswith("req_")


def test_unknown_route(harness: Harness) -> None:
    body = assert_problem(harness.http.get("/v1/nothing", headers=harness.auth()), 404, "not_found")
    assert "/v1/nothing" in body["detail"]


def test_wrong_method(harness: Harness) -> None:
    assert_problem(
        harness.http.delete("/v1/models", headers=harness.auth()), 405, "method_not_allowed"
    )


def test_unknown_model(harness: Harness) -> None:
    body = assert_problem(
        harness.http.get("/v1/models/nope", headers=harness.auth()), 404, "not_found"
    )
    assert "nope" in body["detail"]


def test_invalid_json(harness: Harness) -> None:
    response = harness.http.post(
        PREDICT,
        content=b"{not json",
        headers={**harness.auth(), "content-type": "application/json"},
    )
    assert_problem(response, 400, "invalid_json")


def test_validation_errors_name_the_field(harness: Harness) -> None:
    bad = healthy_run(torque=-5.0)
    del bad["tool_wear"]
    response = harness.http.post(
        PREDICT, json={"inputs": [healthy_run(), bad]}, headers=harness.auth()
    )
    body = assert_problem(response, 422, "validation_error")
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"body.inputs.1.torque", "body.inputs.1.tool_wear"}
    assert "body.inputs.1." in body["detail"]


def test_every_wrong_field_is_named_and_a_misspelled_one_gets_its_name(harness: Harness) -> None:
    run = healthy_run(tool_wear=-1.0)
    run["Torque"] = run.pop("torque")
    run["air_temprature"] = run.pop("air_temperature")
    response = harness.http.post(PREDICT, json={"inputs": [run]}, headers=harness.auth())
    body = assert_problem(response, 422, "validation_error")
    detail = body["detail"]
    assert "body.inputs.0.Torque: not a field; did you mean 'torque'?" in detail
    assert "body.inputs.0.air_temprature: not a field; did you mean 'air_temperature'?" in detail
    assert "body.inputs.0.tool_wear: " in detail
    # The missing fields the misspelt ones stand for are not named twice in the
    # detail; errors still lists each as the validator saw it.
    assert "body.inputs.0.torque:" not in detail
    assert {error["field"] for error in body["errors"]} >= {
        "body.inputs.0.torque", "body.inputs.0.Torque", "body.inputs.0.tool_wear",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "body.inputs"),
        ({"inputs": []}, "body.inputs"),
        ({"inputs": "run"}, "body.inputs"),
        ({"inputs": [healthy_run()], "extra": 1}, "body.extra"),
        ({"inputs": [healthy_run()], "parameters": {"threshold": 2}}, "body.parameters.threshold"),
        ({"inputs": [healthy_run()], "parameters": {"nope": 1}}, "body.parameters.nope"),
        ({"inputs": [healthy_run(product_type="Z")]}, "body.inputs.0.product_type"),
        ({"inputs": [{**healthy_run(), "colour": "red"}]}, "body.inputs.0.colour"),
        ({"inputs": [healthy_run(torque="NaN")]}, "body.inputs.0.torque"),
        ({"inputs": [healthy_run(torque="Infinity")]}, "body.inputs.0.torque"),
    ],
)
def test_bad_predict_bodies(harness: Harness, payload: dict[str, Any], field: str) -> None:
    response = harness.http.post(PREDICT, json=payload, headers=harness.auth())
    body = assert_problem(response, 422, "validation_error")
    assert field in {error["field"] for error in body["errors"]}


def test_limit_out_of_range(harness: Harness) -> None:
    for limit in ("0", "101", "ten"):
        response = harness.http.get(f"/v1/models?limit={limit}", headers=harness.auth())
        body = assert_problem(response, 422, "validation_error")
        assert body["errors"][0]["field"] == "query.limit"


def test_too_many_inputs() -> None:
    for harness in make_harness(ServerConfig(max_inputs=3)):
        response = harness.http.post(
            PREDICT, json={"inputs": [healthy_run()] * 4}, headers=harness.auth()
        )
        body = assert_problem(response, 422, "validation_error")
        assert body["errors"][0]["field"] == "body.inputs"
        assert "At most 3" in body["detail"]


def test_body_over_the_limit() -> None:
    for harness in make_harness(ServerConfig(max_body_bytes=1024)):
        big = {"inputs": [healthy_run()] * 40}
        declared = harness.http.post(PREDICT, json=big, headers=harness.auth())
        assert_problem(declared, 413, "payload_too_large")

        def chunks() -> Any:
            yield b'{"inputs": ['
            for _ in range(100):
                yield b'{"product_type": "M"},'
            yield b"{}]}"

        streamed = harness.http.post(
            PREDICT,
            content=chunks(),
            headers={**harness.auth(), "content-type": "application/json"},
        )
        assert_problem(streamed, 413, "payload_too_large")


def test_invalid_idempotency_key(harness: Harness) -> None:
    response = harness.http.post(
        PREDICT,
        json={"inputs": [healthy_run()]},
        headers={**harness.auth(), "Idempotency-Key": "k" * 256},
    )
    assert_problem(response, 400, "invalid_idempotency_key")


@pytest.mark.parametrize(
    "body", [b'{"inputs": [\xff]}', b"[" * 5000 + b"]" * 5000], ids=["bad-utf8", "too-deep"]
)
def test_undecodable_json_is_invalid_json(harness: Harness, body: bytes) -> None:
    headers = {**harness.auth(), "content-type": "application/json"}
    answer = harness.http.post("/v1/models/quality-logreg/predict", content=body, headers=headers)
    assert_problem(answer, 400, "invalid_json")


@pytest.mark.parametrize("content_type", ["text/plain", None])
def test_a_body_that_is_not_json_is_a_415(harness: Harness, content_type: str | None) -> None:
    headers = {**harness.auth(), **({"content-type": content_type} if content_type else {})}
    answer = harness.http.post(
        "/v1/models/quality-logreg/predict", content=b'{"inputs": []}', headers=headers
    )
    assert_problem(answer, 415, "unsupported_media_type")
