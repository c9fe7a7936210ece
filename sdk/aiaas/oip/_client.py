"""Sync and async clients of Open Inference Protocol (V2) servers: KServe, Triton,
MLServer, OpenVINO Model Server and the aiaas mock's ``/v2``.

They run on the SDK's pipeline (credentials, retries, deadline, TLS settings,
typed errors); the requests and answers are built and read by the pure functions
of this module and :mod:`._codec`, which both clients share.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from pydantic import TypeAdapter, ValidationError

from .._client import AsyncAPIClient, HttpClientT, SyncAPIClient, _BaseClient
from .._constants import DEFAULT_DEADLINE, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from .._credentials import ApiKey, Credentials, NoCredentials
from .._dialect import Dialect
from .._encryption import Encryption
from .._exceptions import APIResponseValidationError, APIStatusError
from .._options import ClientOptions, RetryPolicy, TimeoutTypes, as_timeout
from .._request import RequestSpec, path_segment
from .._response import parse_body
from .._secret import Secret
from .._transport_security import VerifyTypes
from ._codec import Encoding, ParameterValue, check_parameters, decode_result, encode_infer
from ._codec import is_retryable as _is_retryable
from ._codec import oip_error as _oip_error
from ._tensor import Tensor
from ._types import InferResult, ModelMetadata, RepositoryModel, ServerMetadata

__all__ = ["AsyncClient", "Client"]

OIP_DIALECT = Dialect(
    _is_retryable, _oip_error, accept="application/json, application/octet-stream"
)


BASE_URL_ENV = "AIAAS_OIP_BASE_URL"
API_KEY_ENV = "AIAAS_OIP_API_KEY"


def from_environment(
    base_url: str | httpx.URL | None,
    api_key: str | Secret | None,
    credentials: Credentials | None,
    environ: Mapping[str, str],
) -> tuple[str | httpx.URL, str | Secret | None]:
    """The server and API key a client was not given, from the environment:
    ``AIAAS_OIP_BASE_URL`` and ``AIAAS_OIP_API_KEY``; without them, the SDK's
    ``AIAAS_BASE_URL`` (the aiaas service and its mock serve ``/v2`` too) with
    ``AIAAS_API_KEY``, which is never sent to any other server."""
    if base_url is None:
        base_url = environ.get(BASE_URL_ENV)
        if base_url is None:
            base_url = environ.get(BASE_URL_ENV.replace("_OIP", ""))
            if base_url is None:
                raise ValueError(
                    f"no server: pass base_url= or set {BASE_URL_ENV} (or AIAAS_BASE_URL)"
                )
            if api_key is None and credentials is None and API_KEY_ENV not in environ:
                api_key = environ.get(API_KEY_ENV.replace("_OIP", ""))
    if api_key is None and credentials is None:
        api_key = environ.get(API_KEY_ENV)
    return base_url, api_key


def _options(
    base_url: str | httpx.URL | None,
    api_key: str | Secret | None,
    credentials: Credentials | None,
    timeout: TimeoutTypes,
    max_retries: int,
    deadline: float | None,
    default_headers: Mapping[str, str] | None,
    retry_policy: RetryPolicy | None,
    allow_insecure_http: bool,
) -> ClientOptions:
    if api_key is not None and credentials is not None:
        raise ValueError("pass either credentials= or api_key=, not both")
    base_url, api_key = from_environment(base_url, api_key, credentials, os.environ)
    if credentials is None:
        credentials = ApiKey(api_key) if api_key is not None else NoCredentials()
    return ClientOptions(
        base_url=httpx.URL(base_url),
        credentials=credentials,
        timeout=as_timeout(timeout),
        max_retries=max_retries,
        deadline=deadline,
        default_headers=dict(default_headers or {}),
        retry_policy=retry_policy or RetryPolicy(),
        allow_insecure_http=allow_insecure_http,
        encryption=Encryption("off"),  # engines know nothing of aiaas-hpke
        dialect=OIP_DIALECT,
    )


def _model_path(model: str, version: str | None, suffix: str = "") -> str:
    path = f"/v2/models/{path_segment(model, 'model')}"
    if version is not None:
        path += f"/versions/{path_segment(version, 'version')}"
    return path + suffix


def _infer_spec(
    model: str,
    inputs: Sequence[Tensor],
    outputs: Sequence[str] | None,
    parameters: Mapping[str, ParameterValue] | None,
    id: str | None,
    version: str | None,
    encoding: Encoding,
    binary_outputs: bool | None,
) -> RequestSpec:
    body, headers = encode_infer(
        inputs,
        outputs=outputs,
        parameters=parameters,
        request_id=id,
        encoding=encoding,
        binary_outputs=binary_outputs,
    )
    return RequestSpec(
        "POST", _model_path(model, version, "/infer"), content=body, headers=headers, encrypt=False
    )


def _get(path: str) -> RequestSpec:
    return RequestSpec("GET", path, encrypt=False)


def _post_json(path: str, body: Mapping[str, Any]) -> RequestSpec:
    # MLServer's repository index refuses an empty body: always send JSON.
    return RequestSpec("POST", path, json=dict(body), encrypt=False)


def _load_spec(model: str, parameters: Mapping[str, Any] | None) -> RequestSpec:
    body = {"parameters": dict(parameters)} if parameters else {}
    return _post_json(f"/v2/repository/models/{path_segment(model, 'model')}/load", body)


def _unload_spec(model: str) -> RequestSpec:
    return _post_json(f"/v2/repository/models/{path_segment(model, 'model')}/unload", {})


def _index_spec(ready: bool | None) -> RequestSpec:
    return _post_json("/v2/repository/index", {} if ready is None else {"ready": ready})


_INDEX = TypeAdapter(list[RepositoryModel])


def _repository(response: httpx.Response) -> list[RepositoryModel]:
    try:
        return _INDEX.validate_json(response.content or b"[]")
    except ValidationError as exc:
        raise APIResponseValidationError(
            f"{response.status_code} repository index did not match: {exc.errors()[0]['msg']}",
            response=response,
            body=None,
        ) from None


def not_ready(error: APIStatusError) -> bool:
    """An error answer that means "not ready" rather than "you may not ask"."""
    return error.status_code not in (401, 403, 407, 429)


def _says_ready(response: httpx.Response) -> bool:
    """Whether a success answer to a health or readiness question says yes: engines
    answer 200 with ``{"ready": false}`` as well as with an error status."""
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        return True  # Triton answers 200 with no body or plain text
    if isinstance(body, dict):
        return all(body.get(key, True) is not False for key in ("ready", "live"))
    return True


class _OipClient(_BaseClient[HttpClientT]):
    """What both clients of an inference server take."""

    def __init__(
        self,
        base_url: str | httpx.URL | None = None,
        *,
        api_key: str | Secret | None = None,
        credentials: Credentials | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: float | None = DEFAULT_DEADLINE,
        default_headers: Mapping[str, str] | None = None,
        retry_policy: RetryPolicy | None = None,
        verify: VerifyTypes = True,
        allow_insecure_http: bool = False,
        http_client: HttpClientT | None = None,
    ) -> None:
        """Create a client of the server at ``base_url`` (its root, without ``/v2``).

        Args:
            base_url: Defaults to ``AIAAS_OIP_BASE_URL``, then the SDK's
                ``AIAAS_BASE_URL``.
            api_key: Sent as a bearer token, if the server (or its gateway) wants one.
                Defaults to ``AIAAS_OIP_API_KEY``, or ``AIAAS_API_KEY`` when the
                server is the one ``AIAAS_BASE_URL`` names.
            credentials: Any aiaas credentials, such as OAuth client credentials.
            default_headers: Headers for every request, e.g. a gateway's auth header.
            The others are as for :class:`aiaas.Client`.
        """
        self._setup(
            _options(
                base_url,
                api_key,
                credentials,
                timeout,
                max_retries,
                deadline,
                default_headers,
                retry_policy,
                allow_insecure_http,
            ),
            verify,
            http_client,
        )


class Client(_OipClient[httpx.Client], SyncAPIClient):
    """Blocking client of an Open Inference Protocol (V2) server.

    >>> with aiaas.oip.Client("http://127.0.0.1:8080") as client:
    ...     result = client.infer("iris", [Tensor("input-0", "FP64", [1, 4], [5.1, 3.5, 1.4, 0.2])])
    """

    def server_live(self) -> bool:
        return self._ok(_get("/v2/health/live"))

    def server_ready(self) -> bool:
        return self._ok(_get("/v2/health/ready"))

    def server_metadata(self) -> ServerMetadata:
        return parse_body(self._send(_get("/v2")), ServerMetadata)

    def model_metadata(self, model: str, version: str | None = None) -> ModelMetadata:
        return parse_body(self._send(_get(_model_path(model, version))), ModelMetadata)

    def model_ready(self, model: str, version: str | None = None) -> bool:
        return self._ok(_get(_model_path(model, version, "/ready")))

    def infer(
        self,
        model: str,
        inputs: Sequence[Tensor],
        outputs: Sequence[str] | None = None,
        parameters: Mapping[str, ParameterValue] | None = None,
        id: str | None = None,
        version: str | None = None,
        *,
        encoding: Encoding = "auto",
        binary_outputs: bool | None = None,
    ) -> InferResult:
        """Run ``model`` on ``inputs``; the outputs named (all if ``None``).

        ``encoding`` chooses JSON or the binary tensor data extension (``"auto"``:
        binary only for tensors JSON cannot carry). Send each input with the
        datatype the model's metadata gives: Triton refuses any other.
        """
        spec = _infer_spec(
            model, inputs, outputs, parameters, id, version, encoding, binary_outputs
        )
        return decode_result(self._send(spec))

    def repository_index(self, ready: bool | None = None) -> list[RepositoryModel]:
        """The models of the server's repository (model repository extension)."""
        return _repository(self._send(_index_spec(ready)))

    def load_model(self, model: str, parameters: Mapping[str, Any] | None = None) -> None:
        check_parameters(parameters, "load")
        self._send(_load_spec(model, parameters))

    def unload_model(self, model: str) -> None:
        self._send(_unload_spec(model))

    def _ok(self, spec: RequestSpec) -> bool:
        try:
            response = self._send(spec)
        except APIStatusError as error:
            if not_ready(error):
                return False
            raise
        return _says_ready(response)


