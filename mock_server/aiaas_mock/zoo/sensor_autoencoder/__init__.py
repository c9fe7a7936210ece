"""``sensor-autoencoder``: anomaly scores of centrifugal pump readings, and the
sensors to blame.

``data`` generates readings with injected faults, ``network`` is the
autoencoder and its detector, ``train`` reproduces the shipped weights,
``serving`` is what the server calls.
"""

from __future__ import annotations

from ..entries import ShippedModel
from .serving import SPEC, AutoencoderWeights, restore
from .train import train_and_measure

SENSOR_AUTOENCODER = ShippedModel(SPEC, AutoencoderWeights, restore, train_and_measure)
