"""Typed wire models of the aiaas API, shared by the SDK and the mock server."""

from .encryption import EncryptionKey, EncryptionKeyList
from .list_response import ListResponse
from .model import Model
from .outputs import (
    AnomalyAssessment,
    DefectClassification,
    QualityOutcome,
    RegimeAssignment,
    RegimeCentre,
    RulPrediction,
    SensorContribution,
)
from .prediction import Prediction, PredictRequest, Usage
from .problem import FieldError, Problem

__all__ = [
    "AnomalyAssessment",
    "DefectClassification",
    "EncryptionKey",
    "EncryptionKeyList",
    "FieldError",
    "ListResponse",
    "Model",
    "PredictRequest",
    "Prediction",
    "Problem",
    "QualityOutcome",
    "RegimeAssignment",
    "RegimeCentre",
    "RulPrediction",
    "SensorContribution",
    "Usage",
]
