"""The ``maintenance-word2vec`` vectors: how they are trained and how texts are pooled.

Skip-gram word2vec (gensim) trained on generated work orders, so that the
abbreviations and synonyms technicians use interchangeably ("brg" and
"bearing", "u/s" and "unserviceable") end up close together. Only training
needs gensim: the shipped vectors are a NumPy archive, and serving is a matrix
product.

A text's vector is the weighted mean of its known tokens' unit vectors, scaled
back to unit length. Each token weighs a / (a + p), p its frequency in the
training text and a = 0.001 (the "smooth inverse frequency" of Arora et al.,
2017), so "on", "-" and numbers count for little and "bearing" for much. Tokens
are lower-cased; numbers and placeholders read as ``<num>``. That pooling is
what ``POST /v1/embeddings`` returns too.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ..kit.text_features import normalise
from ..kit.text_spans import tokenize

DIMENSIONS = 64
WINDOW = 4
MIN_COUNT = 3
SIF_A = 1e-3


def tokens(text: str) -> list[str]:
    """The tokens the vectors are keyed by."""
    return [normalise(text[a:b]) for a, b in tokenize(text)]


class WordVectors:
    """Unit-length word vectors and the lookups the server needs."""

    def __init__(
        self, words: Sequence[str], vectors: NDArray[np.float32], counts: NDArray[np.int64]
    ) -> None:
        self.words = list(words)
        self.counts = counts
        frequency = counts / max(1, int(counts.sum()))
        self._weight = (SIF_A / (SIF_A + frequency)).astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.unit: NDArray[np.float32] = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
        self._index = {word: i for i, word in enumerate(self.words)}

    def __contains__(self, word: object) -> bool:
        return word in self._index

    @property
    def dimensions(self) -> int:
        return int(self.unit.shape[1])

    def embed(self, text: str) -> tuple[NDArray[np.float32] | None, list[str]]:
        """The pooled unit vector of ``text`` and the tokens it came from."""
        return self._pool(tokens(text))

    def embed_texts(self, texts: Sequence[str]) -> tuple[NDArray[np.float32], int]:
        """One pooled unit vector per text (zeros when no token is known) and the
        number of tokens read, known or not."""
        rows = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        read = 0
        for i, text in enumerate(texts):
            words = tokens(text)
            read += len(words)
            vector, _ = self._pool(words)
            if vector is not None:
                rows[i] = vector
        return rows, read

    def _pool(self, words: Sequence[str]) -> tuple[NDArray[np.float32] | None, list[str]]:
        known = [w for w in words if w in self._index]
        if not known:
            return None, []
        rows = [self._index[w] for w in known]
        mean = self._weight[rows] @ self.unit[rows]
        norm = float(np.linalg.norm(mean))
        return (mean / norm if norm > 0 else mean).astype(np.float32), known

    def most_similar(
        self, vector: NDArray[np.float32], k: int, exclude: Sequence[str] = ()
    ) -> list[tuple[str, float]]:
        if k == 0:
            return []
        similarity = self.unit @ vector
        for word in exclude:
            if word in self._index:
                similarity[self._index[word]] = -np.inf
        top = np.argsort(-similarity, kind="stable")[:k]
        return [(self.words[i], float(similarity[i])) for i in top]


def _stable_hash(text: str) -> int:
    # gensim seeds each word's initial vector with hash(word + seed); Python's
    # str hash changes per process, so training would not be reproducible.
    return zlib.crc32(text.encode("utf-8"))


def train(sentences: list[list[str]], seed: int = 0) -> WordVectors:
    """Skip-gram with negative sampling, one worker thread: deterministic per seed."""
    from gensim.models import Word2Vec

    model = Word2Vec(
        sentences,
        vector_size=DIMENSIONS,
        window=WINDOW,
        min_count=MIN_COUNT,
        sg=1,
        negative=5,
        epochs=10,
        workers=1,
        seed=seed,
        hashfxn=_stable_hash,
    )
    words = list(model.wv.index_to_key)
    counts = np.array([model.wv.get_vecattr(w, "count") for w in words], dtype=np.int64)
    return WordVectors(words, np.asarray(model.wv.vectors, dtype=np.float32), counts)
