"""Turning an uploaded CSV, JSON-lines or Parquet file into a stored dataset, in
bounded memory.

The upload streams to disk as it arrives (:class:`UploadFile`), checked for its
size (and a text file's encoding and line lengths) on the way. Then two passes
read it back a block of rows at a time (:mod:`.sources`): the first settles
each column's type and samples its numbers, the second writes the typed blocks
as Parquet row groups and gathers the quality report from the same Arrow
arrays. Neither pass holds more than a block of rows, a sample per column and
eight bytes per row (to count duplicates).

Any problem is a :class:`MalformedDataset` naming the line and the column
where it can; the caller removes the directory, so a failed upload leaves
nothing behind.
"""

from __future__ import annotations

import codecs
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from aiaas.types import ColumnProfile, QualityReport

from .arrow_columns import row_hashes, rows_with_missing, stored_schema
from .dialect import CsvOptions
from .errors import DatasetTooLarge, MalformedDataset
from .files import DatasetFiles
from .limits import MAX_LINE_BYTES
from .lines import line_lengths, longest_line
from .profile import ColumnAccumulator, RobustCentre, quality_report
from .sources import DatasetFormat, open_source
from .survey import Source, Survey

__all__ = [
    "BLOCK_ROWS",
    "BuiltDataset",
    "DatasetFormat",
    "DatasetTooLarge",
    "MalformedDataset",
    "UploadFile",
    "build",
    "build_in_directory",
    "rows_per_block",
]

BLOCK_ROWS = 65_536
"""Rows in a block, and so in a stored row group."""
BLOCK_BYTES = 8 * 1024 * 1024
"""A block holds at most ``BLOCK_ROWS`` rows and, judged by the file's longest
line, about this many bytes of them: a file of wide rows is read a few rows at a
time, so the ingest process's memory does not grow with the row width."""
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class UploadFile:
    """The raw upload, written to disk as it arrives, its size checked and, for a
    UTF-8 text file, its encoding and line lengths. A file in another encoding
    (a CSV file in UTF-16 may be told by its byte-order mark, ``utf16_bom``) is
    checked as it is read; a Parquet file by its own reader."""

    def __init__(
        self,
        path: Path,
        max_bytes: int,
        max_line_bytes: int = MAX_LINE_BYTES,
        *,
        text: bool = True,
        utf8: bool = True,
        utf16_bom: bool = False,
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.max_line_bytes = max_line_bytes
        self.size = 0
        self.lines = 0
        self._text = text
        self._utf8 = utf8 and text
        self._utf16_bom = utf16_bom
        self.longest = 0
        """The longest line so far (of a text file), so that reading it need not
        measure again."""
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
        if self.size == 0 and self._utf16_bom and chunk.startswith(_UTF16_BOMS):
            self._utf8 = False
        if self._utf8:
            self._check_utf8(chunk)
        if self._text:
            self._measure_lines(chunk)
        self._file.write(chunk)
        self.size += len(chunk)
        self.lines += chunk.count(b"\n")

    def _check_utf8(self, chunk: bytes) -> None:
        try:
            self._decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            line = self.lines + chunk[: max(exc.start, 0)].count(b"\n") + 1
            raise MalformedDataset(
                "bad_encoding",
                f"Line {line} is not valid UTF-8 ({exc.reason}). A CSV file in another "
                "encoding is uploaded with encoding=latin-1, cp1252 or utf-16.",
                line=line,
            ) from None
        if b"\0" in chunk:
            line = self.lines + chunk[: chunk.index(b"\0")].count(b"\n") + 1
            raise MalformedDataset(
                "wrong_format",
                f"Line {line} holds a NUL byte: this is a binary file, not CSV or JSON lines "
                "(a Parquet file is uploaded with format=parquet).",
                line=line,
            )

    def _measure_lines(self, chunk: bytes) -> None:
        lengths = line_lengths(chunk, self._open_line)
        self._open_line = int(lengths[-1])
        self.longest = max(self.longest, int(lengths.max()))
        if self.longest > self.max_line_bytes:
            line = self.lines + 1 + int(np.flatnonzero(lengths > self.max_line_bytes)[0])
            raise MalformedDataset(
                "line_too_long",
                f"Line {line} is longer than {self.max_line_bytes:,} bytes, the most a line "
                "may hold.",
                line=line,
            )

    @property
    def measured(self) -> bool:
        """Whether ``longest`` is the file's longest line."""
        return self._text

    def finish(self) -> None:
        if not self._utf8:
            self.close()
            return
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise MalformedDataset(
                "bad_encoding", "The file ends inside a UTF-8 character.", line=self.lines + 1
            ) from None
        self.close()

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True)
class BuiltDataset:
    rows: int
    columns: list[ColumnProfile]
    quality: QualityReport


