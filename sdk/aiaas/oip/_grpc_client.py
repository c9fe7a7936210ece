"""Sync and async clients of the Open Inference Protocol over gRPC
(``inference.GRPCInferenceService``): KServe, Triton, MLServer and the aiaas mock.

The same methods and :class:`Tensor` as the REST clients; what both drivers
decide (connection, credentials, retries, errors) lives in :mod:`._grpc_call`,
the messages in :mod:`._grpc_codec`. Each driver only makes the calls.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import grpc
import grpc.aio
import httpx

from .._credentials import Credentials
from .._exceptions import APIStatusError
from .._options import RetryPolicy
from .._secret import Secret
from ._client import API_KEY_ENV, not_ready
from ._codec import ParameterValue
from ._grpc_call import (
    MAX_MESSAGE_BYTES,
    Attempts,
    Settings,
    settings,
    static_authorization,
    status_error,
)
from ._grpc_codec import (
    decode_infer_response,
    encode_infer_request,
    model_metadata,
    server_metadata,
)
from ._proto import grpc_predict_v2_pb2 as pb
from ._proto.grpc_predict_v2_pb2_grpc import GRPCInferenceServiceStub
from ._tensor import Tensor
from ._types import InferResult, ModelMetadata, ServerMetadata

__all__ = ["AsyncGrpcClient", "GrpcClient"]

GRPC_TARGET_ENV = "AIAAS_OIP_GRPC_TARGET"


class _GrpcClient:
    def __init__(
        self,
        target: str | None = None,
        *,
        api_key: str | Secret | None = None,
        credentials: Credentials | None = None,
        verify: bool | str | Path | bytes = True,
        metadata: Mapping[str, str] | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        deadline: float | None = None,
        retry_policy: RetryPolicy | None = None,
        allow_insecure: bool = False,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
    ) -> None:
        """Create a client of the gRPC server at ``target``.

        Args:
            target: ``host:port``; ``grpcs://host:port`` for TLS, ``grpc://host:port``
                for plain text. Without a scheme: plain text to this machine, TLS
                to any other. Defaults to ``AIAAS_OIP_GRPC_TARGET``.
            api_key: Sent as ``authorization: Bearer ...`` metadata. Defaults to
                ``AIAAS_OIP_API_KEY``.
            credentials: Any aiaas credentials; ``ClientCredentials`` need their
                ``token_url``.
            verify: ``True`` for the system's CAs, or a CA bundle (path or PEM bytes).
            metadata: Metadata for every call, e.g. a gateway's key.
            timeout: Seconds each attempt may take.
            max_retries: Attempts after the first, made only after ``UNAVAILABLE``
                or ``RESOURCE_EXHAUSTED`` (the server did nothing).
            deadline: Seconds a call may take, retries and waits included.
            allow_insecure: Allow plain text to a host other than this machine.
            max_message_bytes: Largest request or answer (grpcio's default is 4 MiB).
        """
        if target is None:
            target = os.environ.get(GRPC_TARGET_ENV)
            if not target:
                raise ValueError(f"no server: pass target= or set {GRPC_TARGET_ENV}")
        if api_key is None and credentials is None:
            api_key = os.environ.get(API_KEY_ENV)
        self._settings = settings(
            target,
            api_key=api_key,
            credentials=credentials,
            verify=verify,
            metadata=metadata,
            timeout=timeout,
            max_retries=max_retries,
            deadline=deadline,
            retry_policy=retry_policy,
            allow_insecure=allow_insecure,
            max_message_bytes=max_message_bytes,
        )
        self._authorization = static_authorization(self._settings.credentials)
        self._token_auth = self._settings.token_auth
        self._connect()

    def _connect(self) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        scheme = "grpcs" if self._settings.tls else "grpc"
        return f"{type(self).__name__}('{scheme}://{self._settings.target}')"


def _read_answer(settings: Settings, answer: pb.ModelInferResponse) -> InferResult:
    try:
        return decode_infer_response(answer)
    except ValueError as exc:
        raise status_error(
            settings, "ModelInfer", grpc.StatusCode.DATA_LOSS, f"unreadable answer: {exc}"
        ) from None


def _status(error: grpc.RpcError) -> tuple[grpc.StatusCode, str | None]:
    # What grpcio raises for a failed call is also a grpc.Call, which has its status.
    code: Any = getattr(error, "code", None)
    details: Any = getattr(error, "details", None)
    if callable(code) and callable(details):
        return code(), details()
    return grpc.StatusCode.UNKNOWN, str(error)


class GrpcClient(_GrpcClient):
    """Blocking gRPC client of an Open Inference Protocol (V2) server.

    >>> with aiaas.oip.GrpcClient("127.0.0.1:8001") as client:
    ...     result = client.infer("iris", [Tensor("input-0", "FP64", [1, 4], [5.1, 3.5, 1.4, 0.2])])
    """

    def _connect(self) -> None:
        s = self._settings
        self._channel = (
            grpc.secure_channel(s.target, s.channel_credentials(), options=s.channel_options)
            if s.tls
            else grpc.insecure_channel(s.target, options=s.channel_options)
        )
        self._stub = GRPCInferenceServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._http: httpx.Client | None = None

    def server_live(self) -> bool:
        return self._ready("ServerLive", pb.ServerLiveRequest(), "live")

    def server_ready(self) -> bool:
        return self._ready("ServerReady", pb.ServerReadyRequest(), "ready")

    def server_metadata(self) -> ServerMetadata:
        return server_metadata(self._call("ServerMetadata", pb.ServerMetadataRequest()))

    def model_metadata(self, model: str, version: str | None = None) -> ModelMetadata:
        request = pb.ModelMetadataRequest(name=model, version=version or "")
        return model_metadata(self._call("ModelMetadata", request))

    def model_ready(self, model: str, version: str | None = None) -> bool:
        request = pb.ModelReadyRequest(name=model, version=version or "")
        return self._ready("ModelReady", request, "ready")

    def infer(
        self,
        model: str,
        inputs: Sequence[Tensor],
        outputs: Sequence[str] | None = None,
        parameters: Mapping[str, ParameterValue] | None = None,
        id: str | None = None,
        version: str | None = None,
    ) -> InferResult:
        """Run ``model`` on ``inputs``; the outputs named (all if ``None``)."""
        request = encode_infer_request(
            model, inputs, outputs=outputs, parameters=parameters, request_id=id, version=version
        )
        return _read_answer(self._settings, self._call("ModelInfer", request))

    def close(self) -> None:
        self._channel.close()
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _ready(self, method: str, request: Any, field: str) -> bool:
        try:
            answer = self._call(method, request)
        except APIStatusError as error:
            if not_ready(error):
                return False
            raise
        return bool(getattr(answer, field))

    def _call(self, method: str, request: Any) -> Any:
        attempts = Attempts(self._settings)
        metadata = self._settings.call_metadata(self._auth())
        while True:
            try:
                return getattr(self._stub, method)(
                    request, timeout=attempts.timeout(), metadata=metadata
                )
            except grpc.RpcError as error:
                code, details = _status(error)
                wait = attempts.wait_before_retry(code, details, random.random())
                if wait is None:
                    raise status_error(self._settings, method, code, details) from None
                time.sleep(wait)

    def _auth(self) -> str | None:
        if self._token_auth is None:
            return self._authorization
        if self._http is None:
            self._http = httpx.Client()
        request = httpx.Request("POST", "grpc://token/")
        flow = self._token_auth.sync_auth_flow(request)
        step = next(flow)
        while step is not request:
            step = flow.send(self._http.send(step))
        flow.close()
        authorization: str | None = request.headers.get("authorization")
        return authorization


class AsyncGrpcClient(_GrpcClient):
    """Async (asyncio) gRPC client of an Open Inference Protocol (V2) server; see
    :class:`GrpcClient`."""

    def _connect(self) -> None:
        s = self._settings
        self._channel = (
            grpc.aio.secure_channel(s.target, s.channel_credentials(), options=s.channel_options)
            if s.tls
            else grpc.aio.insecure_channel(s.target, options=s.channel_options)
        )
        self._stub = GRPCInferenceServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._http: httpx.AsyncClient | None = None

    async def server_live(self) -> bool:
        return await self._ready("ServerLive", pb.ServerLiveRequest(), "live")

    async def server_ready(self) -> bool:
        return await self._ready("ServerReady", pb.ServerReadyRequest(), "ready")

    async def server_metadata(self) -> ServerMetadata:
        return server_metadata(await self._call("ServerMetadata", pb.ServerMetadataRequest()))

    async def model_metadata(self, model: str, version: str | None = None) -> ModelMetadata:
        request = pb.ModelMetadataRequest(name=model, version=version or "")
        return model_metadata(await self._call("ModelMetadata", request))

    async def model_ready(self, model: str, version: str | None = None) -> bool:
        request = pb.ModelReadyRequest(name=model, version=version or "")
        return await self._ready("ModelReady", request, "ready")

    async def infer(
        self,
        model: str,
        inputs: Sequence[Tensor],
        outputs: Sequence[str] | None = None,
        parameters: Mapping[str, ParameterValue] | None = None,
        id: str | None = None,
        version: str | None = None,
    ) -> InferResult:
        request = encode_infer_request(
            model, inputs, outputs=outputs, parameters=parameters, request_id=id, version=version
        )
        return _read_answer(self._settings, await self._call("ModelInfer", request))

    async def close(self) -> None:
        await self._channel.close(grace=None)
        if self._http is not None:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _ready(self, method: str, request: Any, field: str) -> bool:
        try:
            answer = await self._call(method, request)
        except APIStatusError as error:
            if not_ready(error):
                return False
            raise
        return bool(getattr(answer, field))

    async def _call(self, method: str, request: Any) -> Any:
        attempts = Attempts(self._settings)
        metadata = self._settings.call_metadata(await self._auth())
        while True:
            try:
                return await getattr(self._stub, method)(
                    request, timeout=attempts.timeout(), metadata=metadata
                )
            except grpc.aio.AioRpcError as error:
                wait = attempts.wait_before_retry(error.code(), error.details(), random.random())
                if wait is None:
                    raise status_error(
                        self._settings, method, error.code(), error.details()
                    ) from None
                await asyncio.sleep(wait)

    async def _auth(self) -> str | None:
        if self._token_auth is None:
            return self._authorization
        if self._http is None:
            self._http = httpx.AsyncClient()
        request = httpx.Request("POST", "grpc://token/")
        flow = self._token_auth.async_auth_flow(request)
        step = await flow.__anext__()
        while step is not request:
            step = await flow.asend(await self._http.send(step))
        await flow.aclose()
        authorization: str | None = request.headers.get("authorization")
        return authorization
