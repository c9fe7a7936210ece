"""The data-quality report, accumulated a block of rows at a time in bounded memory.

Everything is exact except the median and the outlier count's scale, which come
from a uniform sample of at most :data:`SAMPLE_SIZE` values per column: exact up
to that many rows, and within a fraction of a percent of the data's quantiles
beyond it.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from aiaas.types import ColumnProfile, ImageProfile, QualityReport, TargetBalance

from .columns import image_bytes, value_text

SAMPLE_SIZE = 20_000
MAX_DISTINCT = 1000
"""Distinct values counted per column; beyond, a column counts as high-cardinality."""
MAX_COUNTED_CHARS = 256 * 1024
"""Characters of distinct texts counted per column; beyond, the same (a column of
long texts would otherwise keep up to a thousand of them in memory)."""
MAX_CLASSES = 50
"""A target with at most this many distinct values is a class label."""
OUTLIER_Z = 3.5
"""Robust z-score beyond which a value is an outlier (Iglewicz and Hoaglin)."""
_MAD_TO_SIGMA = 1.4826
_MEAN_AD_TO_SIGMA = 1.253314


class Reservoir:
    """A uniform sample of at most ``size`` of the numbers offered (Algorithm R)."""

    def __init__(self, size: int = SAMPLE_SIZE, seed: int = 0) -> None:
        self.size = size
        self._values = np.empty(size, dtype=np.float64)
        self._filled = 0
        self.seen = 0
        self._rng = np.random.default_rng(seed)

    @property
    def values(self) -> NDArray[np.float64]:
        return self._values[: self._filled]

    def offer(self, values: Sequence[float] | NDArray[Any]) -> None:
        block = np.asarray(values, dtype=np.float64)
        free = self.size - self._filled
        taken = block[:free]
        self._values[self._filled : self._filled + len(taken)] = taken
        self._filled += len(taken)
        rest = block[len(taken) :]
        if len(rest):
            first = self.seen + len(taken)
            slots = self._rng.integers(0, np.arange(first, first + len(rest)) + 1)
            # Once the sample is full, few values get in; of two for one slot the
            # later wins, as in the one-at-a-time algorithm (numpy assigns in order).
            chosen = np.flatnonzero(slots < self.size)
            self._values[slots[chosen]] = rest[chosen]
        self.seen += len(block)


@dataclass
class RobustCentre:
    """Median and scale of a column, for robust z-scores."""

    median: float
    scale: float
    """Standard deviations, as estimated from the median absolute deviation."""

    @classmethod
    def of(cls, sample: NDArray[np.float64]) -> RobustCentre | None:
        if not len(sample):
            return None
        median = float(np.median(sample))
        deviations = np.abs(sample - median)
        mad = float(np.median(deviations))
        scale = mad * _MAD_TO_SIGMA if mad > 0 else float(deviations.mean()) * _MEAN_AD_TO_SIGMA
        return cls(median, scale)

    def outliers(self, values: NDArray[np.float64]) -> int:
        if self.scale <= 0:
            return 0
        return int((np.abs(values - self.median) / self.scale > OUTLIER_Z).sum())


@dataclass
class ColumnAccumulator:
    """What the report says of one column, gathered block by block."""

    name: str
    type: str
    centre: RobustCentre | None = None
    missing: int = 0
    count: int = 0
    mean: float = 0.0
    m2: float = 0.0
    low: float = math.inf
    high: float = -math.inf
    outliers: int = 0
    counts: Counter[Any] | None = field(default_factory=Counter)
    widths: list[int] = field(default_factory=list)
    heights: list[int] = field(default_factory=list)
    modes: Counter[str] = field(default_factory=Counter)
    unreadable: int = 0
    counted_chars: int = 0

    @property
    def is_numeric(self) -> bool:
        return self.type in ("integer", "number")

    def add_arrow(self, values: pa.Array) -> None:
        """One block of the column as its stored Arrow array (nulls for missing)."""
        self.missing += values.null_count
        present = values.drop_null() if values.null_count else values
        if not len(present):
            return
        if self.is_numeric or self.type == "boolean":
            numbers = pc.cast(present, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
            self._add_numbers(numbers)
        if self.type == "image":
            self._add_images(present.to_pylist())
        elif self.type != "json" and self.counts is not None:
            self._count(present)

    def _count(self, present: pa.Array) -> None:
        assert self.counts is not None
        # Distinct values of the block first: a column of a few classes costs a
        # few entries per block, whatever its length.
        tallies = pc.value_counts(present)
        values, counts = tallies.field("values"), tallies.field("counts")
        block = dict(zip(values.to_pylist(), counts.to_pylist(), strict=True))
        if self.type == "string":
            seen = self.counts
            self.counted_chars += sum(len(v) for v in block if v not in seen)
            if self.counted_chars > MAX_COUNTED_CHARS:
                self.counts = None
                return
        self.counts.update(block)
        if len(self.counts) > MAX_DISTINCT:
            self.counts = None

    def _add_numbers(self, block: NDArray[np.float64]) -> None:
        # Chan et al.'s update: merging a block's mean and squared deviations keeps
        # the variance exact in floating point however many blocks arrive.
        n = len(block)
        block_mean = float(block.mean())
        block_m2 = float(((block - block_mean) ** 2).sum())
        total = self.count + n
        delta = block_mean - self.mean
        self.mean += delta * n / total
        self.m2 += block_m2 + delta * delta * self.count * n / total
        self.count = total
        self.low = min(self.low, float(block.min()))
        self.high = max(self.high, float(block.max()))

    def _add_images(self, values: Sequence[Any]) -> None:
        from PIL import Image, UnidentifiedImageError

        for value in values:
            data = image_bytes(value) if isinstance(value, str) else None
            try:
                if data is None:
                    raise ValueError
                with Image.open(io.BytesIO(data)) as image:  # reads the header only
                    width, height = image.size
                    self.modes[image.mode] += 1
            except (ValueError, OSError, UnidentifiedImageError):
                self.unreadable += 1
                continue
            self.widths.append(width)
            self.heights.append(height)

    @property
    def outlier_count(self) -> int:
        # A two-valued column (a flag, a label) has no outliers, whatever its MAD says.
        distinct = self.distinct
        return 0 if distinct is not None and distinct <= 2 else self.outliers

    @property
    def distinct(self) -> int | None:
        return len(self.counts) if self.counts is not None else None

    @property
    def constant(self) -> bool:
        return self.counts is not None and len(self.counts) == 1

    def profile(self) -> ColumnProfile:
        profile = ColumnProfile(
            name=self.name,
            type=self.type,  # type: ignore[arg-type]
            missing=self.missing,
            distinct=self.distinct if self.type not in ("image", "json") else None,
            constant=self.constant,
        )
        if self.count and (self.is_numeric or self.type == "boolean"):
            profile.min, profile.max = self.low, self.high
            profile.mean = self.mean
            profile.std = math.sqrt(self.m2 / (self.count - 1)) if self.count > 1 else 0.0
        if self.is_numeric and self.centre is not None:
            profile.median = self.centre.median
            profile.outliers = self.outlier_count
        if self.counts is not None and self.type in ("string", "boolean", "integer"):
            # Every value of a column that may be a class label (a target's classes
            # are checked against the folds from these), else the ten most common.
            if len(self.counts) <= MAX_CLASSES:
                profile.top_values = {value_text(v): n for v, n in self.counts.most_common()}
            elif self.type != "integer":
                profile.top_values = {value_text(v): n for v, n in self.counts.most_common(10)}
        if self.type == "image" and (self.widths or self.unreadable):
            profile.image = ImageProfile(
                min_width=min(self.widths, default=0),
                max_width=max(self.widths, default=0),
                min_height=min(self.heights, default=0),
                max_height=max(self.heights, default=0),
                modes=dict(self.modes),
                unreadable=self.unreadable,
            )
        return profile


def target_balance(column: ColumnAccumulator) -> TargetBalance:
    classes = column.counts
    if column.type in ("string", "boolean", "integer") and classes and len(classes) <= MAX_CLASSES:
        counts = {
            value_text(value): n for value, n in sorted(classes.items(), key=lambda kv: -kv[1])
        }
        total = sum(counts.values())
        return TargetBalance(
            column=column.name,
            kind="classes",
            counts=counts,
            minority_share=round(min(counts.values()) / total, 6),
        )
    return TargetBalance(column=column.name, kind="numeric")


def quality_report(
    columns: list[ColumnAccumulator],
    rows: int,
    duplicate_rows: int,
    rows_with_missing: int,
    target: str | None,
) -> QualityReport:
    by_name = {column.name: column for column in columns}
    warnings: list[str] = []
    constant = [column.name for column in columns if column.constant]
    for name in constant:
        warnings.append(f"Column '{name}' holds a single value; it cannot inform a model.")
    for column in columns:
        if rows and column.missing / rows > 0.2:
            share = column.missing / rows
            warnings.append(f"Column '{column.name}' is missing in {share:.0%} of rows.")
        if column.is_numeric and column.count and column.outlier_count / column.count > 0.01:
            warnings.append(
                f"Column '{column.name}' has {column.outlier_count} outliers "
                f"(robust z-score over {OUTLIER_Z})."
            )
        if column.type == "string" and column.counts is None:
            warnings.append(
                f"Column '{column.name}' has over {MAX_DISTINCT} distinct texts; "
                "tabular training leaves it out."
            )
        if column.type == "image" and column.unreadable:
            warnings.append(f"Column '{column.name}' has {column.unreadable} unreadable images.")
    if rows_with_missing:
        gaps = [column.name for column in columns if column.missing]
        named = ", ".join(f"'{name}'" for name in gaps[:5]) + (", ..." if len(gaps) > 5 else "")
        warnings.append(
            f"{rows_with_missing} rows ({rows_with_missing / rows:.1%}) miss a value "
            f"(in {named}); training fills a missing number in and leaves a missing "
            "text unset, and rows missing the target are left out."
        )
    if duplicate_rows:
        warnings.append(f"{duplicate_rows} rows repeat an earlier row exactly.")
    balance = None
    if target is not None:
        balance = target_balance(by_name[target])
        if balance.minority_share is not None and balance.minority_share < 0.05:
            warnings.append(
                f"The target's smallest class has {balance.minority_share:.1%} of rows: "
                "prefer F1 or PR-AUC to accuracy."
            )
    return QualityReport(
        rows=rows,
        columns=len(columns),
        duplicate_rows=duplicate_rows,
        rows_with_missing=rows_with_missing,
        constant_columns=constant,
        outlier_threshold=OUTLIER_Z,
        target=balance,
        warnings=warnings,
    )
