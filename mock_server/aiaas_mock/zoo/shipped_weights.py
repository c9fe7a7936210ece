"""Weights that ship with the package, and the card that travels with them.

Each shipped model has a weights file ``weights/<id>.<suffix>`` (a torch state
dict, a CRF model, word vectors) and ``weights/<id>.json``, its
:class:`WeightsCard`: the held-out metrics, the SHA-256 of the weights file and
whatever else inference needs (class names, input scaling). The model card the
server lists comes from the JSON alone, so listing models never imports torch;
the weights are read, and checked, on first use.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

WEIGHTS_DIR = Path(__file__).parent / "weights"
REAL_DATA_DIR = Path(__file__).parent / "real_data"
"""Public real data that shipped models are trained on, with its licences (README.md)."""


class WeightsIntegrityError(RuntimeError):
    """A weights file is missing or not the one its card was made with."""


class WeightsCard(BaseModel):
    """What training measured and wrote down; a family adds what its serving needs.

    ``model``, ``version``, ``sha256`` and ``training_seconds`` are filled in by
    :meth:`~aiaas_mock.zoo.entries.ShippedModel.train_into`, the one place that
    writes cards; a family's training returns the rest.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    metrics: dict[str, float]
    """Measurements of these weights' recipe on data it was not trained on."""
    data: dict[str, str]
    """Which data trained and measured the model, in words."""
    references: dict[str, float] = {}
    """Figures measured by training for orientation that are not measurements of
    these weights (another network of the same design on a public benchmark)."""
    model: str = ""
    version: str = ""
    sha256: str = ""
    training_seconds: float = 0.0


CardT = TypeVar("CardT", bound=WeightsCard)


def weights_path(model_id: str, suffix: str, directory: Path = WEIGHTS_DIR) -> Path:
    return directory / f"{model_id}{suffix}"


def card_path(model_id: str, directory: Path = WEIGHTS_DIR) -> Path:
    return directory / f"{model_id}.json"


class MeasuredMetrics(BaseModel):
    """The held-out metrics of a model trained when first used, measured once for
    a data seed, so that its card needs no training; and the SHA-256 of the
    parameters trained on that seed, where they ship too."""

    model: str
    data_seed: int
    metrics: dict[str, float]
    params_sha256: str = ""

    def write(self, directory: Path = WEIGHTS_DIR) -> None:
        path = metrics_path(self.model, directory)
        path.write_text(self.model_dump_json(indent=2) + "\n")


def metrics_path(model_id: str, directory: Path = WEIGHTS_DIR) -> Path:
    return directory / f"{model_id}.metrics.json"


def params_path(model_id: str, directory: Path = WEIGHTS_DIR) -> Path:
    return directory / f"{model_id}.params.json"


def read_measured_metrics(
    model_id: str, data_seed: int, directory: Path = WEIGHTS_DIR
) -> dict[str, float] | None:
    """The shipped metrics of ``model_id`` for ``data_seed``, if they were measured."""
    path = metrics_path(model_id, directory)
    if not path.is_file():
        return None
    measured = MeasuredMetrics.model_validate_json(path.read_bytes())
    return dict(measured.metrics) if measured.data_seed == data_seed else None


def read_card(card_type: type[CardT], model_id: str, directory: Path = WEIGHTS_DIR) -> CardT:
    return card_type.model_validate_json(card_path(model_id, directory).read_bytes())


def write_card(card: WeightsCard, directory: Path = WEIGHTS_DIR) -> None:
    # Sorted keys keep the diff of a retrained card to the values that changed.
    text = json.dumps(card.model_dump(mode="json"), indent=2, sort_keys=True)
    card_path(card.model, directory).write_text(text + "\n")


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify_file(path: Path, sha256: str) -> None:
    """Raise :class:`WeightsIntegrityError` unless ``path`` exists with this SHA-256."""
    if not path.exists():
        raise WeightsIntegrityError(f"weights file {path.name} is missing")
    if file_digest(path) != sha256:
        raise WeightsIntegrityError(f"weights file {path.name} does not match its checksum")
