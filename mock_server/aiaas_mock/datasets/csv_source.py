"""A CSV upload read as Arrow record batches of texts, typed a column block at a time.

The file is cut into pieces of whole records (a newline outside quotes: the
quotes before it are even in number), transcoded to UTF-8 when it is not, and
each piece parsed by Arrow's reader. Memory is a piece and its batches,
whatever the file's size; Arrow's streaming reader would read up to 32 blocks
ahead on its own. Arrow reports a bad record without its line, so the file is
then read again with Python's csv module, which says where it is — only for a
file that is refused.
"""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .arrow_columns import text_type, typed_texts
from .dialect import CsvOptions
from .errors import MalformedDataset
from .limits import MAX_CELL_CHARS
from .survey import Survey, cell_too_long, check_names

PIECE_BYTES = 4 << 20
"""Bytes of the file parsed at once (more when one record is longer)."""
csv.field_size_limit(MAX_CELL_CHARS)


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
            for batch in _regrouped(self._tables(), self.block_rows):
                last = batch
                self._check_cells(batch)
                yield batch
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise self._diagnosis(exc) from None
        if last is not None and _open_quote_at_end(last):
            self._python_check()

    def _tables(self) -> Iterator[pa.Table]:
        """The pieces parsed, the next one in a thread while this one is used
        (Arrow parses without the GIL): two pieces in memory at most."""
        pieces = record_pieces(self.path, str(self.options.encoding), PIECE_BYTES)
        with ThreadPoolExecutor(1, thread_name_prefix="csv-parser") as parser:
            pending: Future[pa.Table] | None = None
            for index, piece in enumerate(pieces):
                skip_header = index == 0 and self.options.header
                following = parser.submit(self._parse, piece, skip_header)
                if pending is not None:
                    yield pending.result()
                pending = following
            if pending is not None:
                yield pending.result()

    def _parse(self, piece: bytes, skip_header: bool) -> pa.Table:
        options = self.options
        columns = [f"c{i}" for i in range(len(self.names))]
        return pa_csv.read_csv(
            pa.py_buffer(piece),
            read_options=pa_csv.ReadOptions(
                column_names=columns,
                skip_rows=1 if skip_header else 0,
                # Blocks of a piece are parsed in parallel; each holds whole lines.
                block_size=max(256 << 10, 2 * self.longest_line + (1 << 16)),
                use_threads=False,
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


def _regrouped(tables: Iterator[pa.Table], rows: int) -> Iterator[pa.RecordBatch]:
    """The tables' rows in batches of ``rows`` (the last one shorter): a piece
    ends where its bytes do, a stored row group where its rows do."""
    rest: pa.Table | None = None
    for table in tables:
        joined = table if rest is None else pa.concat_tables([rest, table])
        whole = joined.num_rows - joined.num_rows % rows
        for start in range(0, whole, rows):
            yield from joined.slice(start, rows).combine_chunks().to_batches()
        rest = joined.slice(whole)
    if rest is not None and rest.num_rows:
        yield from rest.combine_chunks().to_batches()


def record_pieces(path: Path, encoding: str, piece_bytes: int) -> Iterator[bytes]:
    """The file as UTF-8, in pieces of whole records of about ``piece_bytes``."""
    decoder = None
    if encoding != "utf-8":
        decoder = codecs.getincrementaldecoder(encoding)("strict")
    carry = b""
    with path.open("rb") as file:
        while True:
            raw = file.read(piece_bytes)
            data = raw if decoder is None else decoder.decode(raw, final=not raw).encode()
            buffer = carry + data if carry else data
            if not raw:
                if buffer.strip():
                    yield buffer
                return
            cut = _last_record_end(buffer)
            carry = buffer[cut:]
            if cut and buffer[:cut].strip():
                yield buffer[:cut]


def _last_record_end(buffer: bytes) -> int:
    """Just past the last newline outside quotes (0 for none): one with an even
    number of quote characters before it, as a quoted field holds its own quotes
    doubled."""
    data = np.frombuffer(buffer, dtype=np.uint8)
    newlines = np.flatnonzero(data == 10)
    if not len(newlines):
        return 0
    quotes = np.flatnonzero(data == 34)
    outside = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    return int(outside[-1]) + 1 if len(outside) else 0


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
