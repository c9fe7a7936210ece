"""The server's half of the Open Inference Protocol codec, against the client's
half: what a client encodes a server decodes as it was, and back."""

from __future__ import annotations

import json

import httpx
import pytest

from aiaas.oip import HEADER_LENGTH, Tensor, decode_infer_request, encode_infer_response
from aiaas.oip._codec import decode_result, encode_infer

INPUTS = [
    Tensor("x", "FP32", [2, 2], [1.5, -2.0, 0.25, 8.0]),
    Tensor("h", "FP16", [1], [0.5]),
    Tensor("text", "BYTES", [2], [b"pump 3", b"\xff\xfe"]),
    Tensor("ok", "BOOL", [2], [True, False]),
]


@pytest.mark.parametrize("encoding", ["auto", "binary"])
def test_what_a_client_encodes_a_server_decodes(encoding: str) -> None:
    body, headers = encode_infer(
        INPUTS,
        outputs=["label"],
        parameters={"top_k": 2},
        request_id="r-1",
        encoding=encoding,  # type: ignore[arg-type]
    )
    request = decode_infer_request(body, headers.get(HEADER_LENGTH))
    assert [(t.name, t.datatype, t.shape) for t in request.inputs] == [
        (t.name, t.datatype, t.shape) for t in INPUTS
    ]
    assert [t.data for t in request.inputs] == [t.data for t in INPUTS]
    assert request.id == "r-1"
    assert request.parameters == {"top_k": 2}
    assert request.outputs == ["label"]
    assert request.wants_binary("label") is True  # an input went in binary


@pytest.mark.parametrize("binary", [False, True])
def test_what_a_server_answers_a_client_reads(binary: bool) -> None:
    asked = json.dumps(
        {
            "id": "r-7",
            "inputs": [{"name": "x", "datatype": "INT32", "shape": [1], "data": [1]}],
            "parameters": {"binary_data_output": binary},
        }
    ).encode()
    request = decode_infer_request(asked)
    outputs = [Tensor("y", "FP64", [2], [0.125, 3.0]), Tensor("label", "BYTES", [1], [b"ok"])]
    body, headers = encode_infer_response("m", "2", outputs, request)
    assert (HEADER_LENGTH in headers) is binary
    result = decode_result(httpx.Response(200, content=body, headers=headers))
    assert (result.model_name, result.model_version, result.id) == ("m", "2", "r-7")
    assert [t.data for t in result.outputs] == [[0.125, 3.0], [b"ok"]]


@pytest.mark.parametrize(
    ("body", "header", "says"),
    [
        (b"{}", None, "needs 'inputs'"),
        (b"[1]", None, "needs 'inputs'"),
        (b'{"inputs": []', None, "not valid JSON"),
        (b'{"inputs": [], "parameters": [1]}', None, "'parameters' must be an object"),
        (b'{"inputs": [1]}', None, "each input must be an object"),
        (
            b'{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "data": [1],'
            b' "parameters": "x"}]}',
            None,
            "'parameters' must be an object",
        ),
        (
            b'{"inputs": [], "outputs": [{"name": "y", "parameters": [1]}]}',
            None,
            "'outputs' must be a list",
        ),
        (b'{"inputs": []}', "\u00b2", HEADER_LENGTH),
        *(
            (
                b'{"inputs": [{"name": "t", "datatype": "BYTES", "shape": [1], "data": '
                + element
                + b"}]}",
                None,
                "element 0 is .*, not a BYTES value",
            )
            for element in (b"[123]", b"[null]", b'[{"a": 1}]', b"[[true]]")
        ),
        (b'{"inputs": []}', "99", HEADER_LENGTH),
        (b'{"inputs": [' + b"[" * 5000 + b"]" * 5000 + b"]}", None, "not valid JSON"),
        (
            b'{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1],'
            b' "parameters": {"binary_data_size": 4}}]}',
            None,
            "does not match the binary data",
        ),
        (
            b'{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "data": [1]},'
            b' {"name": "x", "datatype": "FP32", "shape": [1], "data": [2]}]}',
            None,
            "input 'x' is named twice",
        ),
        (
            b'{"inputs": [], "outputs": [{"name": "y"}, {"name": "y"}]}',
            None,
            "output 'y' is named twice",
        ),
    ],
)
def test_a_malformed_request_is_a_value_error_saying_why(
    body: bytes, header: str | None, says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        decode_infer_request(body, header)