class _StoredRows:
    """Typed blocks on their way into ``rows.parquet``, and what the report
    gathers from them on the way."""

    def __init__(self, path: Path, names: list[str], types: list[str]) -> None:
        self.names = list(names)
        self.types = list(types)
        self.schema = stored_schema(dict(zip(names, types, strict=True)))
        # No statistics and no stored Arrow schema (schema.json has the types): a
        # few hundred bytes less per column and row group, which a wide file feels.
        self._writer = pq.ParquetWriter(
            path, self.schema, compression="zstd", write_statistics=False, store_schema=False
        )
        # Arrow encodes and compresses without the GIL: one thread writes a block
        # while the next is parsed.
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="parquet-writer")
        self._pending: Future[None] | None = None
        self.accumulators = [ColumnAccumulator(n, t) for n, t in zip(names, types, strict=True)]
        # Eight bytes a row, to count repeats: on disk until they are counted.
        self._hashes_path = path.with_name("row-hashes.tmp")
        self._hashes = self._hashes_path.open("wb")
        self.rows_with_missing = 0

    def add(self, batch: pa.RecordBatch) -> None:
        for accumulator, column in zip(self.accumulators, batch.columns, strict=True):
            accumulator.add_arrow(column)
        self._hashes.write(row_hashes(batch).tobytes())
        self.rows_with_missing += rows_with_missing(batch)
        self._wait()
        self._pending = self._pool.submit(
            self._writer.write_batch, pa.record_batch(batch.columns, schema=self.schema)
        )

    def _wait(self) -> None:
        if self._pending is not None:
            self._pending.result()
            self._pending = None

    def close(self) -> None:
        try:
            self._wait()
        finally:
            self._pool.shutdown()
            self._writer.close()
            self._hashes.close()

    def repeated_rows(self) -> int:
        """How many rows repeat an earlier one (the hashes' file is removed)."""
        hashes = np.fromfile(self._hashes_path, dtype=np.int64)
        self._hashes_path.unlink()
        return _repeated(hashes)

    def discard(self) -> None:
        """Stop writing: the rows are abandoned (the caller is failing, or writes
        them again), so a write's own error is not the one to report."""
        try:
            self.close()
        except Exception:  # noqa: S110
            pass
        finally:
            self._hashes_path.unlink(missing_ok=True)


def _first_pass(source: Source, survey: Survey, path: Path) -> _StoredRows | None:
    """Survey the file and, while the types the first block showed hold, write it
    too: most files need one pass. ``None`` when a later block widened a type
    (an integer column with a decimal further down) or, in JSON lines, added a
    key: then the written rows are wrong and a second pass writes them again."""
    stored: _StoredRows | None = None
    gave_up = False
    try:
        for block in source.blocks():
            source.survey_block(block, survey)
            types = [kind or "string" for kind in survey.types]
            if stored is None and not gave_up:
                stored = _StoredRows(path, survey.names, types)
            elif stored is not None and (stored.types != types or stored.names != survey.names):
                stored.discard()
                stored, gave_up = None, True
            if stored is not None:
                stored.add(source.typed(block, stored.names, stored.types))
    except BaseException:
        if stored is not None:
            stored.discard()
        raise
    if stored is not None:
        stored.close()
    return stored


