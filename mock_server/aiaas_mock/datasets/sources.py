"""An uploaded file read as Arrow record batches: CSV, JSON lines or Parquet.

Each source is read twice, a block of rows at a time: :meth:`survey` settles
every column's type and samples its numbers; :meth:`typed_batches` gives the
blocks as the stored types. Neither holds more than a block.

CSV is parsed by Arrow's reader (every column as text, typed here block by
block: a column's type is the widest its blocks need). Arrow reports a bad
record without its line, so the file is then read again with Python's csv
module, which says where it is — only for a file that is refused.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .arrow_columns import arrow_type, python_values, text_type, typed_arrow, typed_texts
from .columns import convert_json, value_type, widen
from .dialect import CsvOptions
from .errors import MalformedDataset
from .limits import MAX_CELL_CHARS, MAX_COLUMNS
from .profile import Reservoir

DatasetFormat = Literal["csv", "jsonl", "parquet"]
csv.field_size_limit(MAX_CELL_CHARS)


@dataclass
class Survey:
    """What the first pass learnt: the columns, their types and number samples."""

    names: list[str]
    types: list[str | None]
    samples: list[Reservoir | None]
    rows: int = 0

    @classmethod
    def of(cls, names: list[str]) -> Survey:
        samples: list[Reservoir | None] = [Reservoir(seed=i) for i in range(len(names))]
        return cls(list(names), [None] * len(names), samples)

    def add(self, position: int, seen: str | None, numbers: Any = None) -> None:
        kind = self.types[position] = widen(self.types[position], seen)
        sample = self.samples[position]
        if kind in (None, "integer", "number"):
            if sample is not None and numbers is not None and len(numbers):
                sample.offer(np.asarray(numbers, dtype=np.float64))
        else:
            self.samples[position] = None  # only numbers' samples are used


class Source(Protocol):
    """A file read a block at a time, as many times as needed."""

    def blocks(self) -> Iterator[Any]: ...

    def new_survey(self) -> Survey: ...

    def survey_block(self, block: Any, survey: Survey) -> None:
        """Count the block's rows into ``survey`` and widen its columns' types."""

    def typed(self, block: Any, names: list[str], types: list[str]) -> pa.RecordBatch:
        """The block as stored: ``names`` typed as ``types``."""


def open_source(
    path: Path, fmt: DatasetFormat, options: CsvOptions, block_rows: int, longest_line: int
) -> Source:
    if fmt == "csv":
        return CsvSource(path, options.settled(path), block_rows, longest_line)
    if fmt == "parquet":
        return ParquetSource(path, block_rows)
    return JsonlSource(path, block_rows)


def check_names(names: list[str], line: int | None) -> None:
    where = f"Line {line}: " if line is not None else ""
    if len(names) > MAX_COLUMNS:
        raise MalformedDataset(
            "malformed_dataset", f"{where}more than {MAX_COLUMNS} columns.", line=line
        )
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise MalformedDataset(
                "malformed_dataset",
                f"{where}the column name '{name}' appears twice.",
                line=line,
                column=name,
            )
        seen.add(name)


def cell_too_long(line: int | None, column: str | None) -> MalformedDataset:
    where = f"column '{column}'" if column is not None else "a cell"
    at = f"Line {line}: " if line is not None else ""
    return MalformedDataset(
        "cell_too_long",
        f"{at}{where} holds more than {MAX_CELL_CHARS:,} characters, the most a cell may hold.",
        line=line,
        column=column,
    )


# -- CSV ---------------------------------------------------------------------------


class CsvSource:
    def __init__(self, path: Path, options: CsvOptions, block_rows: int, longest_line: int) -> None:
        self.path = path
        self.options = options
        self.block_rows = block_rows
        self.longest_line = longest_line
        self.names = _csv_header(path, options)
        self._parsed: tuple[pa.RecordBatch | None, dict[int, pa.Array]] = (None, {})

    def _text_batches(self) -> Iterator[pa.RecordBatch]:
        try:
            last = None
            for batch in self._arrow_reader():
                for start in range(0, batch.num_rows, self.block_rows):
                    last = batch.slice(start, self.block_rows)
                    self._check_cells(last)
                    yield last
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise self._diagnosis(exc) from None
        if last is not None and _open_quote_at_end(last):
            self._python_check()

    def _arrow_reader(self) -> pa_csv.CSVStreamingReader:
        options = self.options
        columns = [f"c{i}" for i in range(len(self.names))]
        return pa_csv.open_csv(
            self.path,
            read_options=pa_csv.ReadOptions(
                column_names=columns,
                skip_rows=1 if options.header else 0,
                # A block holds whole lines; transcoding may double a line.
                block_size=max(8 << 20, 2 * self.longest_line + (1 << 20)),
                encoding="utf8" if options.encoding == "utf-8" else str(options.encoding),
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=str(options.delimiter), newlines_in_values=True
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in columns},
                null_values=list(options.null_values),
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )

    def _check_cells(self, block: pa.RecordBatch) -> None:
        for column in block.columns:
            if (pc.max(pc.binary_length(column)).as_py() or 0) <= MAX_CELL_CHARS:
                continue  # no more characters than bytes
            longest = pc.max(pc.utf8_length(column)).as_py()
            if longest is not None and longest > MAX_CELL_CHARS:
                raise pa.ArrowInvalid("a cell is longer than the cell limit")

    def _diagnosis(self, exc: Exception) -> MalformedDataset:
        """The refusal, with the line Python's csv module finds the problem on."""
        try:
            if not isinstance(exc, UnicodeDecodeError):
                self._python_check()
        except UnicodeDecodeError as decoding:
            exc = decoding
        if isinstance(exc, UnicodeDecodeError):
            return MalformedDataset(
                "bad_encoding",
                f"The file is not {self.options.encoding} text ({exc.reason}): "
                "say the file's encoding with encoding= (utf-8, latin-1, cp1252, utf-16).",
            )
        message = str(exc).removeprefix("CSV parse error: ").split("\n")[0]
        return MalformedDataset("malformed_dataset", f"The file cannot be read as CSV: {message}.")

    def _python_check(self) -> None:
        for _ in _csv_blocks(self.path, self.names, self.options, self.block_rows):
            pass

    def blocks(self) -> Iterator[pa.RecordBatch]:
        return self._text_batches()

    def new_survey(self) -> Survey:
        return Survey.of(self.names)

    def survey_block(self, block: pa.RecordBatch, survey: Survey) -> None:
        survey.rows += block.num_rows
        decimal = str(self.options.decimal)
        self._parsed = (block, {})
        for position, column in enumerate(block.columns):
            if survey.types[position] == "string":
                continue  # nothing is wider
            kind, numbers = text_type(column, decimal, survey.types[position])
            if numbers is not None:
                self._parsed[1][position] = numbers  # typed() need not parse again
                numbers = numbers.drop_null()
            survey.add(position, kind, numbers)

    def typed(self, block: pa.RecordBatch, names: list[str], types: list[str]) -> pa.RecordBatch:
        decimal = str(self.options.decimal)
        parsed = self._parsed[1] if self._parsed[0] is block else {}
        arrays = [
            typed_texts(column, kind, decimal, parsed.get(position))
            for position, (column, kind) in enumerate(zip(block.columns, types, strict=True))
        ]
        return pa.RecordBatch.from_arrays(arrays, names=names)


