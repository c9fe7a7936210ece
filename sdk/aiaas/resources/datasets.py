"""``client.datasets``: upload plant data, read its quality report and rows."""

from __future__ import annotations

from functools import cached_property
from typing import Final

import httpx

from .._pages import AsyncPaginator, SyncPage
from .._raw_response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._request import Body, Headers, Query, RequestSpec, path_segment, per_call
from .._uploads import DatasetFormat, FileSource, Upload
from ..types.dataset import Dataset, DatasetDeleted, DatasetRow
from ..types.list_response import ListResponse
from ._base import AsyncAPIResource, SyncAPIResource

__all__ = ["AsyncDatasets", "AsyncDatasetsWithRawResponse", "Datasets", "DatasetsWithRawResponse"]


def _create_spec(
    file: FileSource,
    name: str,
    format: DatasetFormat | None,
    target: str | None,
    idempotency_key: str | None,
) -> RequestSpec:
    if not isinstance(name, str) or not name:
        raise ValueError("name must be a non-empty string")
    upload = Upload(file, format)
    return RequestSpec(
        "POST",
        "/v1/datasets",
        params={"name": name, "format": upload.format, "target": target},
        upload=upload,
        idempotency_key=idempotency_key,
    )


def _path(dataset_id: str) -> str:
    return f"/v1/datasets/{path_segment(dataset_id, 'dataset_id')}"


def _list_spec(limit: int | None, after: str | None) -> RequestSpec:
    return RequestSpec("GET", "/v1/datasets", params={"limit": limit, "after": after})


def _rows_spec(dataset_id: str, limit: int | None, after: str | None) -> RequestSpec:
    return RequestSpec("GET", f"{_path(dataset_id)}/rows", params={"limit": limit, "after": after})


class Datasets(SyncAPIResource):
    """Datasets of this client's tenant."""

    @cached_property
    def with_raw_response(self) -> DatasetsWithRawResponse:
        """The same methods, returning the HTTP answer with ``.parse()``."""
        return DatasetsWithRawResponse(self)

    def create(
        self,
        *,
        file: FileSource,
        name: str,
        format: DatasetFormat | None = None,
        target: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Dataset:
        """Upload a CSV or JSON-lines file as a dataset, streamed: it never has to fit
        in memory. The answer holds the inferred schema and a data-quality report.

        Args:
            file: A path, the file's bytes, a binary file object, or an iterable of
                records (mappings), encoded as they are sent. Records cannot be
                re-read, so their upload is not retried.
            name: A name for the dataset.
            format: ``csv`` or ``jsonl``; by default from the path's suffix
                (records default to ``jsonl``).
            target: A column whose balance the quality report gives.
            extra_headers, extra_query, timeout: this call's own options.
        """
        spec = per_call(
            _create_spec(file, name, format, target, idempotency_key),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=None,
            timeout=timeout,
        )
        return self._request(spec, Dataset)

    def list(
        self,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> SyncPage[Dataset]:
        """The first page of the tenant's datasets; iterate it for all of them."""
        spec = per_call(
            _list_spec(limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._get_page(spec, ListResponse[Dataset])

    def retrieve(
        self,
        dataset_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Dataset:
        """One dataset with its schema and quality report."""
        spec = per_call(
            RequestSpec("GET", _path(dataset_id)),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._request(spec, Dataset)

    def rows(
        self,
        dataset_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> SyncPage[DatasetRow]:
        """The dataset's rows in file order (pages of up to 1,000, default 100)."""
        spec = per_call(
            _rows_spec(dataset_id, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._get_page(spec, ListResponse[DatasetRow])

    def delete(
        self,
        dataset_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> DatasetDeleted:
        """Delete the dataset (409 while a job reads it); models trained on it stay."""
        spec = per_call(
            RequestSpec("DELETE", _path(dataset_id)),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._request(spec, DatasetDeleted)


class AsyncDatasets(AsyncAPIResource):
    """Datasets of this client's tenant."""

    @cached_property
    def with_raw_response(self) -> AsyncDatasetsWithRawResponse:
        """The same methods, returning the HTTP answer with ``.parse()``."""
        return AsyncDatasetsWithRawResponse(self)

    async def create(
        self,
        *,
        file: FileSource,
        name: str,
        format: DatasetFormat | None = None,
        target: str | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Dataset:
        """Upload a CSV or JSON-lines file as a dataset, streamed (see
        :meth:`Datasets.create`)."""
        spec = per_call(
            _create_spec(file, name, format, target, idempotency_key),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=None,
            timeout=timeout,
        )
        return await self._request(spec, Dataset)

    def list(
        self,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncPaginator[Dataset]:
        """The tenant's datasets: ``await`` for the first page, ``async for`` for all."""
        spec = per_call(
            _list_spec(limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._get_page(spec, ListResponse[Dataset])

    async def retrieve(
        self,
        dataset_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Dataset:
        """One dataset with its schema and quality report."""
        spec = per_call(
            RequestSpec("GET", _path(dataset_id)),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._request(spec, Dataset)

    def rows(
        self,
        dataset_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncPaginator[DatasetRow]:
        """The dataset's rows in file order (pages of up to 1,000, default 100)."""
        spec = per_call(
            _rows_spec(dataset_id, limit, after),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return self._get_page(spec, ListResponse[DatasetRow])

    async def delete(
        self,
        dataset_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> DatasetDeleted:
        """Delete the dataset (409 while a job reads it); models trained on it stay."""
        spec = per_call(
            RequestSpec("DELETE", _path(dataset_id)),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return await self._request(spec, DatasetDeleted)


class DatasetsWithRawResponse:
    def __init__(self, datasets: Datasets) -> None:
        self.create: Final = to_raw_response_wrapper(datasets.create)
        self.list: Final = to_raw_response_wrapper(datasets.list)
        self.retrieve: Final = to_raw_response_wrapper(datasets.retrieve)
        self.rows: Final = to_raw_response_wrapper(datasets.rows)
        self.delete: Final = to_raw_response_wrapper(datasets.delete)


class AsyncDatasetsWithRawResponse:
    def __init__(self, datasets: AsyncDatasets) -> None:
        self.create: Final = async_to_raw_response_wrapper(datasets.create)
        self.list: Final = async_to_raw_response_wrapper(datasets.list)
        self.retrieve: Final = async_to_raw_response_wrapper(datasets.retrieve)
        self.rows: Final = async_to_raw_response_wrapper(datasets.rows)
        self.delete: Final = async_to_raw_response_wrapper(datasets.delete)
