"""DataFrames and Arrow tables in and out of the SDK.

pandas, polars and pyarrow are optional (``pip install "aiaas[pandas]"``,
``"aiaas[polars]"`` or ``"aiaas[arrow]"``) and never imported by ``import
aiaas``: a value is recognised by its class's module, and the library is
imported only to convert it.
"""

from __future__ import annotations

import importlib
import io
import math
import os
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, Protocol

__all__ = ["TableFile", "TableFormat", "frame_kind", "frame_parquet", "frame_records"]

TableFormat = Literal["csv", "parquet"]
FrameKind = Literal["pandas", "pandas-series", "polars", "arrow"]
_EXTRAS = {
    "pandas": "pandas",
    "polars": "polars",
    "pyarrow": "arrow",
    "PIL": "images",
    "tqdm": "progress",
}


def require(module: str) -> ModuleType:
    """``module``, or an ImportError that names the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise ImportError(
            f'this needs {top}, which is not installed: pip install "aiaas[{_EXTRAS[top]}]"'
        ) from None


def frame_kind(value: object) -> FrameKind | None:
    """Which table library ``value`` comes from (``None`` for anything else)."""
    cls = type(value)
    library = cls.__module__.split(".")[0]
    if library == "pandas":
        return {"DataFrame": "pandas", "Series": "pandas-series"}.get(cls.__name__)  # type: ignore[return-value]
    if library == "polars" and cls.__name__ == "DataFrame":
        return "polars"
    if library == "pyarrow" and cls.__name__ in ("Table", "RecordBatch"):
        return "arrow"
    return None


def _missing(value: Any) -> Any:
    """NaN (pandas' missing float), ``pd.NA`` and ``NaT`` as ``None``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat) and type(value).__module__.startswith("pandas"):
        return isoformat()  # a Timestamp
    return value


def frame_records(value: Any, kind: FrameKind) -> list[dict[str, Any]]:
    """The rows of a table as records keyed by column name (a Series is one
    record keyed by its index); missing values are ``None``."""
    if kind == "pandas-series":
        return [{str(key): _missing(item) for key, item in value.to_dict().items()}]
    if kind == "pandas":
        records = value.to_dict(orient="records")
    elif kind == "polars":
        records = value.to_dicts()
    else:
        records = value.to_pylist()
    return [{str(key): _missing(item) for key, item in record.items()} for record in records]


def frame_parquet(value: Any, kind: FrameKind) -> bytes:
    """A table as the bytes of a Parquet file (NaN is missing, as pandas means it)."""
    buffer = io.BytesIO()
    if kind == "polars":
        value.write_parquet(buffer)
        return buffer.getvalue()
    pa = require("pyarrow")
    parquet = require("pyarrow.parquet")
    if kind == "pandas":
        table = pa.Table.from_pandas(value, preserve_index=False)
    elif kind == "pandas-series":
        table = pa.Table.from_pandas(value.to_frame(), preserve_index=False)
    else:
        table = value if isinstance(value, pa.Table) else pa.Table.from_batches([value])
    parquet.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


class ArrowStreamExportable(Protocol):
    """A table that exports itself as an Arrow stream (Arrow's PyCapsule
    interface): a pandas (2.2+) or polars DataFrame, a pyarrow Table."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...


class TableFile:
    """A table downloaded whole: a dataset's rows or a batch job's results, as the
    bytes of a Parquet or CSV file, read into the library you use."""

    def __init__(self, content: bytes, format: TableFormat) -> None:
        self.content = content
        self.format: TableFormat = format

    def __repr__(self) -> str:
        return f"TableFile(format={self.format!r}, bytes={len(self.content)})"

    def to_arrow(self) -> Any:
        """A ``pyarrow.Table`` (needs ``aiaas[arrow]``)."""
        if self.format == "parquet":
            return require("pyarrow.parquet").read_table(io.BytesIO(self.content))
        csv = require("pyarrow.csv")
        # An empty cell is a missing value, as the service reads CSV.
        options = csv.ConvertOptions(strings_can_be_null=True)
        return csv.read_csv(io.BytesIO(self.content), convert_options=options)

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` (needs ``aiaas[pandas]``)."""
        require("pandas")
        return self.to_arrow().to_pandas()

    def to_polars(self) -> Any:
        """A ``polars.DataFrame`` (needs ``aiaas[polars]``; not pyarrow)."""
        polars = require("polars")
        if self.format == "parquet":
            return polars.read_parquet(io.BytesIO(self.content))
        return polars.read_csv(io.BytesIO(self.content))

    def write_to_file(self, path: str | os.PathLike[str]) -> Path:
        """Write the file's bytes to ``path``; the path written."""
        target = Path(path)
        target.write_bytes(self.content)
        return target


def format_of(path: str | os.PathLike[str], format: TableFormat | None) -> TableFormat:
    """``format``, or the one ``path``'s suffix names (Parquet by default)."""
    if format is not None:
        if format not in ("csv", "parquet"):
            raise ValueError(f"format must be 'csv' or 'parquet', not {format!r}")
        return format
    return "csv" if Path(path).suffix.lower() == ".csv" else "parquet"
