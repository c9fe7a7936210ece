"""``maintenance-word2vec``: word vectors of maintenance language.

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

Quality: for each (variant, canonical) pair the generator knows, whether the
canonical word is among the variant's five nearest words (top-5 hit rate), next
to the rate of a count-based baseline (cosine of raw co-occurrence counts in the
same window).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from aiaas.types.outputs import SimilarTerm, TermEmbedding

from . import maintenance_logs as logs
from .base import EMBEDDING_TASK, ModelSpec
from .shipped import ShippedModel, file_digest, verify_file, weights_path
from .text_features import normalise
from .text_input import MaintenanceText

TRAIN_ORDERS = 100_000
DIMENSIONS = 64
WINDOW = 4
MIN_COUNT = 3
SIF_A = 1e-3


class SimilarityParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    top_k: int = Field(default=10, ge=0, le=50, description="How many nearest terms")
    include_vector: bool = Field(default=True, description="Return the vector itself")


def tokens(text: str) -> list[str]:
    """The tokens the vectors are keyed by."""
    return [normalise(text[a:b]) for a, b in logs.tokenize(text)]


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

    def predict(self, inputs: Sequence[str], parameters: SimilarityParameters) -> list[BaseModel]:
        outputs: list[BaseModel] = []
        for text in inputs:
            vector, known = self.embed(text)
            similar = [] if vector is None else self.most_similar(vector, parameters.top_k, known)
            outputs.append(
                TermEmbedding(
                    text=text,
                    known_tokens=known,
                    vector=None
                    if vector is None or not parameters.include_vector
                    else [round(float(v), 6) for v in vector],
                    most_similar=[
                        SimilarTerm(term=term, similarity=round(score, 4))
                        for term, score in similar
                    ],
                )
            )
        return outputs


def _stable_hash(text: str) -> int:
    # gensim seeds each word's initial vector with hash(word + seed); Python's
    # str hash changes per process, so training would not be reproducible.
    return zlib.crc32(text.encode("utf-8"))


def corpus(n: int, seed: int) -> list[list[str]]:
    return [tokens(order.text) for order in logs.generate_work_orders(n, seed)]


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
        for variant, canonical in logs.synonym_pairs()
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


def save(vectors: WordVectors, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        np.savez_compressed(
            file, words=np.array(vectors.words), vectors=vectors.unit, counts=vectors.counts
        )
    return file_digest(path)


def train_and_measure(directory: Path) -> dict[str, Any]:
    sentences = corpus(TRAIN_ORDERS, seed=20)
    vectors = train(sentences, seed=0)
    path = weights_path(SPEC.id, directory, WEIGHTS_SUFFIX)
    baseline = synonym_hit_rates(cooccurrence_baseline(sentences))
    metrics = {
        **synonym_hit_rates(vectors),
        "cooccurrence_top5_hit_rate": baseline["top5_hit_rate"],
        "vocabulary": float(len(vectors.words)),
    }
    return {
        "metrics": metrics,
        "sha256": save(vectors, path),
        "data": {"train": f"{TRAIN_ORDERS:,} generated orders, seed 20"},
    }


def restore(metadata: dict[str, Any], weights: Path) -> WordVectors:
    verify_file(weights, metadata["sha256"])
    with np.load(weights, allow_pickle=False) as archive:
        words = [str(w) for w in archive["words"]]
        return WordVectors(words, archive["vectors"], archive["counts"])


WEIGHTS_SUFFIX = ".npz"

SPEC = ModelSpec(
    id="maintenance-word2vec",
    task=EMBEDDING_TASK,
    algorithm=f"gensim Word2Vec, skip-gram, {DIMENSIONS} dimensions, window {WINDOW}; "
    "texts pooled as the renormalised SIF-weighted mean of unit word vectors",
    version="1.0.0",
    description="Vectors of maintenance terms and texts, and the terms nearest to them. "
    "Also serves POST /v1/embeddings.",
    data=f"{TRAIN_ORDERS:,} generated work orders; top5_hit_rate: share of the "
    "generator's abbreviation and synonym pairs (brg ~ bearing) whose canonical word is "
    "among the variant's five nearest, next to a raw co-occurrence baseline.",
    input_type=MaintenanceText,
    output_type=TermEmbedding,
    parameters_type=SimilarityParameters,
)

MAINTENANCE_WORD2VEC = ShippedModel(SPEC, restore, train_and_measure, WEIGHTS_SUFFIX)
