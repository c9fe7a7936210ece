"""``defect-cnn``: surface-defect class of a steel strip image.

``data`` draws the images, ``backbone`` is the pretrained EfficientNet-Lite0,
``network`` the head and top over it, ``views`` the augmentations fine-tuning
learns from, ``train`` reproduces the shipped head, ``serving`` is what the
server calls.
"""

from __future__ import annotations

from ..entries import ShippedModel
from .serving import SPEC, DefectWeights, restore
from .train import train_and_measure

DEFECT_CNN = ShippedModel(SPEC, DefectWeights, restore, train_and_measure)
