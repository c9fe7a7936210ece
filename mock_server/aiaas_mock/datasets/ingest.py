"""Turning an uploaded CSV or JSONL file into a stored dataset, in bounded memory.

The upload streams to disk as it arrives (:class:`UploadFile`), checked for its
size and encoding on the way. Then two passes read the file back a block of
rows at a time: the first settles each column's type and samples its values,
the second writes the rows as typed JSON lines with an index, and gathers the
quality report. Neither pass holds more than a block of rows, a sample per
column and eight bytes per row (to count duplicates).

Any problem is a :class:`MalformedDataset` naming the line and the column;
the caller removes the directory, so a failed upload leaves nothing behind.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
import math
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from aiaas.types import ColumnProfile, QualityReport

from .columns import convert_json, convert_texts, text_block_type, value_type, widen
from .files import INDEX_STRIDE, DatasetFiles, encode_row
from .profile import ColumnAccumulator, Reservoir, RobustCentre, quality_report

DatasetFormat = Literal["csv", "jsonl"]
BLOCK_ROWS = 4096
BLOCK_BYTES = 8 * 1024 * 1024
"""A block holds at most ``BLOCK_ROWS`` rows and, judged by the file's longest
line, about this many bytes of them: a file of wide rows is read a few rows at a
time, so the ingest process's memory does not grow with the row width."""
MAX_COLUMNS = 1000
MAX_LINE_BYTES = 16 * 1024 * 1024
"""The longest line an upload may hold (announced as ``max_dataset_line_bytes``)."""
MAX_CELL_CHARS = 131_072
"""The longest text a cell may hold, in CSV and JSON lines alike (announced as
``max_dataset_cell_chars``; the csv module's own default, made explicit)."""
csv.field_size_limit(MAX_CELL_CHARS)


