"""``maintenance-word2vec`` as the server offers it: texts in, their vectors and
nearest terms out; the same vectors serve ``POST /v1/embeddings``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from aiaas.types.outputs import SimilarTerm, TermEmbedding

from ..maintenance_text.inputs import MaintenanceText
from ..model_spec import EMBEDDING_TASK, ModelAdapter, ModelSpec, Needs
from ..shipped_weights import WeightsCard
from .model import DIMENSIONS, WINDOW, WordVectors
from .train import TRAIN_ORDERS


class SimilarityParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    top_k: int = Field(default=10, ge=0, le=50, description="How many nearest terms")
    include_vector: bool = Field(default=True, description="Return the vector itself")


class SimilarTermsPredictor(ModelAdapter[WordVectors]):
    """The vectors answering for validated texts, and embedding texts for
    ``POST /v1/embeddings``."""

    @property
    def dimensions(self) -> int:
        return self.model.dimensions

    def embed_texts(self, texts: Sequence[str]) -> tuple[NDArray[np.float32], int]:
        return self.model.embed_texts(texts)

    def predict(self, inputs: Sequence[str], parameters: SimilarityParameters) -> list[BaseModel]:
        outputs: list[BaseModel] = []
        for text in inputs:
            vector, known = self.model.embed(text)
            similar = (
                [] if vector is None else self.model.most_similar(vector, parameters.top_k, known)
            )
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


def restore(card: WeightsCard, weights: Path, needs: Needs) -> SimilarTermsPredictor:
    with np.load(weights, allow_pickle=False) as archive:
        words = [str(w) for w in archive["words"]]
        return SimilarTermsPredictor(WordVectors(words, archive["vectors"], archive["counts"]))


WEIGHTS_SUFFIX = ".npz"


SPEC = ModelSpec(
    id="maintenance-word2vec",
    task=EMBEDDING_TASK,
    algorithm=f"gensim Word2Vec, skip-gram, {DIMENSIONS} dimensions, window {WINDOW}; "
    "texts pooled as the renormalised SIF-weighted mean of unit word vectors",
    version="1.0.0",
    description="Vectors of maintenance terms and texts, and the terms nearest to them. "
    "Also serves POST /v1/embeddings.",
    data=f"{TRAIN_ORDERS:,} generated work orders.",
    evaluation="top5_hit_rate: share of the generator's abbreviation and synonym pairs "
    "(brg ~ bearing) whose canonical word is among the variant's five nearest, next to a "
    "raw co-occurrence baseline.",
    input_type=MaintenanceText,
    output_type=TermEmbedding,
    parameters_type=SimilarityParameters,
)
