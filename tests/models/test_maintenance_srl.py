"""maintenance-srl: frames on generated and real work orders."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiaas_mock.zoo import maintenance_logs as logs
from aiaas_mock.zoo import maintenance_srl as srl
from aiaas_mock.zoo.maintenance_ner import MAINTENANCE_NER
from aiaas_mock.zoo.maintie import MaintieSet
from aiaas_mock.zoo.shipped import file_digest, read_metadata

ONE_TRIPLE = 0.002
"""How far one of the ~690 real (predicate, argument, role) triples moves micro-F1."""


@pytest.fixture(scope="module")
def labeller() -> srl.RoleLabeller:
    return srl.MAINTENANCE_SRL.load(0).predictor  # type: ignore[return-value]


def _frames(labeller: srl.RoleLabeller, text: str) -> dict[str, set[tuple[str, str]]]:
    return {
        text[p[0] : p[1]]: {(role, text[a:b]) for a, b, role in arguments}
        for p, arguments in labeller.frames(text)
    }


def test_who_did_what_to_what(labeller: srl.RoleLabeller) -> None:
    assert _frames(labeller, "electrician to replace brg on pump 3") == {
        "replace": {("agent", "electrician"), ("patient", "brg")}
    }
    assert _frames(labeller, "gearbox leaking oil - replaced seal") == {
        "leaking": {("agent", "gearbox"), ("patient", "oil")},
        "replaced": {("patient", "seal")},
    }
    assert _frames(labeller, "pump 3 bearing worn") == {"worn": {("patient", "bearing")}}


def test_fresh_generated_orders(labeller: srl.RoleLabeller) -> None:
    scores = srl.evaluate(labeller, logs.generate_work_orders(1_000, seed=321))
    assert scores["f1"] >= 0.9


def test_real_work_orders(labeller: srl.RoleLabeller, maintie: MaintieSet) -> None:
    given = srl.evaluate(labeller, maintie.orders, gold_entities=True)
    assert given["f1"] >= 0.60
    end_to_end = srl.evaluate(labeller, maintie.orders)
    # Bounded by the entity tagger: both spans of only about half the gold
    # relations are among its entities. A floor against regressions:
    assert end_to_end["f1"] >= 0.38
    assert end_to_end["f1"] == pytest.approx(
        read_metadata("maintenance-srl")["metrics"]["maintie_f1"], abs=ONE_TRIPLE
    )


def test_training_is_deterministic(tmp_path: Path, labeller: srl.RoleLabeller) -> None:
    orders = logs.generate_work_orders(500, seed=9)
    tagger = MAINTENANCE_NER.load(0).predictor
    srl.train(orders, tmp_path / "a", tagger)  # type: ignore[arg-type]
    srl.train(orders, tmp_path / "b", tagger)  # type: ignore[arg-type]
    assert file_digest(tmp_path / "a") == file_digest(tmp_path / "b")