class AsyncClient(_OipClient[httpx.AsyncClient], AsyncAPIClient):
    """Async client of an Open Inference Protocol (V2) server; see :class:`Client`."""

    async def server_live(self) -> bool:
        return await self._ok(_get("/v2/health/live"))

    async def server_ready(self) -> bool:
        return await self._ok(_get("/v2/health/ready"))

    async def server_metadata(self) -> ServerMetadata:
        return parse_body(await self._send(_get("/v2")), ServerMetadata)

    async def model_metadata(self, model: str, version: str | None = None) -> ModelMetadata:
        return parse_body(await self._send(_get(_model_path(model, version))), ModelMetadata)

    async def model_ready(self, model: str, version: str | None = None) -> bool:
        return await self._ok(_get(_model_path(model, version, "/ready")))

    async def infer(
        self,
        model: str,
        inputs: Sequence[Tensor],
        outputs: Sequence[str] | None = None,
        parameters: Mapping[str, ParameterValue] | None = None,
        id: str | None = None,
        version: str | None = None,
        *,
        encoding: Encoding = "auto",
        binary_outputs: bool | None = None,
    ) -> InferResult:
        spec = _infer_spec(
            model, inputs, outputs, parameters, id, version, encoding, binary_outputs
        )
        return decode_result(await self._send(spec))

    async def repository_index(self, ready: bool | None = None) -> list[RepositoryModel]:
        return _repository(await self._send(_index_spec(ready)))

    async def load_model(self, model: str, parameters: Mapping[str, Any] | None = None) -> None:
        check_parameters(parameters, "load")
        await self._send(_load_spec(model, parameters))

    async def unload_model(self, model: str) -> None:
        await self._send(_unload_spec(model))

    async def _ok(self, spec: RequestSpec) -> bool:
        try:
            response = await self._send(spec)
        except APIStatusError as error:
            if not_ready(error):
                return False
            raise
        return _says_ready(response)
