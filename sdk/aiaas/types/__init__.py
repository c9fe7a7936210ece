"""Typed wire models of the aiaas API, shared by the SDK and the mock server."""

from . import inputs, outputs
from .api_object import APIObject
from .batch_prediction import BatchPrediction, BatchPredictionRequest, BatchResult
from .dataset import (
    ColumnProfile,
    Dataset,
    DatasetDeleted,
    DatasetRow,
    ImageProfile,
    QualityReport,
    TargetBalance,
)
from .embedding import Embedding, EmbeddingRequest, EmbeddingResponse, EmbeddingUsage
from .encryption import EncryptionKey, EncryptionKeyList
from .inputs import *  # noqa: F403 (every input type, listed in inputs.__all__)
from .job import Job, JobError, JobEvent, JobStatus
from .list_response import ListResponse
from .model import Model, ModelDeleted, ModelUpdate
from .outputs import *  # noqa: F403 (every model's output type, listed in outputs.__all__)
from .prediction import Prediction, PredictRequest, Usage
from .problem import FieldError, Problem
from .training_job import (
    OutOfFoldPrediction,
    SearchSettings,
    ThresholdTarget,
    TrainingCandidate,
    TrainingJob,
    TrainingJobRequest,
    ValidationSettings,
)

__all__ = [
    "APIObject",
    "BatchPrediction",
    "BatchPredictionRequest",
    "BatchResult",
    "ColumnProfile",
    "Dataset",
    "DatasetDeleted",
    "DatasetRow",
    "Embedding",
    "EmbeddingRequest",
    "EmbeddingResponse",
    "EmbeddingUsage",
    "EncryptionKey",
    "EncryptionKeyList",
    "FieldError",
    "ImageProfile",
    "Job",
    "JobError",
    "JobEvent",
    "JobStatus",
    "ListResponse",
    "Model",
    "ModelDeleted",
    "ModelUpdate",
    "OutOfFoldPrediction",
    "PredictRequest",
    "Prediction",
    "Problem",
    "QualityReport",
    "SearchSettings",
    "TargetBalance",
    "ThresholdTarget",
    "TrainingCandidate",
    "TrainingJob",
    "TrainingJobRequest",
    "Usage",
    "ValidationSettings",
]
__all__ += inputs.__all__
__all__ += outputs.__all__
