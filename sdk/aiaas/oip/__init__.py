"""A client of the Open Inference Protocol (V2) over REST: KServe, NVIDIA Triton,
Seldon MLServer, OpenVINO Model Server, and the aiaas mock's ``/v2``.

>>> from aiaas.oip import Client, Tensor
>>> with Client("http://127.0.0.1:8000") as client:
...     client.model_metadata("iris").inputs
...     client.infer("iris", [Tensor("input-0", "FP64", [1, 4], [5.1, 3.5, 1.4, 0.2])])

Over gRPC (``inference.GRPCInferenceService``), :class:`GrpcClient` and
:class:`AsyncGrpcClient` offer the same methods and tensors; they need the
``grpc`` extra (``pip install 'aiaas[grpc]'``), imported only when first used.

A server reads requests with :func:`decode_infer_request` and writes answers
with :func:`encode_infer_response`. numpy is optional: ``Tensor.from_numpy`` and
``Tensor.to_numpy`` need it, nothing else does.
"""

from typing import TYPE_CHECKING, Any

from ._client import AsyncClient, Client
from ._codec import HEADER_LENGTH, RESERVED_PARAMETERS, Encoding
from ._server import InferRequest, decode_infer_request, encode_infer_response
from ._tensor import DATATYPES, Datatype, Tensor
from ._types import InferResult, ModelMetadata, RepositoryModel, ServerMetadata, TensorMetadata

if TYPE_CHECKING:
    from ._grpc_client import AsyncGrpcClient, GrpcClient

__all__ = [
    "DATATYPES",
    "HEADER_LENGTH",
    "RESERVED_PARAMETERS",
    "AsyncClient",
    "AsyncGrpcClient",
    "Client",
    "Datatype",
    "Encoding",
    "GrpcClient",
    "InferRequest",
    "InferResult",
    "ModelMetadata",
    "RepositoryModel",
    "ServerMetadata",
    "Tensor",
    "TensorMetadata",
    "decode_infer_request",
    "encode_infer_response",
]


def __getattr__(name: str) -> Any:
    # grpcio is an extra: the gRPC clients are imported when first asked for.
    if name in ("GrpcClient", "AsyncGrpcClient"):
        try:
            from . import _grpc_client
        except ImportError as exc:
            if exc.name not in ("grpc", "google", "google.protobuf"):
                raise
            raise ImportError(f"aiaas.oip.{name} needs grpcio: pip install 'aiaas[grpc]'") from None
        return getattr(_grpc_client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
