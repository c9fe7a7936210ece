"""The system models one server offers, loaded once per app."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .base import LoadedModel, ZooEntry
from .quality import QUALITY_LOGREG
from .regimes import REGIME_KMEANS


def system_entries() -> list[ZooEntry]:
    """Every model family member the service ships."""
    return [QUALITY_LOGREG, REGIME_KMEANS]


class Catalogue:
    """Loaded system models by id."""

    def __init__(self, entries: Sequence[ZooEntry], data_seed: int) -> None:
        self._models = {entry.spec.id: entry.load(data_seed) for entry in entries}

    def get(self, model_id: str) -> LoadedModel | None:
        return self._models.get(model_id)

    def __iter__(self) -> Iterator[LoadedModel]:
        return iter(self._models.values())
