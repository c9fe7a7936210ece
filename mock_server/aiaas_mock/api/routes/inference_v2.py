"""``/v2``: the Open Inference Protocol (REST), for every model the caller may use.

The same credentials, scopes, tenancy, request ids and fault injection as
``/v1``; errors are ``{"error": "..."}``; the binary tensor data extension is
supported both ways. Inputs and outputs follow each model's
:mod:`~aiaas_mock.api.tensor_signature`, so an answer equals ``/v1``'s
``predict`` for the same rows.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from aiaas import __version__
from aiaas.oip import HEADER_LENGTH, decode_infer_request, encode_infer_response

from .. import dataplane
from ..deps import Inferrer, ModelId, ModelReader, ServicesDep
from ..idempotency import IdempotentRoute, record_from_loop
from ..inference import client_gone
from ..openapi import OIP_ERRORS
from ..problems import ProblemError

router = APIRouter(
    prefix="/v2",
    tags=["open inference protocol"],
    route_class=IdempotentRoute,
    responses=OIP_ERRORS,
)
health = APIRouter(prefix="/v2", tags=["open inference protocol"], responses=OIP_ERRORS)

EXTENSIONS = ["binary_tensor_data"]


@health.get("")
async def server_metadata() -> dict[str, Any]:
    return {"name": "aiaas-mock", "version": __version__, "extensions": EXTENSIONS}


@health.get("/health/live")
async def live() -> dict[str, bool]:
    return {"live": True}


@health.get("/health/ready")
async def ready() -> dict[str, bool]:
    return {"ready": True}


@router.get("/models/{model_id}")
async def model_metadata(
    model_id: ModelId, principal: ModelReader, services: ServicesDep
) -> dict[str, Any]:
    served = dataplane.served_model(services, model_id, principal, None)
    return dataplane.model_metadata(served)


@router.get("/models/{model_id}/versions/{version}")
async def model_version_metadata(
    model_id: ModelId, version: str, principal: ModelReader, services: ServicesDep
) -> dict[str, Any]:
    served = dataplane.served_model(services, model_id, principal, version)
    return dataplane.model_metadata(served)


@router.get("/models/{model_id}/ready")
async def model_ready(
    model_id: ModelId, principal: ModelReader, services: ServicesDep
) -> dict[str, Any]:
    served = dataplane.served_model(services, model_id, principal, None)
    return {"name": served.spec.id, "ready": True}


@router.get("/models/{model_id}/versions/{version}/ready")
async def model_version_ready(
    model_id: ModelId, version: str, principal: ModelReader, services: ServicesDep
) -> dict[str, Any]:
    served = dataplane.served_model(services, model_id, principal, version)
    return {"name": served.spec.id, "ready": True}


# Each route with a version has its own function: one function for both would
# document ``version`` as a query parameter of the route without one.
@router.post("/models/{model_id}/infer")
async def infer(
    model_id: ModelId, request: Request, principal: Inferrer, services: ServicesDep
) -> Response:
    return await _infer(model_id, None, request, principal, services)


@router.post("/models/{model_id}/versions/{version}/infer")
async def infer_version(
    model_id: ModelId, version: str, request: Request, principal: Inferrer, services: ServicesDep
) -> Response:
    return await _infer(model_id, version, request, principal, services)


async def _infer(
    model_id: str, version: str | None, request: Request, principal: Any, services: ServicesDep
) -> Response:
    served = dataplane.served_model(services, model_id, principal, version)
    try:
        message = decode_infer_request(await request.body(), request.headers.get(HEADER_LENGTH))
    except ValueError as error:
        raise ProblemError(400, "invalid_request", str(error)) from None
    answer, log = await dataplane.infer(services, principal, served, message, client_gone(request))
    await record_from_loop(request, services, log)
    body, headers = encode_infer_response(served.spec.id, served.spec.version, answer, message)
    return Response(body, media_type=headers.pop("Content-Type"), headers=headers)
