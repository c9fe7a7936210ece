"""What the server knows of a served model: its spec, its predictor and its card."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, TypeAdapter

from aiaas.types import Model

SYSTEM_OWNER = "system"
ModelT = TypeVar("ModelT")


@dataclass(frozen=True)
class ModelSpec:
    """The fixed facts of a model: identity, task and the types of its inputs/outputs."""

    id: str
    task: str
    algorithm: str
    version: str
    description: str
    data: str
    input_type: Any
    """The type of one input: a pydantic model for rows, a constrained ``str`` for text."""
    output_type: type[BaseModel]
    parameters_type: type[BaseModel]
    training_data: str = "generated"
    """``generated``, ``real``, or ``real and generated``."""
    evaluation: str = ""
    """How ``metrics`` were measured: which held-out data, which protocol."""
    references: Mapping[str, float] = field(default_factory=dict)
    """Published figures for orientation; never measurements of this model."""
    released_at: int = 1767225600  # 2026-01-01, the catalogue's first release
    heavy: bool = False
    """Every call costs seconds, however small (a generative model): it always
    takes its turn on the inference slots."""

    def derived(self, model_id: str, card: Model, **types: Any) -> ModelSpec:
        """The spec of a tenant's model ``card`` built from this one: its identity
        and description from the card, its types from this spec unless given."""
        return replace(
            self,
            id=model_id,
            algorithm=card.algorithm,
            version=card.version,
            description=card.description,
            data=card.data,
            training_data=card.training_data,
            evaluation=card.evaluation,
            references={},
            **types,
        )


EMBEDDING_TASK = "word-embedding"
"""Models of this task also serve ``POST /v1/embeddings``; their predictor is a
:class:`TextEmbedder`."""


class Predictor(Protocol):
    def predict(self, inputs: Sequence[Any], parameters: Any) -> list[BaseModel]:
        """One output per validated input, in order."""
        ...


class TextEmbedder(Predictor, Protocol):
    @property
    def dimensions(self) -> int: ...

    def embed_texts(self, texts: Sequence[str]) -> tuple[NDArray[np.float32], int]:
        """One unit-length row per text (zeros when no token is known), and the
        number of tokens read."""
        ...


class ModelAdapter(Generic[ModelT]):
    """A predictor around one trained model: the part of a family the server calls,
    turning validated wire inputs into the model's arguments and its results into
    wire outputs."""

    def __init__(self, model: ModelT) -> None:
        self.model = model


Needs = Mapping[str, Predictor]
"""The predictors of the models another one builds on, by model id."""


@dataclass(frozen=True)
class LoadedModel:
    """A model ready to answer, with the quality it showed on held-out data."""

    spec: ModelSpec
    predictor: Predictor
    metrics: dict[str, float] = field(default_factory=dict)


def card(
    spec: ModelSpec, metrics: dict[str, float], references: Mapping[str, float] | None = None
) -> Model:
    """The model card of a system model; ``references`` add to the spec's own."""
    return Model(
        id=spec.id,
        task=spec.task,
        algorithm=spec.algorithm,
        version=spec.version,
        owner=SYSTEM_OWNER,
        created_at=spec.released_at,
        description=spec.description,
        data=spec.data,
        training_data=spec.training_data,
        evaluation=spec.evaluation,
        references={**spec.references, **(references or {})},
        input_schema=TypeAdapter(spec.input_type).json_schema(),
        output_schema=spec.output_type.model_json_schema(),
        parameters_schema=spec.parameters_type.model_json_schema(),
        metrics=metrics,
    )


def input_field_names(input_type: Any) -> list[str] | None:
    """The names (aliases where set) a row input of ``input_type`` takes; ``None``
    for a model whose input is one value (a text, an image)."""
    if isinstance(input_type, type) and issubclass(input_type, BaseModel):
        return [field.alias or name for name, field in input_type.model_fields.items()]
    return None


def without_extra(fields: list[str] | None, value: Any) -> Any:
    """A row input with only the fields its model takes (anything else as it is)."""
    if fields is None or not isinstance(value, dict):
        return value
    return {name: value[name] for name in fields if name in value}
