"""How ``regime-kmeans`` is trained and measured when first used: on separate
generated cycles."""

from __future__ import annotations

from ..model_spec import LoadedModel
from .data import generate_cycles
from .model import evaluate, train
from .serving import SPEC, RegimePredictor


def train_and_measure(data_seed: int) -> LoadedModel:
    """The served model: trained and measured on separate generated cycles."""
    model, silhouette = train(generate_cycles(3_000, data_seed), seed=data_seed)
    metrics = evaluate(model, generate_cycles(3_000, data_seed + 1))
    metrics.update(silhouette=round(silhouette, 4), k=float(model.k))
    return LoadedModel(SPEC, RegimePredictor(model), metrics)
