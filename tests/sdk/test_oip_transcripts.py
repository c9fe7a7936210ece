"""aiaas.oip against what real engines answered: 228 recorded exchanges with
MLServer 1.7.1, KServe 0.21.0 and Triton 2.51.0, replayed with respx.

The transcripts are reference material beside the repository, never shipped:
set AIAAS_OIP_TRANSCRIPTS, or keep them at ../shared/data/oip/transcripts.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import struct
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from aiaas import InternalServerError
from aiaas._response import error_class
from aiaas.oip import Client, ModelMetadata, ServerMetadata, Tensor
from aiaas.oip._codec import decode_result, encode_infer, engine_message, oip_error
from tests.helpers import FAST_RETRIES

BASE = "https://engine.test"
_DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "data" / "oip" / "transcripts"
DIRECTORY = Path(os.environ.get("AIAAS_OIP_TRANSCRIPTS", _DEFAULT))


def _transcripts() -> list[Any]:
    if not DIRECTORY.is_dir():
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(reason=f"no OIP transcripts in {DIRECTORY}"),
                id="absent",
            )
        ]
    return [
        pytest.param(json.loads(path.read_text()), id=path.stem)
        for path in sorted(DIRECTORY.glob("*__*.json"))
    ]


TRANSCRIPTS = _transcripts()


def _is_buildable_inference(transcript: dict[str, Any] | None) -> bool:
    """A 200 inference whose request the SDK would build (no reserved parameter,
    BOOL as true/false): the SDK must then build exactly that request."""
    if transcript is None:
        return False
    request = transcript["request"]
    sent = request.get("json") or request.get("json_header") or {}
    return (
        request["path"].endswith("/infer")
        and transcript["response"]["status"] == 200
        and "content_type" not in (sent.get("parameters") or {})
        and _recorded_inputs(request) is not None
    )


def _response_body(recorded: dict[str, Any]) -> bytes:
    if "json_header" in recorded:
        header = json.dumps(recorded["json_header"]).encode()
        return header + base64.b64decode(recorded["binary_base64"])
    if "json" in recorded:
        return json.dumps(recorded["json"]).encode()
    return str(recorded.get("body_text", "")).encode()


def _response_headers(recorded: dict[str, Any], body: bytes) -> dict[str, str]:
    headers = {
        name: value
        for name, value in recorded["headers"].items()
        if name.lower() not in ("content-length", "content-encoding", "transfer-encoding")
    }
    if "json_header" in recorded:
        # The recorded length counts the JSON as the engine printed it; ours is re-printed.
        headers["inference-header-content-length"] = str(len(json.dumps(recorded["json_header"])))
    return headers


def _replayed(transcript: dict[str, Any], gzipped: bool = False) -> httpx.Response:
    recorded = transcript["response"]
    body = _response_body(recorded)
    headers = _response_headers(recorded, body)
    if gzipped:
        body = gzip.compress(body)
        headers["content-encoding"] = "gzip"
    request = httpx.Request(transcript["request"]["method"], BASE + transcript["request"]["path"])
    return httpx.Response(recorded["status"], headers=headers, content=body, request=request)


def _as_float32(values: list[Any]) -> list[float]:
    return list(struct.unpack(f"<{len(values)}f", struct.pack(f"<{len(values)}f", *values)))


def _flat(data: Any) -> list[Any]:
    if isinstance(data, list):
        return [x for item in data for x in _flat(item)]
    return [data]


@pytest.mark.parametrize("transcript", TRANSCRIPTS)
def test_every_recorded_answer_is_read(transcript: dict[str, Any]) -> None:
    """Successes decode to their outputs or metadata, gzipped or not; failures
    become the typed error of their status, with the engine's own message."""
    request, recorded = transcript["request"], transcript["response"]
    for gzipped in (False, True):
        response = _replayed(transcript, gzipped)
        response.read()
        path = request["path"]
        if recorded["status"] >= 400:
            error = oip_error(response)
            assert isinstance(error, error_class(recorded["status"]))
            assert engine_message(response) in str(error)
            continue
        if path.endswith("/infer"):
            _check_result(transcript, response)
        elif path.rstrip("/") == "/v2" and request["method"] == "GET":
            assert ServerMetadata.model_validate_json(response.content).name
        elif request["method"] == "GET" and path.startswith("/v2/models/") and "/ready" not in path:
            metadata = ModelMetadata.model_validate_json(response.content)
            assert metadata.name


def _check_result(transcript: dict[str, Any], response: httpx.Response) -> None:
    recorded = transcript["response"]
    header = recorded.get("json_header") or recorded["json"]
    result = decode_result(response)
    assert [t.name for t in result.outputs] == [o["name"] for o in header["outputs"]]
    assert result.model_version == (
        None if header.get("model_version") is None else str(header["model_version"])
    )
    assert result.id == header.get("id")
    binary = base64.b64decode(recorded.get("binary_base64", ""))
    position = 0
    for tensor, output in zip(result.outputs, header["outputs"], strict=True):
        assert tensor.shape == output["shape"]
        size = (output.get("parameters") or {}).get("binary_data_size")
        if size is not None:
            assert tensor.binary() == binary[position : position + size]
            position += size
        elif output["datatype"] == "FP32":
            assert tensor.data == _as_float32(_flat(output["data"]))
        elif output["datatype"] == "BYTES":
            assert tensor.data == [x.encode() for x in _flat(output["data"])]
        else:
            assert tensor.data == _flat(output["data"])


