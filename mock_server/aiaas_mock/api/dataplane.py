"""The Open Inference Protocol's data plane, one for both transports: ``/v2``
over REST (:mod:`.routes.inference_v2`) and over gRPC (:mod:`aiaas_mock.grpc`)
find models, read their metadata and run them here, through the one
prediction step (:mod:`.prediction`) every route shares.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any

import anyio.to_thread

from aiaas.oip import InferRequest, Tensor

from ..services import Services
from .auth import Principal
from .model_lookup import ServedModel, resolve
from .prediction import admit, call_log, compute
from .problems import ProblemError
from .tensor_signature import signature

Write = Callable[[sqlite3.Connection], None]


def served_model(
    services: Services, model_id: str, principal: Principal, version: str | None
) -> ServedModel:
    """The model the caller may use, at ``version`` if one is named."""
    served = resolve(services, model_id, principal)
    if version is not None and version != served.spec.version:
        raise ProblemError(404, "not_found", f"Model '{model_id}' has no version '{version}'.")
    return served


def model_metadata(served: ServedModel) -> dict[str, Any]:
    return signature(served.spec).metadata(served.spec)


async def infer(
    services: Services,
    principal: Principal,
    served: ServedModel,
    message: InferRequest,
    client_gone: Callable[[], bool],
) -> tuple[list[Tensor], Write]:
    """The model's output tensors for ``message``, and the call's row in the
    prediction log (for the caller to write with whatever else it stores)."""
    shape = signature(served.spec)
    rows = shape.rows_of(message.inputs)
    call = await anyio.to_thread.run_sync(
        functools.partial(
            admit,
            services,
            served,
            rows,
            message.parameters,
            at=("inputs",),
            parameters_at=("parameters",),
        )
    )
    outputs, _ = await anyio.to_thread.run_sync(compute, services, call, client_gone)
    _, log = call_log(principal, served.spec.id, len(call.inputs))
    return shape.tensors_of(outputs, message.outputs), log
