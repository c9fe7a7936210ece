"""``/v1/training-jobs``: train a model on a dataset, follow it, cancel it.

Creating a job checks everything it can be refused for (422, naming the field)
before it is queued; the work then runs on the embedded pool or the cluster,
never in this process.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query

from aiaas.types import FieldError, JobEvent, ListResponse, TrainingJob

from ...services import Services
from ...store.jobs import JobKind
from ...training.plan import PlanError, TrainingRequest, plan_training
from ..deps import ResourceId, ServicesDep, Trainer
from ..idempotency import IdempotentRoute, commit
from ..openapi import PROBLEMS
from ..problems import ProblemError
from ._jobs import job_events, wait_until_settled

router = APIRouter(
    prefix="/v1/training-jobs", tags=["training"], route_class=IdempotentRoute, responses=PROBLEMS
)
KIND: JobKind = "training"


@router.post("", status_code=201)
def create_training_job(
    body: TrainingRequest, principal: Trainer, services: ServicesDep
) -> TrainingJob:
    """Queue a training job: cross-validate the candidates, keep the best, and
    make it a model of the tenant's."""
    dataset = services.store.datasets.get(body.dataset_id, principal.tenant_id)
    if dataset is None:
        raise ProblemError(404, "not_found", f"No dataset '{body.dataset_id}'.")
    job_id = f"tj_{secrets.token_hex(12)}"
    try:
        plan_training(job_id, body, dataset)
    except PlanError as exc:
        raise ProblemError(
            422,
            "invalid_training_job",
            exc.message,
            errors=[FieldError(field=f"body.{exc.field}", message=exc.message)],
        ) from None
    job = TrainingJob(
        id=job_id,
        model=body.model,
        dataset_id=body.dataset_id,
        target=body.target,
        status="queued",
        hyperparameters=body.hyperparameters,
        validation=body.validation,
        search=body.search,
        created_at=int(time.time()),
        features=body.features,
    )
    record: dict[str, Any] = job.model_dump(mode="json")

    def write(conn: sqlite3.Connection) -> None:
        services.store.jobs.insert(
            conn, record, KIND, principal.tenant_id, services.store.instances.id
        )

    # Queued at once, not with the idempotent answer: the runner reads the queue
    # from the database, and a replayed answer must name a job that exists.
    commit(services, [write])
    services.jobs.wake()
    return job


@router.get("")
def list_training_jobs(
    principal: Trainer,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Annotated[str | None, Query(max_length=512)] = None,
) -> ListResponse[TrainingJob]:
    """The tenant's training jobs, oldest first."""
    list_id = f"training-jobs|{principal.tenant_id}"
    position = services.cursors.decode(list_id, after) if after else 0
    page = services.store.jobs.page(principal.tenant_id, KIND, after_seq=position, limit=limit)
    next_cursor = None
    if page.has_more and page.last_seq is not None:
        next_cursor = services.cursors.encode(list_id, page.last_seq)
    return ListResponse[TrainingJob](
        data=[TrainingJob.model_validate(record) for record in page.records],
        has_more=page.has_more,
        next_cursor=next_cursor,
    )


def _job(services: Services, job_id: str, tenant_id: str) -> dict[str, Any]:
    record = services.store.jobs.get(job_id, tenant_id, KIND)
    if record is None:
        raise ProblemError(404, "not_found", f"No training job '{job_id}'.")
    return record


@router.get("/{job_id}")
def retrieve_training_job(
    job_id: ResourceId, principal: Trainer, services: ServicesDep
) -> TrainingJob:
    return TrainingJob.model_validate(_job(services, job_id, principal.tenant_id))


@router.get("/{job_id}/events")
def list_training_job_events(
    job_id: ResourceId,
    principal: Trainer,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Annotated[str | None, Query(max_length=512)] = None,
) -> ListResponse[JobEvent]:
    """The job's log, oldest first: state changes, each fold's and candidate's metrics."""
    _job(services, job_id, principal.tenant_id)
    return job_events(services, job_id, limit, after)


@router.post("/{job_id}/cancel")
async def cancel_training_job(
    job_id: ResourceId, principal: Trainer, services: ServicesDep
) -> TrainingJob:
    """Cancel the job. A queued job is cancelled at once; a running one within a
    second or so, which this call waits for (up to a few seconds)."""
    record = await anyio.to_thread.run_sync(_job, services, job_id, principal.tenant_id)
    if record["status"] in ("queued", "running"):
        await anyio.to_thread.run_sync(services.jobs.cancel, job_id)
        record = await wait_until_settled(services, job_id)
    return TrainingJob.model_validate(record)
