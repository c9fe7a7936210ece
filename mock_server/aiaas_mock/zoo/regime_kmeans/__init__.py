"""``regime-kmeans``: the operating regime of a turbofan cycle (C-MAPSS FD002).

``data`` generates cycles over the six regimes, ``model`` is the k-means,
``train`` fits and measures it when first used, ``serving`` is what the
server calls.
"""

from __future__ import annotations

from ..entries import TrainedOnLoad
from .serving import SPEC
from .train import train_and_measure

REGIME_KMEANS = TrainedOnLoad(SPEC, train_and_measure)
