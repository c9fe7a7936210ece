"""maintenance-srl: frames on generated and real work orders."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiaas_mock.zoo.maintenance_ner import MAINTENANCE_NER
from aiaas_mock.zoo.maintenance_ner.serving import EntityPredictor
from aiaas_mock.zoo.maintenance_srl import MAINTENANCE_SRL, model
from aiaas_mock.zoo.maintenance_srl import train as srl
from aiaas_mock.zoo.maintenance_srl.model import RoleLabeller
from aiaas_mock.zoo.maintenance_srl.serving import FramePredictor
from aiaas_mock.zoo.maintenance_text import work_orders as logs
from aiaas_mock.zoo.maintenance_text.maintie import MaintieSet
from aiaas_mock.zoo.shipped_weights import file_digest

ONE_TRIPLE = 0.002
"""How far one of the ~690 real (predicate, argument, role) triples moves micro-F1."""


@pytest.fixture(scope="module")
def labeller() -> RoleLabeller:
    ner = MAINTENANCE_NER.load(0, {})
    predictor = MAINTENANCE_SRL.load(0, {MAINTENANCE_NER.spec.id: ner.predictor}).predictor
    assert isinstance(predictor, FramePredictor)
    return predictor.model


def _frames(labeller: RoleLabeller, text: str) -> dict[str, set[tuple[str, str]]]:
    return {
        text[p.start : p.end]: {(a.type, text[a.start : a.end]) for a in arguments}
        for p, arguments in labeller.frames(text)
    }


def test_who_did_what_to_what(labeller: RoleLabeller) -> None:
    assert _frames(labeller, "electrician to replace brg on pump 3") == {
        "replace": {("agent", "electrician"), ("patient", "brg")}
    }
    assert _frames(labeller, "gearbox leaking oil - replaced seal") == {
        "leaking": {("agent", "gearbox"), ("patient", "oil")},
        "replaced": {("patient", "seal")},
    }
    assert _frames(labeller, "pump 3 bearing worn") == {"worn": {("patient", "bearing")}}


def test_fresh_generated_orders(labeller: RoleLabeller) -> None:
    scores = srl.evaluate(labeller, logs.generate_work_orders(1_000, seed=321))
    assert scores["f1"] >= 0.9


def test_real_work_orders(labeller: RoleLabeller, maintie: MaintieSet) -> None:
    given = srl.evaluate(labeller, maintie.orders, gold_entities=True)
    assert given["f1"] >= 0.60
    end_to_end = srl.evaluate(labeller, maintie.orders)
    # Bounded by the entity tagger: both spans of only about half the gold
    # relations are among its entities. A floor against regressions:
    assert end_to_end["f1"] >= 0.38
    assert end_to_end["f1"] == pytest.approx(
        MAINTENANCE_SRL.metrics(0)["maintie_f1"], abs=ONE_TRIPLE
    )


def test_training_is_deterministic(tmp_path: Path, labeller: RoleLabeller) -> None:
    orders = logs.generate_work_orders(500, seed=9)
    ner = MAINTENANCE_NER.load(0, {}).predictor
    assert isinstance(ner, EntityPredictor)
    model.train(orders, tmp_path / "a", ner.model)
    model.train(orders, tmp_path / "b", ner.model)
    assert file_digest(tmp_path / "a") == file_digest(tmp_path / "b")
