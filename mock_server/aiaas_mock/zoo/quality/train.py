"""How ``quality-logreg`` and ``quality-svm`` are trained and measured when a
model is first used: on separate generated runs for training, threshold and
metrics."""

from __future__ import annotations

from collections.abc import Callable

from ..model_spec import LoadedModel, ModelSpec
from .data import ProcessData, generate_process_runs
from .model import QualityClassifier, evaluate
from .serving import QualityPredictor


def trained_on_load(
    spec: ModelSpec, fit: Callable[[ProcessData, ProcessData], QualityClassifier], n_train: int
) -> Callable[[int], LoadedModel]:
    """How a server gets the model of ``spec``: ``fit`` on ``n_train`` runs."""

    def train_and_measure(data_seed: int) -> LoadedModel:
        model = fit(
            generate_process_runs(n_train, data_seed), generate_process_runs(5_000, data_seed + 1)
        )
        metrics = evaluate(model, generate_process_runs(10_000, data_seed + 2))
        return LoadedModel(spec, QualityPredictor(model), metrics)

    return train_and_measure
