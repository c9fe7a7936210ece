"""``maintenance-ner``: entities of the MaintIE top-level classes in work orders.

``model`` is the CRF tagger, ``train`` reproduces and measures the shipped
weights, ``serving`` is what the server calls; the work orders come from
:mod:`..maintenance_text`.
"""

from __future__ import annotations

from ..entries import ShippedModel
from ..shipped_weights import WeightsCard
from .serving import SPEC, WEIGHTS_SUFFIX, restore
from .train import train_and_measure

MAINTENANCE_NER = ShippedModel(SPEC, WeightsCard, restore, train_and_measure, WEIGHTS_SUFFIX)
