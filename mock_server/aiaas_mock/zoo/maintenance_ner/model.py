"""The ``maintenance-ner`` tagger: a linear-chain CRF over BIO tags, reading
entities off raw text, and how it is fitted.

Its features are each word, its affixes and shape, and its neighbours. While
training, a share of tokens lose their own word features, so the tagger learns
from context how to read words it has never seen: real work orders name far
more parts than any generator.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..kit.crf import CrfTagger, TaggedSequence, train_crf
from ..kit.text_features import as_crf_features, token_features
from ..kit.text_spans import Span, bio_spans, bio_tags, tokenize
from ..maintenance_text.work_orders import WorkOrder

LEXICAL_DROPOUT = 0.3


class EntityTagger:
    """The trained CRF, reading entities off raw text."""

    def __init__(self, crf: CrfTagger) -> None:
        self._crf = crf

    def entities(self, text: str) -> list[Span]:
        offsets = tokenize(text)
        words = [text[a:b] for a, b in offsets]
        features = [as_crf_features(token_features(words, i)) for i in range(len(words))]
        return bio_spans(self._crf.tag(features), offsets)


def training_sequences(
    orders: Sequence[WorkOrder], lexical_dropout: float, seed: int
) -> Iterator[TaggedSequence]:
    rng = random.Random(seed)
    for order in orders:
        offsets = tokenize(order.text)
        words = [order.text[a:b] for a, b in offsets]
        features = [
            as_crf_features(token_features(words, i, lexical=rng.random() >= lexical_dropout))
            for i in range(len(words))
        ]
        yield features, bio_tags(offsets, order.entities)


def train(orders: Sequence[WorkOrder], path: Path, seed: int = 0) -> EntityTagger:
    """A tagger trained on ``orders``, written to ``path``; deterministic per seed."""
    train_crf(training_sequences(orders, LEXICAL_DROPOUT, seed), path)
    return EntityTagger(CrfTagger(path))
