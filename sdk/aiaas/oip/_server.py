"""The server's half of the Open Inference Protocol's REST messages: an inference
request read from its bytes, an answer written to bytes. Pure functions, no I/O.

The aiaas mock's ``/v2`` uses them; so can any Python server that speaks the
protocol. Requests are read as the protocol and its binary tensor data
extension define them, with the checks an engine needs before trusting one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._codec import HEADER_LENGTH, message_body, tensor_entries
from ._tensor import Tensor

__all__ = ["InferRequest", "decode_infer_request", "encode_infer_response"]


@dataclass(frozen=True)
class InferRequest:
    """An inference request as a server reads it."""

    inputs: list[Tensor]
    id: Any = None
    """The caller's request id, echoed in the answer (any JSON value)."""
    parameters: dict[str, Any] = field(default_factory=dict)
    """The request's parameters but ``binary_data_output``, which is the codec's."""
    outputs: list[str] | None = None
    """The outputs asked for by name; ``None`` for every output."""
    binary_outputs: dict[str, bool] = field(default_factory=dict)
    """Per output name, whether it is wanted in binary; ``"*"`` for the default."""

    def wants_binary(self, name: str) -> bool:
        return self.binary_outputs.get(name, self.binary_outputs.get("*", False))


def decode_infer_request(body: bytes, header_length: str | None = None) -> InferRequest:
    """The request in ``body`` (with the value of the ``Inference-Header-Content-Length``
    header, if sent); ``ValueError`` saying what is wrong with it."""
    binary = b""
    if header_length is not None:
        # isdigit() alone takes superscripts ("²"), which int() refuses.
        if not (header_length.isascii() and header_length.isdigit()) or int(header_length) > len(
            body
        ):
            raise ValueError(f"{HEADER_LENGTH} must be the length of the JSON header")
        body, binary = body[: int(header_length)], body[int(header_length) :]
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):
        raise ValueError("the request is not valid JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("inputs"), list):
        raise ValueError("the request needs 'inputs', a list of tensors")
    parameters = message.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ValueError("'parameters' must be an object")
    tensors, position = [], 0
    for entry in message["inputs"]:
        tensor, used = _input_tensor(entry, binary, position)
        tensors.append(tensor)
        position += used
    if position != len(binary):
        raise ValueError(f"{len(binary) - position} bytes of binary data belong to no input")
    check_unique("input", [tensor.name for tensor in tensors])
    everything = bool(parameters.get("binary_data_output", False))
    outputs, binary_outputs = _wanted_outputs(message.get("outputs"), everything)
    return InferRequest(
        inputs=tensors,
        id=message.get("id"),
        parameters={k: v for k, v in parameters.items() if k != "binary_data_output"},
        outputs=outputs,
        binary_outputs=binary_outputs,
    )


def _input_tensor(entry: Any, binary: bytes, position: int) -> tuple[Tensor, int]:
    if not isinstance(entry, dict):
        raise ValueError("each input must be an object")
    fields: dict[str, Any] = entry
    name: Any = fields.get("name")
    parameters = fields.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ValueError(f"input {name!r}: 'parameters' must be an object")
    size = parameters.get("binary_data_size")
    try:
        datatype, shape = fields["datatype"], fields["shape"]
        if size is not None:
            if not isinstance(size, int) or size < 0 or position + size > len(binary):
                raise ValueError(f"binary_data_size {size} does not match the binary data")
            return Tensor(name, datatype, shape, raw=binary[position : position + size]), size
        if "data" not in fields:
            raise ValueError("has neither 'data' nor parameters.binary_data_size")
        return Tensor(name, datatype, shape, fields["data"]), 0
    except KeyError as exc:
        raise ValueError(f"input {name!r} has no {exc}") from None
    except (TypeError, ValueError, RecursionError) as exc:
        reason = str(exc).removeprefix(f"tensor {name!r}: ")
        raise ValueError(f"input {name!r}: {reason}") from None


def _wanted_outputs(requested: Any, everything: bool) -> tuple[list[str] | None, dict[str, bool]]:
    if requested is None:
        return None, {"*": everything}
    if not isinstance(requested, list) or not all(
        isinstance(o, dict)
        and isinstance(o.get("name"), str)
        and isinstance(o.get("parameters") or {}, dict)
        for o in requested
    ):
        raise ValueError("'outputs' must be a list of objects with a name (and object parameters)")
    names = [o["name"] for o in requested]
    check_unique("output", names)
    binary = {
        o["name"]: bool((o.get("parameters") or {}).get("binary_data", everything))
        for o in requested
    }
    return names, binary


def check_unique(kind: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{kind} {name!r} is named twice")
        seen.add(name)


def encode_infer_response(
    model_name: str,
    model_version: str | None,
    outputs: Sequence[Tensor],
    request: InferRequest | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of the answer to ``request``: its id echoed, each
    output in binary where the request asked for it."""
    answer: dict[str, Any] = {"model_name": model_name}
    if model_version is not None:
        answer["model_version"] = model_version
    if request is not None and request.id is not None:
        answer["id"] = request.id
    answer["parameters"] = dict(parameters or {})
    as_binary = [request is not None and request.wants_binary(t.name) for t in outputs]
    answer["outputs"], chunks = tensor_entries(outputs, as_binary)
    return message_body(answer, chunks)
