"""``/v1/models``: the catalogue and predictions."""

from __future__ import annotations

import functools
import logging
import secrets
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import TypeAdapter, ValidationError

from aiaas.types import FieldError, ListResponse, Model, Prediction, PredictRequest, Usage

from ..auth import Principal, require_scope
from ..idempotency import IdempotentRoute
from ..problems import ProblemError, field_errors, validation_problem
from ..services import Services, get_services
from ..zoo.base import LoadedModel
from ..zoo.torch_support import WeightsIntegrityError

logger = logging.getLogger("aiaas_mock")

router = APIRouter(prefix="/v1/models", tags=["models"], route_class=IdempotentRoute)

ModelId = Annotated[str, Path(min_length=1, max_length=128)]
Reader = Annotated[Principal, Depends(require_scope("models:read"))]
Inferrer = Annotated[Principal, Depends(require_scope("inference"))]
ServicesDep = Annotated[Services, Depends(get_services)]


@router.get("")
def list_models(
    principal: Reader,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Annotated[str | None, Query(max_length=512)] = None,
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
def retrieve_model(model_id: ModelId, principal: Reader, services: ServicesDep) -> Model:
    """One model card."""
    return _visible_card(services, model_id, principal)


@router.post("/{model_id}/predict")
def predict(
    model_id: ModelId, body: PredictRequest, principal: Inferrer, services: ServicesDep
) -> Prediction:
    """Run a model on a batch of inputs."""
    _visible_card(services, model_id, principal)
    spec = services.catalogue.spec(model_id)
    if spec is None:
        raise ProblemError(409, "model_not_ready", f"Model '{model_id}' cannot serve predictions.")
    if len(body.inputs) > services.config.max_inputs:
        raise validation_problem(
            [
                FieldError(
                    field="body.inputs",
                    message=f"At most {services.config.max_inputs} inputs per call; "
                    "split the batch.",
                    type="too_long",
                )
            ]
        )
    inputs = _validate(list[spec.input_type], body.inputs, ("body", "inputs"))  # type: ignore[name-defined]
    parameters = _validate(spec.parameters_type, body.parameters, ("body", "parameters"))
    model = _loaded(services, model_id)
    started = time.perf_counter()
    outputs = model.predictor.predict(inputs, parameters)
    compute_ms = (time.perf_counter() - started) * 1000.0
    prediction_id = f"pred_{secrets.token_hex(12)}"
    services.store.predictions.record(prediction_id, principal.tenant_id, model_id, len(inputs))
    return Prediction(
        id=prediction_id,
        model=model_id,
        outputs=[output.model_dump(mode="json") for output in outputs],
        usage=Usage(inputs=len(inputs), compute_ms=round(compute_ms, 3)),
        created_at=int(time.time()),
    )


def _loaded(services: Services, model_id: str) -> LoadedModel:
    try:
        model = services.catalogue.get(model_id)
    except WeightsIntegrityError:
        logger.exception("Model %s could not be loaded", model_id)
        raise ProblemError(
            503, "model_unavailable", f"Model '{model_id}' cannot be loaded on this server."
        ) from None
    assert model is not None
    return model


def _visible_card(services: Services, model_id: str, principal: Principal) -> Model:
    card = services.store.models.get(model_id, principal.tenant_id)
    if card is None:
        raise ProblemError(404, "not_found", f"No model '{model_id}'.")
    return card


@functools.cache
def _adapter(type_: Any) -> TypeAdapter[Any]:
    return TypeAdapter(type_)


def _validate(type_: Any, value: Any, location: tuple[str, ...]) -> Any:
    """``value`` validated as ``type_``; a 422 naming each bad field otherwise."""
    try:
        return _adapter(type_).validate_python(value)
    except ValidationError as exc:
        errors = [{**error, "loc": (*location, *error["loc"])} for error in exc.errors()]
        raise validation_problem(field_errors(errors)) from None
