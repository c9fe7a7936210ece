"""Typed wire models of the aiaas API, shared by the SDK and the mock server."""

from . import outputs
from .embedding import Embedding, EmbeddingRequest, EmbeddingResponse, EmbeddingUsage
from .encryption import EncryptionKey, EncryptionKeyList
from .inputs import FlightSettings, LineHour, ProcessRun, PumpReading
from .list_response import ListResponse
from .model import Model
from .outputs import *  # noqa: F403 (every model's output type, listed in outputs.__all__)
from .prediction import Prediction, PredictRequest, Usage
from .problem import FieldError, Problem

__all__ = [
    "Embedding",
    "EmbeddingRequest",
    "EmbeddingResponse",
    "EmbeddingUsage",
    "EncryptionKey",
    "EncryptionKeyList",
    "FieldError",
    "FlightSettings",
    "LineHour",
    "ListResponse",
    "Model",
    "PredictRequest",
    "Prediction",
    "Problem",
    "ProcessRun",
    "PumpReading",
    "Usage",
]
__all__ += outputs.__all__
