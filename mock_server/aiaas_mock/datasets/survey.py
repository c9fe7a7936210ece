"""What reading an upload's blocks learns, and what every format's source offers.

A column's type only widens as blocks arrive, and its numbers are sampled for
the robust centre of the quality report's outliers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from .columns import widen
from .errors import MalformedDataset
from .limits import MAX_CELL_CHARS, MAX_COLUMNS
from .profile import Reservoir


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
