"""What ``datasets.create`` uploads, read a chunk at a time: a file never has to
fit in memory on the way out.

A path, bytes or a seekable file can be read again from the start, so a call
that uploads one may be retried; an iterable of records is encoded as it is
consumed and can only be sent once.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Literal

from ._frames import ArrowStreamExportable, frame_kind, frame_parquet
from ._image_sets import labelled_images

__all__ = [
    "ArrowStreamExportable",
    "DatasetFormat",
    "FileSource",
    "ProgressCallback",
    "Upload",
]

DatasetFormat = Literal["csv", "jsonl", "parquet"]


FileSource = (
    str | os.PathLike[str] | bytes | IO[bytes] | Iterable[Mapping[str, Any]] | ArrowStreamExportable
)
"""A path, the file's bytes, a binary file object, records (mappings of column
to value), which are encoded as the upload goes, or a pandas or polars
DataFrame or a pyarrow Table, sent as Parquet."""
ProgressCallback = Callable[[int, "int | None"], object]
"""Called with the bytes sent so far and the upload's size (``None`` if unknown)."""

CHUNK_SIZE = 256 * 1024
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}
_SUFFIXES: dict[str, DatasetFormat] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


class Upload:
    """One upload's source, its format and, when known, its size."""

    def __init__(
        self,
        file: FileSource,
        format: DatasetFormat | None,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self._path: Path | None = None
        self._bytes: bytes | None = None
        self._stream: IO[bytes] | None = None
        self._records: Iterable[Mapping[str, Any]] | None = None
        self._start = 0
        self._sent = False
        self._on_progress = on_progress
        kind = frame_kind(file)
        if kind is not None:
            # Parquet keeps the columns' types (and NaN as missing); a table is in
            # memory already, and its Parquet bytes are smaller than it.
            if format not in (None, "parquet"):
                raise ValueError(f"a DataFrame or Arrow table is sent as Parquet, not {format!r}")
            self._bytes = frame_parquet(file, kind)
            format = "parquet"
        elif isinstance(file, str | os.PathLike) and Path(file).is_dir():
            # A folder of labelled images: class_name/*.png|jpg, one record each.
            self._records = labelled_images(file)
            format = format or "jsonl"
        elif isinstance(file, str | os.PathLike):
            self._path = Path(file)
            format = format or _SUFFIXES.get(self._path.suffix.lower())
        elif isinstance(file, bytes | bytearray | memoryview):
            self._bytes = bytes(file)
        elif hasattr(file, "read"):
            self._stream = file  # type: ignore[assignment]
            if _seekable(file):
                self._start = file.tell()  # type: ignore[union-attr]
        elif isinstance(file, Iterable) and not isinstance(file, Mapping):
            self._records = file
            format = format or "jsonl"
        else:
            raise TypeError(
                "file must be a path, bytes, a binary file object or an iterable of records"
            )
        if format not in MEDIA_TYPES:
            raise ValueError(
                "format must be 'csv', 'jsonl' or 'parquet' (it could not be told from the "
                "file's name)"
                if format is None
                else f"format must be 'csv', 'jsonl' or 'parquet', not {format!r}"
            )
        self.format: DatasetFormat = format

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def rewindable(self) -> bool:
        """Whether the upload can be sent again from its start (for a retry)."""
        if self._records is not None:
            return False
        return self._stream is None or _seekable(self._stream)

    @property
    def size(self) -> int | None:
        if self._bytes is not None:
            return len(self._bytes)
        if self._path is not None:
            return self._path.stat().st_size
        if self._stream is not None and _seekable(self._stream):
            here = self._stream.tell()
            end = self._stream.seek(0, io.SEEK_END)
            self._stream.seek(here)
            return end - self._start
        return None

    def chunks(self) -> Iterator[bytes]:
        """The upload from its start, a chunk at a time, telling ``on_progress``."""
        if self._on_progress is None:
            yield from self._chunks()
            return
        total = self.size
        sent = 0
        self._on_progress(0, total)
        for chunk in self._chunks():
            yield chunk
            sent += len(chunk)
            self._on_progress(sent, total)

    def _chunks(self) -> Iterator[bytes]:
        if self._sent and not self.rewindable:
            raise RuntimeError("this upload's records were already sent; they cannot be re-read")
        self._sent = True
        if self._bytes is not None:
            view = memoryview(self._bytes)
            for offset in range(0, len(view), CHUNK_SIZE):
                yield bytes(view[offset : offset + CHUNK_SIZE])
        elif self._path is not None:
            with self._path.open("rb") as file:
                yield from iter(lambda: file.read(CHUNK_SIZE), b"")
        elif self._stream is not None:
            stream = self._stream
            if _seekable(stream):
                stream.seek(self._start)
            yield from iter(lambda: stream.read(CHUNK_SIZE), b"")
        else:
            assert self._records is not None
            yield from _encode_records(self._records, self.format)

    async def achunks(self) -> AsyncIterator[bytes]:
        """:meth:`chunks` for an async client. Reads are of local files in chunks
        of a quarter megabyte, microseconds each: not worth a thread hop."""
        for chunk in self.chunks():
            yield chunk

    def read_all(self, limit: int) -> bytes:
        """The whole upload (for sealing it as one message); ``ValueError`` past ``limit``."""
        buffer = bytearray()
        for chunk in self.chunks():
            buffer += chunk
            if len(buffer) > limit:
                raise ValueError(f"the upload exceeds {limit} bytes")
        return bytes(buffer)


def _seekable(stream: Any) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError):
        return False


def _json_value(value: Any) -> Any:
    """A value ``json`` cannot write: numpy's scalars as Python's, times in ISO 8601."""
    item = getattr(value, "item", None)
    if callable(item):
        return _clean(item())
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def _clean(value: Any) -> Any:
    """NaN (how pandas and numpy write missing) as ``None``; an infinity, which
    JSON cannot hold, as its text (as the service reads ``1e400``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _encode_records(records: Iterable[Mapping[str, Any]], fmt: DatasetFormat) -> Iterator[bytes]:
    buffer = io.StringIO()
    if fmt == "parquet":
        raise ValueError("records are sent as jsonl or csv; a table is sent as Parquet")
    if fmt == "jsonl":
        for record in records:
            row = {key: _clean(value) for key, value in record.items()}
            buffer.write(json.dumps(row, separators=(",", ":"), default=_json_value))
            buffer.write("\n")
            if buffer.tell() >= CHUNK_SIZE:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
    else:
        writer: csv.DictWriter[str] | None = None
        for record in records:
            if writer is None:
                writer = csv.DictWriter(buffer, fieldnames=list(record), lineterminator="\n")
                writer.writeheader()
            writer.writerow({k: _csv_cell(v) for k, v in record.items()})
            if buffer.tell() >= CHUNK_SIZE:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _csv_cell(value: Any) -> Any:
    value = _clean(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
