"""``client.datasets``: upload plant data, read its quality report and rows."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Final, Literal

import httpx

from .._frames import TableFile, TableFormat, format_of
from .._pages import AsyncPaginator, SyncPage
from .._progress import upload_display
from .._raw_response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._request import Body, Headers, Query, RequestSpec, path_segment, per_call
from .._uploads import DatasetFormat, FileSource, ProgressCallback, Upload
from ..types.dataset import Dataset, DatasetDeleted, DatasetRow
from ..types.list_response import ListResponse
from ._base import AsyncAPIResource, SyncAPIResource

__all__ = ["AsyncDatasets", "AsyncDatasetsWithRawResponse", "Datasets", "DatasetsWithRawResponse"]


@dataclass(frozen=True)
class _Upload:
    """What ``create`` sends: the file and how to read it."""

    file: FileSource
    name: str
    format: DatasetFormat | None
    target: str | None
    delimiter: str | None
    decimal: Literal[".", ","] | None
    encoding: str | None
    header: bool | None
    null_values: Sequence[str] | None
    on_progress: ProgressCallback | None
    idempotency_key: str | None

    def spec(
        self,
        extra_headers: Headers | None,
        extra_query: Query | None,
        timeout: float | httpx.Timeout | None,
    ) -> RequestSpec:
        """The upload's request, with the call's own options."""
        return per_call(
            self._base_spec(),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=None,
            timeout=timeout,
        )

    def _base_spec(self) -> RequestSpec:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("name must be a non-empty string")
        upload = Upload(self.file, self.format, self.on_progress)
        if isinstance(self.null_values, str):
            raise TypeError("null_values must be a sequence of texts, e.g. ['NA', '-']")
        return RequestSpec(
            "POST",
            "/v1/datasets",
            params={
                "name": self.name,
                "format": upload.format,
                "target": self.target,
                "delimiter": self.delimiter,
                "decimal": self.decimal,
                "encoding": self.encoding,
                "header": self.header,
                "null_values": tuple(self.null_values) if self.null_values else None,
            },
            upload=upload,
            idempotency_key=self.idempotency_key,
        )


def _content_spec(dataset_id: str, format: TableFormat) -> RequestSpec:
    return RequestSpec(
        "GET", f"{_path(dataset_id)}/content", params={"format": format_of("", format)}
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
        delimiter: str | None = None,
        decimal: Literal[".", ","] | None = None,
        encoding: str | None = None,
        header: bool | None = None,
        null_values: Sequence[str] | None = None,
        on_progress: ProgressCallback | None = None,
        progress: bool | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Dataset:
        """Upload a CSV, JSON-lines or Parquet file, or a DataFrame, as a dataset,
        streamed: a file never has to fit in memory. The answer holds the inferred
        schema and a data-quality report.

        Args:
            file: A path, the file's bytes, a binary file object, an iterable of
                records (mappings; NaN is missing), or a pandas or polars DataFrame
                or pyarrow Table (sent as Parquet; needs ``aiaas[pandas]`` for
                pandas). Records cannot be re-read, so their upload is not retried.
                The path of a folder laid out ``class_name/*.png|jpg`` uploads
                labelled images (columns ``image`` and ``label``: see
                :func:`aiaas.inputs.labelled_images`).
            name: A name for the dataset.
            format: ``csv``, ``jsonl`` or ``parquet``; by default from the path's
                suffix (records default to ``jsonl``).
            target: A column whose balance the quality report gives.
            delimiter, decimal, encoding, header, null_values: how a CSV file is
                written: ``,`` ``;`` ``|`` or ``\\t`` between fields, ``.`` or ``,``
                in numbers, ``utf-8``, ``latin-1``, ``cp1252`` or ``utf-16``, whether
                the first row names the columns, and texts that mean missing.
                The server tells the delimiter and decimal mark from the file when
                not given, and says which option to pass when it cannot.
            on_progress: Called with the bytes sent so far and the total (``None``
                when unknown), e.g. to draw a progress bar of your own.
            progress: Draw a bar of the bytes sent on standard error: by default
                on a terminal when tqdm is installed (the ``progress`` extra);
                ``False`` never, ``True`` always.
            extra_headers, extra_query, timeout: this call's own options.
        """
        with upload_display(progress, f"upload {name}", on_progress) as noted:
            upload = _Upload(
                file, name, format, target, delimiter, decimal, encoding, header, null_values,
                noted, idempotency_key,
            )  # fmt: skip
            return self._request(upload.spec(extra_headers, extra_query, timeout), Dataset)

    def content(
        self,
        dataset_id: str,
        *,
        format: TableFormat = "parquet",
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> TableFile:
        """The whole dataset as one Parquet (typed as its schema says) or CSV file:
        ``.to_pandas()``, ``.to_polars()``, ``.to_arrow()``, ``.write_to_file()``."""
        spec = per_call(
            _content_spec(dataset_id, format),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=None,
            timeout=timeout,
        )
        return TableFile(self._send(spec).content, format)

    def download(
        self,
        dataset_id: str,
        path: str | os.PathLike[str],
        *,
        format: TableFormat | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Path:
        """Write the dataset to ``path`` as Parquet or CSV (by default from its suffix)."""
        table = self.content(dataset_id, format=format_of(path, format), timeout=timeout)
        return table.write_to_file(path)

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
        delimiter: str | None = None,
        decimal: Literal[".", ","] | None = None,
        encoding: str | None = None,
        header: bool | None = None,
        null_values: Sequence[str] | None = None,
        on_progress: ProgressCallback | None = None,
        progress: bool | None = None,
        idempotency_key: str | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Dataset:
        """Upload a CSV, JSON-lines or Parquet file, a DataFrame or a folder of
        labelled images as a dataset, streamed (see :meth:`Datasets.create`)."""
        with upload_display(progress, f"upload {name}", on_progress) as noted:
            upload = _Upload(
                file, name, format, target, delimiter, decimal, encoding, header, null_values,
                noted, idempotency_key,
            )  # fmt: skip
            return await self._request(upload.spec(extra_headers, extra_query, timeout), Dataset)

    async def content(
        self,
        dataset_id: str,
        *,
        format: TableFormat = "parquet",
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> TableFile:
        """The whole dataset as one Parquet or CSV file (see :meth:`Datasets.content`)."""
        spec = per_call(
            _content_spec(dataset_id, format),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=None,
            timeout=timeout,
        )
        return TableFile((await self._send(spec)).content, format)

    async def download(
        self,
        dataset_id: str,
        path: str | os.PathLike[str],
        *,
        format: TableFormat | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Path:
        """Write the dataset to ``path`` as Parquet or CSV (by default from its suffix)."""
        table = await self.content(dataset_id, format=format_of(path, format), timeout=timeout)
        return table.write_to_file(path)

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
