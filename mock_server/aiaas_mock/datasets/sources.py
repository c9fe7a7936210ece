"""An uploaded file read as Arrow record batches: CSV, JSON lines or Parquet.

Each source is read a block of rows at a time, as many times as needed
(:class:`~.survey.Source`): the survey settles every column's type and samples
its numbers; the typed blocks are what is stored. CSV is in :mod:`.csv_source`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from .arrow_columns import arrow_type, python_values, typed_arrow
from .columns import convert_json, value_type, widen
from .csv_source import CsvSource
from .dialect import CsvOptions
from .errors import MalformedDataset
from .limits import MAX_CELL_CHARS, MAX_COLUMNS
from .profile import Reservoir
from .survey import Source, Survey, cell_too_long, check_names

DatasetFormat = Literal["csv", "jsonl", "parquet"]


def open_source(
    path: Path, fmt: DatasetFormat, options: CsvOptions, block_rows: int, longest_line: int
) -> Source:
    if fmt == "csv":
        return CsvSource(path, options.settled(path), block_rows, longest_line)
    if fmt == "parquet":
        return ParquetSource(path, block_rows)
    return JsonlSource(path, block_rows)


# -- JSON lines ------------------------------------------------------------------

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_INT64 = (-(2**63), 2**63 - 1)


class JsonlSource:
    def __init__(self, path: Path, block_rows: int) -> None:
        self.path = path
        self.block_rows = block_rows

    def blocks(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        return _jsonl_blocks(self.path, self.block_rows)

    def new_survey(self) -> Survey:
        return Survey.of([])

    def survey_block(self, block: tuple[int, list[dict[str, Any]]], survey: Survey) -> None:
        line, records = block
        survey.rows += len(records)
        known = set(survey.names)
        for record in records:
            for name in record:
                if name not in known:
                    if len(known) == MAX_COLUMNS:
                        raise MalformedDataset(
                            "malformed_dataset",
                            f"Near line {line}: more than {MAX_COLUMNS} distinct keys.",
                            line=line,
                        )
                    known.add(name)
                    survey.names.append(name)
                    survey.types.append(None)
                    survey.samples.append(Reservoir(seed=len(survey.names) - 1))
        for position, name in enumerate(survey.names):
            present = [record[name] for record in records if record.get(name) is not None]
            kind = survey.types[position]
            for value in present:
                kind = widen(kind, value_type(value))
            survey.add(position, kind, present if kind in ("integer", "number") else None)

    def typed(
        self, block: tuple[int, list[dict[str, Any]]], names: list[str], types: list[str]
    ) -> pa.RecordBatch:
        records = block[1]
        arrays = [
            python_values([convert_json(record.get(name), kind) for record in records], kind)
            for name, kind in zip(names, types, strict=True)
        ]
        return pa.RecordBatch.from_arrays(arrays, names=names)


def _has_lone_surrogate(record: Any) -> bool:
    """Whether a parsed line holds a surrogate that no pair made a character (JSON
    allows the escape; UTF-8, and so the stored dataset, cannot hold it)."""
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _parse_line(line: int, text: str) -> dict[str, Any]:
    try:
        record = json.loads(
            text.rstrip("\r\n"),
            parse_constant=_no_constants,
            parse_float=_json_float,
            parse_int=_json_int,
        )
    except json.JSONDecodeError as exc:
        looks_like_json = text.lstrip().startswith(("{", "["))
        raise MalformedDataset(
            "malformed_dataset" if looks_like_json else "wrong_format",
            f"Line {line}, character {exc.colno}: {exc.msg}."
            + ("" if looks_like_json else " Is this a CSV file? Upload it as format=csv."),
            line=line,
            column=str(exc.colno),
        ) from None
    except ValueError as exc:
        raise MalformedDataset("malformed_dataset", f"Line {line}: {exc}.", line=line) from None
    except RecursionError:
        raise MalformedDataset(
            "malformed_dataset", f"Line {line} nests arrays or objects too deeply.", line=line
        ) from None
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(record):
        raise MalformedDataset(
            "bad_encoding",
            f"Line {line} holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), "
            "which is no character: text must be valid Unicode.",
            line=line,
        )
    if not isinstance(record, dict):
        raise MalformedDataset(
            "malformed_dataset",
            f"Line {line} is a JSON {type(record).__name__}, not an object.",
            line=line,
        )
    if len(text) > MAX_CELL_CHARS:
        for name, value in record.items():
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise cell_too_long(line, name)
    return record


def _jsonl_blocks(path: Path, block_rows: int) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    block: list[dict[str, Any]] = []
    first_line = 0
    with path.open(encoding="utf-8-sig") as file:
        for line, text in enumerate(file, 1):
            if not text.strip():
                continue
            if not block:
                first_line = line
            block.append(_parse_line(line, text))
            if len(block) == block_rows:
                yield first_line, block
                block = []
    if block:
        yield first_line, block


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _json_float(text: str) -> float | str:
    """A number as CSV reads it: past a 64-bit float's range (``1e400``) it stays
    the text it was, as in a CSV cell, rather than become an infinity no JSON
    file can hold."""
    value = float(text)
    return value if math.isfinite(value) else text


def _json_int(text: str) -> int | float | str:
    """An integer as CSV reads it: past 64 bits it is a float, or its text."""
    value = int(text)
    return value if _INT64[0] <= value <= _INT64[1] else _json_float(text)


# -- Parquet -------------------------------------------------------------------------


@dataclass
class ParquetSource:
    path: Path
    block_rows: int
    names: list[str] = field(default_factory=list)

    def _file(self) -> pq.ParquetFile:
        try:
            parquet = pq.ParquetFile(self.path, memory_map=True)
        except (pa.ArrowInvalid, OSError) as exc:
            raise MalformedDataset(
                "wrong_format", f"The file is not Parquet ({str(exc).splitlines()[0]})."
            ) from None
        self.names = [name for name in parquet.schema_arrow.names]
        check_names(self.names, None)
        return parquet

    def blocks(self) -> Iterator[pa.RecordBatch]:
        parquet = self._file()
        try:
            yield from parquet.iter_batches(batch_size=self.block_rows)
        except (pa.ArrowInvalid, OSError) as exc:
            raise MalformedDataset(
                "malformed_dataset", f"The Parquet file cannot be read: {exc}."
            ) from None

    def new_survey(self) -> Survey:
        self._file()
        return Survey.of(self.names)

    def survey_block(self, block: pa.RecordBatch, survey: Survey) -> None:
        survey.rows += block.num_rows
        for position, column in enumerate(block.columns):
            kind = widen(survey.types[position], arrow_type(column))
            numbers = None
            if kind in ("integer", "number") and survey.samples[position] is not None:
                numbers = typed_arrow(column, "number").drop_null().to_numpy()
            survey.add(position, kind, numbers)

    def typed(self, block: pa.RecordBatch, names: list[str], types: list[str]) -> pa.RecordBatch:
        arrays = [
            typed_arrow(column, kind) for column, kind in zip(block.columns, types, strict=True)
        ]
        return pa.RecordBatch.from_arrays(arrays, names=names)
