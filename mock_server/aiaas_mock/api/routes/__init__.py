"""The routes of the API, one module per resource; the app includes them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    batch_predictions,
    chat,
    datasets,
    embeddings,
    encryption_keys,
    health,
    inference_v2,
    limits,
    models,
    oauth,
    training_jobs,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    encryption_keys.router,
    limits.router,
    oauth.router,
    models.router,
    embeddings.router,
    chat.router,
    datasets.router,
    training_jobs.router,
    batch_predictions.router,
    inference_v2.health,
    inference_v2.router,
)
