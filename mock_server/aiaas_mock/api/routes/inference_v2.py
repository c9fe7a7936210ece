"""``/v2``: the Open Inference Protocol (REST), for every model the caller may use.

The same credentials, scopes, tenancy, request ids and fault injection as
``/v1``; errors are ``{"error": "..."}``; the binary tensor data extension is
supported both ways. Inputs and outputs follow each model's
:mod:`~aiaas_mock.api.tensor_signature`, so an answer equals ``/v1``'s
``predict`` for the same rows.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response

from aiaas import __version__
from aiaas.oip import HEADER_LENGTH, Tensor
from aiaas.oip._codec import message_body, tensor_entries

from ..deps import Inferrer, ModelId, ModelReader, ServicesDep
from ..idempotency import IdempotentRoute, record_from_loop
from ..inference import client_gone
from ..model_lookup import ServedModel, resolve
from ..openapi import OIP_ERRORS
from ..prediction import admit, call_log, compute
from ..problems import ProblemError
from ..tensor_signature import signature

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


def _served(
    services: ServicesDep, model_id: str, principal: Any, version: str | None
) -> ServedModel:
    served = resolve(services, model_id, principal)
    if version is not None and version != served.spec.version:
        raise ProblemError(404, "not_found", f"Model '{model_id}' has no version '{version}'.")
    return served


@router.get("/models/{model_id}")
@router.get("/models/{model_id}/versions/{version}")
async def model_metadata(
    model_id: ModelId, principal: ModelReader, services: ServicesDep, version: str | None = None
) -> dict[str, Any]:
    served = _served(services, model_id, principal, version)
    return signature(served.spec).metadata(served.spec)


@router.get("/models/{model_id}/ready")
@router.get("/models/{model_id}/versions/{version}/ready")
async def model_ready(
    model_id: ModelId, principal: ModelReader, services: ServicesDep, version: str | None = None
) -> dict[str, Any]:
    served = _served(services, model_id, principal, version)
    return {"name": served.spec.id, "ready": True}


@router.post("/models/{model_id}/infer")
@router.post("/models/{model_id}/versions/{version}/infer")
async def infer(
    model_id: ModelId,
    request: Request,
    principal: Inferrer,
    services: ServicesDep,
    version: str | None = None,
) -> Response:
    served = _served(services, model_id, principal, version)
    message, tensors = _read_request(await request.body(), request.headers.get(HEADER_LENGTH))
    shape = signature(served.spec)
    rows = shape.rows_of(tensors)
    user_parameters = {
        k: v for k, v in (message.get("parameters") or {}).items() if k != "binary_data_output"
    }
    call = await anyio.to_thread.run_sync(
        functools.partial(
            admit,
            services,
            served,
            rows,
            user_parameters,
            at=("inputs",),
            parameters_at=("parameters",),
        )
    )
    outputs, _ = await anyio.to_thread.run_sync(compute, services, call, client_gone(request))
    _, log = call_log(principal, model_id, len(call.inputs))
    await record_from_loop(request, services, log)
    wanted, binary = _wanted_outputs(message)
    answer = shape.tensors_of(outputs, wanted)
    return _response(message, served.spec.id, served.spec.version, answer, binary)


def _read_request(body: bytes, header_length: str | None) -> tuple[dict[str, Any], list[Tensor]]:
    binary = b""
    if header_length is not None:
        if not header_length.isdigit() or int(header_length) > len(body):
            raise _bad(f"{HEADER_LENGTH} must be the length of the JSON header")
        body, binary = body[: int(header_length)], body[int(header_length) :]
    try:
        message = json.loads(body)
    except ValueError:
        raise _bad("the request is not valid JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("inputs"), list):
        raise _bad("the request needs 'inputs', a list of tensors")
    if not isinstance(message.get("parameters") or {}, dict):
        raise _bad("'parameters' must be an object")
    tensors, position = [], 0
    for entry in message["inputs"]:
        tensor, used = _tensor(entry, binary, position)
        tensors.append(tensor)
        position += used
    if position != len(binary):
        raise _bad(f"{len(binary) - position} bytes of binary data belong to no input")
    return message, tensors


def _tensor(entry: Any, binary: bytes, position: int) -> tuple[Tensor, int]:
    if not isinstance(entry, dict):
        raise _bad("each input must be an object")
    fields: dict[str, Any] = entry
    name: Any = fields.get("name")
    size = (fields.get("parameters") or {}).get("binary_data_size")
    try:
        datatype, shape = fields["datatype"], fields["shape"]
        if size is not None:
            if not isinstance(size, int) or size < 0 or position + size > len(binary):
                raise ValueError(f"binary_data_size {size} does not match the binary data")
            raw = binary[position : position + size]
            return Tensor(name, datatype, shape, raw=raw), size
        if "data" not in fields:
            raise ValueError("has neither 'data' nor parameters.binary_data_size")
        return Tensor(name, datatype, shape, fields["data"]), 0
    except KeyError as exc:
        raise _bad(f"input {name!r} has no {exc}") from None
    except (TypeError, ValueError) as exc:
        raise _bad(f"input {name!r}: {exc}") from None


def _wanted_outputs(message: dict[str, Any]) -> tuple[list[str] | None, dict[str, bool]]:
    everything = bool((message.get("parameters") or {}).get("binary_data_output", False))
    requested = message.get("outputs")
    if requested is None:
        return None, {"*": everything}
    if not isinstance(requested, list) or not all(
        isinstance(o, dict) and isinstance(o.get("name"), str) for o in requested
    ):
        raise _bad("'outputs' must be a list of objects with a name")
    binary = {
        o["name"]: bool((o.get("parameters") or {}).get("binary_data", everything))
        for o in requested
    }
    return [o["name"] for o in requested], binary


def _response(
    message: dict[str, Any],
    model: str,
    version: str,
    outputs: list[Tensor],
    binary: dict[str, bool],
) -> Response:
    answer: dict[str, Any] = {"model_name": model, "model_version": version}
    if "id" in message:
        answer["id"] = message["id"]
    answer["parameters"] = {}
    as_binary = [binary.get(t.name, binary.get("*", False)) for t in outputs]
    answer["outputs"], chunks = tensor_entries(outputs, as_binary)
    body, headers = message_body(answer, chunks)
    return Response(body, media_type=headers.pop("Content-Type"), headers=headers)


def _bad(message: str) -> ProblemError:
    return ProblemError(400, "invalid_request", message)
