"""The system models one server offers: cards at once, predictors on first use."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from aiaas.types import Model

from .base import LoadedModel, ModelSpec, ZooEntry, card
from .energy import ENERGY_REGRESSION
from .quality import QUALITY_LOGREG, QUALITY_SVM
from .regimes import REGIME_KMEANS


def system_entries() -> list[ZooEntry]:
    """Every model family member the service ships."""
    from .defect_model import DEFECT_CNN
    from .maintenance_ner import MAINTENANCE_NER
    from .maintenance_srl import MAINTENANCE_SRL
    from .maintenance_word2vec import MAINTENANCE_WORD2VEC
    from .pump_model import SENSOR_AUTOENCODER
    from .rul_model import RUL_LSTM

    return [
        QUALITY_LOGREG,
        QUALITY_SVM,
        ENERGY_REGRESSION,
        REGIME_KMEANS,
        DEFECT_CNN,
        RUL_LSTM,
        SENSOR_AUTOENCODER,
        MAINTENANCE_WORD2VEC,
        MAINTENANCE_NER,
        MAINTENANCE_SRL,
    ]


class Catalogue:
    """System models by id. Cards are ready at once; a model is loaded when first
    asked for (deep models import torch and read their weights then).
    """

    def __init__(self, entries: Sequence[ZooEntry], data_seed: int) -> None:
        self._entries = {entry.spec.id: entry for entry in entries}
        self._data_seed = data_seed
        self._cards = {e.spec.id: card(e.spec, e.metrics(data_seed)) for e in entries}
        self._loaded: dict[str, LoadedModel] = {}
        self._locks = {model_id: threading.Lock() for model_id in self._entries}

    def cards(self) -> list[Model]:
        return list(self._cards.values())

    def spec(self, model_id: str) -> ModelSpec | None:
        entry = self._entries.get(model_id)
        return entry.spec if entry is not None else None

    def get(self, model_id: str) -> LoadedModel | None:
        """The loaded model, loading it now if need be; ``None`` if there is no such model."""
        loaded = self._loaded.get(model_id)
        if loaded is not None or model_id not in self._entries:
            return loaded
        with self._locks[model_id]:
            if model_id not in self._loaded:
                self._loaded[model_id] = self._entries[model_id].load(self._data_seed)
        return self._loaded[model_id]