def _second_pass(source: Source, survey: Survey, path: Path) -> _StoredRows:
    stored = _StoredRows(path, survey.names, [kind or "string" for kind in survey.types])
    try:
        for block in source.blocks():
            stored.add(source.typed(block, stored.names, stored.types))
    except BaseException:
        stored.discard()
        raise
    stored.close()
    return stored


def _count_outliers(stored: _StoredRows, survey: Survey, path: Path) -> None:
    """Robust z-scores need the median of the whole column first (from the
    survey's sample): the outliers are counted from the stored numbers after."""
    numeric = {}
    for position, accumulator in enumerate(stored.accumulators):
        sample = survey.samples[position]
        if accumulator.is_numeric and sample is not None:
            accumulator.centre = RobustCentre.of(sample.values)
            if accumulator.centre is not None:
                numeric[accumulator.name] = accumulator
    if not numeric:
        return
    # Read, not memory-mapped: mapped pages would count as this process's memory.
    for batch in pq.ParquetFile(path).iter_batches(columns=list(numeric)):
        for name, accumulator in numeric.items():
            values = batch.column(name).drop_null()
            numbers = values.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False)
            assert accumulator.centre is not None
            accumulator.outliers += accumulator.centre.outliers(numbers)


def build(
    directory: Path,
    upload: Path,
    fmt: DatasetFormat,
    target: str | None,
    options: CsvOptions | None = None,
    longest: int | None = None,
) -> BuiltDataset:
    """Read ``upload`` into a dataset in ``directory``; ``MalformedDataset`` if it
    cannot be. ``longest`` is the file's longest line, when measured already."""
    if longest is None:
        longest = longest_line(upload) if fmt != "parquet" else 0
    block_rows = max(1, min(BLOCK_ROWS, BLOCK_BYTES // max(1, longest)))
    source = open_source(upload, fmt, options or CsvOptions(), block_rows, longest)
    files = DatasetFiles(directory)
    survey = source.new_survey()
    stored = _first_pass(source, survey, files.rows_path)
    if survey.rows == 0:
        raise MalformedDataset(
            "empty_dataset", "The file has no data rows." if survey.names else "The file is empty."
        )
    if target is not None and target not in survey.names:
        raise MalformedDataset(
            "unknown_target", f"The target '{target}' is not a column of the file.", column=target
        )
    if stored is None:
        stored = _second_pass(source, survey, files.rows_path)
    _count_outliers(stored, survey, files.rows_path)
    files.write_schema(dict(zip(stored.names, stored.types, strict=True)))
    accumulators = stored.accumulators
    repeated = stored.repeated_rows()
    return BuiltDataset(
        rows=survey.rows,
        columns=[accumulator.profile() for accumulator in accumulators],
        quality=quality_report(
            accumulators, survey.rows, repeated, stored.rows_with_missing, target
        ),
    )


def rows_per_block(path: Path) -> int:
    """How many rows a block of a text file holds: ``BLOCK_ROWS``, fewer when the
    file's longest line would make them more than ``BLOCK_BYTES``."""
    return max(1, min(BLOCK_ROWS, BLOCK_BYTES // max(1, longest_line(path))))


def build_in_directory(
    directory: str,
    upload: str,
    fmt: DatasetFormat,
    target: str | None,
    options: CsvOptions | None = None,
    longest: int | None = None,
) -> BuiltDataset:
    """:func:`build`, for the ingest process: paths as text, so the call pickles."""
    return build(Path(directory), Path(upload), fmt, target, options, longest)


def _repeated(hashes: NDArray[np.int64]) -> int:
    """How many rows repeat an earlier one, from the rows' 64-bit hashes: sorted in
    place, not gathered in a hash set."""
    ordered = hashes
    ordered.sort()
    distinct = 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1])) if len(ordered) else 0
    return len(ordered) - distinct
