"""One prediction step for every route that runs a model: ``/v1`` predict,
``/v2`` infer, embeddings and chat.

In order, so that a malformed call never waits for (or fails on) a model's
weights and never takes an inference slot: find the model the caller may use
(of the task the route serves), count the inputs against the batch limit and
the call's budget, validate them and the parameters against the model's types,
load the model, run it on the inference slots, and log the call. Routes only
turn HTTP into these steps' arguments and their results back into HTTP.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..services import Services
from ..store.predictions import PredictionLog
from ..zoo.model_spec import LoadedModel
from .auth import Principal
from .call_budget import check_budget
from .model_lookup import ServedModel, resolve
from .problems import field_problem
from .validation import check_batch_size, validate_as

Location = tuple[str | int, ...]


def find_model(
    services: Services,
    principal: Principal,
    model_id: str,
    task: str | None = None,
    refusal: str = "",
) -> ServedModel:
    """The model the caller may use; a 422 naming ``body.model`` (``Model '<id>'
    <refusal>``) if it is not of ``task``."""
    served = resolve(services, model_id, principal)
    if task is not None and served.spec.task != task:
        raise field_problem("body.model", f"Model '{model_id}' {refusal}.")
    return served


@dataclass(frozen=True)
class Admitted:
    """A call that passed every check, with its model loaded."""

    served: ServedModel
    model: LoadedModel
    inputs: list[Any]
    parameters: Any
    heavy: bool
    """Whether the call takes its turn on the inference slots."""


def admit(
    services: Services,
    served: ServedModel,
    inputs: Sequence[Any],
    parameters: Any = None,
    *,
    at: Location = ("body", "inputs"),
    parameters_at: Location = ("body", "parameters"),
    input_type: Any = None,
) -> Admitted:
    """``inputs`` (and ``parameters``) counted, validated as the model's types (or
    ``input_type``), and the model loaded; 422s name the fields at ``at``."""
    field = ".".join(str(part) for part in at)
    check_batch_size(services, len(inputs), field)
    cost = check_budget(services.config, inputs, field)
    spec = served.spec
    validated = validate_as(list[input_type or spec.input_type], inputs, at)  # type: ignore[misc]
    checked = validate_as(spec.parameters_type, parameters or {}, parameters_at)
    return Admitted(served, served.load(), validated, checked, cost.heavy or spec.heavy)


def compute(
    services: Services, call: Admitted, client_gone: Callable[[], bool]
) -> tuple[list[BaseModel], float]:
    """The model's outputs for the call's inputs, and the milliseconds they took."""
    started = time.perf_counter()
    outputs = services.inference.run(
        call.model.predictor, call.inputs, call.parameters, client_gone, heavy=call.heavy
    )
    return outputs, (time.perf_counter() - started) * 1000.0


def call_log(
    principal: Principal, model_id: str, inputs: int, prefix: str = "pred"
) -> tuple[str, Callable[[sqlite3.Connection], None]]:
    """The call's id (``<prefix>_<random>``) and its row in the prediction log, to
    write in the transaction that stores the call's answer."""
    call_id = f"{prefix}_{secrets.token_hex(12)}"
    return call_id, PredictionLog.write(call_id, principal.tenant_id, model_id, inputs)
