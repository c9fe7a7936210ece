"""Resource groups of the client (``client.models``, ...)."""

from .embeddings import AsyncEmbeddings, Embeddings
from .models import AsyncModels, Models

__all__ = ["AsyncEmbeddings", "AsyncModels", "Embeddings", "Models"]
