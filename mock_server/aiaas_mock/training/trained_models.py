"""Tenants' trained models, loaded from their artifacts on first use and kept
(the most recently used few) so later calls skip reading them again."""

from __future__ import annotations

import threading
from collections import OrderedDict

from aiaas.types import Model

from ..zoo.model_spec import LoadedModel
from . import serving


class TrainedModels:
    """Tenants' trained models, loaded from their artifacts on first use."""

    def __init__(self, capacity: int = 64) -> None:
        self._capacity = capacity
        self._loaded: OrderedDict[str, LoadedModel] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, card: Model, artifact: bytes) -> LoadedModel:
        with self._lock:
            loaded = self._loaded.get(card.id)
            if loaded is not None:
                self._loaded.move_to_end(card.id)
                return loaded
        loaded = serving.load(card.id, artifact, card)
        with self._lock:
            self._loaded[card.id] = loaded
            while len(self._loaded) > self._capacity:
                self._loaded.popitem(last=False)
        return loaded
