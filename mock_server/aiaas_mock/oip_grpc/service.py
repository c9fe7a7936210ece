"""``inference.GRPCInferenceService`` for the mock: the same credentials, scopes,
tenancy, limits, data plane and prediction log as ``/v2`` over REST.

Each method turns gRPC into the data plane's arguments and its results back into
messages; a :class:`ProblemError` becomes the gRPC status gRPC documents for its
HTTP status, with the problem's detail as the message and its stable code in
the ``aiaas-code`` trailer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio.to_thread
import grpc
import grpc.aio

from aiaas import __version__
from aiaas.oip._grpc_codec import (
    decode_infer_request,
    encode_infer_response,
    metadata_message,
)
from aiaas.oip._proto import grpc_predict_v2_pb2 as pb
from aiaas.oip._proto.grpc_predict_v2_pb2_grpc import GRPCInferenceServiceServicer

from ..api import dataplane
from ..api.auth import Principal, check_scope, principal_of_header
from ..api.idempotency import commit
from ..api.model_lookup import ServedModel
from ..api.problems import ProblemError
from ..api.routes.inference_v2 import EXTENSIONS
from ..middleware.request_id import new_request_id
from ..services import Services

Context = grpc.aio.ServicerContext[Any, Any]
AnswerT = TypeVar("AnswerT")

_STATUS = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.ABORTED,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
    422: grpc.StatusCode.INVALID_ARGUMENT,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    499: grpc.StatusCode.CANCELLED,
    503: grpc.StatusCode.UNAVAILABLE,
}


def status_of(http_status: int) -> grpc.StatusCode:
    return _STATUS.get(http_status, grpc.StatusCode.INTERNAL)


class InferenceService(GRPCInferenceServiceServicer):
    def __init__(self, services: Services) -> None:
        self._services = services

    async def ServerLive(self, request: pb.ServerLiveRequest, context: Context) -> Any:
        return pb.ServerLiveResponse(live=True)

    async def ServerReady(self, request: pb.ServerReadyRequest, context: Context) -> Any:
        return pb.ServerReadyResponse(ready=True)

    async def ServerMetadata(self, request: pb.ServerMetadataRequest, context: Context) -> Any:
        return pb.ServerMetadataResponse(
            name="aiaas-mock", version=__version__, extensions=EXTENSIONS
        )

    async def ModelReady(self, request: pb.ModelReadyRequest, context: Context) -> Any:
        async def ready(principal: Principal) -> pb.ModelReadyResponse:
            self._model(principal, request.name, request.version)
            return pb.ModelReadyResponse(ready=True)

        return await self._answer(context, "models:read", ready)

    async def ModelMetadata(self, request: pb.ModelMetadataRequest, context: Context) -> Any:
        async def metadata(principal: Principal) -> pb.ModelMetadataResponse:
            served = self._model(principal, request.name, request.version)
            return metadata_message(dataplane.model_metadata(served))

        return await self._answer(context, "models:read", metadata)

    async def ModelInfer(self, request: pb.ModelInferRequest, context: Context) -> Any:
        async def infer(principal: Principal) -> pb.ModelInferResponse:
            served = self._model(principal, request.model_name, request.model_version)
            if self._services.store.settings.requires_encryption(principal.tenant_id):
                raise ProblemError(
                    400,
                    "encryption_required",
                    "This tenant accepts request bodies only sealed (aiaas-hpke/1), "
                    "which gRPC cannot carry: call /v2 over HTTPS.",
                )
            try:
                message = decode_infer_request(request)
            except ValueError as error:
                raise ProblemError(400, "invalid_request", str(error)) from None
            answer, log = await dataplane.infer(
                self._services, principal, served, message, context.done
            )
            await anyio.to_thread.run_sync(commit, self._services, [log])
            return encode_infer_response(served.spec.id, served.spec.version, answer, message)

        return await self._answer(context, "inference", infer)

    def _model(self, principal: Principal, name: str, version: str) -> ServedModel:
        if not name:
            raise ProblemError(400, "invalid_request", "The request names no model.")
        return dataplane.served_model(self._services, name, principal, version or None)

    async def _answer(
        self,
        context: Context,
        scope: str,
        answer: Callable[[Principal], Awaitable[AnswerT]],
    ) -> AnswerT:
        metadata = dict(context.invocation_metadata() or ())
        request_id = str(metadata.get("x-request-id") or new_request_id())[:128]
        try:
            authorization = metadata.get("authorization")
            principal = principal_of_header(
                self._services,
                None if authorization is None else str(authorization),
                context.peer(),
            )
            check_scope(principal, scope)
            result = await answer(principal)
        except ProblemError as problem:
            context.set_trailing_metadata(
                (("aiaas-code", problem.code), ("x-request-id", request_id))
            )
            await context.abort(status_of(problem.status), problem.detail)
        context.set_trailing_metadata((("x-request-id", request_id),))
        return result
