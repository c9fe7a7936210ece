"""Micro precision, recall and F1 of exact matches, over spans or triples."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

Item = TypeVar("Item", bound=Hashable)


def span_scores(gold: Sequence[set[Item]], predicted: Sequence[set[Item]]) -> dict[str, float]:
    """Micro precision, recall and F1 of exact matches, one set per text."""
    hits = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    n_gold = sum(map(len, gold))
    n_predicted = sum(map(len, predicted))
    precision = hits / n_predicted if n_predicted else 0.0
    recall = hits / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def scores_by_label(
    gold: Sequence[set[Item]],
    predicted: Sequence[set[Item]],
    labels: Sequence[str],
    label_of: Callable[[Item], str],
) -> dict[str, float]:
    """:func:`span_scores` over all items, and ``f1_<label>`` for each label."""
    scores = span_scores(gold, predicted)
    for label in labels:
        scores[f"f1_{label}"] = span_scores(
            [{item for item in g if label_of(item) == label} for g in gold],
            [{item for item in p if label_of(item) == label} for p in predicted],
        )["f1"]
    return scores
