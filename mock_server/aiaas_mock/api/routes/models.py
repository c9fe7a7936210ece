"""``/v1/models``: the catalogue and predictions.

The reads are async routes: their lookups take no lock (``Database.read``) and
last microseconds, less than handing them to a worker thread would cost.
``predict`` is a plain function, run in one worker thread from claiming its
idempotency key to storing its answer (see ``IdempotentRoute``), so the model's
CPU work stays off the event loop.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from aiaas import types
from aiaas.types import ListResponse, Model, ModelDeleted, ModelUpdate, PredictRequest, Usage

from ...store.models import ModelIdTaken, ModelInUse
from ...zoo.model_spec import input_field_names, without_extra
from ..cursors import Cursor
from ..deps import Inferrer, ModelId, ModelReader, ServicesDep, Trainer
from ..idempotency import IdempotentRoute, record
from ..inference import client_gone
from ..model_lookup import visible_card
from ..openapi import PROBLEMS
from ..prediction import admit, call_log, compute, find_model
from ..problems import ProblemError


class Prediction(types.Prediction[dict[str, Any]]):
    """What ``predict`` answers: every model's outputs, as JSON objects."""


router = APIRouter(
    prefix="/v1/models", tags=["models"], route_class=IdempotentRoute, responses=PROBLEMS
)


@router.get("")
async def list_models(
    principal: ModelReader,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Cursor = None,
    task: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> ListResponse[Model]:
    """Model cards visible to the caller, oldest first, one page at a time."""
    list_id = f"models|{principal.tenant_id}|{task or ''}"
    position = services.cursors.decode(list_id, after) if after else 0
    page = services.store.models.page(
        principal.tenant_id, after_seq=position, limit=limit, task=task
    )
    next_cursor = None
    if page.has_more and page.last_seq is not None:
        next_cursor = services.cursors.encode(list_id, page.last_seq)
    return ListResponse[Model](data=page.cards, has_more=page.has_more, next_cursor=next_cursor)


@router.get("/{model_id}")
async def retrieve_model(model_id: ModelId, principal: ModelReader, services: ServicesDep) -> Model:
    """One model card."""
    return visible_card(services, model_id, principal)


@router.delete("/{model_id}")
def delete_model(model_id: ModelId, principal: Trainer, services: ServicesDep) -> ModelDeleted:
    """Delete one of the tenant's models (409 while a batch prediction uses it)."""
    try:
        deleted = services.store.models.delete(model_id, principal.tenant_id)
    except ModelInUse:
        raise _in_use(model_id) from None
    if not deleted:
        raise _not_owned(services, model_id, principal)
    services.models.forget(model_id)
    return ModelDeleted(id=model_id)


@router.patch("/{model_id}")
def rename_model(
    model_id: ModelId, body: ModelUpdate, principal: Trainer, services: ServicesDep
) -> Model:
    """Give one of the tenant's models a new id (409 while a batch prediction uses
    it, or if the id is taken)."""
    try:
        card = services.store.models.rename(model_id, body.id, principal.tenant_id)
    except ModelInUse:
        raise _in_use(model_id) from None
    except ModelIdTaken:
        raise ProblemError(
            409, "model_id_taken", f"The id '{body.id}' is taken; choose another."
        ) from None
    if card is None:
        raise _not_owned(services, model_id, principal)
    services.models.forget(model_id)
    return card


def _in_use(model_id: str) -> ProblemError:
    return ProblemError(
        409, "model_in_use", f"A queued or running batch prediction uses model '{model_id}'."
    )


def _not_owned(services: ServicesDep, model_id: str, principal: Trainer) -> ProblemError:
    if services.models.entry(model_id) is not None:
        return ProblemError(403, "forbidden", f"'{model_id}' is a system model: it stays.")
    return ProblemError(404, "not_found", f"No model '{model_id}'.")


@router.post("/{model_id}/predict")
def predict(
    model_id: ModelId,
    body: PredictRequest,
    request: Request,
    principal: Inferrer,
    services: ServicesDep,
) -> Prediction:
    """Run a model on a batch of inputs."""
    served = find_model(services, principal, model_id)
    inputs = body.inputs
    if body.ignore_extra:
        fields = input_field_names(served.spec.input_type)
        inputs = [without_extra(fields, item) for item in inputs]
    call = admit(services, served, inputs, body.parameters)
    outputs, compute_ms = compute(services, call, client_gone(request))
    prediction_id, log = call_log(principal, model_id, len(call.inputs))
    record(request, services, log)
    return Prediction(
        id=prediction_id,
        model=model_id,
        outputs=[output.model_dump(mode="json") for output in outputs],
        usage=Usage(inputs=len(call.inputs), compute_ms=round(compute_ms, 3)),
        created_at=int(time.time()),
    )
