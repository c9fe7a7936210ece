"""maintenance-ner: the shipped tagger's quality on real and generated work orders."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiaas_mock.zoo.maintenance_ner import MAINTENANCE_NER, model
from aiaas_mock.zoo.maintenance_ner import train as ner
from aiaas_mock.zoo.maintenance_ner.model import EntityTagger
from aiaas_mock.zoo.maintenance_ner.serving import EntityPredictor
from aiaas_mock.zoo.maintenance_text import work_orders as logs
from aiaas_mock.zoo.maintenance_text.inputs import NoParameters
from aiaas_mock.zoo.maintenance_text.maintie import MaintieSet
from aiaas_mock.zoo.shipped_weights import file_digest

ONE_SPAN = 0.001
"""How far one of the ~1,700 real spans moves micro-F1: a tie the CRF breaks
another way on another CPU may cost one, nothing more."""


@pytest.fixture(scope="module")
def predictor() -> EntityPredictor:
    loaded = MAINTENANCE_NER.load(0, {}).predictor
    assert isinstance(loaded, EntityPredictor)
    return loaded


@pytest.fixture(scope="module")
def tagger(predictor: EntityPredictor) -> EntityTagger:
    return predictor.model


def test_reads_a_technicians_order(tagger: EntityTagger) -> None:
    text = "hyd hose leaking on loader 7 - replaced"
    found = {(text[s.start : s.end], s.type) for s in tagger.entities(text)}
    assert found == {
        ("hyd hose", "PhysicalObject"),
        ("leaking", "Process"),
        ("loader", "PhysicalObject"),
        ("replaced", "Activity"),
    }


def test_offsets_index_the_input(predictor: EntityPredictor) -> None:
    texts = ["  REPLACE  BRG on PUMP #3 ", "électricien to chk wiring", "a/c u/s"]
    for text, output in zip(texts, predictor.predict(texts, NoParameters()), strict=True):
        for entity in output.entities:  # type: ignore[attr-defined]
            assert text[entity.start : entity.end] == entity.text


def test_fresh_generated_orders(tagger: EntityTagger) -> None:
    scores = ner.evaluate(tagger, logs.generate_work_orders(1_000, seed=123))
    assert scores["f1"] >= 0.92


def test_finds_nested_spans(tagger: EntityTagger) -> None:
    # MaintIE nests the head of a compound in it: "filter" in "oil filter".
    text = "replace engine oil filter"
    found = {(text[s.start : s.end], s.type) for s in tagger.entities(text)}
    assert ("oil filter", "PhysicalObject") in found
    assert ("filter", "PhysicalObject") in found


def test_learned_the_real_orders(tagger: EntityTagger, maintie: MaintieSet) -> None:
    # Trained on them: far above the cross-validated score, as a fitted model is.
    scores = ner.evaluate(tagger, maintie.orders)
    assert scores["f1"] >= 0.9


@pytest.mark.slow
def test_cross_validation_reproduces_the_card(maintie: MaintieSet) -> None:
    generated = logs.generate_work_orders(ner.TRAIN_ORDERS, seed=0)
    scores = ner.cross_validate(maintie.orders, generated, seed=0)
    assert scores["f1"] >= 0.8
    assert scores["f1"] == pytest.approx(MAINTENANCE_NER.metrics(0)["maintie_f1"], abs=ONE_SPAN)


@pytest.mark.slow
def test_words_never_seen_in_training(tmp_path: Path, maintie: MaintieSet) -> None:
    """The recipe, trained without a fifth of the concepts, on orders that use them."""
    kept, held_out = logs.Lexicon().split(ner.HELD_OUT_SHARE, seed=7)
    generated = logs.generate_work_orders(ner.TRAIN_ORDERS, seed=0, lexicon=kept)
    recipe = model.train(generated, maintie.orders, tmp_path / "m")
    scores = ner.evaluate(recipe, ner.unseen_vocabulary_orders(kept, held_out, 1_000, seed=5))
    assert scores["f1"] >= 0.8


def test_training_is_deterministic(tmp_path: Path, maintie: MaintieSet) -> None:
    orders = logs.generate_work_orders(300, seed=9)
    model.train(orders, maintie.orders[:100], tmp_path / "a")
    model.train(orders, maintie.orders[:100], tmp_path / "b")
    assert file_digest(tmp_path / "a") == file_digest(tmp_path / "b")


def test_card_states_every_measure() -> None:
    metrics = MAINTENANCE_NER.metrics(0)
    assert metrics["maintie_f1"] >= 0.8
    assert metrics["maintie_outermost_f1"] >= 0.8
    assert all(metrics[f"maintie_f1_{kind}"] >= 0.75 for kind in logs.ENTITY_TYPES)
    assert metrics["generated_f1"] >= 0.92
    assert metrics["unseen_vocabulary_f1"] >= 0.8
    assert MAINTENANCE_NER.spec.training_data == "real and generated"
