"""How the shipped ``maintenance-ner`` is trained and measured, reproducibly.

Quality is measured three ways: on fresh generated orders; on generated orders
with words the tagger was not trained on (the same recipe trained on a lexicon
with a fifth of its concepts held out); and, when a copy is at hand, on real
work orders of the MaintIE gold set (micro-F1 over the outermost spans).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..kit.text_spans import tokenize
from ..maintenance_text.maintie import load_maintie, outermost
from ..maintenance_text.scoring import scores_by_label
from ..maintenance_text.work_orders import (
    ENTITY_TYPES,
    Lexicon,
    WorkOrder,
    generate_work_orders,
)
from ..model_spec import Needs
from ..shipped_weights import WeightsCard
from .model import EntityTagger, train

TRAIN_ORDERS = 20_000
HELD_OUT_SHARE = 0.2


def evaluate(
    tagger: EntityTagger, orders: Sequence[WorkOrder], outermost_only: bool = False
) -> dict[str, float]:
    """Micro scores over all spans, and F1 per class."""
    gold = [outermost(o.entities) if outermost_only else set(o.entities) for o in orders]
    predicted = [set(tagger.entities(o.text)) for o in orders]
    return scores_by_label(gold, predicted, ENTITY_TYPES, label_of=lambda span: span.type)


def unseen_vocabulary_orders(
    kept: Lexicon, held_out: Lexicon, n: int, seed: int
) -> list[WorkOrder]:
    """Orders from the whole lexicon, each with a word that only ``held_out`` has."""
    unseen = _words(held_out) - _words(kept)
    orders: list[WorkOrder] = []
    batch_seed = seed
    while len(orders) < n:
        for order in generate_work_orders(n, batch_seed):
            tokens = {order.text[a:b].lower() for a, b in tokenize(order.text)}
            if tokens & unseen and len(orders) < n:
                orders.append(order)
        batch_seed += 1000
    return orders


def _words(lexicon: Lexicon) -> set[str]:
    words: set[str] = set()
    for name in lexicon.__dataclass_fields__:
        for concept in getattr(lexicon, name):
            for form in concept:
                for text in form if isinstance(form, tuple) else (form,):
                    words.update(text.lower().split())
    return words


def train_and_measure(weights: Path, needs: Needs) -> WeightsCard:
    """Train the shipped tagger on all concepts and measure it; measure the same
    recipe trained without a fifth of the concepts on orders that use them."""
    tagger = train(generate_work_orders(TRAIN_ORDERS, seed=0), weights)
    metrics = {
        f"generated_{k}": v
        for k, v in evaluate(tagger, generate_work_orders(2_000, seed=1)).items()
        if k in ("precision", "recall", "f1")
    }
    kept, held_out = Lexicon().split(HELD_OUT_SHARE, seed=7)
    with tempfile.TemporaryDirectory() as scratch:
        recipe = train(
            generate_work_orders(TRAIN_ORDERS, seed=0, lexicon=kept), Path(scratch) / "m"
        )
        unseen = evaluate(recipe, unseen_vocabulary_orders(kept, held_out, 2_000, seed=2))
        strict = evaluate(recipe, generate_work_orders(2_000, seed=3, lexicon=held_out))
    metrics["unseen_vocabulary_f1"] = unseen["f1"]
    metrics["all_words_unseen_f1"] = strict["f1"]
    real = load_maintie()
    if real is not None:
        scores = evaluate(tagger, real.orders, outermost_only=True)
        metrics.update({f"maintie_{k}": v for k, v in scores.items()})
    return WeightsCard(
        metrics=metrics,
        data={
            "train": f"{TRAIN_ORDERS:,} generated orders, seed 0",
            "test": "2,000 generated orders, seed 1",
            "unseen_vocabulary": "recipe trained without a fifth of the concepts (split "
            "seed 7); 2,000 orders that use a held-out word",
            "maintie": "MaintIE gold_dev, outermost spans, evaluation only"
            if real is not None
            else "not available when trained",
        },
    )
