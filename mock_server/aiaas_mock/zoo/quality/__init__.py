"""``quality-logreg`` and ``quality-svm``: pass/fail of a machining run, and the
failure mode it is most at risk of.

``data`` generates runs by the AI4I 2020 failure rules, ``model`` holds the
classifiers and their features, ``train`` fits and measures them when first
used, ``serving`` is what the server calls.
"""

from __future__ import annotations

from ..entries import TrainedOnLoad
from .model import train_logreg, train_svm
from .serving import LOGREG_SPEC, SVM_SPEC
from .train import trained_on_load

QUALITY_LOGREG = TrainedOnLoad(LOGREG_SPEC, trained_on_load(LOGREG_SPEC, train_logreg, 20_000))
QUALITY_SVM = TrainedOnLoad(SVM_SPEC, trained_on_load(SVM_SPEC, train_svm, 10_000))
