"""``/v1/training-jobs``: train a model on a dataset, follow it, cancel it.

Creating a job checks everything it can be refused for (422, naming the field)
before it is queued; the work then runs on the embedded pool or the cluster,
never in this process.
"""

from __future__ import annotations

import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from aiaas.types import (
    FieldError,
    JobEvent,
    ListResponse,
    OutOfFoldPrediction,
    TrainingJob,
    TrainingJobRequest,
)

from ...training.cost import training_cost
from ...training.driver import plan_training
from ...training.plan import PlanError
from ..auth import check_scope
from ..cursors import Cursor
from ..deps import ResourceId, ServicesDep, Trainer
from ..idempotency import IdempotentRoute
from ..openapi import PROBLEMS
from ..problems import ProblemError
from ..quotas import check_count, check_size
from ._jobs import EVENT_STREAM, JobRoutes, row_records_page

router = APIRouter(
    prefix="/v1/training-jobs", tags=["training"], route_class=IdempotentRoute, responses=PROBLEMS
)
JOBS = JobRoutes("training", "training job", TrainingJob)


@router.post("", status_code=201)
def create_training_job(
    body: TrainingJobRequest, principal: Trainer, services: ServicesDep
) -> TrainingJob:
    """Queue a training job: cross-validate the candidates, keep the best, and
    make it a model of the tenant's."""
    dataset = services.store.datasets.get(body.dataset_id, principal.tenant_id)
    if dataset is None:
        raise ProblemError(404, "not_found", f"No dataset '{body.dataset_id}'.")
    job_id = f"tj_{secrets.token_hex(12)}"
    check_count(services, principal.tenant_id, "jobs")
    try:
        plan = plan_training(job_id, body, dataset)
    except PlanError as exc:
        raise ProblemError(
            422,
            "invalid_training_job",
            exc.message,
            errors=[FieldError(field=f"body.{exc.field}", message=exc.message)],
        ) from None
    check_size(services, principal.tenant_id, "job_cost", training_cost(plan, dataset.rows))
    job = TrainingJob(
        id=job_id,
        model=body.model,
        dataset_id=body.dataset_id,
        target=body.target,
        status="queued",
        hyperparameters=body.hyperparameters,
        validation=body.validation,
        search=body.search,
        metric=body.metric,
        threshold=body.threshold,
        created_at=int(time.time()),
        features=body.features,
    )
    return JOBS.queue(services, principal.tenant_id, job)


@router.get("")
def list_training_jobs(
    principal: Trainer,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Cursor = None,
) -> ListResponse[TrainingJob]:
    """The tenant's training jobs, oldest first."""
    return JOBS.page(services, principal.tenant_id, limit, after)


@router.get("/{job_id}")
def retrieve_training_job(
    job_id: ResourceId, principal: Trainer, services: ServicesDep
) -> TrainingJob:
    """The job: its state, progress, metrics and, once it has succeeded, its model."""
    return JOBS.one(services, job_id, principal.tenant_id)


@router.get("/{job_id}/events", response_model=ListResponse[JobEvent], responses=EVENT_STREAM)
def list_training_job_events(
    job_id: ResourceId,
    request: Request,
    principal: Trainer,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Cursor = None,
) -> ListResponse[JobEvent] | StreamingResponse:
    """The job's log, oldest first: state changes, each fold's and candidate's
    metrics. With ``Accept: text/event-stream``, the log as it is written (from
    the event after ``Last-Event-ID``), ending with ``data: [DONE]``."""
    return JOBS.events(services, job_id, principal.tenant_id, limit, after, request)


@router.post("/{job_id}/cancel")
async def cancel_training_job(
    job_id: ResourceId, principal: Trainer, services: ServicesDep
) -> TrainingJob:
    """Cancel the job. A queued job is cancelled at once; a running one within a
    second or so, which this call waits for (up to a few seconds)."""
    return await JOBS.cancel(services, job_id, principal.tenant_id)


MAX_OUT_OF_FOLD_PAGE = 1000


@router.get("/{job_id}/out-of-fold")
def list_out_of_fold_predictions(
    job_id: ResourceId,
    principal: Trainer,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=MAX_OUT_OF_FOLD_PAGE)] = 100,
    after: Cursor = None,
) -> ListResponse[OutOfFoldPrediction]:
    """The chosen candidate's answer for every training row, each from the fold
    that held the row out, in row order: what a confusion matrix, a ROC curve or
    a residual plot of the model should be drawn from. Kept for datasets of up to
    200,000 rows (none for clustering and fine-tuned families); complete once the
    job has succeeded.

    Needs ``datasets:read`` beside ``training``: every row's target is in it."""
    check_scope(principal, "datasets:read")
    JOBS.record(services, job_id, principal.tenant_id)
    return row_records_page(
        services, f"out-of-fold|{job_id}", job_id, after, limit, OutOfFoldPrediction.model_validate
    )
