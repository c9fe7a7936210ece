"""Open Inference Protocol messages as bytes and back: inference requests in JSON
or with the binary tensor data extension, answers of either kind, and the error
bodies real engines send. Pure functions, no I/O.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import httpx

from .._exceptions import APIError, APIResponseValidationError, APIStatusError
from .._response import error_class
from .._secret import Secret, redact
from ._tensor import Tensor, pack
from ._types import InferResult

__all__ = [
    "HEADER_LENGTH",
    "Encoding",
    "decode_result",
    "encode_infer",
    "is_retryable",
    "oip_error",
]

HEADER_LENGTH = "Inference-Header-Content-Length"
"""The binary extension's header: how many leading bytes of the body are JSON."""

Encoding = Literal["auto", "json", "binary"]
ParameterValue = str | int | float | bool

RESERVED_PARAMETERS = frozenset(
    {
        "binary_data",
        "binary_data_output",
        "binary_data_size",
        "headers",
        "content_type",
        "classification",
        "priority",
        "timeout",
        "sequence_id",
        "sequence_start",
        "sequence_end",
    }
)
_RESERVED_PREFIXES = ("triton_", "binary_data", "sequence_")
_RETRYABLE_STATUSES = frozenset({429, 503, 504})


def check_parameters(parameters: Mapping[str, Any] | None, where: str) -> dict[str, Any]:
    """User parameters, refused where they hold a name the protocol or an engine
    reserves, or a value that is not a scalar."""
    checked: dict[str, Any] = {}
    for name, value in (parameters or {}).items():
        if name in RESERVED_PARAMETERS or name.startswith(_RESERVED_PREFIXES):
            raise ValueError(
                f"{where} parameter {name!r} is reserved by the protocol or by engines "
                "(binary_data*, headers, content_type, triton_*, sequence_*, priority, "
                "timeout, classification); the client sets what it needs itself"
            )
        if not isinstance(value, (str, int, float, bool)) or (
            isinstance(value, float) and not math.isfinite(value)
        ):
            raise ValueError(f"{where} parameter {name!r} must be a string, number or boolean")
        checked[name] = value
    return checked


def check_names(inputs: Sequence[Tensor], outputs: Sequence[str] | None) -> None:
    """A request's tensors, refused before any encoding: no input, or a name twice."""
    if not inputs:
        raise ValueError("an inference request needs at least one input")
    names = [tensor.name for tensor in inputs]
    if len(set(names)) != len(names):
        raise ValueError(f"input names must differ: {names}")
    if outputs is not None and len(set(outputs)) != len(outputs):
        raise ValueError(f"output names must differ: {list(outputs)}")