class MalformedDataset(Exception):
    """An upload that cannot become a dataset; ``line`` and ``column`` say where."""

    def __init__(
        self, code: str, message: str, *, line: int | None = None, column: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in the ingest process, it travels back to the server pickled.
        return (_malformed, (self.code, self.message, self.line, self.column))


def _malformed(code: str, message: str, line: int | None, column: str | None) -> MalformedDataset:
    return MalformedDataset(code, message, line=line, column=column)


class DatasetTooLarge(Exception):
    def __init__(self, limit: int, line: int) -> None:
        super().__init__(f"The upload exceeds the dataset limit of {limit} bytes (at line {line}).")
        self.limit = limit
        self.line = line


class UploadFile:
    """The raw upload, written to disk as it arrives, its size, line lengths and
    UTF-8 checked."""

    def __init__(self, path: Path, max_bytes: int, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.max_line_bytes = max_line_bytes
        self.size = 0
        self.lines = 0
        self._open_line = 0  # bytes of the line not yet ended
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._file = path.open("wb")

    def write(self, chunk: bytes) -> None:
        """Check and store the next chunk; a refused chunk closes the file (the
        upload is over), and the caller removes it."""
        try:
            self._write(chunk)
        except BaseException:
            self.close()
            raise

    def _write(self, chunk: bytes) -> None:
        if self.size + len(chunk) > self.max_bytes:
            allowed = self.max_bytes - self.size
            raise DatasetTooLarge(self.max_bytes, self.lines + chunk[:allowed].count(b"\n") + 1)
        try:
            self._decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            line = self.lines + chunk[: max(exc.start, 0)].count(b"\n") + 1
            raise MalformedDataset(
                "bad_encoding", f"Line {line} is not valid UTF-8 ({exc.reason}).", line=line
            ) from None
        if b"\0" in chunk:
            line = self.lines + chunk[: chunk.index(b"\0")].count(b"\n") + 1
            raise MalformedDataset(
                "wrong_format",
                f"Line {line} holds a NUL byte: this is a binary file, not CSV or JSON lines.",
                line=line,
            )
        self._measure_lines(chunk)
        self._file.write(chunk)
        self.size += len(chunk)
        self.lines += chunk.count(b"\n")

    def _measure_lines(self, chunk: bytes) -> None:
        lengths = line_lengths(chunk, self._open_line)
        self._open_line = int(lengths[-1])
        if int(lengths.max()) > self.max_line_bytes:
            line = self.lines + 1 + int(np.flatnonzero(lengths > self.max_line_bytes)[0])
            raise MalformedDataset(
                "line_too_long",
                f"Line {line} is longer than {self.max_line_bytes:,} bytes, the most a line "
                "may hold.",
                line=line,
            )

    def finish(self) -> None:
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise MalformedDataset(
                "bad_encoding", "The file ends inside a UTF-8 character.", line=self.lines + 1
            ) from None
        self.close()

    def close(self) -> None:
        self._file.close()


def line_lengths(chunk: bytes, open_line: int) -> NDArray[np.intp]:
    """Bytes of each line in ``chunk``, newlines not counted: the first goes on
    from the ``open_line`` bytes before the chunk, the last is still open."""
    ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
    starts = np.concatenate(([0], ends + 1))
    lengths = np.append(ends, len(chunk)) - starts
    lengths[0] += open_line
    return lengths


@dataclass(frozen=True)
class BuiltDataset:
    rows: int
    columns: list[ColumnProfile]
    quality: QualityReport


# -- reading records -----------------------------------------------------------


def _csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file, strict=True)
        try:
            for record in reader:
                if record:  # a blank line
                    yield reader.line_num, record
        except csv.Error as exc:
            raise _csv_error(exc, reader.line_num) from None


def _csv_error(exc: csv.Error, line: int) -> MalformedDataset:
    if "field larger than field limit" in str(exc):
        return _cell_too_long(line, None)
    return MalformedDataset("malformed_dataset", f"Line {line}: {exc}.", line=line)


def _cell_too_long(line: int, column: str | None) -> MalformedDataset:
    where = f"column '{column}'" if column is not None else "a cell"
    return MalformedDataset(
        "cell_too_long",
        f"Line {line}: {where} holds more than {MAX_CELL_CHARS:,} characters, the most a "
        "cell may hold.",
        line=line,
        column=column,
    )


def _csv_header(path: Path) -> list[str]:
    for line, header in _csv_records(path):
        # "utf-8-sig" takes one byte-order mark; an editor may have written two.
        names = [name.strip() for name in header]
        names[0] = names[0].lstrip("\ufeff").strip()
        for position, name in enumerate(names, 1):
            if not name:
                raise MalformedDataset(
                    "malformed_dataset",
                    f"Line {line}: column {position} of the header has no name.",
                    line=line,
                    column=str(position),
                )
        if len(names) == 1 and any(mark in header[0] for mark in (";", "\t", "|")):
            raise MalformedDataset(
                "wrong_format",
                f"Line {line}: the header is one column holding ';', tab or '|': "
                "fields must be separated by commas.",
                line=line,
            )
        if names[0].startswith(("{", "[")):
            raise MalformedDataset(
                "wrong_format",
                f"Line {line} looks like JSON, not a CSV header: upload it with format=jsonl.",
                line=line,
            )
        _check_names(names, line)
        return names
    raise MalformedDataset("empty_dataset", "The file is empty.")


def _check_names(names: list[str], line: int) -> None:
    if len(names) > MAX_COLUMNS:
        raise MalformedDataset(
            "malformed_dataset", f"Line {line}: more than {MAX_COLUMNS} columns.", line=line
        )
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise MalformedDataset(
                "malformed_dataset",
                f"Line {line}: the column name '{name}' appears twice.",
                line=line,
                column=name,
            )
        seen.add(name)


def _csv_blocks(
    path: Path, names: list[str], block_rows: int = BLOCK_ROWS
) -> Iterator[tuple[int, list[list[str]]]]:
    """Blocks of data records, each checked against the header. Records are read
    a block at a time (not one generator step each); the line of a bad record is
    found again only when there is one."""
    width = len(names)
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file, strict=True)
        taken = 0
        try:
            header_seen = False
            while True:
                block = list(itertools.islice(reader, block_rows))
                if not block:
                    return
                taken += len(block)
                block = [record for record in block if record]  # blank lines
                if not header_seen and block:
                    block = block[1:]
                    header_seen = True
                if any(len(record) != width for record in block):
                    bad = next(record for record in block if len(record) != width)
                    raise _ragged(_line_of(path, bad, names), bad, names)
                if block:
                    yield reader.line_num, block
        except csv.Error as exc:
            raise _csv_error(exc, reader.line_num) from None


