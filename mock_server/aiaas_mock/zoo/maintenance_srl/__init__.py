"""``maintenance-srl``: who or what each activity, state and process in a work
order involves (patient and agent).

``model`` is the per-predicate CRF labeller, ``train`` reproduces and measures
the shipped weights, ``serving`` is what the server calls. It reads its
predicates and objects from ``maintenance-ner``, which it declares it requires.
"""

from __future__ import annotations

from ..entries import ShippedModel
from ..shipped_weights import WeightsCard
from .serving import NER_ID, SPEC, WEIGHTS_SUFFIX, restore
from .train import train_and_measure

MAINTENANCE_SRL = ShippedModel(
    SPEC, WeightsCard, restore, train_and_measure, WEIGHTS_SUFFIX, requires=(NER_ID,)
)
