"""What every fine-tunable family provides, and the helpers they share."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from aiaas.types import ColumnProfile, Dataset, TrainingJobRequest

from ...datasets.files import Table
from ...zoo.kit.torch_helpers import torch_module
from ...zoo.model_spec import LoadedModel, Predictor
from ..algorithms import Hyperparameters
from ..plan import Candidate, PlanError, TrainingPlan

Rows = NDArray[np.int64]
Check = Callable[[], None]
"""Called between two batches of training: raises when the job was cancelled."""


class FineTuneHyperparameters(Hyperparameters):
    epochs: int = Field(default=5, ge=1, le=50)
    """Epochs of further training on the tenant's rows."""
    learning_rate: float = Field(default=1e-3, ge=1e-6, le=1e-2)
    """Peak learning rate of the one-cycle schedule: a third of the rate the
    sensor networks were trained at (measured: both sensor families improve on
    another pump or other engines at 3e-3, 1e-3 and 3e-4 alike)."""


@dataclass(frozen=True)
class Tuning:
    """One candidate of a fine-tuning job, as a worker's unit runs it."""

    table: Table
    plan: TrainingPlan
    candidate: Candidate
    base: LoadedModel
    """The shipped network, loaded with the server's data seed (never changed: a
    tuner trains a copy)."""
    check: Check


@dataclass(frozen=True)
class FamilyTuner:
    family: str
    task: str
    """How the plan's folds are drawn: ``classification`` stratifies by target."""
    metric: str
    higher_is_better: bool
    check: Callable[[TrainingJobRequest, Dataset], tuple[tuple[str, ...], str | None, str]]
    """The request's feature columns, grouping column and ranking metric, or PlanError."""
    fold: Callable[[Tuning, Rows, Rows], dict[str, float]]
    """Held-out metrics of the network fine-tuned on the training rows (second
    argument), next to the shipped network's (``base_*``) on the same held-out
    rows (third)."""
    final: Callable[[Tuning, Rows], dict[str, Any]]
    """The state of the network fine-tuned on every row, for its artifact."""
    restore: Callable[[dict[str, Any]], Predictor]
    hyperparameters: type[Hyperparameters] = FineTuneHyperparameters


def epochs(candidate: Candidate) -> int:
    """The candidate's epochs (its hyperparameters are its family's, defaults filled in)."""
    return int(candidate.hyperparameters["epochs"])


def learning_rate(candidate: Candidate) -> float:
    return float(candidate.hyperparameters["learning_rate"])


def numeric_columns(columns: dict[str, ColumnProfile], names: tuple[str, ...], family: str) -> None:
    missing = [name for name in names if name not in columns]
    if missing:
        raise PlanError(
            f"{family} reads columns {', '.join(names)}; the dataset lacks {', '.join(missing)}.",
            "dataset_id",
        )
    for name in names:
        if columns[name].type not in ("integer", "number"):
            raise PlanError(f"{family}: column '{name}' must hold numbers.", "dataset_id")


def state_bytes(network: Any) -> str:
    buffer = io.BytesIO()
    torch_module().save(network.state_dict(), buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def load_state(network: Any, encoded: str) -> Any:
    torch = torch_module()
    state = torch.load(io.BytesIO(base64.b64decode(encoded)), weights_only=True)
    network.load_state_dict(state)
    network.eval()
    return network
