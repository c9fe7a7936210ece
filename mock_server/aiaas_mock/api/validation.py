"""Validating what a caller sent for a model: 422s that name the field."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..services import Services
from .problems import field_errors, field_problem, validation_problem


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
