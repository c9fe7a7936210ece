"""``GET /v1/limits``: what one call may ask for, announced before anyone asks."""

from __future__ import annotations

from fastapi import APIRouter

from ..call_budget import limits
from ..deps import ServicesDep
from ..openapi import PROBLEMS

router = APIRouter(prefix="/v1", tags=["limits"], responses=PROBLEMS)


@router.get("/limits")
async def get_limits(services: ServicesDep) -> dict[str, int]:
    """Per-call limits: body bytes, inputs, text characters, decoded pixels, how
    many calls compute at once (more wait for a slot), and the largest dataset
    upload (streamed; a sealed upload keeps the body limit)."""
    return limits(services.config)
