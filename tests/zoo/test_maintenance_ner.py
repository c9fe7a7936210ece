"""maintenance-ner: the shipped tagger's quality on generated and real work orders."""

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
"""How far one of the ~1,500 real spans moves micro-F1: a tie the CRF breaks
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
    assert scores["f1"] >= 0.97


def test_real_work_orders(tagger: EntityTagger, maintie: MaintieSet) -> None:
    scores = ner.evaluate(tagger, maintie.orders, outermost_only=True)
    assert scores["f1"] >= 0.60
    assert scores["f1"] == pytest.approx(MAINTENANCE_NER.metrics(0)["maintie_f1"], abs=ONE_SPAN)


@pytest.mark.slow
def test_words_never_seen_in_training(tmp_path: Path) -> None:
    """The recipe, trained without a fifth of the concepts, on orders that use them."""
    kept, held_out = logs.Lexicon().split(ner.HELD_OUT_SHARE, seed=7)
    recipe = model.train(
        logs.generate_work_orders(ner.TRAIN_ORDERS, seed=0, lexicon=kept), tmp_path / "m"
    )
    scores = ner.evaluate(recipe, ner.unseen_vocabulary_orders(kept, held_out, 1_000, seed=5))
    assert scores["f1"] >= 0.75


def test_training_is_deterministic(tmp_path: Path) -> None:
    orders = logs.generate_work_orders(500, seed=9)
    model.train(orders, tmp_path / "a")
    model.train(orders, tmp_path / "b")
    assert file_digest(tmp_path / "a") == file_digest(tmp_path / "b")


def test_card_states_every_measure() -> None:
    metrics = MAINTENANCE_NER.metrics(0)
    assert metrics["generated_f1"] >= 0.97
    assert metrics["unseen_vocabulary_f1"] >= 0.75
    assert metrics["maintie_f1"] >= 0.60
