"""Folds for cross-validation over groups (engines, texts): a group is held out
whole, never split between training and testing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def group_folds(groups: Sequence[T], folds: int, seed: int) -> Iterator[tuple[list[T], list[T]]]:
    """Each fold's training groups (in their given order) and held-out groups (in
    the seeded permutation's order), ``folds`` times."""
    order = np.random.default_rng(seed).permutation(len(groups))
    for held_out in np.array_split(order, folds):
        held = set(held_out.tolist())
        kept = [group for index, group in enumerate(groups) if index not in held]
        yield kept, [groups[index] for index in held_out.tolist()]
