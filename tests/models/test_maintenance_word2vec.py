"""maintenance-word2vec: abbreviations land next to what they abbreviate."""

from __future__ import annotations

import numpy as np
import pytest

from aiaas_mock.zoo import maintenance_word2vec as w2v
from aiaas_mock.zoo.shipped import read_metadata


@pytest.fixture(scope="module")
def vectors() -> w2v.WordVectors:
    return w2v.MAINTENANCE_WORD2VEC.load(0).predictor  # type: ignore[return-value]


def test_abbreviations_find_their_words(vectors: w2v.WordVectors) -> None:
    rates = w2v.synonym_hit_rates(vectors)
    assert rates["top5_hit_rate"] >= 0.8
    assert rates["pairs"] >= 60
    assert (
        rates["top5_hit_rate"]
        > read_metadata("maintenance-word2vec")["metrics"]["cooccurrence_top5_hit_rate"]
    )
    vector, _ = vectors.embed("brg")
    assert vector is not None
    assert "bearing" in [w for w, _ in vectors.most_similar(vector, 5, exclude=["brg"])]


def test_text_vectors_are_pooled_unit_vectors(vectors: w2v.WordVectors) -> None:
    vector, known = vectors.embed("Replace BRG on pump 12 zzzunknown")
    assert known == ["replace", "brg", "on", "pump", "<num>"]
    assert vector is not None
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert vectors.embed("qqq zzz") == (None, [])
    rows, tokens = vectors.embed_texts(["hyd hose", "qqq"])
    assert tokens == 3
    assert np.linalg.norm(rows[0]) == pytest.approx(1.0, abs=1e-5)
    assert not rows[1].any()


def test_related_orders_are_closer_than_unrelated(vectors: w2v.WordVectors) -> None:
    def similarity(a: str, b: str) -> float:
        va, vb = vectors.embed(a)[0], vectors.embed(b)[0]
        assert va is not None
        assert vb is not None
        return float(va @ vb)

    assert similarity("replace brg on pump", "change out bearing on pmp") > similarity(
        "replace brg on pump", "a/c not working in cab"
    )


@pytest.mark.slow
def test_training_reproduces_the_shipped_vectors(vectors: w2v.WordVectors) -> None:
    retrained = w2v.train(w2v.corpus(w2v.TRAIN_ORDERS, seed=20), seed=0)
    assert retrained.words == vectors.words
    assert np.allclose(retrained.unit, vectors.unit, atol=1e-6)
