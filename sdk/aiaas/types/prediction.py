"""Requests to and answers from ``POST /v1/models/{id}/predict``."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from .api_object import APIObject

OutputT = TypeVar("OutputT")
"""What one output is: a typed output of :mod:`aiaas.types.outputs` for a system
model called through its handle (``aiaas.system_models``), a dict otherwise."""
ModelT = TypeVar("ModelT", bound=BaseModel)


class PredictRequest(BaseModel):
    """Inputs for one prediction call; each element is one example."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    inputs: list[Any] = Field(min_length=1)
    parameters: dict[str, Any] = Field(default_factory=dict)
    ignore_extra: bool = Field(
        default=False,
        description="Leave out fields of a row input that the model does not take "
        "(ids, timestamps) instead of refusing them: a misspelt field is then not "
        "named, only the missing one it should have been.",
    )


class Usage(BaseModel):
    """What one prediction call consumed."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    inputs: int
    compute_ms: float


class Prediction(APIObject, Generic[OutputT]):
    """The model's outputs, one per input and in the same order.

    ``Prediction[QualityOutcome]`` when the call named its model by a handle of
    :mod:`aiaas.system_models`; ``Prediction[dict[str, Any]]`` for a model named
    by its id.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    id: str
    object: Literal["prediction"] = "prediction"
    model: str
    outputs: list[OutputT]
    usage: Usage
    created_at: int

    def outputs_as(self, output_type: type[ModelT]) -> list[ModelT]:
        """The outputs as typed objects, e.g. ``outputs_as(aiaas.types.RulPrediction)``."""
        return [output_type.model_validate(output) for output in self.outputs]
