"""Open Inference Protocol messages over gRPC: the V2 protobuf messages built from
:class:`Tensor` objects and read back into them, for clients and servers alike.
Pure functions, no I/O.

Tensors travel as raw contents (``raw_input_contents``/``raw_output_contents``)
for every datatype, as tritonclient sends them: the same bytes as the binary
tensor data extension over REST, so a tensor is packed once, by
:meth:`Tensor.binary`, whichever transport carries it. Answers in typed
``contents`` (some engines send them) are read too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._codec import ParameterValue, check_names, check_parameters
from ._proto import grpc_predict_v2_pb2 as pb
from ._server import InferRequest, check_unique
from ._tensor import Tensor, pack
from ._types import InferResult, ModelMetadata, ServerMetadata, TensorMetadata

__all__ = [
    "decode_infer_request",
    "decode_infer_response",
    "encode_infer_request",
    "encode_infer_response",
    "model_metadata",
    "server_metadata",
]

# The typed contents field of each datatype; FP16 and BF16 have none (raw only).
_CONTENTS = {
    "BOOL": "bool_contents",
    "INT8": "int_contents",
    "INT16": "int_contents",
    "INT32": "int_contents",
    "INT64": "int64_contents",
    "UINT8": "uint_contents",
    "UINT16": "uint_contents",
    "UINT32": "uint_contents",
    "UINT64": "uint64_contents",
    "FP32": "fp32_contents",
    "FP64": "fp64_contents",
    "BYTES": "bytes_contents",
}


def parameter(value: Any) -> pb.InferParameter:
    """A parameter value as the protocol's ``InferParameter``."""
    if isinstance(value, bool):
        return pb.InferParameter(bool_param=value)
    if isinstance(value, int):
        if -(1 << 63) <= value < 1 << 63:
            return pb.InferParameter(int64_param=value)
        if 0 <= value < 1 << 64:
            return pb.InferParameter(uint64_param=value)
        raise ValueError(f"parameter value {value} does not fit 64 bits")
    if isinstance(value, float):
        return pb.InferParameter(double_param=value)
    if isinstance(value, str):
        return pb.InferParameter(string_param=value)
    raise ValueError(f"parameter value {value!r} is not a string, number or boolean")


def parameter_value(message: pb.InferParameter) -> Any:
    """The Python value of an ``InferParameter`` (``None`` if it holds none)."""
    kind = message.WhichOneof("parameter_choice")
    return None if kind is None else getattr(message, kind)


def parameters_of(entries: Mapping[str, pb.InferParameter]) -> dict[str, Any]:
    return {name: parameter_value(value) for name, value in entries.items()}


def encode_infer_request(
    model: str,
    inputs: Sequence[Tensor],
    *,
    outputs: Sequence[str] | None = None,
    parameters: Mapping[str, ParameterValue] | None = None,
    request_id: str | None = None,
    version: str | None = None,
) -> pb.ModelInferRequest:
    """The ``ModelInferRequest`` of a call: every input in raw contents."""
    check_names(inputs, outputs)
    request = pb.ModelInferRequest(
        model_name=model,
        model_version=version or "",
        id=request_id or "",
        raw_input_contents=[tensor.binary() for tensor in inputs],
    )
    # Added in place: a message built apart would be copied into the list.
    for tensor in inputs:
        request.inputs.add(name=tensor.name, datatype=tensor.datatype, shape=tensor.shape)
    for name in outputs or ():
        request.outputs.add(name=name)
    for name, value in check_parameters(parameters, "request").items():
        request.parameters[name].CopyFrom(parameter(value))
    return request


def decode_infer_request(request: pb.ModelInferRequest) -> InferRequest:
    """A ``ModelInferRequest`` as a server reads it (the same :class:`InferRequest`
    the REST codec gives); ``ValueError`` saying what is wrong with it."""
    raw = request.raw_input_contents
    if raw and len(raw) != len(request.inputs):
        raise ValueError(
            f"raw_input_contents holds {len(raw)} entries for {len(request.inputs)} inputs"
        )
    tensors = []
    for index, entry in enumerate(request.inputs):
        try:
            if raw:
                if entry.HasField("contents"):
                    raise ValueError("has contents, and the request raw_input_contents")
                tensor = Tensor(entry.name, entry.datatype, list(entry.shape), raw=raw[index])
            else:
                tensor = _typed_tensor(entry.name, entry.datatype, list(entry.shape), entry)
        except (TypeError, ValueError) as exc:
            reason = str(exc).removeprefix(f"tensor {entry.name!r}: ")
            raise ValueError(f"input {entry.name!r}: {reason}") from None
        tensors.append(tensor)
    if not tensors:
        raise ValueError("the request needs at least one input")
    # As the REST codec reads them: an output may share an input's name (an echo).
    check_unique("input", [tensor.name for tensor in tensors])
    check_unique("output", [output.name for output in request.outputs])
    return InferRequest(
        inputs=tensors,
        id=request.id or None,
        parameters=parameters_of(request.parameters),
        outputs=[output.name for output in request.outputs] or None,
    )


