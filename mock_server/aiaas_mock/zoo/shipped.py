"""Models whose trained weights ship with the package.

Each has a weights file ``weights/<id>.<suffix>`` (a torch state dict, a CRF model,
word vectors) and ``weights/<id>.json``: the
held-out metrics, the SHA-256 of the weights and whatever else inference needs
(class names, input scaling). ``python -m aiaas_mock.zoo.train <id>`` writes both,
deterministically. The card comes from the JSON alone, so listing models never
imports torch; the weights are loaded, and checked, on first use.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import LoadedModel, ModelSpec, Predictor

WEIGHTS_DIR = Path(__file__).parent / "weights"


class WeightsIntegrityError(RuntimeError):
    """A weights file is missing or not the one its model card was made with."""


def weights_path(model_id: str, directory: Path = WEIGHTS_DIR, suffix: str = ".pt") -> Path:
    return directory / f"{model_id}{suffix}"


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify_file(path: Path, sha256: str) -> None:
    """Raise :class:`WeightsIntegrityError` unless ``path`` exists with this SHA-256."""
    if not path.exists():
        raise WeightsIntegrityError(f"weights file {path.name} is missing")
    if file_digest(path) != sha256:
        raise WeightsIntegrityError(f"weights file {path.name} does not match its checksum")


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
    weights_suffix: str = ".pt"

    def metrics(self, data_seed: int) -> dict[str, float]:
        metrics: dict[str, float] = read_metadata(self.spec.id)["metrics"]
        return metrics

    def load(self, data_seed: int) -> LoadedModel:
        return _restored(self)


@functools.cache
def _restored(entry: ShippedModel) -> LoadedModel:
    # Weights are read-only once loaded, so one copy serves every app in the process.
    metadata = read_metadata(entry.spec.id)
    predictor = entry.restore(metadata, weights_path(entry.spec.id, suffix=entry.weights_suffix))
    return LoadedModel(entry.spec, predictor, metadata["metrics"])
