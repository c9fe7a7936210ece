"""``client.batch_predictions``: a model over every row of a dataset, as a job."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Final

import httpx

from .._frames import TableFile, TableFormat, format_of
from .._pages import AsyncPaginator, SyncPage
from .._raw_response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._request import Body, Headers, Query, RequestSpec, per_call
from ..types.batch_prediction import BatchPrediction, BatchResult
from ..types.list_response import ListResponse
from ._jobs import AsyncJobs, SyncJobs, job_path

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = [
    "AsyncBatchPredictions",
    "AsyncBatchPredictionsWithRawResponse",
    "BatchPredictions",
    "BatchPredictionsWithRawResponse",
]

_COLLECTION = "batch-predictions"


def _results_content_spec(job_id: str, format: TableFormat) -> RequestSpec:
    return RequestSpec(
        "GET",
        f"{job_path(_COLLECTION, job_id)}/results/content",
        params={"format": format_of("", format)},
    )


class BatchPredictions(SyncJobs[BatchPrediction]):
    """Batch predictions of this client's tenant."""

    def __init__(self, client: Client) -> None:
        super().__init__(client, _COLLECTION, BatchPrediction)

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
        ignore_extra: bool = True,
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
            ignore_extra: Leave out the columns the model does not take (ids,
                timestamps, the target), as by default; ``False`` refuses a
                dataset that has any, naming them.
            extra_headers, extra_query, extra_body, timeout: this call's own options.
        """
        spec = per_call(
            RequestSpec(
                "POST",
                "/v1/batch-predictions",
                json={
                    "model": model,
                    "dataset_id": dataset_id,
                    "input_column": input_column,
                    "ignore_extra": ignore_extra,
                },
                idempotency_key=idempotency_key,
            ),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._request(spec, BatchPrediction)

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
        return self._get_page(spec, ListResponse[BatchResult])

    def results_content(
        self,
        job_id: str,
        *,
        format: TableFormat = "parquet",
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> TableFile:
        """The results so far as one table (``index``, ``output.<field>`` per output
        field, ``error.code``, ``error.message``), Parquet or CSV: ``.to_pandas()``,
        ``.to_polars()``, ``.to_arrow()``, ``.write_to_file()``."""
        spec = per_call(
            _results_content_spec(job_id, format),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=None,
            timeout=timeout,
        )
        return TableFile(self._send(spec).content, format)

    def download_results(
        self,
        job_id: str,
        path: str | os.PathLike[str],
        *,
        format: TableFormat | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Path:
        """Write the results to ``path`` as Parquet or CSV (by default from its suffix)."""
        table = self.results_content(job_id, format=format_of(path, format), timeout=timeout)
        return table.write_to_file(path)


class AsyncBatchPredictions(AsyncJobs[BatchPrediction]):
    """Batch predictions of this client's tenant."""

    def __init__(self, client: AsyncClient) -> None:
        super().__init__(client, _COLLECTION, BatchPrediction)

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
        ignore_extra: bool = True,
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
            ignore_extra: Leave out the columns the model does not take (ids,
                timestamps, the target), as by default; ``False`` refuses a
                dataset that has any, naming them.
            extra_headers, extra_query, extra_body, timeout: this call's own options.
        """
        spec = per_call(
            RequestSpec(
                "POST",
                "/v1/batch-predictions",
                json={
                    "model": model,
                    "dataset_id": dataset_id,
                    "input_column": input_column,
                    "ignore_extra": ignore_extra,
                },
                idempotency_key=idempotency_key,
            ),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._request(spec, BatchPrediction)

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
        return self._get_page(spec, ListResponse[BatchResult])

    async def results_content(
        self,
        job_id: str,
        *,
        format: TableFormat = "parquet",
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> TableFile:
        """The results so far as one table (see :meth:`BatchPredictions.results_content`)."""
        spec = per_call(
            _results_content_spec(job_id, format),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=None,
            timeout=timeout,
        )
        return TableFile((await self._send(spec)).content, format)

    async def download_results(
        self,
        job_id: str,
        path: str | os.PathLike[str],
        *,
        format: TableFormat | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Path:
        """Write the results to ``path`` as Parquet or CSV (by default from its suffix)."""
        fmt = format_of(path, format)
        table = await self.results_content(job_id, format=fmt, timeout=timeout)
        return table.write_to_file(path)


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
