"""``regime-kmeans``: the operating regime of a turbofan cycle (C-MAPSS FD002).

``data`` generates cycles over the six regimes, ``model`` is the k-means,
``train`` fits and measures it (the parameters for the default data seed
ship, so that seed loads without training), ``serving`` is what the
server calls.
"""

from __future__ import annotations

from ..entries import AdapterParams, TrainedOnLoad
from .model import RegimeClusterer
from .serving import SPEC, RegimePredictor
from .train import train_and_measure

REGIME_KMEANS = TrainedOnLoad(
    SPEC, train_and_measure, codec=AdapterParams(RegimePredictor, RegimeClusterer.from_params)
)
