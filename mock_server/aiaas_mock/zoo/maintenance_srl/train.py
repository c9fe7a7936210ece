"""How the shipped ``maintenance-srl`` is trained and measured, reproducibly.

Quality is micro-F1 over (predicate span, argument span, role) triples: on
generated orders, and on the patient and agent relations of the real MaintIE
work orders, both from raw text (entities predicted) and with the gold entities
given, to tell the two error sources apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..kit.text_spans import Offsets, Span
from ..maintenance_text.maintie import load_maintie
from ..maintenance_text.scoring import scores_by_label
from ..maintenance_text.work_orders import PREDICATE_TYPES, ROLES, WorkOrder, generate_work_orders
from ..model_spec import Needs
from ..shipped_weights import WeightsCard
from .model import RoleLabeller, train
from .serving import entity_tagger

TRAIN_ORDERS = 20_000


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


def evaluate(
    labeller: RoleLabeller, orders: Sequence[WorkOrder], gold_entities: bool = False
) -> dict[str, float]:
    """Micro scores over (predicate, argument, role) triples, and F1 per role."""
    gold = [gold_roles(o) for o in orders]
    predicted = [
        {
            Role((predicate.start, predicate.end), argument)
            for predicate, arguments in labeller.frames(
                order.text, order.entities if gold_entities else None
            )
            for argument in arguments
        }
        for order in orders
    ]
    return scores_by_label(gold, predicted, ROLES, label_of=lambda role: role.argument.type)


def train_and_measure(weights: Path, needs: Needs) -> WeightsCard:
    labeller = train(generate_work_orders(TRAIN_ORDERS, seed=10), weights, entity_tagger(needs))
    test = generate_work_orders(2_000, seed=11)
    metrics = {f"generated_{k}": v for k, v in evaluate(labeller, test).items()}
    real = load_maintie()
    if real is not None:
        metrics.update({f"maintie_{k}": v for k, v in evaluate(labeller, real.orders).items()})
        given = evaluate(labeller, real.orders, gold_entities=True)
        metrics["maintie_gold_entities_f1"] = given["f1"]
    return WeightsCard(
        metrics=metrics,
        data={
            "train": f"{TRAIN_ORDERS:,} generated orders, seed 10",
            "test": "2,000 generated orders, seed 11",
            "maintie": "MaintIE gold_dev hasPatient/hasAgent relations, evaluation only"
            if real is not None
            else "not available when trained",
        },
    )
