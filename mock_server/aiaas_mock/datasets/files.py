"""A stored dataset on disk: typed JSON lines, a sparse index, and its schema.

``rows.jsonl`` holds one JSON line per row, its values typed as the schema says:
an array in the schema's column order or, for a row mostly missing, an object
of its present values keyed by their column's position (``{"3": 1.5}``), so an
empty cell costs next to nothing (:func:`encode_row`, :func:`decode_row`).
``index.npy`` holds the byte offset of every :data:`INDEX_STRIDE`-th row, so
reading any page seeks near it and skips at most that many lines.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

INDEX_STRIDE = 1024
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
"""One encoder for every row (``json.dumps`` with options builds one per call)."""


def encode_row(values: tuple[Any, ...] | list[Any]) -> str:
    """A row's stored line: its array or, with a quarter or more of its values
    missing, the shorter of that and its sparse object (the same row always gets
    the same line, so equal lines are equal rows)."""
    dense = _ENCODER.encode(values)
    if None not in values or sum(1 for value in values if value is None) * 4 < len(values):
        return dense
    sparse = _ENCODER.encode({str(i): value for i, value in enumerate(values) if value is not None})
    return sparse if len(sparse) < len(dense) else dense


def decode_row(names: list[str] | tuple[str, ...], line: bytes | str) -> dict[str, Any]:
    """The row in a stored line, by column name (``None`` for missing)."""
    stored = json.loads(line)
    if isinstance(stored, dict):
        present = {names[int(position)]: value for position, value in stored.items()}
        return {name: present.get(name) for name in names}
    return dict(zip(names, stored, strict=True))


@dataclass(frozen=True)
class DatasetFiles:
    directory: Path

    @property
    def rows_path(self) -> Path:
        return self.directory / "rows.jsonl"

    @property
    def index_path(self) -> Path:
        return self.directory / "index.npy"

    @property
    def schema_path(self) -> Path:
        return self.directory / "schema.json"

    def write_schema(self, types: dict[str, str]) -> None:
        self.schema_path.write_text(json.dumps(types), encoding="utf-8")

    def schema(self) -> dict[str, str]:
        types: dict[str, str] = json.loads(self.schema_path.read_text(encoding="utf-8"))
        return types

    def read_rows(
        self, start: int, limit: int, max_bytes: int | None = None
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` rows from row ``start`` on, and (the first row aside) no
        more than ``max_bytes`` of stored lines: a page of wide rows stops early."""
        names = list(self.schema())
        rows: list[dict[str, Any]] = []
        used = 0
        for line in itertools.islice(self._lines(start, None), limit):
            used += len(line)
            if rows and max_bytes is not None and used > max_bytes:
                break
            rows.append(decode_row(names, line))
        return rows

    def _lines(self, start: int, stop: int | None) -> Iterator[bytes]:
        """Stored lines ``start`` to ``stop`` (exclusive; the end when ``None``):
        a seek to the indexed row at or before ``start``, then at most
        INDEX_STRIDE lines skipped."""
        offsets = np.load(self.index_path)
        stride_index = start // INDEX_STRIDE
        if stride_index >= len(offsets):
            return
        with self.rows_path.open("rb") as file:
            file.seek(int(offsets[stride_index]))
            for position, line in enumerate(file, stride_index * INDEX_STRIDE):
                if stop is not None and position >= stop:
                    return
                if position >= start:
                    yield line

    def read_lines(self, start: int, stop: int) -> bytes:
        """Rows ``start`` to ``stop`` as their stored JSON lines."""
        return b"".join(self._lines(start, stop))

    def iter_rows(self, start: int = 0, stop: int | None = None) -> Iterator[dict[str, Any]]:
        """Rows ``start`` to ``stop`` (exclusive; the end when ``None``), in order."""
        names = list(self.schema())
        for line in self._lines(start, stop):
            yield decode_row(names, line)


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
    values: dict[str, list[Any]] = {name: [] for name in wanted}
    for row in files.iter_rows():
        for name in wanted:
            values[name].append(row.get(name))
    columns: dict[str, NDArray[Any]] = {}
    for name in wanted:
        if types[name] in ("integer", "number", "boolean"):
            columns[name] = np.array(
                [np.nan if value is None else float(value) for value in values[name]],
                dtype=np.float64,
            )
        else:
            column = np.empty(len(values[name]), dtype=object)
            column[:] = values[name]
            columns[name] = column
    return Table(columns, {name: types[name] for name in wanted})


@functools.lru_cache(maxsize=2)
def cached_table(directory: str, names: tuple[str, ...] | None) -> Table:
    """:func:`load_table`, once per worker process for the units of one job."""
    return load_table(Path(directory), list(names) if names is not None else None)