def _line_of(path: Path, wanted: list[str], names: list[str]) -> int:
    """The line of the first record that has not the header's width (``wanted``)."""
    for line, record in _csv_records(path):
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


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _has_lone_surrogate(record: Any) -> bool:
    """Whether a parsed line holds a surrogate that no pair made a character (JSON
    allows the escape; UTF-8, and so the stored dataset, cannot hold it)."""
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _jsonl_blocks(
    path: Path, block_rows: int = BLOCK_ROWS
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    block: list[dict[str, Any]] = []
    first_line = 0
    with path.open(encoding="utf-8-sig") as file:
        for line, text in enumerate(file, 1):
            if not text.strip():
                continue
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
                raise MalformedDataset(
                    "malformed_dataset", f"Line {line}: {exc}.", line=line
                ) from None
            except RecursionError:
                raise MalformedDataset(
                    "malformed_dataset",
                    f"Line {line} nests arrays or objects too deeply.",
                    line=line,
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
                        raise _cell_too_long(line, name)
            if not block:
                first_line = line
            block.append(record)
            if len(block) == block_rows:
                yield first_line, block
                block = []
    if block:
        yield first_line, block


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


_INT64 = (-(2**63), 2**63 - 1)


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


# -- the two passes -------------------------------------------------------------


@dataclass
class _ColumnSurvey:
    type: str | None = None
    sample: Reservoir | None = None


def _survey_csv(path: Path, names: list[str], block_rows: int) -> tuple[list[_ColumnSurvey], int]:
    surveys = [_ColumnSurvey(sample=Reservoir(seed=i)) for i in range(len(names))]
    rows = 0
    for _, block in _csv_blocks(path, names, block_rows):
        rows += len(block)
        for survey, column in zip(surveys, zip(*block, strict=True), strict=True):
            if survey.type == "string":
                continue  # nothing is wider; and its texts need no sample
            present = [value for value in column if value != ""]
            survey.type = widen(survey.type, text_block_type(present))
            if survey.type in (None, "integer", "number"):
                assert survey.sample is not None
                survey.sample.offer(present)
            else:
                survey.sample = None  # only numbers' samples are used (robust centres)
    return surveys, rows


def _survey_jsonl(path: Path, block_rows: int) -> tuple[list[str], list[_ColumnSurvey], int]:
    names: dict[str, _ColumnSurvey] = {}
    rows = 0
    for line, block in _jsonl_blocks(path, block_rows):
        rows += len(block)
        for record in block:
            for name in record:
                if name not in names:
                    if len(names) == MAX_COLUMNS:
                        raise MalformedDataset(
                            "malformed_dataset",
                            f"Near line {line}: more than {MAX_COLUMNS} distinct keys.",
                            line=line,
                        )
                    names[name] = _ColumnSurvey(sample=Reservoir(seed=len(names)))
        for name, survey in names.items():
            values = [record.get(name) for record in block]
            present = [value for value in values if value is not None]
            for value in present:
                survey.type = widen(survey.type, value_type(value))
            if survey.type in ("integer", "number"):
                assert survey.sample is not None
                survey.sample.offer(present)
    return list(names), list(names.values()), rows


def _centre(survey: _ColumnSurvey, column_type: str) -> RobustCentre | None:
    if column_type not in ("integer", "number") or survey.sample is None:
        return None
    values = [float(value) for value in survey.sample.values if not isinstance(value, bool)]
    return RobustCentre.of(np.array(values, dtype=np.float64))


def build(directory: Path, upload: Path, fmt: DatasetFormat, target: str | None) -> BuiltDataset:
    """Read ``upload`` into a dataset in ``directory``; ``MalformedDataset`` if it cannot be."""
    block_rows = rows_per_block(upload)
    if fmt == "csv":
        names = _csv_header(upload)
        surveys, rows = _survey_csv(upload, names, block_rows)
    else:
        names, surveys, rows = _survey_jsonl(upload, block_rows)
    if rows == 0:
        raise MalformedDataset(
            "empty_dataset", "The file has no data rows." if names else "The file is empty."
        )
    if target is not None and target not in names:
        raise MalformedDataset(
            "unknown_target", f"The target '{target}' is not a column of the file.", column=target
        )
    types = [survey.type or "string" for survey in surveys]
    accumulators = [
        ColumnAccumulator(name, column_type, centre=_centre(survey, column_type))
        for name, column_type, survey in zip(names, types, surveys, strict=True)
    ]
    files = DatasetFiles(directory)
    # Eight bytes a row, to count repeated rows; the row count is known by now.
    hashes = np.empty(rows, dtype=np.int64)
    offsets = array("q")
    rows_with_missing = 0
    written = 0
    with files.rows_path.open("w", encoding="utf-8") as out:
        position = 0
        blocks = (
            _csv_blocks(upload, names, block_rows)
            if fmt == "csv"
            else _jsonl_blocks(upload, block_rows)
        )
        for _, block in blocks:
            columns, numbers = _typed_columns(block, names, types, fmt)
            for accumulator, values, present in zip(accumulators, columns, numbers, strict=True):
                accumulator.add(values, present)
            rows_in_block = list(zip(*columns, strict=True))
            rows_with_missing += sum(1 for row_values in rows_in_block if None in row_values)
            lines = [encode_row(row_values) for row_values in rows_in_block]
            for line in lines:
                if written % INDEX_STRIDE == 0:
                    offsets.append(position)
                hashes[written] = hash(line)
                position += len(line.encode("utf-8")) + 1
                written += 1
            out.write("\n".join(lines))
            out.write("\n")
    np.save(files.index_path, np.frombuffer(offsets, dtype=np.int64))
    duplicates = _repeated(hashes)
    profiles = [accumulator.profile() for accumulator in accumulators]
    files.write_schema({name: column_type for name, column_type in zip(names, types, strict=True)})
    return BuiltDataset(
        rows=rows,
        columns=profiles,
        quality=quality_report(accumulators, rows, duplicates, rows_with_missing, target),
    )


def rows_per_block(path: Path) -> int:
    """How many rows a block holds: ``BLOCK_ROWS``, fewer when the file's longest
    line would make them more than ``BLOCK_BYTES``."""
    longest = 0
    open_line = 0
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            lengths = line_lengths(chunk, open_line)
            open_line = int(lengths[-1])
            longest = max(longest, int(lengths.max()))
    return max(1, min(BLOCK_ROWS, BLOCK_BYTES // max(1, longest)))


def build_in_directory(
    directory: str, upload: str, fmt: DatasetFormat, target: str | None
) -> BuiltDataset:
    """:func:`build`, for the ingest process: paths as text, so the call pickles."""
    return build(Path(directory), Path(upload), fmt, target)


def _typed_columns(
    block: list[Any], names: list[str], types: list[str], fmt: DatasetFormat
) -> tuple[list[list[Any]], list[NDArray[np.float64] | None]]:
    """A block's values by column, typed, and (when at hand) numeric columns'
    present values as arrays."""
    if fmt == "csv":
        converted = [
            convert_texts(column, column_type)
            for column, column_type in zip(zip(*block, strict=True), types, strict=True)
        ]
        return [values for values, _ in converted], [numbers for _, numbers in converted]
    columns = [
        [convert_json(record.get(name), column_type) for record in block]
        for name, column_type in zip(names, types, strict=True)
    ]
    return columns, [None] * len(columns)


def _repeated(hashes: NDArray[np.int64]) -> int:
    """How many rows repeat an earlier one, from the rows' 64-bit hashes: sorted in
    place, not gathered in a hash set."""
    ordered = hashes
    ordered.sort()
    distinct = 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1])) if len(ordered) else 0
    return len(ordered) - distinct
