"""``POST /v1/embeddings``: OpenAI's request and response, served by the
embedding models of the catalogue."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
from fastapi import APIRouter, Request

from aiaas.types import EmbeddingRequest

from ...zoo.maintenance_text.inputs import MaintenanceText
from ...zoo.model_spec import EMBEDDING_TASK, TextEmbedder
from ..deps import Inferrer, ServicesDep
from ..idempotency import IdempotentRoute, record
from ..openapi import PROBLEMS
from ..prediction import admit, call_log, find_model
from ..problems import field_problem
from ..validation import validate_as

router = APIRouter(
    prefix="/v1", tags=["embeddings"], route_class=IdempotentRoute, responses=PROBLEMS
)


@router.post("/embeddings")
def create_embeddings(
    body: EmbeddingRequest, request: Request, principal: Inferrer, services: ServicesDep
) -> dict[str, Any]:
    """One unit-length vector per text: the SIF-weighted mean of its known words'
    unit vectors, renormalised (zeros when no word is known)."""
    served = find_model(services, principal, body.model, EMBEDDING_TASK, "does not embed texts")
    call = admit(services, served, _texts(body), at=("body", "input"), input_type=MaintenanceText)
    embedder: TextEmbedder = call.model.predictor  # type: ignore[assignment]
    if body.dimensions is not None and body.dimensions != embedder.dimensions:
        raise field_problem(
            "body.dimensions", f"'{body.model}' gives {embedder.dimensions} dimensions only."
        )
    vectors, token_count = embedder.embed_texts(call.inputs)
    _, log = call_log(principal, body.model, len(call.inputs), prefix="emb")
    record(request, services, log)
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": i, "embedding": _encode(row, body.encoding_format)}
            for i, row in enumerate(vectors)
        ],
        "model": body.model,
        "usage": {"prompt_tokens": token_count, "total_tokens": token_count},
    }


def _texts(body: EmbeddingRequest) -> list[str]:
    if isinstance(body.input, str):
        # One text: its errors name body.input, not body.input.0.
        return [validate_as(MaintenanceText, body.input, ("body", "input"))]
    if not body.input:
        raise field_problem("body.input", "Send at least one text.")
    if not all(isinstance(text, str) for text in body.input):
        raise field_problem("body.input", "Token arrays are not supported; send text.")
    return list(body.input)  # type: ignore[arg-type]


def _encode(row: np.ndarray[Any, Any], encoding_format: str) -> list[float] | str:
    if encoding_format == "base64":
        # OpenAI's base64 format: little-endian float32 bytes.
        return base64.b64encode(row.astype("<f4").tobytes()).decode("ascii")
    return [round(float(v), 6) for v in row]
