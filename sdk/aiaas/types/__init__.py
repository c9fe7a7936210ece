"""Typed wire models of the aiaas API, shared by the SDK and the mock server."""

from .embedding import Embedding, EmbeddingRequest, EmbeddingResponse, EmbeddingUsage
from .encryption import EncryptionKey, EncryptionKeyList
from .inputs import FlightSettings, LineHour, ProcessRun, PumpReading
from .list_response import ListResponse
from .model import Model
from .outputs import (
    AnomalyAssessment,
    Argument,
    DefectClassification,
    EnergyForecast,
    Entity,
    EntityExtraction,
    Frame,
    QualityOutcome,
    RegimeAssignment,
    RegimeCentre,
    RulPrediction,
    SemanticFrames,
    SensorContribution,
    SimilarTerm,
    TermEmbedding,
)
from .prediction import Prediction, PredictRequest, Usage
from .problem import FieldError, Problem

__all__ = [
    "AnomalyAssessment",
    "Argument",
    "DefectClassification",
    "Embedding",
    "EmbeddingRequest",
    "EmbeddingResponse",
    "EmbeddingUsage",
    "EncryptionKey",
    "EncryptionKeyList",
    "EnergyForecast",
    "Entity",
    "EntityExtraction",
    "FieldError",
    "FlightSettings",
    "Frame",
    "LineHour",
    "ListResponse",
    "Model",
    "PredictRequest",
    "Prediction",
    "Problem",
    "ProcessRun",
    "PumpReading",
    "QualityOutcome",
    "RegimeAssignment",
    "RegimeCentre",
    "RulPrediction",
    "SemanticFrames",
    "SensorContribution",
    "SimilarTerm",
    "TermEmbedding",
    "Usage",
]
