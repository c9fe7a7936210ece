"""``/v1/batch-predictions``: a model run over every row of a dataset, as a job.

Results are read page by page in row order, one per row: the model's output,
or the error that row met (a row the model refuses never stops the job).
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from typing import Annotated, Any, ClassVar

import anyio
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from aiaas.types import BatchPrediction, BatchResult, JobEvent, ListResponse

from ...services import Services
from ...store.jobs import JobKind
from ..deps import Inferrer, ResourceId, ServicesDep
from ..idempotency import IdempotentRoute, commit
from ..model_lookup import resolve
from ..openapi import PROBLEMS
from ..problems import ProblemError
from ._jobs import job_events, wait_until_settled

router = APIRouter(
    prefix="/v1/batch-predictions",
    tags=["batch predictions"],
    route_class=IdempotentRoute,
    responses=PROBLEMS,
)
KIND: JobKind = "batch_prediction"
MAX_RESULTS_PAGE = 1000


class BatchPredictionRequest(BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid", protected_namespaces=())

    model: str = Field(min_length=1, max_length=128)
    dataset_id: str = Field(min_length=1, max_length=64)
    input_column: str | None = Field(
        default=None,
        description="For a model that takes one value per input (a text), the column "
        "holding it; a model that takes rows gets each row whole.",
    )


@router.post("", status_code=201)
def create_batch_prediction(
    body: BatchPredictionRequest, principal: Inferrer, services: ServicesDep
) -> BatchPrediction:
    """Queue a batch prediction of ``model`` over every row of ``dataset_id``."""
    served = resolve(services, body.model, principal)
    dataset = services.store.datasets.get(body.dataset_id, principal.tenant_id)
    if dataset is None:
        raise ProblemError(404, "not_found", f"No dataset '{body.dataset_id}'.")
    takes_rows = isinstance(served.spec.input_type, type) and issubclass(
        served.spec.input_type, BaseModel
    )
    columns = {column.name for column in dataset.columns}
    if body.input_column is None and not takes_rows:
        raise ProblemError(
            422,
            "input_column_required",
            f"Model '{body.model}' takes one value per input: name the dataset column "
            "that holds it (input_column).",
        )
    if body.input_column is not None and body.input_column not in columns:
        raise ProblemError(
            422, "unknown_column", f"The dataset has no column '{body.input_column}'."
        )
    job = BatchPrediction(
        id=f"bp_{secrets.token_hex(12)}",
        model=body.model,
        dataset_id=dataset.id,
        input_column=body.input_column,
        status="queued",
        rows=dataset.rows,
        created_at=int(time.time()),
    )
    record: dict[str, Any] = job.model_dump(mode="json")

    def write(conn: sqlite3.Connection) -> None:
        services.store.jobs.insert(
            conn, record, KIND, principal.tenant_id, services.store.instances.id
        )

    commit(services, [write])
    services.jobs.wake()
    return job


@router.get("")
def list_batch_predictions(
    principal: Inferrer,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Annotated[str | None, Query(max_length=512)] = None,
) -> ListResponse[BatchPrediction]:
    list_id = f"batch-predictions|{principal.tenant_id}"
    position = services.cursors.decode(list_id, after) if after else 0
    page = services.store.jobs.page(principal.tenant_id, KIND, after_seq=position, limit=limit)
    next_cursor = None
    if page.has_more and page.last_seq is not None:
        next_cursor = services.cursors.encode(list_id, page.last_seq)
    return ListResponse[BatchPrediction](
        data=[BatchPrediction.model_validate(record) for record in page.records],
        has_more=page.has_more,
        next_cursor=next_cursor,
    )


def _job(services: Services, job_id: str, tenant_id: str) -> dict[str, Any]:
    record = services.store.jobs.get(job_id, tenant_id, KIND)
    if record is None:
        raise ProblemError(404, "not_found", f"No batch prediction '{job_id}'.")
    return record


@router.get("/{job_id}")
def retrieve_batch_prediction(
    job_id: ResourceId, principal: Inferrer, services: ServicesDep
) -> BatchPrediction:
    return BatchPrediction.model_validate(_job(services, job_id, principal.tenant_id))


@router.get("/{job_id}/results")
def list_batch_results(
    job_id: ResourceId,
    principal: Inferrer,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=MAX_RESULTS_PAGE)] = 100,
    after: Annotated[str | None, Query(max_length=512)] = None,
) -> ListResponse[BatchResult]:
    """Per-row results in row order, as far as the job has got (all of them once it
    has succeeded)."""
    _job(services, job_id, principal.tenant_id)
    list_id = f"results|{job_id}"
    position = services.cursors.decode(list_id, after) if after else -1
    page = services.store.jobs.results(job_id, after_row=position, limit=limit)
    next_cursor = None
    if page.has_more and page.last_seq is not None:
        next_cursor = services.cursors.encode(list_id, page.last_seq)
    return ListResponse[BatchResult](
        data=[BatchResult.model_validate(record) for record in page.records],
        has_more=page.has_more,
        next_cursor=next_cursor,
    )


@router.get("/{job_id}/events")
def list_batch_prediction_events(
    job_id: ResourceId,
    principal: Inferrer,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Annotated[str | None, Query(max_length=512)] = None,
) -> ListResponse[JobEvent]:
    _job(services, job_id, principal.tenant_id)
    return job_events(services, job_id, limit, after)


@router.post("/{job_id}/cancel")
async def cancel_batch_prediction(
    job_id: ResourceId, principal: Inferrer, services: ServicesDep
) -> BatchPrediction:
    record = await anyio.to_thread.run_sync(_job, services, job_id, principal.tenant_id)
    if record["status"] in ("queued", "running"):
        await anyio.to_thread.run_sync(services.jobs.cancel, job_id)
        record = await wait_until_settled(services, job_id)
    return BatchPrediction.model_validate(record)
