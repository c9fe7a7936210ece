"""A stored dataset on disk: its rows in Parquet, and its schema.

``rows.parquet`` holds the rows as the schema types them (``json`` values as
their JSON text), compressed, in row groups of at most a block of the upload
(:data:`~.ingest.BLOCK_ROWS`, fewer for wide rows). A page of rows reads the row
groups it overlaps, memory-mapped; a job reads the columns it needs.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from numpy.typing import NDArray

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def table_rows(table: pa.Table | pa.RecordBatch, types: dict[str, str]) -> list[dict[str, Any]]:
    """A slice of stored rows as the API gives them: ``json`` values decoded."""
    rows: list[dict[str, Any]] = table.to_pylist()
    for name in [name for name, kind in types.items() if kind == "json"]:
        for row in rows:
            if row[name] is not None:
                row[name] = json.loads(row[name])
    return rows


@dataclass(frozen=True)
class DatasetFiles:
    directory: Path

    @property
    def rows_path(self) -> Path:
        return self.directory / "rows.parquet"

    @property
    def schema_path(self) -> Path:
        return self.directory / "schema.json"

    def write_schema(self, types: dict[str, str]) -> None:
        self.schema_path.write_text(json.dumps(types), encoding="utf-8")

    def schema(self) -> dict[str, str]:
        types: dict[str, str] = json.loads(self.schema_path.read_text(encoding="utf-8"))
        return types

    def _parquet(self) -> pq.ParquetFile:
        return pq.ParquetFile(self.rows_path, memory_map=True)

    def slices(self, start: int, stop: int | None = None) -> Iterator[pa.Table]:
        """Rows ``start`` to ``stop`` (exclusive; the end when ``None``), a row
        group's part at a time."""
        parquet = self._parquet()
        metadata = parquet.metadata
        firsts = [0]
        for group in range(metadata.num_row_groups):
            firsts.append(firsts[-1] + metadata.row_group(group).num_rows)
        stop = firsts[-1] if stop is None else min(stop, firsts[-1])
        group = bisect.bisect_right(firsts, start) - 1
        while 0 <= group < metadata.num_row_groups and firsts[group] < stop:
            table = parquet.read_row_group(group)
            low = max(start - firsts[group], 0)
            yield table.slice(low, min(stop, firsts[group + 1]) - firsts[group] - low)
            group += 1

    def read_rows(
        self, start: int, limit: int, max_bytes: int | None = None
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` rows from row ``start`` on, and (the first row aside) no
        more than ``max_bytes`` of them as JSON: a page of wide rows stops early."""
        types = self.schema()
        rows: list[dict[str, Any]] = []
        used = 0
        for table in self.slices(start, start + limit):
            for row in table_rows(table, types):
                used += len(_ENCODER.encode(row))
                if rows and max_bytes is not None and used > max_bytes:
                    return rows
                rows.append(row)
        return rows

    def read_table(self, start: int, stop: int) -> pa.Table:
        """Rows ``start`` to ``stop`` as one Arrow table."""
        parts = list(self.slices(start, stop))
        if not parts:
            return self._parquet().schema_arrow.empty_table()
        return pa.concat_tables(parts)

    def iter_rows(self, start: int = 0, stop: int | None = None) -> Iterator[dict[str, Any]]:
        """Rows ``start`` to ``stop`` (exclusive; the end when ``None``), in order."""
        types = self.schema()
        for table in self.slices(start, stop):
            yield from table_rows(table, types)


def table_bytes(table: pa.Table) -> bytes:
    """Rows as an Arrow IPC stream, to send to a worker that cannot read the disk."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def bytes_table(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


@dataclass(frozen=True)
class Table:
    """A dataset's columns in memory: floats (NaN for missing) for numbers and
    booleans, objects for everything else."""

    columns: dict[str, NDArray[Any]]
    types: dict[str, str]

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def take(self, indices: NDArray[np.int64]) -> Table:
        return Table({name: values[indices] for name, values in self.columns.items()}, self.types)


def load_table(directory: Path, names: list[str] | None = None) -> Table:
    """The named columns (every column for ``None``) of the dataset in ``directory``."""
    files = DatasetFiles(directory)
    types = files.schema()
    wanted = list(types) if names is None else names
    stored = pq.read_table(files.rows_path, columns=wanted, memory_map=True)
    columns: dict[str, NDArray[Any]] = {}
    for name in wanted:
        column = stored.column(name)
        if types[name] in ("integer", "number", "boolean"):
            floats = pc.fill_null(pc.cast(column, pa.float64(), safe=False), np.nan)
            columns[name] = floats.to_numpy().astype(np.float64, copy=False)
        else:
            values = column.to_pylist()
            if types[name] == "json":
                values = [None if v is None else json.loads(v) for v in values]
            array = np.empty(len(values), dtype=object)
            array[:] = values
            columns[name] = array
    return Table(columns, {name: types[name] for name in wanted})


@functools.lru_cache(maxsize=2)
def cached_table(directory: str, names: tuple[str, ...] | None) -> Table:
    """:func:`load_table`, once per worker process for the units of one job."""
    return load_table(Path(directory), list(names) if names is not None else None)
