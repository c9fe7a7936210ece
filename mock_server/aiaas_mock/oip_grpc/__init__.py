"""``/v2`` over gRPC: the Open Inference Protocol's ``inference.GRPCInferenceService``
beside the REST API, on its own port (``aiaas-mock serve --grpc-port N``)."""

from .server import GrpcServer

__all__ = ["GrpcServer"]
