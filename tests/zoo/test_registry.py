"""The registry: one list of models that the catalogue, the commands, the docs
and the tests all read; requirements load and train first."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aiaas_mock.model_loader import ModelLoader
from aiaas_mock.zoo import train
from aiaas_mock.zoo.entries import TrainedOnLoad, ZooEntry
from aiaas_mock.zoo.maintenance_ner.serving import EntityPredictor
from aiaas_mock.zoo.maintenance_srl.serving import FramePredictor
from aiaas_mock.zoo.model_spec import LoadedModel, card
from aiaas_mock.zoo.registry import (
    SYSTEM_MODELS,
    dependency_order,
    shipped_models,
    system_model_ids,
)
from aiaas_mock.zoo.shipped_weights import card_path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_ids_are_unique() -> None:
    assert len(set(system_model_ids())) == len(SYSTEM_MODELS)


def test_the_readme_table_lists_every_registered_model_once() -> None:
    rows = [line for line in README.read_text().splitlines() if line.startswith("| `")]
    listed = [model for row in rows for model in re.findall(r"`([a-z0-9-]+)`", row.split("|")[1])]
    assert sorted(listed) == sorted(system_model_ids())


def test_models_come_after_what_they_require() -> None:
    order = [entry.spec.id for entry in dependency_order()]
    assert order.index("maintenance-ner") < order.index("maintenance-srl")
    assert list(shipped_models()) == [i for i in order if i in shipped_models()]


def _entry(model_id: str, *requires: str) -> TrainedOnLoad:
    spec = SYSTEM_MODELS[0].spec

    def unused(seed: int) -> LoadedModel:
        raise AssertionError("not trained")

    return TrainedOnLoad(type(spec)(**{**spec.__dict__, "id": model_id}), unused, requires)


def test_unknown_and_circular_requirements_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown models"):
        dependency_order((_entry("a", "b"),))
    with pytest.raises(ValueError, match="cycle"):
        dependency_order((_entry("a", "b"), _entry("b", "a")))
    assert [e.spec.id for e in dependency_order((_entry("a", "b"), _entry("b")))] == ["b", "a"]


@pytest.mark.parametrize("model_id", list(shipped_models()))
def test_weights_cards_are_typed_and_complete(model_id: str) -> None:
    """The typed card holds every field of the shipped JSON, and writes it back as it was."""
    entry = shipped_models()[model_id]
    card = entry.card()
    assert card.model == model_id
    assert card.version == entry.spec.version, "retrain, or the card describes other weights"
    assert len(card.sha256) == 64
    written = json.dumps(card.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    assert written == card_path(model_id).read_text()


def test_the_catalogue_loads_requirements_first() -> None:
    catalogue = ModelLoader(SYSTEM_MODELS, data_seed=0)
    srl = catalogue.system("maintenance-srl").predictor
    ner = catalogue.system("maintenance-ner").predictor
    assert isinstance(srl, FramePredictor)
    assert isinstance(ner, EntityPredictor)
    assert srl.model.frames("replace brg on pump 3")


def test_training_reads_a_requirement_from_the_shipped_weights_when_not_retrained(
    tmp_path: Path,
) -> None:
    restored = train._restored(shipped_models(), "maintenance-ner", tmp_path)
    assert isinstance(restored, EntityPredictor)


@pytest.mark.parametrize("entry", SYSTEM_MODELS, ids=lambda entry: entry.spec.id)
def test_every_card_names_its_training_data_and_evaluation(entry: ZooEntry) -> None:
    model = card(entry.spec, entry.metrics(0), entry.references())
    assert model.training_data in ("generated", "real", "real and generated")
    assert model.evaluation
    assert model.data
    # Published figures and checks of the recipe elsewhere are references, never metrics.
    assert not any(name.startswith(("published", "digits")) for name in model.metrics)
