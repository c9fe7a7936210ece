"""How the shipped ``maintenance-word2vec`` is trained and measured, reproducibly.

Quality: for each (variant, canonical) pair the generator knows, whether the
canonical word is among the variant's five nearest words (top-5 hit rate), next
to the rate of a count-based baseline (cosine of raw co-occurrence counts in the
same window).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..maintenance_text.work_orders import generate_work_orders, synonym_pairs
from ..model_spec import Needs
from ..shipped_weights import WeightsCard
from .model import MIN_COUNT, WINDOW, WordVectors, tokens, train

TRAIN_ORDERS = 100_000


def corpus(n: int, seed: int) -> list[list[str]]:
    return [tokens(order.text) for order in generate_work_orders(n, seed)]


def cooccurrence_baseline(sentences: list[list[str]]) -> WordVectors:
    """Rows of raw co-occurrence counts within the same window, as vectors."""
    counts: dict[str, int] = {}
    for sentence in sentences:
        for word in sentence:
            counts[word] = counts.get(word, 0) + 1
    words = sorted(w for w, c in counts.items() if c >= MIN_COUNT)
    index = {w: i for i, w in enumerate(words)}
    matrix = np.zeros((len(words), len(words)), dtype=np.float32)
    for sentence in sentences:
        ids = [index.get(w, -1) for w in sentence]
        for i, a in enumerate(ids):
            for b in ids[max(0, i - WINDOW) : i + WINDOW + 1]:
                if a >= 0 and b >= 0 and a != b:
                    matrix[a, b] += 1.0
    return WordVectors(words, matrix, np.array([counts[w] for w in words], dtype=np.int64))


def synonym_hit_rates(vectors: WordVectors, k: int = 5) -> dict[str, float]:
    """Share of (variant, canonical) pairs whose canonical word is among the
    variant's ``k`` nearest words, and among its nearest one."""
    pairs = [
        (variant, canonical)
        for variant, canonical in synonym_pairs()
        if variant in vectors and canonical in vectors
    ]
    top_k = top_1 = 0
    for variant, canonical in pairs:
        vector, _ = vectors.embed(variant)
        assert vector is not None
        nearest = [w for w, _ in vectors.most_similar(vector, k, exclude=[variant])]
        top_k += canonical in nearest
        top_1 += canonical == nearest[0]
    return {
        f"top{k}_hit_rate": round(top_k / len(pairs), 4),
        "top1_hit_rate": round(top_1 / len(pairs), 4),
        "pairs": float(len(pairs)),
    }


def save(vectors: WordVectors, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        np.savez_compressed(
            file, words=np.array(vectors.words), vectors=vectors.unit, counts=vectors.counts
        )


def train_and_measure(weights: Path, needs: Needs) -> WeightsCard:
    sentences = corpus(TRAIN_ORDERS, seed=20)
    vectors = train(sentences, seed=0)
    save(vectors, weights)
    baseline = synonym_hit_rates(cooccurrence_baseline(sentences))
    return WeightsCard(
        metrics={
            **synonym_hit_rates(vectors),
            "cooccurrence_top5_hit_rate": baseline["top5_hit_rate"],
            "vocabulary": float(len(vectors.words)),
        },
        data={"train": f"{TRAIN_ORDERS:,} generated orders, seed 20"},
    )
