"""Typed wire models of the aiaas API, shared by the SDK and the mock server."""

from . import inputs, outputs
from .api_object import APIObject
from .embedding import Embedding, EmbeddingRequest, EmbeddingResponse, EmbeddingUsage
from .encryption import EncryptionKey, EncryptionKeyList
from .inputs import *  # noqa: F403 (every input type, listed in inputs.__all__)
from .list_response import ListResponse
from .model import Model
from .outputs import *  # noqa: F403 (every model's output type, listed in outputs.__all__)
from .prediction import Prediction, PredictRequest, Usage
from .problem import FieldError, Problem

__all__ = [
    "APIObject",
    "Embedding",
    "EmbeddingRequest",
    "EmbeddingResponse",
    "EmbeddingUsage",
    "EncryptionKey",
    "EncryptionKeyList",
    "FieldError",
    "ListResponse",
    "Model",
    "PredictRequest",
    "Prediction",
    "Problem",
    "Usage",
]
__all__ += inputs.__all__
__all__ += outputs.__all__
