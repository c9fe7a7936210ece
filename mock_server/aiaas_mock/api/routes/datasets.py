"""``/v1/datasets``: a tenant's uploaded data, its schema and quality report.

An upload is the raw file as the request body (``text/csv``,
``application/x-ndjson`` or ``application/vnd.apache.parquet``), streamed to
disk as it arrives: neither side ever holds the whole file. The dataset exists
once it is complete, or not at all. A dataset is read back a page of rows at a
time, or whole as a Parquet or CSV file.
"""

from __future__ import annotations

import secrets
import shutil
import sqlite3
import time
from dataclasses import dataclass
from typing import Annotated, Literal

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, StreamingResponse

from aiaas.types import Dataset, DatasetDeleted, DatasetRow, ListResponse

from ...datasets.arrow_columns import stored_schema
from ...datasets.dialect import DEFAULT_NULLS, CsvOptions, check_options, normal_encoding
from ...datasets.export import MEDIA_TYPES, ExportFormat, stream_tables
from ...datasets.files import DatasetFiles
from ...datasets.ingest import DatasetFormat, DatasetTooLarge, MalformedDataset
from ...datasets.uploads import DatasetUpload
from ...services import Services
from ...store.datasets import DatasetInUse
from ..cursors import Cursor
from ..deps import DatasetReader, DatasetWriter, ResourceId, ServicesDep
from ..downloads import TABLE_FILE, table_download
from ..idempotency import IdempotentRoute, record_from_loop, streams_body
from ..openapi import PROBLEMS
from ..problems import ProblemError
from ..quotas import check_count, exceeded, stored_bytes_left

router = APIRouter(
    prefix="/v1/datasets", tags=["datasets"], route_class=IdempotentRoute, responses=PROBLEMS
)

_MEDIA_FORMATS = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/jsonlines": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/vnd.apache.parquet": "parquet",
    "application/x-parquet": "parquet",
}
_WRITE_CHUNK = 1024 * 1024
"""Bytes gathered before handing them to a worker thread to parse and write."""
MAX_ROWS_PAGE = 1000


def _format(request: Request, asked: DatasetFormat | None) -> DatasetFormat:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    from_media = _MEDIA_FORMATS.get(media)
    if asked is not None:
        if from_media is not None and from_media != asked:
            raise ProblemError(
                422,
                "wrong_format",
                f"format={asked}, but the body is sent as {media}.",
            )
        return asked
    if from_media is None:
        raise ProblemError(
            415,
            "unsupported_media_type",
            "Send the file as text/csv, application/x-ndjson or application/vnd.apache.parquet, "
            "or say format=csv, format=jsonl or format=parquet.",
        )
    return from_media  # type: ignore[return-value]


async def _receive(request: Request, upload: DatasetUpload, idle: float) -> None:
    pending = bytearray()
    chunks = request.stream().__aiter__()
    while True:
        try:
            with anyio.fail_after(idle):
                chunk = await chunks.__anext__()
        except StopAsyncIteration:
            break
        except TimeoutError:
            raise ProblemError(
                408,
                "request_timeout",
                f"The upload sent nothing for {idle:g} s; it was dropped. Send it again.",
                headers={"Connection": "close"},
            ) from None
        pending += chunk
        if len(pending) >= _WRITE_CHUNK or upload.file.size + len(pending) > upload.file.max_bytes:
            await anyio.to_thread.run_sync(upload.write, bytes(pending))
            pending.clear()
    if pending:
        await anyio.to_thread.run_sync(upload.write, bytes(pending))


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file itself, streamed: CSV (with a header row unless "
        "header=false), JSON lines (one object per line) or Parquet.",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in ("text/csv", "application/x-ndjson", "application/vnd.apache.parquet")
        },
    }
}


@dataclass(frozen=True)
class CsvQuery:
    """The query parameters that say how a CSV upload is written."""

    delimiter: str | None
    decimal: Literal[".", ","] | None
    encoding: str | None
    header: bool
    null_values: list[str] | None

    def options(self, fmt: DatasetFormat) -> CsvOptions:
        """The options, checked; 422 ``invalid_option`` for one no reader takes."""
        given = [
            name
            for name, value in (
                ("delimiter", self.delimiter),
                ("decimal", self.decimal),
                ("encoding", self.encoding),
                ("header", None if self.header else False),
                ("null_values", self.null_values),
            )
            if value is not None
        ]
        if fmt != "csv" and given:
            raise ProblemError(
                422,
                "invalid_option",
                f"{', '.join(given)} only apply to CSV; this upload is {fmt}.",
                extra={"column": given[0]},
            )
        try:
            check_options(self.delimiter, self.encoding)
        except MalformedDataset as exc:
            raise ProblemError(422, exc.code, exc.message, extra={"column": exc.column}) from None
        nulls = ("", *self.null_values) if self.null_values else DEFAULT_NULLS
        encoding = normal_encoding(self.encoding)
        return CsvOptions(self.delimiter, self.decimal, encoding, self.header, nulls)


