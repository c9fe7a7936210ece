"""schemathesis over the whole API, authenticated: every answer's status,
content type and body conform to /openapi.json, and none is a server error.

Bounded to a few examples per operation. Not checked: that every schema-valid
request is accepted (a cursor is opaque and signed, and the token endpoint's
client credentials are beyond what a schema can say).
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aiaas.envelope import MEDIA_TYPE
from aiaas_mock import Admin, create_app


@schemathesis.serializer(MEDIA_TYPE)
def _sealed(context: Any, value: Any) -> bytes:
    # A sealed body is opaque bytes; whatever is generated goes as it is (and is
    # refused as not sealed to this server: a documented 400).
    return value if isinstance(value, bytes) else str(value).encode()


@schemathesis.serializer("application/x-ndjson")
def _json_lines(context: Any, value: Any) -> bytes:
    # A dataset upload: whatever is generated goes as bytes, one JSON value a line
    # when it is a list (a malformed file is a documented 422).
    if isinstance(value, bytes):
        return value
    if isinstance(value, list):
        return "".join(json.dumps(item) + "\n" for item in value).encode()
    return json.dumps(value).encode()


@schemathesis.serializer("application/vnd.apache.parquet")
def _parquet(context: Any, value: Any) -> bytes:
    # Whatever is generated goes as bytes: not Parquet, a documented 422.
    return value if isinstance(value, bytes) else json.dumps(value).encode()


APP = create_app()
_ADMIN = Admin.of(APP.state.services)
_KEY = _ADMIN.issue_key(_ADMIN.get_or_create_tenant("schemathesis").id).secret.reveal()
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@SCHEMA.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_answer_conforms_to_the_schema(case: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {_KEY}"}, checks=CHECKS)


V2_INFER = SCHEMA.include(path_regex=r"^/v2/models/\{model_id\}(/versions/[^/]+)?/infer$")


@V2_INFER.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_infer_bodies_reach_a_real_model(case: Any) -> None:
    # A generated model id is a 404 before the body is read: name a served one,
    # so the generated bodies meet the tensor decoder and the model.
    case.path_parameters = {**(case.path_parameters or {}), "model_id": "quality-logreg"}
    if "{version}" in case.operation.path:
        case.path_parameters["version"] = _LOGREG_VERSION
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {_KEY}"}
    response = case.call_and_validate(checks=CHECKS)
    if case.method.upper() == "POST":  # (other methods are tried too: 405)
        assert response.status_code in (200, 400, 413, 422), response.text


_LOGREG_VERSION = APP.state.services.models.system("quality-logreg").spec.version


def test_the_document_says_what_clients_need() -> None:
    document = APP.openapi()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    predict = document["paths"]["/v1/models/{model_id}/predict"]["post"]
    assert predict["security"] == [{"HTTPBearer": []}]
    assert "application/problem+json" in predict["responses"]["404"]["content"]
    assert MEDIA_TYPE in predict["requestBody"]["content"]
    assert any(p["name"] == "Aiaas-Encryption" for p in predict["parameters"])
    token = document["paths"]["/v1/oauth/token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
    infer = document["paths"]["/v2/models/{model_id}/infer"]["post"]
    assert infer["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OipError"
    }
