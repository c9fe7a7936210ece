"""The system models' cards, built once when a server starts (loading a model
is :class:`aiaas_mock.model_loader.ModelLoader`'s job)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from aiaas.types import Model

from .entries import TrainedOnLoad, ZooEntry
from .model_spec import card
from .shipped_weights import read_measured_metrics

logger = logging.getLogger("aiaas_mock.catalogue")
"""Progress of building the cards, which can take seconds (shown by ``serve`` and
the pytest fixture)."""


def system_cards(entries: Sequence[ZooEntry], data_seed: int) -> list[Model]:
    """Every entry's card, in listing order."""
    return [_card_of(entry, data_seed) for entry in entries]


def has_measured_metrics(entry: TrainedOnLoad, data_seed: int) -> bool:
    return read_measured_metrics(entry.spec.id, data_seed) is not None


def _card_of(entry: ZooEntry, data_seed: int) -> Model:
    started = time.perf_counter()
    metrics = entry.metrics(data_seed)
    measured = isinstance(entry, TrainedOnLoad) and not has_measured_metrics(entry, data_seed)
    how = "trained and measured" if measured else "read its card"
    logger.info("%s: %s in %.2f s", entry.spec.id, how, time.perf_counter() - started)
    return card(entry.spec, metrics, entry.references())
