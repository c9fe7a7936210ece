"""How the shipped ``maintenance-srl`` is trained and measured, reproducibly.

The served labeller learns from 6,000 generated orders and the patient and agent
relations of the 538 real MaintIE work orders in ``real_data/``. Quality is
micro-F1 over (predicate span, argument span, role) triples: on the real orders
by 5-fold cross-validation over texts (the entity tagger of each fold trained
without the fold's texts too), from raw text and with the gold entities given,
to tell the two error sources apart; and on fresh generated orders.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..kit.folds import group_folds
from ..kit.text_spans import Offsets, Span
from ..maintenance_ner.model import REAL_WEIGHT
from ..maintenance_ner.model import train as train_entities
from ..maintenance_ner.train import TRAIN_ORDERS as NER_TRAIN_ORDERS
from ..maintenance_text.maintie import load_maintie
from ..maintenance_text.scoring import scores_by_label, span_scores
from ..maintenance_text.work_orders import PREDICATE_TYPES, ROLES, WorkOrder, generate_work_orders
from ..model_spec import Needs
from ..shipped_weights import WeightsCard
from .model import RoleLabeller, train
from .serving import entity_tagger

TRAIN_ORDERS = 6_000
FOLDS = 5


@dataclass(frozen=True)
class Role:
    """One (predicate, argument, role) triple; the argument's type is its role."""

    predicate: Offsets
    argument: Span


def gold_roles(order: WorkOrder) -> set[Role]:
    roles = set()
    for r in order.relations:
        head, tail = order.entities[r.head], order.entities[r.tail]
        if head.type in PREDICATE_TYPES:
            roles.add(Role((head.start, head.end), Span(tail.start, tail.end, r.role)))
    return roles


def predicted_roles(
    labeller: RoleLabeller, orders: Sequence[WorkOrder], gold_entities: bool = False
) -> list[set[Role]]:
    return [
        {
            Role((predicate.start, predicate.end), argument)
            for predicate, arguments in labeller.frames(
                order.text, order.entities if gold_entities else None
            )
            for argument in arguments
        }
        for order in orders
    ]


def evaluate(
    labeller: RoleLabeller, orders: Sequence[WorkOrder], gold_entities: bool = False
) -> dict[str, float]:
    """Micro scores over (predicate, argument, role) triples, and F1 per role."""
    gold = [gold_roles(o) for o in orders]
    predicted = predicted_roles(labeller, orders, gold_entities)
    return scores_by_label(gold, predicted, ROLES, label_of=lambda role: role.argument.type)


def cross_validate(
    real: Sequence[WorkOrder],
    generated: Sequence[WorkOrder],
    ner_generated: Sequence[WorkOrder],
    seed: int = 0,
) -> dict[str, float]:
    """Both recipes (entity tagger and labeller) trained on generated orders and
    4/5 of ``real``, scored on the fifth, over 5 folds of texts."""
    end_to_end: tuple[list[set[Role]], list[set[Role]]] = ([], [])
    given: tuple[list[set[Role]], list[set[Role]]] = ([], [])
    with tempfile.TemporaryDirectory() as scratch:
        for fold, (kept, held_out) in enumerate(group_folds(real, FOLDS, seed)):
            tagger = train_entities(ner_generated, kept, Path(scratch) / f"ner{fold}")
            labeller = train(generated, kept, Path(scratch) / f"srl{fold}", tagger)
            for into, gold_entities in ((end_to_end, False), (given, True)):
                into[0].extend(gold_roles(o) for o in held_out)
                into[1].extend(predicted_roles(labeller, held_out, gold_entities))
    scores = scores_by_label(*end_to_end, ROLES, label_of=lambda role: role.argument.type)
    scores["gold_entities_f1"] = span_scores(*given)["f1"]
    return scores


def train_and_measure(weights: Path, needs: Needs) -> WeightsCard:
    real = load_maintie().orders
    generated = generate_work_orders(TRAIN_ORDERS, seed=10)
    ner_generated = generate_work_orders(NER_TRAIN_ORDERS, seed=0)
    metrics = {
        f"maintie_{k}": v for k, v in cross_validate(real, generated, ner_generated, seed=0).items()
    }
    labeller = train(generated, real, weights, entity_tagger(needs))
    test = generate_work_orders(2_000, seed=11)
    metrics.update({f"generated_{k}": v for k, v in evaluate(labeller, test).items()})
    return WeightsCard(
        metrics=metrics,
        data={
            "train": f"real and generated: the patient/agent relations of the {len(real)} "
            f"MaintIE orders (each counted {REAL_WEIGHT} times) and {TRAIN_ORDERS:,} "
            "generated orders (seed 10)",
            "evaluation": f"maintie_*: {FOLDS}-fold cross-validation over the real texts "
            "(seed 0), entities from a tagger trained without the fold; "
            "maintie_gold_entities_f1 with the gold entities given; generated_*: the "
            "served labeller on 2,000 generated orders (seed 11)",
        },
    )