def _open_quote_at_end(block: pa.RecordBatch) -> bool:
    """Whether the file's last row may be a quote never closed: Arrow reads one to
    the end of the file (into one cell), where Python's csv module refuses it."""
    last = block.slice(block.num_rows - 1)
    return any(
        isinstance(value, str) and value.endswith(("\n", "\r"))
        for value in last.to_pylist()[0].values()
    )


def _csv_reader(file: Any, options: CsvOptions) -> Any:
    return csv.reader(file, delimiter=str(options.delimiter or ","), strict=True)


def _csv_records(path: Path, options: CsvOptions) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding=options.python_encoding, newline="", errors="replace") as file:
        reader = _csv_reader(file, options)
        try:
            for record in reader:
                if record:  # a blank line
                    yield reader.line_num, record
        except csv.Error as exc:
            raise _csv_error(exc, reader.line_num) from None


def _csv_error(exc: csv.Error, line: int) -> MalformedDataset:
    if "field larger than field limit" in str(exc):
        return cell_too_long(line, None)
    return MalformedDataset("malformed_dataset", f"Line {line}: {exc}.", line=line)


def _csv_header(path: Path, options: CsvOptions) -> list[str]:
    for line, header in _csv_records(path, options):
        if not options.header:
            return [f"column_{position}" for position in range(1, len(header) + 1)]
        # "utf-8-sig" takes one byte-order mark; an editor may have written two.
        names = [name.strip() for name in header]
        names[0] = names[0].lstrip("\ufeff").strip()
        for position, name in enumerate(names, 1):
            if not name:
                raise MalformedDataset(
                    "malformed_dataset",
                    f"Line {line}: column {position} of the header has no name "
                    "(a file without a header row is uploaded with header=false).",
                    line=line,
                    column=str(position),
                )
        if names[0].startswith(("{", "[")):
            raise MalformedDataset(
                "wrong_format",
                f"Line {line} looks like JSON, not a CSV header: upload it with format=jsonl.",
                line=line,
            )
        check_names(names, line)
        return names
    raise MalformedDataset("empty_dataset", "The file is empty.")


def _csv_blocks(
    path: Path, names: list[str], options: CsvOptions, block_rows: int
) -> Iterator[list[list[str]]]:
    """Blocks of data records read by Python's csv module, each checked against
    the header (the refusal of a file Arrow could not read)."""
    width = len(names)
    with path.open(encoding=options.python_encoding, newline="") as file:
        reader = _csv_reader(file, options)
        header_seen = not options.header
        try:
            while block := list(itertools.islice(reader, block_rows)):
                block = [record for record in block if record]  # blank lines
                if not header_seen and block:
                    block = block[1:]
                    header_seen = True
                if any(len(record) != width for record in block):
                    bad = next(record for record in block if len(record) != width)
                    raise _ragged(_line_of(path, bad, names, options), bad, names)
                yield block
        except csv.Error as exc:
            raise _csv_error(exc, reader.line_num) from None


def _line_of(path: Path, wanted: list[str], names: list[str], options: CsvOptions) -> int:
    """The line of the first record that has not the header's width (``wanted``)."""
    for line, record in _csv_records(path, options):
        if len(record) != len(names) and record == wanted:
            return line
    return 0


def _ragged(line: int, record: list[str], names: list[str]) -> MalformedDataset:
    if len(record) < len(names):
        missing = names[len(record)]
        return MalformedDataset(
            "malformed_dataset",
            f"Line {line} has {_fields(len(record))} where the header has {len(names)}: "
            f"column '{missing}' and any after it are missing.",
            line=line,
            column=missing,
        )
    return MalformedDataset(
        "malformed_dataset",
        f"Line {line} has {_fields(len(record))} where the header has {len(names)}: "
        f"field {len(names) + 1} has no column.",
        line=line,
        column=str(len(names) + 1),
    )


def _fields(count: int) -> str:
    return "1 field" if count == 1 else f"{count} fields"


# -- JSON lines ----------------------------------------------------------------------

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
