"""The mock's gRPC server: started and stopped with the app (its lifespan), on
the app's event loop, so that it shares the app's services and nothing else."""

from __future__ import annotations

import grpc.aio

from aiaas.oip._proto.grpc_predict_v2_pb2_grpc import add_GRPCInferenceServiceServicer_to_server

from ..services import Services
from .service import InferenceService


class GrpcServer:
    """``inference.GRPCInferenceService`` on ``host:port`` (port 0: any free one)."""

    def __init__(self, services: Services, host: str, port: int) -> None:
        limit = services.config.max_body_bytes
        self._server = grpc.aio.server(
            options=[
                # The REST API's body limit, for gRPC messages too.
                ("grpc.max_receive_message_length", limit),
                ("grpc.max_send_message_length", 256 << 20),
                # grpcio shares a port with any other process that asks (SO_REUSEPORT):
                # a port taken must fail here, as the REST port does.
                ("grpc.so_reuseport", 0),
            ],
            # Inference runs in worker threads (the inference slots bound it);
            # this bounds calls waiting for one.
            maximum_concurrent_rpcs=256,
        )
        add_GRPCInferenceServiceServicer_to_server(  # type: ignore[no-untyped-call]
            InferenceService(services), self._server
        )
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.port = self._server.add_insecure_port(address)
        if not self.port:
            raise OSError(f"cannot bind gRPC to {address}")

    async def start(self) -> None:
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop(grace=1.0)
