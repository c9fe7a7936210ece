"""``client.batch_predictions``: a model over every row of a dataset, as a job."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Final

import httpx

from .._pages import AsyncPaginator, SyncPage
from .._polling import JobPoll
from .._raw_response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._request import Body, Headers, Query, RequestSpec, per_call
from ..types.batch_prediction import BatchPrediction, BatchResult
from ..types.list_response import ListResponse
from ..types.training_job import JobEvent
from ._base import AsyncAPIResource, SyncAPIResource
from ._jobs import (
    DEFAULT_POLL_INTERVAL,
    cancel_spec,
    events_spec,
    job_path,
    list_spec,
    wait_async,
    wait_sync,
)

__all__ = [
    "AsyncBatchPredictions",
    "AsyncBatchPredictionsWithRawResponse",
    "BatchPredictions",
    "BatchPredictionsWithRawResponse",
]

_COLLECTION = "batch-predictions"


class BatchPredictions(SyncAPIResource):
    """Batch predictions of this client's tenant."""

    @cached_property
    def with_raw_response(self) -> BatchPredictionsWithRawResponse:
        """The same methods, returning the HTTP answer with ``.parse()``."""
        return BatchPredictionsWithRawResponse(self)

    def create(
        self,
        *,
        model: str,
        dataset_id: str,
        input_column: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> BatchPrediction:
        """Queue a batch prediction of ``model`` over every row of ``dataset_id``.

        Args:
            model: Any model the tenant may call, its own trained ones included.
            dataset_id: The rows to predict; each row gives the model the columns
                it takes.
            input_column: For a model that takes one value per input (a text),
                the column holding it.
            extra_headers, extra_query, extra_body, timeout: this call's own options.
        """
        spec = per_call(
            RequestSpec(
                "POST",
                "/v1/batch-predictions",
                json={"model": model, "dataset_id": dataset_id, "input_column": input_column},
                idempotency_key=idempotency_key,
            ),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._request(spec, BatchPrediction)

    def list(
        self,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> SyncPage[BatchPrediction]:
        """The tenant's jobs, oldest first: a page that iterates through all of them."""
        spec = per_call(
            list_spec(_COLLECTION, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._get_page(spec, ListResponse[BatchPrediction])

    def retrieve(
        self,
        job_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> BatchPrediction:
        """The job as it is now."""
        spec = per_call(
            RequestSpec("GET", job_path(_COLLECTION, job_id)),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._request(spec, BatchPrediction)

    def events(
        self,
        job_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> SyncPage[JobEvent]:
        """The job's log, oldest first: state changes and progress."""
        spec = per_call(
            events_spec(_COLLECTION, job_id, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._get_page(spec, ListResponse[JobEvent])

    def cancel(
        self,
        job_id: str,
        *,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> BatchPrediction:
        """Cancel the job; the answer shows it cancelled once the server has stopped
        it (a few seconds at most), or still stopping."""
        spec = per_call(
            cancel_spec(_COLLECTION, job_id, idempotency_key),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._request(spec, BatchPrediction)

    def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        on_progress: Callable[[BatchPrediction], object] | None = None,
    ) -> BatchPrediction:
        """Poll the job until it has succeeded, failed or been cancelled; return it.

        Looks again after ``poll_interval`` seconds, waiting up to four times longer
        while the job shows no progress. ``on_progress`` gets the job each time its
        status or progress has changed. Raises :class:`aiaas.JobTimeoutError` after
        ``timeout`` seconds (by default the client's ``deadline``, if it has one);
        the job itself goes on.
        """
        poll = JobPoll(timeout if timeout is not None else self._client.deadline, poll_interval)
        return wait_sync(lambda: self.retrieve(job_id), poll, on_progress)

    def results(
        self,
        job_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> SyncPage[BatchResult]:
        """Per-row results in row order (pages of up to 1,000, default 100): each the
        model's output, or the error its row met. Complete once the job has succeeded."""
        spec = per_call(
            RequestSpec(
                "GET",
                f"{job_path(_COLLECTION, job_id)}/results",
                params={"limit": limit, "after": after},
            ),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._get_page(spec, ListResponse[BatchResult])


class AsyncBatchPredictions(AsyncAPIResource):
    """Batch predictions of this client's tenant."""

    @cached_property
    def with_raw_response(self) -> AsyncBatchPredictionsWithRawResponse:
        """The same methods, returning the HTTP answer with ``.parse()``."""
        return AsyncBatchPredictionsWithRawResponse(self)

    async def create(
        self,
        *,
        model: str,
        dataset_id: str,
        input_column: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> BatchPrediction:
        """Queue a batch prediction of ``model`` over every row of ``dataset_id``.

        Args:
            model: Any model the tenant may call, its own trained ones included.
            dataset_id: The rows to predict; each row gives the model the columns
                it takes.
            input_column: For a model that takes one value per input (a text),
                the column holding it.
            extra_headers, extra_query, extra_body, timeout: this call's own options.
        """
        spec = per_call(
            RequestSpec(
                "POST",
                "/v1/batch-predictions",
                json={"model": model, "dataset_id": dataset_id, "input_column": input_column},
                idempotency_key=idempotency_key,
            ),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._client._request(spec, BatchPrediction)

    def list(
        self,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncPaginator[BatchPrediction]:
        """The tenant's jobs, oldest first: a page that iterates through all of them."""
        spec = per_call(
            list_spec(_COLLECTION, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._get_page(spec, ListResponse[BatchPrediction])

    async def retrieve(
        self,
        job_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> BatchPrediction:
        """The job as it is now."""
        spec = per_call(
            RequestSpec("GET", job_path(_COLLECTION, job_id)),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._client._request(spec, BatchPrediction)

    def events(
        self,
        job_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncPaginator[JobEvent]:
        """The job's log, oldest first: state changes and progress."""
        spec = per_call(
            events_spec(_COLLECTION, job_id, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._get_page(spec, ListResponse[JobEvent])

    async def cancel(
        self,
        job_id: str,
        *,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> BatchPrediction:
        """Cancel the job; the answer shows it cancelled once the server has stopped
        it (a few seconds at most), or still stopping."""
        spec = per_call(
            cancel_spec(_COLLECTION, job_id, idempotency_key),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._client._request(spec, BatchPrediction)

    async def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        on_progress: Callable[[BatchPrediction], object] | None = None,
    ) -> BatchPrediction:
        """Poll the job until it has succeeded, failed or been cancelled; return it.

        Looks again after ``poll_interval`` seconds, waiting up to four times longer
        while the job shows no progress. ``on_progress`` gets the job each time its
        status or progress has changed. Raises :class:`aiaas.JobTimeoutError` after
        ``timeout`` seconds (by default the client's ``deadline``, if it has one);
        the job itself goes on.
        """
        poll = JobPoll(timeout if timeout is not None else self._client.deadline, poll_interval)
        return await wait_async(lambda: self.retrieve(job_id), poll, on_progress)

    def results(
        self,
        job_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncPaginator[BatchResult]:
        """Per-row results in row order (pages of up to 1,000, default 100): each the
        model's output, or the error its row met. Complete once the job has succeeded."""
        spec = per_call(
            RequestSpec(
                "GET",
                f"{job_path(_COLLECTION, job_id)}/results",
                params={"limit": limit, "after": after},
            ),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._client._get_page(spec, ListResponse[BatchResult])


class BatchPredictionsWithRawResponse:
    def __init__(self, resource: BatchPredictions) -> None:
        self.create: Final = to_raw_response_wrapper(resource.create)
        self.list: Final = to_raw_response_wrapper(resource.list)
        self.retrieve: Final = to_raw_response_wrapper(resource.retrieve)
        self.results: Final = to_raw_response_wrapper(resource.results)
        self.events: Final = to_raw_response_wrapper(resource.events)
        self.cancel: Final = to_raw_response_wrapper(resource.cancel)
        self.wait: Final = to_raw_response_wrapper(resource.wait)


class AsyncBatchPredictionsWithRawResponse:
    def __init__(self, resource: AsyncBatchPredictions) -> None:
        self.create: Final = async_to_raw_response_wrapper(resource.create)
        self.list: Final = async_to_raw_response_wrapper(resource.list)
        self.retrieve: Final = async_to_raw_response_wrapper(resource.retrieve)
        self.results: Final = async_to_raw_response_wrapper(resource.results)
        self.events: Final = async_to_raw_response_wrapper(resource.events)
        self.cancel: Final = async_to_raw_response_wrapper(resource.cancel)
        self.wait: Final = async_to_raw_response_wrapper(resource.wait)