def _recorded_inputs(request: dict[str, Any]) -> list[Tensor] | None:
    """The request's inputs as tensors, or None where the SDK would not send them
    so on purpose (a malformed request, or BOOL as 0/1)."""
    body = request.get("json") or request.get("json_header")
    if not isinstance(body, dict) or not body.get("inputs"):
        return None
    binary = base64.b64decode(request.get("binary_base64", ""))
    tensors, position = [], 0
    for entry in body["inputs"]:
        size = (entry.get("parameters") or {}).get("binary_data_size")
        try:
            if size is not None:
                raw = binary[position : position + size]
                position += size
                tensors.append(Tensor(entry["name"], entry["datatype"], entry["shape"], raw=raw))
            else:
                tensor = Tensor(entry["name"], entry["datatype"], entry["shape"], entry["data"])
                tensor.json_data()
                tensors.append(tensor)
        except (KeyError, ValueError):
            return None
    return tensors


@pytest.mark.parametrize(
    "transcript",
    [t for t in TRANSCRIPTS if t.values[0] is None or _is_buildable_inference(t.values[0])],
)
def test_recorded_inference_requests_are_what_the_sdk_sends(transcript: dict[str, Any]) -> None:
    """For every inference the engines answered 200, the SDK builds the same request:
    the same inputs (data flat, as the SDK sends it), outputs, id and parameters."""
    request = transcript["request"]
    inputs = _recorded_inputs(request)
    assert inputs is not None
    sent = request.get("json") or request.get("json_header")
    parameters = dict(sent.get("parameters") or {})
    binary_outputs = bool(parameters.pop("binary_data_output", False))
    outputs = sent.get("outputs")
    if outputs and any((o.get("parameters") or {}).get("binary_data") for o in outputs):
        binary_outputs = True
    body, headers = encode_infer(
        inputs,
        outputs=[o["name"] for o in outputs] if outputs else None,
        parameters=parameters,
        request_id=sent.get("id"),
        encoding="binary" if "json_header" in request else "json",
        binary_outputs=binary_outputs,
    )
    split = int(headers.get("Inference-Header-Content-Length", len(body)))
    ours = json.loads(body[:split])
    for mine, theirs in zip(ours["inputs"], sent["inputs"], strict=True):
        assert (mine["name"], mine["datatype"], mine["shape"]) == (
            theirs["name"],
            theirs["datatype"],
            theirs["shape"],
        )
        if "data" in theirs:
            expected = _flat(theirs["data"])
            assert mine["data"] == expected or _as_float32(mine["data"]) == _as_float32(expected)
    assert ours.get("id") == sent.get("id")
    assert body[split:] == base64.b64decode(request.get("binary_base64", ""))
    wanted = {**parameters, **({"binary_data_output": True} if binary_outputs else {})}
    assert (ours.get("parameters") or {}) == wanted


def _by_case(case: str) -> dict[str, Any]:
    if not DIRECTORY.is_dir():
        pytest.skip(f"no OIP transcripts in {DIRECTORY}")
    return dict(json.loads((DIRECTORY / f"{case}.json").read_text()))


@respx.mock
def test_a_gzipped_binary_answer_is_decompressed_before_it_is_split() -> None:
    transcript = _by_case("triton__binary_echo_fp16")
    body = _response_body(transcript["response"])
    headers = _response_headers(transcript["response"], body)
    respx.post(BASE + "/v2/models/echo_fp16/infer").mock(
        return_value=httpx.Response(
            200, headers={**headers, "content-encoding": "gzip"}, content=gzip.compress(body)
        )
    )
    with Client(BASE) as client:
        x = Tensor("x", "FP16", [3], [0.5, -1.25, 65504.0])
        result = client.infer("echo_fp16", [x], id="FP16", encoding="binary")
    assert result.output("y").data == [0.5, -1.25, 65504.0]
    assert respx.calls.last.request.content.endswith(base64.b64decode("ADgAvf97"))
    assert result.model_version == "1"
    sent = respx.calls.last.request
    assert sent.headers["Inference-Header-Content-Length"]
    assert sent.headers["Content-Type"] == "application/octet-stream"


@respx.mock
def test_kserve_nulls_and_one_dimensional_outputs_are_accepted() -> None:
    transcript = _by_case("kserve__infer_fp64_flat")
    route = respx.post(BASE + transcript["request"]["path"]).mock(
        return_value=httpx.Response(200, json=transcript["response"]["json"])
    )
    inputs = _recorded_inputs(transcript["request"])
    assert inputs is not None
    with Client(BASE) as client:
        result = client.infer(transcript["request"]["path"].split("/")[3], inputs)
    assert result.model_version is None
    assert route.calls.last.request.headers["Content-Type"] == "application/json"
    assert result.outputs[0].shape == transcript["response"]["json"]["outputs"][0]["shape"]


@respx.mock
def test_a_model_error_is_not_retried_but_overload_is() -> None:
    transcript = _by_case("mlserver__error_shape_mismatch")
    failing = respx.post(BASE + "/v2/models/m/infer").mock(
        return_value=httpx.Response(500, text=transcript["response"]["body_text"])
    )
    overloaded = respx.post(BASE + "/v2/models/busy/infer").mock(
        side_effect=[
            httpx.Response(503, json={"error": "model busy"}),
            httpx.Response(200, json={"model_name": "busy", "outputs": []}),
        ]
    )
    x = Tensor("x", "INT32", [1], [1])
    with Client(BASE, max_retries=2, retry_policy=FAST_RETRIES) as client:
        with pytest.raises(InternalServerError, match="Internal Server Error"):
            client.infer("m", [x])
        assert failing.call_count == 1
        assert client.infer("busy", [x]).outputs == []
        assert overloaded.call_count == 2
