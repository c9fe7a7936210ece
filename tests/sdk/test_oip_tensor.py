"""aiaas.oip tensors and messages: every datatype in JSON and binary, the checks
made before sending, and how answers and errors are read."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import httpx
import numpy as np
import pytest

import aiaas
from aiaas import APIResponseValidationError, NotFoundError, UnprocessableEntityError
from aiaas.oip import DATATYPES, RESERVED_PARAMETERS, Tensor
from aiaas.oip._codec import HEADER_LENGTH, decode_result, encode_infer, oip_error
from tests.helpers import TENSOR_VALUES


@pytest.mark.parametrize("datatype", DATATYPES)
def test_every_datatype_round_trips_in_binary(datatype: str) -> None:
    tensor = Tensor("x", datatype, [3], TENSOR_VALUES[datatype])
    again = Tensor("x", datatype, [3], raw=tensor.binary())
    if datatype == "BF16":  # 8 bits of mantissa: 1e38 comes back rounded
        assert again.data[:2] == [0.5, -2.0]
        assert again.data[2] == pytest.approx(1.0e38, rel=2**-8)
    else:
        assert again.data == tensor.data
    assert again.to_numpy().shape == (3,)


@pytest.mark.parametrize("datatype", [d for d in DATATYPES if d != "BF16"])
def test_json_carries_what_it_can_and_auto_picks_binary_for_the_rest(datatype: str) -> None:
    tensor = Tensor("x", datatype, [3], TENSOR_VALUES[datatype])
    body, headers = encode_infer([tensor])
    if datatype == "FP16":  # KServe and Triton refuse FP16 in JSON
        assert HEADER_LENGTH in headers
        return
    assert headers == {"Content-Type": "application/json"}
    sent = json.loads(body)["inputs"][0]
    samples = TENSOR_VALUES[datatype]
    expected = (
        [x.decode() for x in samples if isinstance(x, bytes)] if datatype == "BYTES" else samples
    )
    assert sent == {"name": "x", "shape": [3], "datatype": datatype, "data": expected}


def test_the_shape_must_hold_the_data() -> None:
    with pytest.raises(ValueError, match="5 elements do not fill shape"):
        Tensor("x", "FP32", [2, 2], [1.0, 2.0, 3.0, 4.0, 5.0])
    nested = Tensor("x", "INT32", [2, 2], [[1, 2], [3, 4]])
    assert nested.data == [1, 2, 3, 4]
    assert nested.nested() == [[1, 2], [3, 4]]
    with pytest.raises(ValueError, match="negative"):
        Tensor("x", "INT32", [-1], [])


def test_values_are_checked_not_coerced() -> None:
    with pytest.raises(ValueError, match="True or False"):
        encode_infer([Tensor("x", "BOOL", [2], [0, 1])], encoding="json")
    with pytest.raises(ValueError, match="UINT8"):
        Tensor("x", "UINT8", [1], [256]).binary()
    with pytest.raises(ValueError, match="unknown datatype"):
        Tensor("x", "FLOAT", [1], [1.0])


def test_nan_infinity_bf16_and_raw_bytes_never_go_as_json() -> None:
    odd = [
        Tensor("nan", "FP32", [2], [math.nan, 1.0]),
        Tensor("inf", "FP64", [1], [math.inf]),
        Tensor("bf", "BF16", [1], [1.0]),
        Tensor("raw", "BYTES", [1], [b"\xff\xfe"]),
    ]
    for tensor in odd:
        with pytest.raises(ValueError, match=r"binary only|codec"):
            encode_infer([tensor], encoding="json")
        body, headers = encode_infer([tensor])
        header = json.loads(body[: int(headers[HEADER_LENGTH])])
        assert header["inputs"][0]["parameters"]["binary_data_size"] == len(tensor.binary())
        assert b"NaN" not in body[: int(headers[HEADER_LENGTH])]


def test_binary_encoding_asks_for_binary_outputs_and_names_them() -> None:
    body, headers = encode_infer(
        [Tensor("x", "FP64", [1, 4], [5.1, 3.5, 1.4, 0.2])],
        outputs=["predict"],
        request_id="r-1",
        encoding="binary",
    )
    header = json.loads(body[: int(headers[HEADER_LENGTH])])
    assert header["id"] == "r-1"
    assert header["parameters"] == {"binary_data_output": True}
    assert header["outputs"] == [{"name": "predict", "parameters": {"binary_data": True}}]
    assert len(body) == int(headers[HEADER_LENGTH]) + 32


@pytest.mark.parametrize(
    "name", [*sorted(RESERVED_PARAMETERS), "triton_enable_empty_final_response", "sequence_x"]
)
def test_reserved_parameter_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="reserved"):
        encode_infer([Tensor("x", "INT32", [1], [1])], parameters={name: 1})


def test_parameters_are_scalars() -> None:
    with pytest.raises(ValueError, match="string, number or boolean"):
        encode_infer([Tensor("x", "INT32", [1], [1])], parameters={"p": [1, 2]})  # type: ignore[dict-item]


def test_numpy_is_optional_and_fast_paths_keep_bytes() -> None:
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    tensor = Tensor.from_numpy("x", array)
    assert (tensor.datatype, tensor.shape) == ("FP32", [3, 4])
    assert tensor.binary() == array.tobytes()
    assert np.array_equal(tensor.to_numpy(), array)
    words = Tensor.from_numpy("w", np.array([b"a", b"bc"], dtype=object))
    assert words.datatype == "BYTES"
    assert list(words.to_numpy()) == [b"a", b"bc"]
    code = "import sys, aiaas.oip; sys.exit('numpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def _answer(
    body: bytes, headers: dict[str, str] | None = None, status: int = 200
) -> httpx.Response:
    request = httpx.Request("POST", "https://engine.test/v2/models/m/infer")
    return httpx.Response(status, headers=headers or {}, content=body, request=request)


def test_answers_are_reshaped_by_the_shape_they_carry() -> None:
    answer = {
        "model_name": "m",
        "outputs": [
            {"name": "a", "datatype": "INT64", "shape": [2, 1], "data": [1, 2]},
            {"name": "b", "datatype": "FP32", "shape": [2], "data": [[0.10000000149011612], [2]]},
        ],
    }
    result = decode_result(_answer(json.dumps(answer).encode()))
    assert result.output("a").nested() == [[1], [2]]
    assert result.output("b").data == [np.float32(0.1).item(), 2.0]
    assert (result.model_version, result.id, result.parameters) == (None, None, {})
    assert result.as_numpy("a").shape == (2, 1)


def test_binary_answers_are_split_by_their_header_length() -> None:
    header = json.dumps(
        {
            "model_name": "m",
            "outputs": [
                {
                    "name": "y",
                    "datatype": "INT32",
                    "shape": [2],
                    "parameters": {"binary_data_size": 8},
                }
            ],
        }
    ).encode()
    raw = np.array([7, -7], dtype="<i4").tobytes()
    result = decode_result(_answer(header + raw, {HEADER_LENGTH: str(len(header))}))
    assert result.output("y").data == [7, -7]
    with pytest.raises(APIResponseValidationError, match="left over"):
        decode_result(_answer(header + raw + b"!", {HEADER_LENGTH: str(len(header))}))
    with pytest.raises(APIResponseValidationError, match="exceeds"):
        decode_result(_answer(header, {HEADER_LENGTH: "9999"}))


def test_engine_errors_keep_the_engines_message() -> None:
    cases = [
        (
            404,
            {"error": "Request for unknown model: 'x' is not found"},
            NotFoundError,
            "unknown model",
        ),
        (
            422,
            {"detail": [{"loc": ["body", "inputs"], "msg": "Field required"}]},
            UnprocessableEntityError,
            "body.inputs: Field required",
        ),
    ]
    for status, body, kind, text in cases:
        error = oip_error(_answer(json.dumps(body).encode(), status=status))
        assert isinstance(error, kind)
        assert text in str(error)
    plain = oip_error(_answer(b"Internal Server Error", {"content-type": "text/plain"}, 500))
    assert "500 Internal Server Error" in str(plain)


def test_clients_take_the_sdks_settings() -> None:
    from aiaas.oip import Client

    with Client("https://engine.test", api_key="k-1", max_retries=0) as oip:
        patient = oip.with_options(timeout=3.0, max_retries=5, default_headers={"X-Team": "7"})
        assert (patient.max_retries, patient.timeout.read) == (5, 3.0)
        assert "k-1" not in repr(patient)
        with pytest.raises(aiaas.AIaaSError, match="http"):
            Client("ftp://engine.test")


REFUSED: dict[str, list[object]] = {
    "BOOL": [1, 0, "true", None],
    "UINT8": [256, -1, 1.0, True],
    "UINT16": [2**16, -1],
    "UINT32": [2**32, -1],
    "UINT64": [2**64, -1],
    "INT8": [128, -129, 1.5],
    "INT16": [2**15, -(2**15) - 1],
    "INT32": [2**31, -(2**31) - 1],
    "INT64": [2**63, -(2**63) - 1, "1"],
    "FP16": [70000.0, -65520.0, True, "1.0"],
    "BF16": [1e39, -3.4e38, True, None],
    "FP32": [1e39, -3.41e38, True, 10**400],
    "FP64": [10**400, False, "nan"],
    "BYTES": [1, None, 1.5, {"a": 1}],
}


@pytest.mark.parametrize(
    ("datatype", "value"), [(d, v) for d, values in REFUSED.items() for v in values]
)
def test_a_value_the_datatype_cannot_hold_is_refused_before_any_encoding(
    datatype: str, value: object
) -> None:
    # The check runs when the tensor is made: no encoding (json, binary, auto)
    # can send it, and the message names the tensor, the element and the type.
    valid = TENSOR_VALUES[datatype][0]
    with pytest.raises(
        ValueError, match=rf"tensor 'speed': element 1 is .*, not a {datatype} value"
    ):
        Tensor("speed", datatype, [2], [valid, value])


@pytest.mark.parametrize("encoding", ["json", "binary", "auto"])
def test_the_largest_values_and_what_rounds_to_them_are_sent(encoding: str) -> None:
    # An engine prints float32's largest as 3.4028235e+38, a hair above it in
    # float64: it rounds to the largest, so it is a float32 value.
    tensors = [
        Tensor("f32", "FP32", [2], [3.4028235e38, -3.4028234663852886e38]),
        Tensor("f16", "FP16", [2], [65504.0, 65519.0]),
        Tensor("u64", "UINT64", [1], [2**64 - 1]),
        Tensor("nan", "FP64", [2], [math.nan, math.inf]),
    ]
    if encoding == "json":
        tensors = tensors[:1] + tensors[2:3]  # FP16 and NaN go in binary only
    body, _ = encode_infer(tensors, encoding=encoding)  # type: ignore[arg-type]
    assert body
    assert Tensor("f32", "FP32", [2], raw=tensors[0].binary()).data[0] == 3.4028234663852886e38


def test_from_numpy_checks_values_it_would_cast() -> None:
    with pytest.raises(ValueError, match="not a FP32 value"):
        Tensor.from_numpy("x", np.array([1.0, 1e39]), "FP32")
    with pytest.raises(ValueError, match="not a UINT8 value"):
        Tensor.from_numpy("x", np.array([1, 300]), "UINT8")
    with pytest.raises(ValueError, match="not a INT32 value"):
        Tensor.from_numpy("x", np.array([1.5]), "INT32")
    assert Tensor.from_numpy("x", np.array([1, 2]), "FP32").data == [1.0, 2.0]
    assert Tensor.from_numpy("x", np.array([1.0, 2.0], dtype="<f4")).datatype == "FP32"


def test_json_refuses_nan_and_infinity_but_not_finite_values_whose_sum_overflows() -> None:
    huge = Tensor("x", "FP64", [2], [1.0e308, 1.0e308])  # sum() is inf, each value finite
    assert huge.json_data() == [1.0e308, 1.0e308]
    assert not huge.needs_binary()
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="binary only"):
            Tensor("x", "FP64", [3], [1.0, bad, 2.0]).json_data()


def test_json_answers_are_read_flat_or_nested_and_strictly() -> None:
    def answer(data: object, datatype: str = "FP32") -> httpx.Response:
        output = {"name": "y", "datatype": datatype, "shape": [2, 2], "data": data}
        return httpx.Response(200, json={"model_name": "m", "outputs": [output]})

    flat = decode_result(answer([0.5, 1, 2.5, 3])).output("y")
    nested = decode_result(answer([[0.5, 1], [2.5, 3]])).output("y")
    assert flat.data == nested.data == [0.5, 1.0, 2.5, 3.0]
    assert nested.nested() == [[0.5, 1.0], [2.5, 3.0]]
    with pytest.raises(APIResponseValidationError, match="output 'y'"):
        decode_result(answer([0.5, None, 2.5, 3]))
    with pytest.raises(APIResponseValidationError, match="output 'y'"):
        decode_result(answer([[0.5], [1.0, 2.0, 3.0, 4.0]]))