def csv_query(
    delimiter: Annotated[
        str | None,
        Query(description="CSV: `,` `;` `|` or a tab; told from the file if not given."),
    ] = None,
    decimal: Annotated[
        Literal[".", ","] | None,
        Query(
            description="CSV: the decimal mark; `,` is told from a file that is not "
            "comma-separated and writes its numbers so."
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        Query(
            description="CSV: utf-8 (the default), latin-1, cp1252 or utf-16 "
            "(told from its byte-order mark)."
        ),
    ] = None,
    header: Annotated[
        bool, Query(description="CSV: whether the first row names the columns.")
    ] = True,
    null_values: Annotated[
        list[str] | None,
        Query(
            description="CSV: texts that mean missing (repeat the parameter); an empty "
            "cell always does."
        ),
    ] = None,
) -> CsvQuery:
    # A function, not the class: FastAPI 0.115 reads a dependency's annotations
    # from its __globals__, which a class has not.
    return CsvQuery(
        "\t" if delimiter == "\\t" else delimiter, decimal, encoding, header, null_values
    )


@router.post("", status_code=201, openapi_extra=_UPLOAD_BODY)
@streams_body
async def create_dataset(
    request: Request,
    principal: DatasetWriter,
    services: ServicesDep,
    name: Annotated[str, Query(min_length=1, max_length=200)],
    csv: Annotated[CsvQuery, Depends(csv_query)],
    format: Annotated[DatasetFormat | None, Query()] = None,
    target: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> Dataset:
    """Upload a CSV, JSON-lines or Parquet file (the request body) as a dataset.
    The answer holds its inferred schema and its data-quality report."""
    fmt = _format(request, format)
    options = csv.options(fmt)
    check_count(services, principal.tenant_id, "datasets")
    room = stored_bytes_left(services, principal.tenant_id)
    upload = await anyio.to_thread.run_sync(_new_upload, services, room, fmt, options)
    dataset_id = f"ds_{secrets.token_hex(12)}"
    try:
        await _receive(request, upload, services.config.body_idle_timeout)
        built = await anyio.to_thread.run_sync(
            upload.complete, fmt, target, dataset_id, services.ingest, principal.tenant_id, options
        )
    except MalformedDataset as exc:
        await anyio.to_thread.run_sync(upload.abandon)
        extra = {key: value for key, value in (("line", exc.line), ("column", exc.column)) if value}
        raise ProblemError(422, exc.code, exc.message, extra=extra) from None
    except DatasetTooLarge as exc:
        await anyio.to_thread.run_sync(upload.abandon)
        raise _too_large(services, principal.tenant_id, exc, room) from None
    except BaseException:  # a client that went away, a cancelled request
        await anyio.to_thread.run_sync(upload.abandon)
        raise
    dataset = Dataset(
        id=dataset_id,
        name=name,
        format=fmt,
        bytes=upload.file.size,
        rows=built.rows,
        target=target,
        columns=built.columns,
        quality=built.quality,
        created_at=int(time.time()),
    )

    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO datasets (id, tenant_id, record) VALUES (?, ?, ?)",
            (dataset.id, principal.tenant_id, dataset.model_dump_json()),
        )

    await record_from_loop(request, services, write)
    return dataset


def _new_upload(
    services: Services, room: int, fmt: DatasetFormat, options: CsvOptions
) -> DatasetUpload:
    """Scratch space for an upload, checked as it arrives as its format allows."""
    return DatasetUpload(
        services.store.data_dir / "datasets",
        services.store.instances.id,
        min(services.config.max_dataset_bytes, room),
        services.config.max_dataset_line_bytes,
        text=fmt != "parquet",
        utf8=options.encoding in (None, "utf-8"),
        utf16_bom=fmt == "csv" and options.encoding is None,
    )


def _too_large(services: Services, tenant_id: str, exc: DatasetTooLarge, room: int) -> ProblemError:
    """413 at the upload limit; 403 ``quota_exceeded`` where the tenant's stored
    bytes ran out first."""
    if room < services.config.max_dataset_bytes:
        limit = services.store.quotas.of(tenant_id).stored_bytes
        return exceeded(
            "stored_bytes",
            limit - room,
            limit,
            f"This upload would pass the tenant's quota of {limit:,} stored bytes "
            f"({limit - room:,} used). Delete datasets, or ask for a larger quota.",
        )
    return ProblemError(
        413, "payload_too_large", str(exc), extra={"limit": exc.limit, "line": exc.line}
    )


def _visible(services: Services, dataset_id: str, tenant_id: str) -> Dataset:
    dataset = services.store.datasets.get(dataset_id, tenant_id)
    if dataset is None:
        raise ProblemError(404, "not_found", f"No dataset '{dataset_id}'.")
    return dataset


@router.get("")
def list_datasets(
    principal: DatasetReader,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Cursor = None,
) -> ListResponse[Dataset]:
    """The tenant's datasets, oldest first, one page at a time."""
    list_id = f"datasets|{principal.tenant_id}"
    position = services.cursors.decode(list_id, after) if after else 0
    page = services.store.datasets.page(principal.tenant_id, after_seq=position, limit=limit)
    next_cursor = None
    if page.has_more and page.last_seq is not None:
        next_cursor = services.cursors.encode(list_id, page.last_seq)
    return ListResponse[Dataset](
        data=page.datasets, has_more=page.has_more, next_cursor=next_cursor
    )


@router.get("/{dataset_id}")
def retrieve_dataset(
    dataset_id: ResourceId, principal: DatasetReader, services: ServicesDep
) -> Dataset:
    """One dataset, with its schema and quality report."""
    return _visible(services, dataset_id, principal.tenant_id)


@router.get("/{dataset_id}/rows")
def list_rows(
    dataset_id: ResourceId,
    principal: DatasetReader,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=MAX_ROWS_PAGE)] = 100,
    after: Cursor = None,
) -> ListResponse[DatasetRow]:
    """The dataset's rows in file order, typed as its schema says: up to ``limit``,
    fewer when they would pass ``max_page_bytes`` (``GET /v1/limits``)."""
    dataset = _visible(services, dataset_id, principal.tenant_id)
    list_id = f"rows|{dataset_id}"
    start = services.cursors.decode(list_id, after) if after else 0
    files = DatasetFiles(services.store.dataset_dir(dataset_id))
    rows = files.read_rows(start, limit, services.config.max_page_bytes)
    data = [DatasetRow(index=start + i, values=values) for i, values in enumerate(rows)]
    end = start + len(rows)
    has_more = end < dataset.rows
    next_cursor = services.cursors.encode(list_id, end) if has_more else None
    return ListResponse[DatasetRow](data=data, has_more=has_more, next_cursor=next_cursor)


