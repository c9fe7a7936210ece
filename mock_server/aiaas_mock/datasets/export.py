"""Tables streamed out as CSV or Parquet: a download is written a row group at a
time and sent as it is written, so neither side holds the whole table."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .arrow_columns import python_values, stored_schema
from .columns import convert_json, value_type, widen

ExportFormat = Literal["csv", "parquet"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


class _Chunks:
    """A write-only file that hands over what was written since it was last asked."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def stream_tables(
    schema: pa.Schema, tables: Iterable[pa.Table | pa.RecordBatch], fmt: ExportFormat
) -> Iterator[bytes]:
    """The tables as one CSV (a header, then rows) or Parquet file (a row group
    each), in chunks as they are written."""
    sink = _Chunks()
    writer: Any
    if fmt == "csv":
        writer = pa_csv.CSVWriter(sink, schema)
    else:
        writer = pq.ParquetWriter(sink, schema, compression="zstd")
    for table in tables:
        if fmt == "csv":
            writer.write(table)
        else:
            writer.write_table(_as_table(table))
        if data := sink.take():
            yield data
    writer.close()
    yield sink.take()


def _as_table(table: pa.Table | pa.RecordBatch) -> pa.Table:
    return table if isinstance(table, pa.Table) else pa.Table.from_batches([table])


def flat_record(record: dict[str, Any]) -> dict[str, Any]:
    """A batch result as one flat row: ``index``, each output field (a nested one
    as its JSON text's column type, ``json``) and the error's code and message."""
    row: dict[str, Any] = {"index": record["index"]}
    for name, value in (record.get("output") or {}).items():
        row[f"output.{name}"] = value
    error = record.get("error") or {}
    row["error.code"] = error.get("code")
    row["error.message"] = error.get("message")
    return row


def records_types(records: Iterable[dict[str, Any]]) -> dict[str, str]:
    """The column types of flat records, in the order their keys first appear."""
    types: dict[str, str | None] = {}
    for record in records:
        for name, value in record.items():
            types[name] = widen(types.get(name), value_type(value))
    return {name: kind or "string" for name, kind in types.items()}


def merge_types(first: dict[str, str], second: dict[str, str]) -> dict[str, str]:
    merged = dict(first)
    for name, kind in second.items():
        merged[name] = widen(merged.get(name), kind) or "string"
    return merged


def records_table(records: list[dict[str, Any]], types: dict[str, str]) -> pa.Table:
    arrays = [
        python_values([convert_json(record.get(name), kind) for record in records], kind)
        for name, kind in types.items()
    ]
    return pa.Table.from_arrays(arrays, schema=stored_schema(types))


def batch_results_tables(
    pages: Iterable[list[dict[str, Any]]], types: dict[str, str]
) -> Iterator[pa.Table]:
    """Pages of batch results (as stored) as tables of flat rows."""
    for page in pages:
        yield records_table([flat_record(record) for record in page], types)
