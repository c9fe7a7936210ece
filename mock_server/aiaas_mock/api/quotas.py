"""A tenant's quotas enforced where they are used up: 403 ``quota_exceeded``
naming the quota, what the tenant uses and its limit."""

from __future__ import annotations

import dataclasses

from ..services import Services
from .problems import ProblemError

WHAT = {
    "stored_bytes": "bytes of datasets stored",
    "datasets": "datasets",
    "jobs": "queued and running jobs",
    "running_jobs": "jobs running at once",
    "job_cost": "row-fits of one training job",
    "batch_rows": "weighted rows of one batch prediction",
}


def exceeded(name: str, used: int, limit: int, detail: str = "") -> ProblemError:
    return ProblemError(
        403,
        "quota_exceeded",
        detail or f"The tenant's quota of {limit} {WHAT[name]} is used up ({used}).",
        extra={"quota": name, "used": used, "limit": limit},
    )


def check_count(services: Services, tenant_id: str, name: str) -> None:
    """One more of ``name`` (``datasets``, ``jobs``) fits in the tenant's quota."""
    limit = getattr(services.store.quotas.of(tenant_id), name)
    used = services.store.quotas.usage(tenant_id)[name]
    if used + 1 > limit:
        raise exceeded(name, used, limit)


def check_size(services: Services, tenant_id: str, name: str, size: int) -> None:
    """A job of ``size`` (row-fits, weighted rows) is within the tenant's quota."""
    limit = getattr(services.store.quotas.of(tenant_id), name)
    if size > limit:
        raise exceeded(
            name,
            size,
            limit,
            f"This job's estimated size is {size:,} {WHAT[name]}; the tenant's quota "
            f"is {limit:,}. Use fewer rows, folds or candidates, or smaller models.",
        )


def stored_bytes_left(services: Services, tenant_id: str) -> int:
    limit = services.store.quotas.of(tenant_id).stored_bytes
    used = services.store.quotas.usage(tenant_id)["stored_bytes"]
    if used >= limit:
        raise exceeded("stored_bytes", used, limit)
    return limit - used


def quotas_and_usage(services: Services, tenant_id: str) -> dict[str, dict[str, int]]:
    quotas = dataclasses.asdict(services.store.quotas.of(tenant_id))
    usage = services.store.quotas.usage(tenant_id)
    return {name: {"limit": limit, "used": usage.get(name, 0)} for name, limit in quotas.items()}
