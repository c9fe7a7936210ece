"""``maintenance-word2vec``: vectors and nearest terms of maintenance language;
also ``POST /v1/embeddings``.

``model`` holds the vectors and their training, ``train`` reproduces and
measures the shipped vectors, ``serving`` is what the server calls.
"""

from __future__ import annotations

from ..entries import ShippedModel
from ..shipped_weights import WeightsCard
from .serving import SPEC, WEIGHTS_SUFFIX, restore
from .train import train_and_measure

MAINTENANCE_WORD2VEC = ShippedModel(SPEC, WeightsCard, restore, train_and_measure, WEIGHTS_SUFFIX)
