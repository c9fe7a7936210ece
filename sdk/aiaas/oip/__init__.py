"""A client of the Open Inference Protocol (V2) over REST: KServe, NVIDIA Triton,
Seldon MLServer, OpenVINO Model Server, and the aiaas mock's ``/v2``.

>>> from aiaas.oip import Client, Tensor
>>> with Client("http://127.0.0.1:8000") as client:
...     client.model_metadata("iris").inputs
...     client.infer("iris", [Tensor("input-0", "FP64", [1, 4], [5.1, 3.5, 1.4, 0.2])])

A server reads requests with :func:`decode_infer_request` and writes answers
with :func:`encode_infer_response`. gRPC is not offered yet. numpy is optional:
``Tensor.from_numpy`` and ``Tensor.to_numpy`` need it, nothing else does.
"""

from ._client import AsyncClient, Client
from ._codec import HEADER_LENGTH, RESERVED_PARAMETERS, Encoding
from ._server import InferRequest, decode_infer_request, encode_infer_response
from ._tensor import DATATYPES, Datatype, Tensor
from ._types import InferResult, ModelMetadata, RepositoryModel, ServerMetadata, TensorMetadata

__all__ = [
    "DATATYPES",
    "HEADER_LENGTH",
    "RESERVED_PARAMETERS",
    "AsyncClient",
    "Client",
    "Datatype",
    "Encoding",
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
