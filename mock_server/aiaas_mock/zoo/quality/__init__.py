"""``quality-logreg`` and ``quality-svm``: pass/fail of a machining run, and the
failure mode it is most at risk of.

``ai4i`` reads the real runs they are trained on, ``data`` generates runs by the
AI4I 2020 failure rules (for tests and examples), ``model`` holds the
classifiers and their features, ``train`` reproduces the shipped parameters,
``serving`` is what the server calls.
"""

from __future__ import annotations

from ..entries import ShippedModel
from ..shipped_weights import WeightsCard
from .model import fit_logistic_failure, fit_svm_failure
from .serving import LOGREG_SPEC, SVM_SPEC, restore
from .train import trainer

QUALITY_LOGREG = ShippedModel(
    LOGREG_SPEC, WeightsCard, restore, trainer(fit_logistic_failure), ".params.json"
)
QUALITY_SVM = ShippedModel(SVM_SPEC, WeightsCard, restore, trainer(fit_svm_failure), ".params.json")