@router.get("/{dataset_id}/content", response_model=None, responses=TABLE_FILE)
def download_dataset(
    dataset_id: ResourceId,
    principal: DatasetReader,
    services: ServicesDep,
    format: Annotated[ExportFormat, Query()] = "parquet",
) -> StreamingResponse | FileResponse:
    """The whole dataset as one file, typed as its schema says: Parquet (as it is
    stored) or CSV, streamed."""
    _visible(services, dataset_id, principal.tenant_id)
    files = DatasetFiles(services.store.dataset_dir(dataset_id))
    if format == "parquet":
        return FileResponse(
            files.rows_path,
            media_type=MEDIA_TYPES["parquet"],
            filename=f"{dataset_id}.parquet",
        )
    schema = stored_schema(files.schema())
    return table_download(stream_tables(schema, files.slices(0), "csv"), "csv", dataset_id)


@router.delete("/{dataset_id}")
def delete_dataset(
    dataset_id: ResourceId, principal: DatasetWriter, services: ServicesDep
) -> DatasetDeleted:
    """Delete the dataset and its files. Models trained on it stay."""
    try:
        deleted = services.store.datasets.delete(dataset_id, principal.tenant_id)
    except DatasetInUse:
        raise ProblemError(
            409, "dataset_in_use", f"A queued or running job reads dataset '{dataset_id}'."
        ) from None
    if not deleted:
        raise ProblemError(404, "not_found", f"No dataset '{dataset_id}'.")
    shutil.rmtree(services.store.dataset_dir(dataset_id), ignore_errors=True)
    return DatasetDeleted(id=dataset_id)
