"""Rows of a tenant's table as a numeric matrix: the same encoding when training
(from columns) and when serving (from validated rows).

Numbers and booleans are used as they are, a missing value replaced by the
training rows' median. A text column of at most :data:`MAX_CATEGORIES` values
becomes one indicator per value; a missing or unseen value sets none of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..datasets.columns import value_text
from ..datasets.files import Table

MAX_CATEGORIES = 50
NUMERIC_TYPES = ("integer", "number", "boolean")


@dataclass(frozen=True)
class FeatureEncoder:
    numeric: tuple[str, ...]
    medians: tuple[float, ...]
    categorical: tuple[tuple[str, tuple[str, ...]], ...]
    """Each text column with its categories, in the order of their indicators."""
    types: Mapping[str, str]
    """The dataset type of every feature column."""

    @classmethod
    def fit(cls, table: Table, features: Sequence[str], rows: NDArray[np.int64]) -> FeatureEncoder:
        numeric: list[str] = []
        medians: list[float] = []
        categorical: list[tuple[str, tuple[str, ...]]] = []
        for name in features:
            values = table.columns[name][rows]
            if table.types[name] in NUMERIC_TYPES:
                present = values[~np.isnan(values)]
                numeric.append(name)
                medians.append(float(np.median(present)) if len(present) else 0.0)
            else:
                seen = sorted({value_text(v) for v in values if v is not None})
                categorical.append((name, tuple(seen[:MAX_CATEGORIES])))
        return cls(
            tuple(numeric),
            tuple(medians),
            tuple(categorical),
            {name: table.types[name] for name in features},
        )

    @property
    def width(self) -> int:
        return len(self.numeric) + sum(len(categories) for _, categories in self.categorical)

    @property
    def feature_names(self) -> list[str]:
        return list(self.numeric) + [name for name, _ in self.categorical]

    def encode_table(
        self, table: Table, rows: NDArray[np.int64] | None = None
    ) -> NDArray[np.float64]:
        columns = [
            table.columns[name] if rows is None else table.columns[name][rows]
            for name in self.feature_names
        ]
        return self._encode(columns)

    def encode_rows(self, rows: Sequence[Mapping[str, Any]]) -> NDArray[np.float64]:
        columns: list[NDArray[Any]] = []
        for name in self.numeric:
            columns.append(
                np.array(
                    [np.nan if row.get(name) is None else float(row[name]) for row in rows],
                    dtype=np.float64,
                )
            )
        for name, _ in self.categorical:
            column = np.empty(len(rows), dtype=object)
            column[:] = [row.get(name) for row in rows]
            columns.append(column)
        return self._encode(columns)

    def _encode(self, columns: Sequence[NDArray[Any]]) -> NDArray[np.float64]:
        count = len(columns[0]) if columns else 0
        matrix = np.zeros((count, self.width), dtype=np.float64)
        for i, median in enumerate(self.medians):
            values = columns[i].astype(np.float64)
            matrix[:, i] = np.where(np.isnan(values), median, values)
        offset = len(self.numeric)
        for j, (_, categories) in enumerate(self.categorical):
            position = {category: k for k, category in enumerate(categories)}
            for row, value in enumerate(columns[len(self.numeric) + j]):
                k = position.get(value_text(value)) if value is not None else None
                if k is not None:
                    matrix[row, offset + k] = 1.0
            offset += len(categories)
        return matrix

    def to_params(self) -> dict[str, Any]:
        return {
            "numeric": list(self.numeric),
            "medians": list(self.medians),
            "categorical": [[name, list(categories)] for name, categories in self.categorical],
            "types": dict(self.types),
        }

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> FeatureEncoder:
        return cls(
            tuple(params["numeric"]),
            tuple(float(m) for m in params["medians"]),
            tuple((name, tuple(categories)) for name, categories in params["categorical"]),
            dict(params["types"]),
        )
