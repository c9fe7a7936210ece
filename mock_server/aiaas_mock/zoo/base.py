"""What the server needs of a served model: its spec, a predictor and its metrics."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, TypeAdapter

from aiaas.types import Model

SYSTEM_OWNER = "system"


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
    released_at: int = 1767225600  # 2026-01-01, the catalogue's first release


EMBEDDING_TASK = "word-embedding"
"""Models of this task also serve ``POST /v1/embeddings``; their predictor is a
:class:`TextEmbedder`."""


class TextEmbedder(Protocol):
    @property
    def dimensions(self) -> int: ...

    def embed_texts(self, texts: Sequence[str]) -> tuple[NDArray[np.float32], int]:
        """One unit-length row per text (zeros when no token is known), and the
        number of tokens read."""
        ...


class Predictor(Protocol):
    def predict(self, inputs: Sequence[Any], parameters: Any) -> list[BaseModel]:
        """One output per validated input, in order."""
        ...


@dataclass(frozen=True)
class LoadedModel:
    """A model ready to answer, with the quality it showed on held-out data."""

    spec: ModelSpec
    predictor: Predictor
    metrics: dict[str, float] = field(default_factory=dict)

    def card(self) -> Model:
        return card(self.spec, self.metrics)


def card(spec: ModelSpec, metrics: dict[str, float]) -> Model:
    """The model card of a system model."""
    return Model(
        id=spec.id,
        task=spec.task,
        algorithm=spec.algorithm,
        version=spec.version,
        owner=SYSTEM_OWNER,
        created_at=spec.released_at,
        description=spec.description,
        data=spec.data,
        input_schema=TypeAdapter(spec.input_type).json_schema(),
        output_schema=spec.output_type.model_json_schema(),
        parameters_schema=spec.parameters_type.model_json_schema(),
        metrics=metrics,
    )


class ZooEntry(Protocol):
    """A model family member the catalogue can describe and load."""

    @property
    def spec(self) -> ModelSpec: ...

    def metrics(self, data_seed: int) -> dict[str, float]:
        """Held-out metrics, as cheaply as the entry can tell them."""
        ...

    def load(self, data_seed: int) -> LoadedModel: ...


@dataclass(frozen=True)
class TrainedOnLoad:
    """A model fast enough to train whenever a server starts.

    Training is deterministic, so one result per seed serves every app.
    """

    spec: ModelSpec
    train: Callable[[int], LoadedModel]
    """Trains on data from the given seed and measures held-out metrics."""

    def metrics(self, data_seed: int) -> dict[str, float]:
        return self.load(data_seed).metrics

    def load(self, data_seed: int) -> LoadedModel:
        return _train_once(self.train, data_seed)


@functools.cache
def _train_once(train: Callable[[int], LoadedModel], data_seed: int) -> LoadedModel:
    return train(data_seed)
