"""Every model a process runs, loaded once: the zoo's system models and tenants'
trained or fine-tuned models, read from their artifacts.

The API process has one loader (``Services.models``); every worker process has
one per data seed (:func:`worker_models`). Both load a system model with the
server's configured ``data_seed``, so a batch prediction or a fine-tuning job
uses the very network the API serves.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from aiaas.types import Model

from .training import serving
from .zoo.entries import ZooEntry
from .zoo.model_spec import LoadedModel
from .zoo.registry import SYSTEM_MODELS

logger = logging.getLogger("aiaas_mock.catalogue")


@dataclass(frozen=True)
class ModelRef:
    """A model as a worker process is told of it: a system model by id, or a
    tenant's with its artifact and card (a worker cannot read the database)."""

    model_id: str
    data_seed: int
    artifact: bytes | None = None
    card: str | None = None
    """The card as JSON, for a tenant's model."""


class ModelLoader:
    """System models by id, kept for the life of the process once loaded (after
    the models they require); tenants' models by id, the most recently used
    ``tenant_capacity`` of them."""

    def __init__(
        self, entries: Sequence[ZooEntry], data_seed: int, tenant_capacity: int = 64
    ) -> None:
        self.data_seed = data_seed
        self._entries = {entry.spec.id: entry for entry in entries}
        self._system: dict[str, LoadedModel] = {}
        self._system_locks = {model_id: threading.Lock() for model_id in self._entries}
        # Keyed by id and training job: an id freed by a delete or a rename in
        # another server process may be taken by another model later.
        self._tenant: OrderedDict[tuple[str, str | None], LoadedModel] = OrderedDict()
        self._tenant_capacity = tenant_capacity
        self._tenant_lock = threading.Lock()

    def entry(self, model_id: str) -> ZooEntry | None:
        """The zoo entry of a system model; ``None`` for any other id."""
        return self._entries.get(model_id)

    def system(self, model_id: str) -> LoadedModel:
        """A system model, loading it (and what it requires) now if need be.

        ``KeyError`` for an id the zoo does not have.
        """
        loaded = self._system.get(model_id)
        if loaded is not None:
            return loaded
        entry = self._entries[model_id]
        needs = {required: self.system(required).predictor for required in entry.requires}
        with self._system_locks[model_id]:
            if model_id not in self._system:
                started = time.perf_counter()
                self._system[model_id] = entry.load(self.data_seed, needs)
                seconds = time.perf_counter() - started
                logger.info("%s: loaded on first use in %.2f s", model_id, seconds)
        return self._system[model_id]

    def tenant(self, card: Model, artifact: bytes) -> LoadedModel:
        """A tenant's model from its stored artifact, read once while it is used."""
        key = (card.id, card.training_job_id)
        with self._tenant_lock:
            loaded = self._tenant.get(key)
            if loaded is not None:
                self._tenant.move_to_end(key)
                return loaded
        loaded = serving.load(card.id, artifact, card)
        with self._tenant_lock:
            self._tenant[key] = loaded
            while len(self._tenant) > self._tenant_capacity:
                self._tenant.popitem(last=False)
        return loaded

    def load(self, ref: ModelRef) -> LoadedModel:
        if ref.artifact is None or ref.card is None:
            return self.system(ref.model_id)
        return self.tenant(Model.model_validate_json(ref.card), ref.artifact)

    def forget(self, model_id: str) -> None:
        """Drop a tenant's model (deleted or renamed) from memory."""
        with self._tenant_lock:
            for key in [key for key in self._tenant if key[0] == model_id]:
                del self._tenant[key]


@functools.cache
def worker_models(data_seed: int) -> ModelLoader:
    """The loader of this worker process for ``data_seed``: a few tenant models
    at a time, as a worker serves one job's chunks after another's."""
    return ModelLoader(SYSTEM_MODELS, data_seed, tenant_capacity=4)
