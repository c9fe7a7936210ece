"""The system models one server offers: cards at once, predictors on first use."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from aiaas.types import Model

from .entries import TrainedOnLoad, ZooEntry
from .model_spec import LoadedModel, card
from .shipped_weights import read_measured_metrics

logger = logging.getLogger("aiaas_mock.catalogue")
"""Progress of building the cards, which can take seconds (shown by ``serve`` and
the pytest fixture)."""


class Catalogue:
    """System models by id. Cards are ready at once; a model is loaded when first
    asked for (deep models import torch and read their weights then), after the
    models it requires.
    """

    def __init__(self, entries: Sequence[ZooEntry], data_seed: int) -> None:
        self._entries = {entry.spec.id: entry for entry in entries}
        self._data_seed = data_seed
        self._cards = {entry.spec.id: _card_of(entry, data_seed) for entry in entries}
        self._loaded: dict[str, LoadedModel] = {}
        self._locks = {model_id: threading.Lock() for model_id in self._entries}

    def cards(self) -> list[Model]:
        return list(self._cards.values())

    def entry(self, model_id: str) -> ZooEntry | None:
        return self._entries.get(model_id)

    def load(self, model_id: str) -> LoadedModel:
        """The loaded model, loading it (and what it requires) now if need be.

        ``KeyError`` for an id the catalogue does not have.
        """
        loaded = self._loaded.get(model_id)
        if loaded is not None:
            return loaded
        entry = self._entries[model_id]
        needs = {required: self.load(required).predictor for required in entry.requires}
        with self._locks[model_id]:
            if model_id not in self._loaded:
                started = time.perf_counter()
                self._loaded[model_id] = entry.load(self._data_seed, needs)
                seconds = time.perf_counter() - started
                logger.info("%s: loaded on first use in %.2f s", model_id, seconds)
        return self._loaded[model_id]


def has_measured_metrics(entry: TrainedOnLoad, data_seed: int) -> bool:
    return read_measured_metrics(entry.spec.id, data_seed) is not None


def _card_of(entry: ZooEntry, data_seed: int) -> Model:
    started = time.perf_counter()
    metrics = entry.metrics(data_seed)
    measured = isinstance(entry, TrainedOnLoad) and not has_measured_metrics(entry, data_seed)
    how = "trained and measured" if measured else "read its card"
    logger.info("%s: %s in %.2f s", entry.spec.id, how, time.perf_counter() - started)
    return card(entry.spec, metrics, entry.references())
