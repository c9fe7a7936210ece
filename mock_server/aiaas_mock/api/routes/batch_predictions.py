"""``/v1/batch-predictions``: a model run over every row of a dataset, as a job.

Results are read page by page in row order, one per row: the model's output,
or the error that row met (a row the model refuses never stops the job).
"""

from __future__ import annotations

import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from aiaas.types import (
    BatchPrediction,
    BatchPredictionRequest,
    BatchResult,
    JobEvent,
    ListResponse,
)

from ...datasets.arrow_columns import stored_schema
from ...datasets.export import (
    ExportFormat,
    batch_results_tables,
    flat_record,
    merge_types,
    records_types,
    stream_tables,
)
from ...zoo.model_spec import input_field_names
from ..auth import check_scope
from ..cursors import Cursor
from ..deps import Inferrer, ResourceId, ServicesDep
from ..downloads import TABLE_FILE, table_download
from ..idempotency import IdempotentRoute
from ..model_lookup import resolve
from ..openapi import PROBLEMS
from ..problems import ProblemError
from ..quotas import check_count, check_size
from ._jobs import EVENT_STREAM, JobRoutes, row_records_page

router = APIRouter(
    prefix="/v1/batch-predictions",
    tags=["batch predictions"],
    route_class=IdempotentRoute,
    responses=PROBLEMS,
)
JOBS = JobRoutes("batch_prediction", "batch prediction", BatchPrediction)
MAX_RESULTS_PAGE = 1000
ROW_WEIGHT_OF_VALUES = 10
"""Weighted rows (``quotas.batch_rows``) per row of a model taking one value (a
text, an image) rather than a table row."""


@router.post("", status_code=201)
def create_batch_prediction(
    body: BatchPredictionRequest, principal: Inferrer, services: ServicesDep
) -> BatchPrediction:
    """Queue a batch prediction of ``model`` over every row of ``dataset_id``.

    Needs ``datasets:read`` beside ``inference``: the results carry what the
    model made of every row, which a key without it could not read otherwise."""
    check_scope(principal, "datasets:read")
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
    fields = input_field_names(served.spec.input_type)
    extra = sorted(columns - set(fields)) if fields is not None else []
    if extra and body.input_column is None and not body.ignore_extra:
        raise ProblemError(
            422,
            "extra_columns",
            f"Model '{body.model}' does not take the dataset's columns "
            f"{', '.join(repr(name) for name in extra)}; leave them out with "
            "ignore_extra=true (the default).",
        )
    check_count(services, principal.tenant_id, "jobs")
    # A text or image costs a model about ten table rows.
    weighted = dataset.rows * (1 if takes_rows else ROW_WEIGHT_OF_VALUES)
    check_size(services, principal.tenant_id, "batch_rows", weighted)
    job = BatchPrediction(
        id=f"bp_{secrets.token_hex(12)}",
        model=body.model,
        dataset_id=dataset.id,
        input_column=body.input_column,
        status="queued",
        rows=dataset.rows,
        created_at=int(time.time()),
    )
    return JOBS.queue(services, principal.tenant_id, job)


@router.get("")
def list_batch_predictions(
    principal: Inferrer,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Cursor = None,
) -> ListResponse[BatchPrediction]:
    """The tenant's batch predictions, oldest first."""
    return JOBS.page(services, principal.tenant_id, limit, after)


@router.get("/{job_id}")
def retrieve_batch_prediction(
    job_id: ResourceId, principal: Inferrer, services: ServicesDep
) -> BatchPrediction:
    """The job: its state, progress and counts of rows done and failed."""
    return JOBS.one(services, job_id, principal.tenant_id)


@router.get("/{job_id}/results")
def list_batch_results(
    job_id: ResourceId,
    principal: Inferrer,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=MAX_RESULTS_PAGE)] = 100,
    after: Cursor = None,
) -> ListResponse[BatchResult]:
    """Per-row results in row order, as far as the job has got (all of them once it
    has succeeded).

    Needs ``datasets:read`` beside ``inference``: what a model made of every row
    (a text's entities, its embedding) is the dataset's content, whoever created
    the job."""
    check_scope(principal, "datasets:read")
    JOBS.record(services, job_id, principal.tenant_id)
    return row_records_page(
        services, f"results|{job_id}", job_id, after, limit, BatchResult.model_validate
    )


@router.get("/{job_id}/results/content", response_class=StreamingResponse, responses=TABLE_FILE)
def download_batch_results(
    job_id: ResourceId,
    principal: Inferrer,
    services: ServicesDep,
    format: Annotated[ExportFormat, Query()] = "parquet",
) -> StreamingResponse:
    """The results so far as one table, streamed: ``index``, each output field as
    ``output.<name>`` (a nested value as its JSON text) and ``error.code`` and
    ``error.message``, as CSV or Parquet. Scopes as for the results' pages."""
    check_scope(principal, "datasets:read")
    JOBS.record(services, job_id, principal.tenant_id)
    jobs = services.store.jobs
    last_row = -1
    types: dict[str, str] = {}
    for page in jobs.iter_results(job_id):
        types = merge_types(types, records_types(flat_record(record) for record in page))
        last_row = page[-1]["index"]
    types = types or {"index": "integer", "error.code": "string", "error.message": "string"}
    tables = batch_results_tables(jobs.iter_results(job_id, last_row), types)
    return table_download(stream_tables(stored_schema(types), tables, format), format, job_id)


@router.get("/{job_id}/events", response_model=ListResponse[JobEvent], responses=EVENT_STREAM)
def list_batch_prediction_events(
    job_id: ResourceId,
    request: Request,
    principal: Inferrer,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Cursor = None,
) -> ListResponse[JobEvent] | StreamingResponse:
    """The job's log, oldest first: state changes and progress. With ``Accept:
    text/event-stream``, the log as it is written (from the event after
    ``Last-Event-ID``), ending with ``data: [DONE]``."""
    return JOBS.events(services, job_id, principal.tenant_id, limit, after, request)


@router.post("/{job_id}/cancel")
async def cancel_batch_prediction(
    job_id: ResourceId, principal: Inferrer, services: ServicesDep
) -> BatchPrediction:
    """Cancel the job; as for a training job, the answer waits until it has stopped."""
    return await JOBS.cancel(services, job_id, principal.tenant_id)
