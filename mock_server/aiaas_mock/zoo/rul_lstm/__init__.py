"""``rul-lstm``: remaining useful life of a turbofan engine from its latest sensor readings.

``data`` generates C-MAPSS-like engines, ``network`` is the LSTM, ``train``
reproduces the shipped weights, ``serving`` is what the server calls.
"""

from __future__ import annotations

from ..entries import ShippedModel
from .serving import SPEC, RulWeights, restore
from .train import train_and_measure

RUL_LSTM = ShippedModel(SPEC, RulWeights, restore, train_and_measure)
