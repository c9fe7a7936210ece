"""The three kinds of zoo entry: models trained when first used, models whose
weights ship with the package, and pretrained models whose weights come in a
package of their own. All answer the catalogue the same way."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from .model_spec import LoadedModel, ModelAdapter, ModelSpec, Needs, Predictor
from .shipped_weights import (
    WEIGHTS_DIR,
    CardT,
    MeasuredMetrics,
    file_digest,
    metrics_path,
    params_path,
    read_card,
    read_measured_metrics,
    verify_file,
    weights_path,
    write_card,
)


class ZooEntry(Protocol):
    """A model the catalogue can describe and load."""

    @property
    def spec(self) -> ModelSpec: ...

    @property
    def requires(self) -> tuple[str, ...]:
        """Ids of the models whose predictors this one builds on."""
        ...

    def metrics(self, data_seed: int) -> dict[str, float]:
        """Held-out metrics, as cheaply as the entry can tell them."""
        ...

    def references(self) -> dict[str, float]:
        """Figures for orientation that training measured beside the metrics."""
        ...

    def load(self, data_seed: int, needs: Needs) -> LoadedModel:
        """The model ready to answer; ``needs`` holds the predictors it requires."""
        ...


SHIPPED_DATA_SEED = 0
"""The data seed whose metrics (and parameters) ship."""


class ParamsCodec(Protocol):
    """How a predictor is written as its fitted parameters (JSON) and read back."""

    def to_params(self, predictor: Predictor) -> dict[str, Any]: ...

    def from_params(self, params: dict[str, Any]) -> Predictor: ...


class WritesParams(Protocol):
    def to_params(self) -> dict[str, Any]: ...


FittedT = TypeVar("FittedT", bound=WritesParams)


@dataclass(frozen=True)
class AdapterParams(Generic[FittedT]):
    """The codec of a :class:`ModelAdapter` whose model writes its own parameters
    (``to_params``) and is read back by ``read``."""

    adapter: Callable[[FittedT], ModelAdapter[FittedT]]
    read: Callable[[dict[str, Any]], FittedT]

    def to_params(self, predictor: Predictor) -> dict[str, Any]:
        if not isinstance(predictor, ModelAdapter):
            raise TypeError(f"cannot write the parameters of a {type(predictor).__name__}")
        params: dict[str, Any] = predictor.model.to_params()
        return params

    def from_params(self, params: dict[str, Any]) -> Predictor:
        predictor: Predictor = self.adapter(self.read(params))  # type: ignore[assignment]
        return predictor


@dataclass(frozen=True)
class TrainedOnLoad:
    """A model fast enough to train when it is first used.

    Training is deterministic, so one result per seed serves every app. Its
    held-out metrics for the default data seed ship as ``weights/<id>.metrics.json``
    (``python -m aiaas_mock.zoo.train <id>`` writes them), so a server builds its
    cards without training. With a ``codec``, the parameters trained on that
    seed ship too (``weights/<id>.params.json``) and load without training or
    scikit-learn; another data seed trains on its own data.
    """

    spec: ModelSpec
    train: Callable[[int], LoadedModel]
    """Trains on data from the given seed and measures held-out metrics."""
    requires: tuple[str, ...] = ()
    codec: ParamsCodec | None = None

    def metrics(self, data_seed: int) -> dict[str, float]:
        shipped = read_measured_metrics(self.spec.id, data_seed)
        if shipped is not None:
            return shipped
        return self.load(data_seed, {}).metrics

    def references(self) -> dict[str, float]:
        return {}

    def load(self, data_seed: int, needs: Needs) -> LoadedModel:
        codec = self.codec
        if codec is not None and data_seed == SHIPPED_DATA_SEED:
            return _restored_once(self.spec.id, lambda: self._restore(codec))
        return _train_once(self.train, data_seed)

    def measure_into(self, directory: Path, data_seed: int = SHIPPED_DATA_SEED) -> dict[str, float]:
        """Train on ``data_seed``; write the held-out metrics for cards to read and,
        with a codec, the parameters."""
        directory.mkdir(parents=True, exist_ok=True)
        loaded = self.train(data_seed)
        digest = ""
        if self.codec is not None:
            path = params_path(self.spec.id, directory)
            path.write_text(json.dumps(self.codec.to_params(loaded.predictor)) + "\n")
            digest = file_digest(path)
        MeasuredMetrics(
            model=self.spec.id, data_seed=data_seed, metrics=loaded.metrics, params_sha256=digest
        ).write(directory)
        return loaded.metrics

    def _restore(self, codec: ParamsCodec) -> LoadedModel:
        measured = MeasuredMetrics.model_validate_json(metrics_path(self.spec.id).read_bytes())
        path = params_path(self.spec.id)
        verify_file(path, measured.params_sha256)
        predictor = codec.from_params(json.loads(path.read_text()))
        return LoadedModel(self.spec, predictor, dict(measured.metrics))


@functools.cache
def _train_once(train: Callable[[int], LoadedModel], data_seed: int) -> LoadedModel:
    return train(data_seed)


class _WithCard(Generic[CardT]):
    """What an entry whose card ships as ``weights/<id>.json`` answers from it."""

    spec: ModelSpec
    card_type: type[CardT]

    def card(self, directory: Path = WEIGHTS_DIR) -> CardT:
        return read_card(self.card_type, self.spec.id, directory)

    def metrics(self, data_seed: int) -> dict[str, float]:
        return self.card().metrics

    def references(self) -> dict[str, float]:
        return self.card().references

    def _write_card(self, measured: CardT, weights: Path, started: float, directory: Path) -> CardT:
        """``measured`` completed with the model's identity, the weights' SHA-256
        and the seconds since ``started``, written into ``directory``."""
        card = measured.model_copy(
            update={
                "model": self.spec.id,
                "version": self.spec.version,
                "sha256": file_digest(weights),
                "training_seconds": round(time.perf_counter() - started, 1),
            }
        )
        write_card(card, directory)
        return card


@dataclass(frozen=True)
class ShippedModel(_WithCard[CardT]):
    """A model whose weights ship as ``weights/<id><suffix>`` beside its card."""

    spec: ModelSpec
    card_type: type[CardT]
    restore: Callable[[CardT, Path, Needs], Predictor]
    """The predictor from the card and the weights file (already checked)."""
    train: Callable[[Path, Needs], CardT]
    """Trains from scratch, writes the weights file at the path and returns the
    card's metrics, data and whatever serving needs."""
    weights_suffix: str = ".pt"
    requires: tuple[str, ...] = ()

    def weights(self, directory: Path = WEIGHTS_DIR) -> Path:
        return weights_path(self.spec.id, self.weights_suffix, directory)

    def load(self, data_seed: int, needs: Needs) -> LoadedModel:
        def restore() -> LoadedModel:
            card = self.card()
            return LoadedModel(self.spec, self._restore(card, WEIGHTS_DIR, needs), card.metrics)

        return _restored_once(self.spec.id, restore)

    def restore_from(self, directory: Path, needs: Needs) -> Predictor:
        """The predictor of the card and weights in ``directory``, checked by SHA-256."""
        return self._restore(self.card(directory), directory, needs)

    def _restore(self, card: CardT, directory: Path, needs: Needs) -> Predictor:
        weights = self.weights(directory)
        verify_file(weights, card.sha256)
        return self.restore(card, weights, needs)

    def train_into(self, directory: Path, needs: Needs) -> CardT:
        """Train, write the weights and the card into ``directory``; the card."""
        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        weights = self.weights(directory)
        return self._write_card(self.train(weights, needs), weights, started, directory)


