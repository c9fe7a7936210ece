"""``maintenance-ner``: entities of the MaintIE top-level classes in work orders.

A linear-chain CRF over BIO tags, trained on generated work orders. Its
features are each word, its affixes and shape, and its neighbours. While
training, a share of tokens lose their own word features, so the tagger learns
from context how to read words it has never seen: real work orders name far
more parts than any generator.

Quality is measured three ways: on fresh generated orders; on generated orders
with words the tagger was not trained on (the same recipe trained on a lexicon
with a fifth of its concepts held out); and, when a copy is at hand, on real
work orders of the MaintIE gold set (micro-F1 over the outermost spans).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from aiaas.types.outputs import Entity, EntityExtraction

from . import maintenance_logs as logs
from .base import ModelSpec
from .crf import CrfTagger, TaggedSequence, bio_spans, bio_tags, train_crf
from .maintie import load_maintie, outermost
from .shipped import ShippedModel, file_digest, verify_file, weights_path
from .text_features import as_crf_features, token_features
from .text_input import MaintenanceText, NoParameters

Labelled = tuple[int, int, str]
Item = TypeVar("Item")
LabelledItem = TypeVar("LabelledItem", bound=tuple[Any, ...])

TRAIN_ORDERS = 20_000
LEXICAL_DROPOUT = 0.3
HELD_OUT_SHARE = 0.2


class EntityTagger:
    """The trained CRF, reading entities off raw text."""

    def __init__(self, crf: CrfTagger) -> None:
        self._crf = crf

    def entities(self, text: str) -> list[Labelled]:
        offsets = logs.tokenize(text)
        words = [text[a:b] for a, b in offsets]
        features = [as_crf_features(token_features(words, i)) for i in range(len(words))]
        return bio_spans(self._crf.tag(features), offsets)

    def predict(self, inputs: Sequence[str], parameters: NoParameters) -> list[BaseModel]:
        return [
            EntityExtraction(
                entities=[
                    Entity(text=text[a:b], type=kind, start=a, end=b)  # type: ignore[arg-type]
                    for a, b, kind in self.entities(text)
                ]
            )
            for text in inputs
        ]


def training_sequences(
    orders: Sequence[logs.WorkOrder], lexical_dropout: float, seed: int
) -> Iterator[TaggedSequence]:
    rng = random.Random(seed)
    for order in orders:
        offsets = logs.tokenize(order.text)
        words = [order.text[a:b] for a, b in offsets]
        features = [
            as_crf_features(token_features(words, i, lexical=rng.random() >= lexical_dropout))
            for i in range(len(words))
        ]
        spans = [(e.start, e.end, e.type) for e in order.entities]
        yield features, bio_tags(offsets, spans)


def train(orders: Sequence[logs.WorkOrder], path: Path, seed: int = 0) -> EntityTagger:
    train_crf(training_sequences(orders, LEXICAL_DROPOUT, seed), path)
    return EntityTagger(CrfTagger(path))


def span_scores(gold: Sequence[set[Item]], predicted: Sequence[set[Item]]) -> dict[str, float]:
    """Micro precision, recall and F1 of exact matches (of spans, or of triples)."""
    hits = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    n_gold = sum(map(len, gold))
    n_predicted = sum(map(len, predicted))
    precision = hits / n_predicted if n_predicted else 0.0
    recall = hits / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def scores_by_label(
    gold: Sequence[set[LabelledItem]], predicted: Sequence[set[LabelledItem]], labels: Sequence[str]
) -> dict[str, float]:
    """:func:`span_scores` over all items, and ``f1_<label>`` for each label (an
    item's last element)."""
    scores = span_scores(gold, predicted)
    for label in labels:
        scores[f"f1_{label}"] = span_scores(
            [{item for item in g if item[-1] == label} for g in gold],
            [{item for item in p if item[-1] == label} for p in predicted],
        )["f1"]
    return scores


def evaluate(
    tagger: EntityTagger, orders: Sequence[logs.WorkOrder], outermost_only: bool = False
) -> dict[str, float]:
    """Micro scores over all spans, and F1 per class."""
    gold = [
        outermost(o.entities) if outermost_only else {(e.start, e.end, e.type) for e in o.entities}
        for o in orders
    ]
    predicted = [set(tagger.entities(o.text)) for o in orders]
    return scores_by_label(gold, predicted, logs.ENTITY_TYPES)


def unseen_vocabulary_orders(
    kept: logs.Lexicon, held_out: logs.Lexicon, n: int, seed: int
) -> list[logs.WorkOrder]:
    """Orders from the whole lexicon, each with a word that only ``held_out`` has."""
    unseen = _words(held_out) - _words(kept)
    orders: list[logs.WorkOrder] = []
    batch_seed = seed
    while len(orders) < n:
        for order in logs.generate_work_orders(n, batch_seed):
            tokens = {order.text[a:b].lower() for a, b in logs.tokenize(order.text)}
            if tokens & unseen and len(orders) < n:
                orders.append(order)
        batch_seed += 1000
    return orders


def _words(lexicon: logs.Lexicon) -> set[str]:
    words: set[str] = set()
    for name in lexicon.__dataclass_fields__:
        for concept in getattr(lexicon, name):
            for form in concept:
                for text in form if isinstance(form, tuple) else (form,):
                    words.update(text.lower().split())
    return words


def train_and_measure(directory: Path) -> dict[str, Any]:
    """Train the shipped tagger on all concepts and measure it; measure the same
    recipe trained without a fifth of the concepts on orders that use them."""
    import tempfile

    path = weights_path(SPEC.id, directory, WEIGHTS_SUFFIX)
    tagger = train(logs.generate_work_orders(TRAIN_ORDERS, seed=0), path)
    metrics = {
        f"generated_{k}": v
        for k, v in evaluate(tagger, logs.generate_work_orders(2_000, seed=1)).items()
        if k in ("precision", "recall", "f1")
    }
    kept, held_out = logs.Lexicon().split(HELD_OUT_SHARE, seed=7)
    with tempfile.TemporaryDirectory() as scratch:
        recipe = train(
            logs.generate_work_orders(TRAIN_ORDERS, seed=0, lexicon=kept), Path(scratch) / "m"
        )
        unseen = evaluate(recipe, unseen_vocabulary_orders(kept, held_out, 2_000, seed=2))
        strict = evaluate(recipe, logs.generate_work_orders(2_000, seed=3, lexicon=held_out))
    metrics["unseen_vocabulary_f1"] = unseen["f1"]
    metrics["all_words_unseen_f1"] = strict["f1"]
    real = load_maintie()
    if real is not None:
        scores = evaluate(tagger, real.orders, outermost_only=True)
        metrics.update({f"maintie_{k}": v for k, v in scores.items()})
    return {
        "metrics": metrics,
        "sha256": file_digest(path),
        "data": {
            "train": f"{TRAIN_ORDERS:,} generated orders, seed 0",
            "test": "2,000 generated orders, seed 1",
            "unseen_vocabulary": "recipe trained without a fifth of the concepts (split "
            "seed 7); 2,000 orders that use a held-out word",
            "maintie": "MaintIE gold_dev, outermost spans, evaluation only"
            if real is not None
            else "not available when trained",
        },
    }


def restore(metadata: dict[str, Any], weights: Path) -> EntityTagger:
    verify_file(weights, metadata["sha256"])
    return EntityTagger(CrfTagger(weights))


WEIGHTS_SUFFIX = ".crfsuite"

SPEC = ModelSpec(
    id="maintenance-ner",
    task="token-classification",
    algorithm="linear-chain CRF (CRFsuite, L-BFGS) over word, affix, shape and context "
    "features, with word dropout",
    version="1.0.0",
    description="Entities in maintenance work orders, of the MaintIE top-level classes "
    "PhysicalObject, Activity, State, Process and Property, with character offsets.",
    data="Generated work orders in technicians' terse style (abbreviations, typos, asset "
    "tags); generated_* on 2,000 fresh orders, unseen_vocabulary_f1 on orders with "
    "words held out of training, maintie_* on 538 real MaintIE work orders (outermost "
    "spans, never trained on).",
    input_type=MaintenanceText,
    output_type=EntityExtraction,
    parameters_type=NoParameters,
)

MAINTENANCE_NER = ShippedModel(SPEC, restore, train_and_measure, WEIGHTS_SUFFIX)
