"""What the model-serving routes share: finding a visible model, loading it and
validating what a caller sent for it."""

from __future__ import annotations

import functools
import logging
from typing import Any

from pydantic import TypeAdapter, ValidationError

from aiaas.types import Model

from ..auth import Principal
from ..problems import ProblemError, field_errors, field_problem, validation_problem
from ..services import Services
from ..zoo.base import LoadedModel
from ..zoo.shipped import WeightsIntegrityError

logger = logging.getLogger("aiaas_mock")


def visible_card(services: Services, model_id: str, principal: Principal) -> Model:
    """The card of a model the caller may see; 404 otherwise."""
    card = services.store.models.get(model_id, principal.tenant_id)
    if card is None:
        raise ProblemError(404, "not_found", f"No model '{model_id}'.")
    return card


def loaded_model(services: Services, model_id: str) -> LoadedModel:
    """The model ready to answer; 503 ``model_unavailable`` if its weights are bad."""
    try:
        model = services.catalogue.get(model_id)
    except WeightsIntegrityError:
        logger.exception("Model %s could not be loaded", model_id)
        raise ProblemError(
            503, "model_unavailable", f"Model '{model_id}' cannot be loaded on this server."
        ) from None
    assert model is not None
    return model


def check_batch_size(services: Services, count: int, field: str) -> None:
    """422 naming ``field`` when a call carries more inputs than the server takes."""
    if count > services.config.max_inputs:
        limit = services.config.max_inputs
        raise field_problem(field, f"At most {limit} inputs per call; split the batch.", "too_long")


@functools.cache
def _adapter(type_: Any) -> TypeAdapter[Any]:
    return TypeAdapter(type_)


def validate_as(type_: Any, value: Any, location: tuple[str | int, ...]) -> Any:
    """``value`` validated as ``type_``; a 422 naming each bad field otherwise."""
    try:
        return _adapter(type_).validate_python(value)
    except ValidationError as exc:
        errors = [{**error, "loc": (*location, *error["loc"])} for error in exc.errors()]
        raise validation_problem(field_errors(errors)) from None