@dataclass(frozen=True)
class PretrainedModel(_WithCard[CardT]):
    """A model trained elsewhere, whose weights are a file in another installed
    package (found by ``locate``). Its card, ``weights/<id>.json``, holds what
    ``evaluate`` measured of it here and the weights file's SHA-256."""

    spec: ModelSpec
    card_type: type[CardT]
    locate: Callable[[], Path]
    restore: Callable[[CardT, Path], Predictor]
    evaluate: Callable[[Path], CardT]
    """Measures the model on held-out data and returns the card's metrics and data."""
    requires: tuple[str, ...] = ()

    def load(self, data_seed: int, needs: Needs) -> LoadedModel:
        def restore() -> LoadedModel:
            card = self.card()
            weights = self.locate()
            verify_file(weights, card.sha256)
            return LoadedModel(self.spec, self.restore(card, weights), card.metrics)

        return _restored_once(self.spec.id, restore)

    def evaluate_into(self, directory: Path) -> CardT:
        """Measure the model and write its card into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        weights = self.locate()
        return self._write_card(self.evaluate(weights), weights, started, directory)


# Restored models are read-only, so one copy serves every app in the process.
_restored: dict[str, LoadedModel] = {}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_of(model_id: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(model_id, threading.Lock())


def _restored_once(model_id: str, restore: Callable[[], LoadedModel]) -> LoadedModel:
    """The model restored from its shipped files, once per process."""
    with _lock_of(model_id):
        loaded = _restored.get(model_id)
        if loaded is None:
            loaded = _restored[model_id] = restore()
    return loaded
