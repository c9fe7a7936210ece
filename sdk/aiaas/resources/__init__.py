"""Resource groups of the client (``client.models``, ...)."""

from .models import AsyncModels, Models

__all__ = ["AsyncModels", "Models"]