def encode_infer(
    inputs: Sequence[Tensor],
    *,
    outputs: Sequence[str] | None = None,
    parameters: Mapping[str, ParameterValue] | None = None,
    request_id: str | None = None,
    encoding: Encoding = "auto",
    binary_outputs: bool | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of an inference request.

    ``encoding="auto"`` sends JSON unless a tensor needs binary (FP16, BF16, NaN or
    infinity, BYTES that are not UTF-8); ``"binary"`` sends every input in binary;
    ``"json"`` refuses tensors JSON cannot carry. ``binary_outputs`` asks for
    outputs in binary; by default, whenever an input goes in binary.
    """
    check_names(inputs, outputs)
    binary = [encoding == "binary" or (encoding == "auto" and t.needs_binary()) for t in inputs]
    if binary_outputs is None:
        # What JSON could not carry in, it may not carry out either (KServe prints NaN as null).
        binary_outputs = any(binary)
    request: dict[str, Any] = {}
    if request_id is not None:
        request["id"] = request_id
    user_parameters = check_parameters(parameters, "request")
    if binary_outputs:
        user_parameters["binary_data_output"] = True
    if user_parameters:
        request["parameters"] = user_parameters
    request["inputs"], chunks = tensor_entries(inputs, binary)
    if outputs is not None:
        request["outputs"] = [
            {"name": name, "parameters": {"binary_data": True}}
            if binary_outputs
            else {"name": name}
            for name in outputs
        ]
    return message_body(request, chunks)


def tensor_entries(
    tensors: Sequence[Tensor], binary: Sequence[bool]
) -> tuple[list[dict[str, Any]], list[bytes]]:
    """The JSON entries of ``tensors``, each with its data or, where ``binary``
    says so, the size of its bytes; and those bytes, in order."""
    entries, chunks = [], []
    for tensor, as_binary in zip(tensors, binary, strict=True):
        entry: dict[str, Any] = {
            "name": tensor.name,
            "shape": tensor.shape,
            "datatype": tensor.datatype,
        }
        if as_binary:
            chunk = tensor.binary()
            entry["parameters"] = {"binary_data_size": len(chunk)}
            chunks.append(chunk)
        else:
            entry["data"] = tensor.json_data()
        entries.append(entry)
    return entries, chunks


def message_body(
    message: Mapping[str, Any], chunks: Sequence[bytes]
) -> tuple[bytes, dict[str, str]]:
    """A request or answer: JSON alone, or JSON then the binary tensor data."""
    header = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
    if not chunks:
        # KServe reads a body without this Content-Type as binary tensor data.
        return header, {"Content-Type": "application/json"}
    return b"".join([header, *chunks]), {
        "Content-Type": "application/octet-stream",
        HEADER_LENGTH: str(len(header)),
    }


def decode_result(response: httpx.Response) -> InferResult:
    """An inference answer, in JSON or with binary outputs (the body already
    decompressed: the header length counts the uncompressed JSON)."""
    body = response.content
    length = response.headers.get(HEADER_LENGTH)
    # A view, so each output's bytes are copied once, out of the body, and no more.
    binary = memoryview(b"")
    if length is not None:
        try:
            split = int(length)
        except ValueError:
            raise _invalid(response, f"{HEADER_LENGTH} {length!r} is not a number") from None
        if not 0 <= split <= len(body):
            raise _invalid(response, f"{HEADER_LENGTH} {split} exceeds the body")
        binary = memoryview(body)[split:]
        body = body[:split]
    try:
        message = json.loads(body)
    except ValueError:
        raise _invalid(response, "the answer is not JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("outputs"), list):
        raise _invalid(response, "the answer has no outputs")
    tensors, position = [], 0
    for output in message["outputs"]:
        try:
            tensor, used = _output_tensor(output, binary, position)
        except (KeyError, TypeError, ValueError) as exc:
            raise _invalid(response, f"output {output.get('name')!r}: {exc}") from None
        tensors.append(tensor)
        position += used
    if position != len(binary):
        raise _invalid(response, f"{len(binary) - position} bytes of binary data left over")
    version = message.get("model_version")
    parameters = message.get("parameters")
    return InferResult(
        model_name=str(message.get("model_name", "")),
        model_version=None if version is None else str(version),
        id=message.get("id"),
        parameters=parameters if isinstance(parameters, dict) else {},
        outputs=tensors,
    )


def _output_tensor(output: dict[str, Any], binary: memoryview, position: int) -> tuple[Tensor, int]:
    name, datatype, shape = output["name"], output["datatype"], output["shape"]
    size = (output.get("parameters") or {}).get("binary_data_size")
    if size is not None:
        if position + size > len(binary):
            raise ValueError(f"binary_data_size {size} runs past the binary data")
        return Tensor(name, datatype, shape, raw=bytes(binary[position : position + size])), size
    data = output["data"]
    if datatype in ("FP32", "FP16"):
        # Engines print float32 as the float64 next to it; keep the float32 itself.
        floats = _flatten(data)
        if not set(map(type, floats)) <= {float, int}:  # no bools, strings or nulls
            floats = [float(value) for value in floats]
        return Tensor(name, datatype, shape, raw=pack(datatype, floats)), 0
    return Tensor(name, datatype, shape, data), 0


def _flatten(data: Any) -> list[Any]:
    if not isinstance(data, list):
        return [data]
    if list not in map(type, data):
        return data  # already flat, as engines mostly send it: no walk in Python
    out: list[Any] = []
    stack = list(reversed(data))
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            out.append(item)
    return out


def _invalid(response: httpx.Response, why: str) -> APIError:
    return APIResponseValidationError(
        f"{response.status_code} inference answer could not be read: {why}",
        response=response,
        body=None,
    )


def is_retryable(response: httpx.Response) -> bool:
    """Overload and unavailability pass; a model's 500 is deterministic and does not."""
    return response.status_code in _RETRYABLE_STATUSES


def oip_error(response: httpx.Response, secrets: tuple[Secret, ...] = ()) -> APIStatusError:
    """The typed error of an engine's error answer, keeping the engine's message:
    ``{"error": ...}`` (the protocol), FastAPI's ``{"detail": ...}`` (MLServer and
    KServe validation), or plain text (MLServer's 500s). Triton sends JSON under
    ``text/plain``, so JSON is tried whatever the Content-Type says."""
    message = engine_message(response)
    text = f"{response.status_code} {message}"
    request_id = response.headers.get("x-request-id")
    if request_id:
        text += f" (request_id={request_id})"
    return error_class(response.status_code)(redact(text, secrets), response=response, body=None)


def engine_message(response: httpx.Response) -> str:
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        if isinstance(body.get("error"), str):
            return str(body["error"])
        detail = body.get("detail")
        if isinstance(detail, str):
            return detail
        if isinstance(detail, list):
            return "; ".join(_detail_text(item) for item in detail) or "invalid request"
    text = response.text.strip()
    return text[:500] if text else (response.reason_phrase or "error")


def _detail_text(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    where = ".".join(str(part) for part in item.get("loc", ()))
    return f"{where}: {item.get('msg', 'invalid')}" if where else str(item.get("msg", item))
