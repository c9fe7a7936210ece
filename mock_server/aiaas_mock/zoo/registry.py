"""Every system model the service ships, in the order the catalogue lists them.

Adding a model is its family package plus one entry here; the catalogue, the
training and report commands, the docs checks and the tests all read this list.
"""

from __future__ import annotations

from graphlib import TopologicalSorter
from typing import Any

from .chat_llm import CHAT_LLM
from .defect_cnn import DEFECT_CNN
from .energy_regression import ENERGY_REGRESSION
from .entries import PretrainedModel, ShippedModel, TrainedOnLoad, ZooEntry
from .maintenance_ner import MAINTENANCE_NER
from .maintenance_srl import MAINTENANCE_SRL
from .maintenance_word2vec import MAINTENANCE_WORD2VEC
from .quality import QUALITY_LOGREG, QUALITY_SVM
from .regime_kmeans import REGIME_KMEANS
from .rul_lstm import RUL_LSTM
from .sensor_autoencoder import SENSOR_AUTOENCODER

SYSTEM_MODELS: tuple[ZooEntry, ...] = (
    QUALITY_LOGREG,
    QUALITY_SVM,
    ENERGY_REGRESSION,
    REGIME_KMEANS,
    DEFECT_CNN,
    RUL_LSTM,
    SENSOR_AUTOENCODER,
    MAINTENANCE_WORD2VEC,
    MAINTENANCE_NER,
    MAINTENANCE_SRL,
    CHAT_LLM,
)


def system_model_ids() -> list[str]:
    return [entry.spec.id for entry in SYSTEM_MODELS]


def dependency_order(entries: tuple[ZooEntry, ...] = SYSTEM_MODELS) -> list[ZooEntry]:
    """``entries`` with every model after the models it requires (listing order
    otherwise); ``ValueError`` for a requirement that is missing or circular."""
    by_id = {entry.spec.id: entry for entry in entries}
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for entry in entries:
        missing = set(entry.requires) - by_id.keys()
        if missing:
            raise ValueError(f"{entry.spec.id} requires unknown models: {sorted(missing)}")
        sorter.add(entry.spec.id, *entry.requires)
    sorter.prepare()  # raises graphlib.CycleError (a ValueError) on a cycle
    position = {model_id: i for i, model_id in enumerate(by_id)}
    ordered: list[ZooEntry] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        ordered.extend(by_id[model_id] for model_id in ready)
        sorter.done(*ready)
    return ordered


def shipped_models() -> dict[str, ShippedModel[Any]]:
    """The models whose weights ship, in an order that trains requirements first."""
    return {entry.spec.id: entry for entry in dependency_order() if isinstance(entry, ShippedModel)}


def pretrained_models() -> dict[str, PretrainedModel[Any]]:
    """The models trained elsewhere, measured here for their cards."""
    return {entry.spec.id: entry for entry in SYSTEM_MODELS if isinstance(entry, PretrainedModel)}


def trained_on_load_models() -> dict[str, TrainedOnLoad]:
    """The models trained when first used, whose cards' metrics ship."""
    return {entry.spec.id: entry for entry in SYSTEM_MODELS if isinstance(entry, TrainedOnLoad)}
