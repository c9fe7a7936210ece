"""Resource groups of the client (``client.models``, ...)."""

from .batch_predictions import AsyncBatchPredictions, BatchPredictions
from .datasets import AsyncDatasets, Datasets
from .embeddings import AsyncEmbeddings, Embeddings
from .models import AsyncModels, Models
from .training_jobs import AsyncTrainingJobs, TrainingJobs

__all__ = [
    "AsyncBatchPredictions",
    "AsyncDatasets",
    "AsyncEmbeddings",
    "AsyncModels",
    "AsyncTrainingJobs",
    "BatchPredictions",
    "Datasets",
    "Embeddings",
    "Models",
    "TrainingJobs",
]
