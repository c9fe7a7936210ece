"""Datasets: uploaded plant data, its inferred schema and its data-quality report."""

from __future__ import annotations

from html import escape
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, JsonValue

from ._html import fields_table, heading
from .api_object import APIObject

__all__ = [
    "ColumnProfile",
    "Dataset",
    "DatasetDeleted",
    "DatasetRow",
    "ImageProfile",
    "QualityReport",
    "TargetBalance",
]

ColumnType = Literal["integer", "number", "boolean", "string", "image", "json"]
"""How a column's values were read: ``image`` is a base64 PNG or JPEG, ``json`` a
list or object (JSONL only)."""


class ImageProfile(APIObject):
    """Sizes and colour modes of an image column's pictures."""

    min_width: int
    max_width: int
    min_height: int
    max_height: int
    modes: dict[str, int]
    """Count of images per colour mode (``L``, ``RGB``, ...)."""
    unreadable: int = 0
    """Values that looked like images but could not be decoded."""


class ColumnProfile(APIObject):
    """One column: its type and what the quality check found in it."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    name: str
    type: ColumnType
    missing: int
    """Empty cells (CSV) or absent and ``null`` values (JSONL)."""
    distinct: int | None = None
    """Distinct values, when there are at most 1,000 (else ``None``)."""
    constant: bool = False
    """Whether every present value is the same."""
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    std: float | None = None
    median: float | None = None
    outliers: int | None = None
    """Numeric values whose robust z-score (distance from the median in scaled
    median absolute deviations) exceeds 3.5."""
    top_values: dict[str, int] | None = None
    """Row counts per value: every value of a text, boolean or integer column of
    at most 50 distinct values, else the ten most frequent texts."""
    image: ImageProfile | None = None


class TargetBalance(APIObject):
    """How the target column's values are spread."""

    column: str
    kind: Literal["classes", "numeric"]
    counts: dict[str, int] = Field(default_factory=dict)
    """Rows per class, for a target of at most 50 distinct values."""
    minority_share: float | None = None
    """Share of rows in the smallest class."""


class QualityReport(APIObject):
    """What the server found in the data when it was uploaded."""

    rows: int
    columns: int
    duplicate_rows: int
    """Rows equal to an earlier row in every column."""
    rows_with_missing: int
    constant_columns: list[str]
    outlier_threshold: float = 3.5
    target: TargetBalance | None = None
    warnings: list[str] = Field(default_factory=list)
    """Findings worth a look before training, in words."""

    def _repr_html_(self) -> str:
        """The report as a notebook shows it: counts, the target's balance, warnings."""
        fields = [
            ("rows", self.rows), ("columns", self.columns),
            ("duplicate rows", self.duplicate_rows),
            ("rows with a missing value", self.rows_with_missing),
            ("constant columns", self.constant_columns),
            ("target", f"{self.target.column}: {self.target.counts}" if self.target else None),
        ]  # fmt: skip
        warnings = "".join(f"<li>{escape(warning)}</li>" for warning in self.warnings)
        return (
            heading("data quality")
            + fields_table(fields)
            + (f"<ul>{warnings}</ul>" if warnings else "")
        )


class Dataset(APIObject):
    """An uploaded dataset. It belongs to the tenant that uploaded it."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    id: str
    object: Literal["dataset"] = "dataset"
    name: str
    format: Literal["csv", "jsonl", "parquet"]
    bytes: int
    """Size of the upload."""
    rows: int
    target: str | None = None
    """The column named as the target at upload, whose balance the report gives."""
    columns: list[ColumnProfile]
    """The inferred schema, in the file's column order, with each column's profile."""
    quality: QualityReport
    created_at: int


class DatasetRow(APIObject):
    """One row of a dataset, with its position (0-based) in the file."""

    index: int
    values: dict[str, JsonValue]


class DatasetDeleted(APIObject):
    id: str
    object: Literal["dataset.deleted"] = "dataset.deleted"
    deleted: bool = True
