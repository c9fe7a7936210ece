"""Models whose trained weights ship with the package.

Each has ``weights/<id>.pt`` (a torch state dict) and ``weights/<id>.json``: the
held-out metrics, the SHA-256 of the weights and whatever else inference needs
(class names, input scaling). ``python -m aiaas_mock.zoo.train <id>`` writes both,
deterministically. The card comes from the JSON alone, so listing models never
imports torch; the weights are loaded, and checked, on first use.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import LoadedModel, ModelSpec, Predictor

WEIGHTS_DIR = Path(__file__).parent / "weights"


def weights_path(model_id: str, directory: Path = WEIGHTS_DIR) -> Path:
    return directory / f"{model_id}.pt"


def metadata_path(model_id: str, directory: Path = WEIGHTS_DIR) -> Path:
    return directory / f"{model_id}.json"


def read_metadata(model_id: str, directory: Path = WEIGHTS_DIR) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(metadata_path(model_id, directory).read_text())
    return data


def write_metadata(model_id: str, metadata: dict[str, Any], directory: Path = WEIGHTS_DIR) -> None:
    path = metadata_path(model_id, directory)
    path.write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")


@dataclass(frozen=True)
class ShippedModel:
    """A catalogue entry backed by shipped weights."""

    spec: ModelSpec
    restore: Callable[[dict[str, Any], Path], Predictor]
    """Builds the predictor from the metadata and the weights file (checking it)."""
    train: Callable[[Path], dict[str, Any]]
    """Trains from scratch, writes weights into the directory, returns the metadata."""

    def metrics(self, data_seed: int) -> dict[str, float]:
        metrics: dict[str, float] = read_metadata(self.spec.id)["metrics"]
        return metrics

    def load(self, data_seed: int) -> LoadedModel:
        return _restored(self)


@functools.cache
def _restored(entry: ShippedModel) -> LoadedModel:
    # Weights are read-only once loaded, so one copy serves every app in the process.
    metadata = read_metadata(entry.spec.id)
    predictor = entry.restore(metadata, weights_path(entry.spec.id))
    return LoadedModel(entry.spec, predictor, metadata["metrics"])
