"""``GET /v1/limits``: what one call may ask for, announced before anyone asks."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter

from ..call_budget import limits
from ..deps import ModelReader, ServicesDep
from ..openapi import PROBLEMS
from ..quotas import quotas_and_usage

router = APIRouter(prefix="/v1", tags=["limits"], responses=PROBLEMS)


@router.get("/limits")
async def get_limits(services: ServicesDep) -> dict[str, int]:
    """Per-call limits: body bytes, inputs, text characters, decoded pixels, how
    many calls compute at once (more wait for a slot), and the largest dataset
    upload (streamed; a sealed upload keeps the body limit); ``quota_*``: every
    tenant's quotas unless set for it (``GET /v1/quotas``)."""
    default = dataclasses.asdict(services.config.quotas)
    return {**limits(services.config), **{f"quota_{k}": v for k, v in default.items()}}


@router.get("/quotas")
def get_quotas(principal: ModelReader, services: ServicesDep) -> dict[str, dict[str, int]]:
    """The caller's tenant's quotas, each with its ``limit`` and what is ``used``
    now (the per-job quotas, ``job_cost`` and ``batch_rows``, are used by none)."""
    return quotas_and_usage(services, principal.tenant_id)