def encode_infer_response(
    model_name: str,
    model_version: str | None,
    outputs: Sequence[Tensor],
    request: InferRequest | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> pb.ModelInferResponse:
    """The ``ModelInferResponse`` answering ``request``: its id echoed, every
    output in raw contents."""
    answer = pb.ModelInferResponse(
        model_name=model_name,
        model_version=model_version or "",
        id=str(request.id) if request is not None and request.id is not None else "",
        raw_output_contents=[tensor.binary() for tensor in outputs],
    )
    for tensor in outputs:
        answer.outputs.add(name=tensor.name, datatype=tensor.datatype, shape=tensor.shape)
    for name, value in (parameters or {}).items():
        answer.parameters[name].CopyFrom(parameter(value))
    return answer


def decode_infer_response(response: pb.ModelInferResponse) -> InferResult:
    """An inference answer; ``ValueError`` if its tensors do not add up."""
    raw = response.raw_output_contents
    if raw and len(raw) != len(response.outputs):
        raise ValueError(
            f"raw_output_contents holds {len(raw)} entries for {len(response.outputs)} outputs"
        )
    tensors = []
    for index, entry in enumerate(response.outputs):
        shape = list(entry.shape)
        try:
            if raw:
                tensors.append(Tensor(entry.name, entry.datatype, shape, raw=raw[index]))
            else:
                tensors.append(_typed_tensor(entry.name, entry.datatype, shape, entry))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"output {entry.name!r}: {exc}") from None
    return InferResult(
        model_name=response.model_name,
        model_version=response.model_version or None,
        id=response.id or None,
        parameters=parameters_of(response.parameters),
        outputs=tensors,
    )


def _typed_tensor(
    name: str,
    datatype: str,
    shape: list[int],
    entry: pb.ModelInferRequest.InferInputTensor | pb.ModelInferResponse.InferOutputTensor,
) -> Tensor:
    field = _CONTENTS.get(datatype)
    if field is None:
        if datatype in ("FP16", "BF16"):
            raise ValueError(f"{datatype} goes only in raw contents")
        raise ValueError(f"unknown datatype {datatype!r}")
    values = list(getattr(entry.contents, field))
    if datatype == "FP32":
        # Kept as the float32 sent, not the float64 protobuf widens it to.
        return Tensor(name, datatype, shape, raw=pack("FP32", values))
    return Tensor(name, datatype, shape, values)


def server_metadata(response: pb.ServerMetadataResponse) -> ServerMetadata:
    return ServerMetadata(
        name=response.name, version=response.version, extensions=list(response.extensions)
    )


def model_metadata(response: pb.ModelMetadataResponse) -> ModelMetadata:
    def tensors(
        entries: Sequence[pb.ModelMetadataResponse.TensorMetadata],
    ) -> list[TensorMetadata]:
        return [
            TensorMetadata(
                name=entry.name,
                datatype=entry.datatype,
                shape=list(entry.shape),
                parameters=parameters_of(entry.parameters),
            )
            for entry in entries
        ]

    return ModelMetadata(
        name=response.name,
        platform=response.platform,
        versions=list(response.versions),
        inputs=tensors(response.inputs),
        outputs=tensors(response.outputs),
    )


def metadata_message(metadata: Mapping[str, Any]) -> pb.ModelMetadataResponse:
    """A model's REST metadata (``GET /v2/models/{name}``) as its gRPC message."""
    message = pb.ModelMetadataResponse(
        name=metadata["name"],
        versions=metadata.get("versions") or [],
        platform=metadata.get("platform") or "",
    )
    for kind in ("inputs", "outputs"):
        for tensor in metadata.get(kind) or []:
            entry = getattr(message, kind).add(
                name=tensor["name"], datatype=tensor["datatype"], shape=tensor["shape"]
            )
            for name, value in (tensor.get("parameters") or {}).items():
                entry.parameters[name].CopyFrom(parameter(value))
    return message
